"""The Django admin sits behind our sign-in and the same two-factor check."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.models import User
from tests.conftest import PASSWORD, post_form, sign_in

LOGIN = reverse("safeguarding:login")
CHECK = reverse("safeguarding:two_factor_verify")
SETUP = reverse("safeguarding:two_factor_setup")


@pytest.fixture
def superuser(db):
    user = User.objects.create_superuser("root@safeguarding.test", PASSWORD, full_name="Sam Root")
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return user


def test_the_admin_sign_in_page_is_ours(client, db):
    response = client.get("/admin/", follow=True)
    final_url, _ = response.redirect_chain[-1]
    assert final_url.startswith(LOGIN)
    assert "next=/admin/" in final_url.replace("%2F", "/")
    assert response.status_code == 200
    assert "Email address" in response.content.decode()


def test_a_superuser_with_only_a_password_is_sent_to_the_check(client, superuser):
    response = post_form(
        client,
        LOGIN + "?next=/admin/",
        {"username": superuser.email, "password": PASSWORD, "next": "/admin/"},
    )
    assert response["Location"] == CHECK + "?next=%2Fadmin%2F"
    for url in ("/admin/", "/admin/safeguarding/user/", "/admin/safeguarding/auditevent/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == CHECK, url


def test_a_superuser_without_an_app_is_sent_to_set_one_up(client, superuser):
    TOTPDevice.objects.filter(user=superuser).delete()
    client.force_login(superuser)
    assert client.get("/admin/")["Location"] == SETUP


def test_a_checked_superuser_uses_the_admin(client, superuser):
    response = sign_in(client, superuser).get("/admin/")
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["teacher", "dsl", "trust_lead"])
def test_people_who_are_not_staff_cannot_use_the_admin(cast, client_for, who):
    client = client_for(getattr(cast, who))
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert client.get("/admin/safeguarding/user/", follow=True).status_code == 403
