"""A school admin sees who has not signed in for 90 days, and can switch password sign-in off
once the school signs in with Microsoft or Google (password sign-in then refused for everyone
holding a role there)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.html import escape

from safeguarding.forms import PASSWORD_SIGN_IN_OFF
from safeguarding.models import AuditEvent, User
from sso.models import ExternalIdentity
from tests.conftest import PASSWORD, post_form


def test_people_not_signed_in_for_90_days_are_listed(cast, client_for):
    now = timezone.now()
    User.objects.filter(pk=cast.teacher.pk).update(last_login=now - timedelta(days=91))
    User.objects.filter(pk=cast.deputy.pk).update(last_login=now - timedelta(days=89))
    User.objects.filter(pk=cast.dsl.pk).update(
        last_login=None, date_joined=now - timedelta(days=200)
    )
    User.objects.filter(pk=cast.admin.pk).update(last_login=now)

    page = client_for(cast.admin).get("/s/oakwood/people/").content.decode()
    section = page[page.index('id="not-signed-in"') : page.index("Invitations waiting")]

    assert "Tom Hart" in section
    assert "Dana Lee" in section and "Never" in section
    assert "Dev Patel" not in section and "Ada Price" not in section
    assert "Tara Bell" not in section  # another school's teacher


def test_switching_password_sign_in_off_refuses_passwords_for_the_schools_people(
    cast, client_for, oakwood_microsoft
):
    admin = client_for(cast.admin)
    settings_page = admin.get("/s/oakwood/sign-in-settings/")
    assert b"Microsoft 365" in settings_page.content
    # Not before the admin has linked their own account: they would be locked out too.
    post_form(admin, "/s/oakwood/sign-in-settings/", {})
    oakwood_microsoft.refresh_from_db()
    assert oakwood_microsoft.password_sign_in is True
    ExternalIdentity.objects.create(
        user=cast.admin,
        provider=oakwood_microsoft,
        issuer=oakwood_microsoft.issuer,
        subject="ada",
    )

    assert post_form(admin, "/s/oakwood/sign-in-settings/", {}).status_code == 302
    oakwood_microsoft.refresh_from_db()
    assert oakwood_microsoft.password_sign_in is False
    assert AuditEvent.objects.get(action="sso.password_sign_in_changed").data == {"allowed": False}

    from django.test import Client

    refused = post_form(
        Client(), "/sign-in/", {"username": cast.teacher.email, "password": PASSWORD}
    )
    assert refused.status_code == 200
    assert escape(PASSWORD_SIGN_IN_OFF.format(label="Microsoft")) in refused.content.decode()
    # A wrong password still gets the usual answer: nothing is learnt without the password.
    wrong = post_form(Client(), "/sign-in/", {"username": cast.teacher.email, "password": "x"})
    assert b"switched password sign-in off" not in wrong.content
    # Another school's people are not affected.
    elsewhere = post_form(
        Client(), "/sign-in/", {"username": cast.teacher_b.email, "password": PASSWORD}
    )
    assert elsewhere.status_code == 302

    assert post_form(admin, "/s/oakwood/sign-in-settings/", {"password_sign_in": "on"})
    oakwood_microsoft.refresh_from_db()
    assert oakwood_microsoft.password_sign_in is True


def test_a_school_without_a_provider_keeps_passwords(cast, client_for):
    page = client_for(cast.admin).get("/s/oakwood/sign-in-settings/")
    assert b"sign in with their email address and a password" in page.content
    assert b'name="password_sign_in"' not in page.content
