"""Passkeys as the second factor, in Chromium with its virtual authenticator (WebAuthn over the
DevTools protocol): a DSL adds one from the account page, then uses it instead of a code; a new
deputy sets one up as their only second factor and gets backup codes. The strict CSP stays on:
django-otp-webauthn's script and ours load from our own static files."""

import re

import pytest
from django_otp_webauthn.models import WebAuthnCredential

from safeguarding.models import AuditEvent, Role
from tests.browser.conftest import check_accessibility, screenshot, sign_in_in_browser
from tests.conftest import PASSWORD, make_user


@pytest.fixture
def passkey_site(live_server, settings):
    """Passkeys belong to a host name: the live server's (localhost)."""
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    assert live_server.url.startswith("http://localhost:")
    return live_server


def virtual_authenticator(page) -> tuple[object, str]:
    """A platform authenticator (like a laptop's fingerprint reader) that says yes at once."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    result = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, result["authenticatorId"]


def sign_in_with_password(page, user):
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_dsl_adds_a_passkey_then_signs_in_with_it(page, cast, passkey_site):
    cdp, authenticator = virtual_authenticator(page)
    sign_in_in_browser(page, cast.dsl)  # password and app code
    page.goto("/account/")
    page.get_by_role("button", name="Add a passkey or security key").wait_for()
    check_accessibility(page, "account, no passkey yet")

    page.get_by_role("button", name="Add a passkey or security key").click()
    # Dana had no backup codes yet (only an app): she gets them now, shown once.
    page.wait_for_url(re.compile(r"/two-factor/backup-codes/"))
    assert page.locator("#backup-codes li").count() == 10
    page.goto("/account/")
    page.get_by_role("cell", name="Passkey or security key 1").wait_for()
    screenshot(page, "account-with-passkey")
    check_accessibility(page, "account with a passkey")
    assert WebAuthnCredential.objects.filter(user=cast.dsl, confirmed=True).count() == 1
    assert (
        len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"])
        == 1
    )

    page.get_by_role("button", name="Sign out").click()
    sign_in_with_password(page, cast.dsl)
    page.wait_for_url(re.compile(r"/two-factor/check/"))
    page.get_by_role("heading", name="Check it is you").wait_for()
    page.get_by_role("button", name="Use your passkey or security key").wait_for()
    check_accessibility(page, "two-factor check with a passkey")
    screenshot(page, "two-factor-check-passkey")

    page.get_by_role("button", name="Use your passkey or security key").click()
    page.wait_for_url(re.compile(r"/$"))
    page.get_by_role("heading", name="Hello, Dana").wait_for()
    page.goto("/s/oakwood/cases/")
    page.get_by_role("heading", name=re.compile("Cases")).wait_for()
    assert AuditEvent.objects.filter(
        action="two_factor.verified", actor=cast.dsl, data__method="passkey"
    ).exists()
    assert page.script_errors == []


def test_a_new_deputy_uses_a_passkey_as_their_only_second_factor(page, cast, passkey_site):
    virtual_authenticator(page)
    deputy = make_user(
        "deputy2@oakwood.test", "Dee Moss", school=cast.school_a, roles=[Role.DEPUTY_DSL]
    )
    deputy.totpdevice_set.all().delete()  # nothing set up yet
    sign_in_with_password(page, deputy)
    page.wait_for_url(re.compile(r"/two-factor/set-up/"))
    page.get_by_role("button", name="Set up a passkey or security key").wait_for()
    check_accessibility(page, "two-factor set-up with the passkey choice")

    page.get_by_role("button", name="Set up a passkey or security key").click()
    page.wait_for_url(re.compile(r"/two-factor/backup-codes/"))
    page.get_by_role("heading", name=re.compile("backup codes", re.I)).wait_for()
    screenshot(page, "backup-codes-after-passkey")
    assert page.locator("#backup-codes li").count() == 10
    check_accessibility(page, "backup codes after a passkey")
    page.goto("/s/oakwood/cases/")
    page.get_by_role("heading", name=re.compile("Cases")).wait_for()
    assert page.script_errors == []
