"""The sign-in protections hold for sessions signed in with a school account: the second factor
for every role that sees cases or people (and the admin site), TOTP replay, the session key, the
password lockout (which refused school sign-ins never touch), and passkeys only after the
second factor."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sso.models import SignInProvider
from tests.conftest import PASSWORD, post_form
from tests.sso.conftest import TENANT_A, sign_in_with_school_account


@pytest.fixture
def trust_signs_in_with_microsoft(cast):
    for trust in (cast.trust_a, cast.trust_b):
        SignInProvider.objects.create(
            trust=trust,
            kind=SignInProvider.Kind.MICROSOFT,
            tenant_id=TENANT_A,
            client_id=f"{trust.slug}-app",
            client_secret="not-used",
        )


PAGES_BEHIND_THE_SECOND_FACTOR = {
    "dsl": ["/s/oakwood/cases/", "/account/", "/"],
    "deputy": ["/s/oakwood/cases/", "/s/oakwood/pupils/"],
    "admin": ["/s/oakwood/people/", "/s/oakwood/sign-in-settings/"],
    "trust_lead": ["/t/northfield/statistics/"],
}


@pytest.mark.parametrize("member", sorted(PAGES_BEHIND_THE_SECOND_FACTOR))
def test_a_school_account_session_without_our_second_factor_sees_nothing(
    member, cast, trust_signs_in_with_microsoft
):
    client = sign_in_with_school_account(Client(), getattr(cast, member), second_factor_done=False)
    for url in PAGES_BEHIND_THE_SECOND_FACTOR[member]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/two-factor/check/"), url


def test_the_admin_site_needs_our_second_factor_after_a_school_account_sign_in(
    cast, trust_signs_in_with_microsoft
):
    cast.dsl.is_staff = cast.dsl.is_superuser = True
    cast.dsl.save()
    client = sign_in_with_school_account(Client(), cast.dsl, second_factor_done=False)
    assert client.get("/admin/")["Location"].startswith("/two-factor/check/")
    sign_in_with_school_account(client, cast.dsl)
    assert client.get("/admin/").status_code == 200


def test_a_code_used_once_is_refused_again_in_a_school_account_session(
    cast, trust_signs_in_with_microsoft
):
    device = TOTPDevice.objects.get(user=cast.dsl)
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
    first = sign_in_with_school_account(Client(), cast.dsl, second_factor_done=False)
    assert post_form(first, "/two-factor/check/", {"code": code})["Location"] == "/"
    second = sign_in_with_school_account(Client(), cast.dsl, second_factor_done=False)
    replay = post_form(second, "/two-factor/check/", {"code": code})
    assert replay.status_code == 200
    assert second.get("/s/oakwood/cases/")["Location"].startswith("/two-factor/check/")


def test_no_passkey_can_be_added_before_the_second_factor(cast, trust_signs_in_with_microsoft):
    """Someone holding only the school account (a phished Microsoft session) cannot add their
    own passkey to get past our check."""
    client = sign_in_with_school_account(Client(), cast.dsl, second_factor_done=False)
    response = client.post(
        "/two-factor/passkeys/registration/begin/", content_type="application/json"
    )
    assert response.status_code in (401, 403)
    assert "otp_webauthn_register_state" not in client.session


def test_refused_school_sign_ins_never_lock_anyone_out(cast, oakwood_microsoft):
    client = Client()
    for _ in range(12):
        assert client.get("/sign-in/callback/?state=made-up&code=x").status_code == 400
    assert AccessAttempt.objects.count() == 0
    signed_in = post_form(
        Client(), "/sign-in/", {"username": cast.teacher.email, "password": PASSWORD}
    )
    assert signed_in.status_code == 302


def test_a_password_sign_in_never_starts_a_token_exchange(cast, oakwood_microsoft):
    """The school-account backend answers only the callback, never authenticate()."""
    request = RequestFactory().post("/sign-in/?code=stolen&state=stolen")
    request.session = Client().session
    assert authenticate(request, username=cast.teacher.email, password="wrong") is None
    from sso.oidc import SchoolSignInBackend

    assert SchoolSignInBackend().authenticate(request) is None
