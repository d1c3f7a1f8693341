"""Leavers: someone switched off at their school's Microsoft or Google cannot go on using a
session here beyond the 30-minute idle limit."""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY

from safeguarding.models import AuditEvent
from sso.views import CHECKED_AT_SESSION_KEY
from tests.conftest import post_form
from tests.sso.conftest import query_of
from tests.sso.test_provider_sign_in import linked_teacher


def time_passes(client, seconds: float) -> None:
    """Move the last check with the provider back in time (everything else stays valid)."""
    session = client.session
    session[CHECKED_AT_SESSION_KEY] = time.time() - seconds
    session.save()


def test_the_check_comes_well_within_the_idle_limit():
    assert settings.SSO_RECHECK_SECONDS <= settings.SESSION_COOKIE_AGE / 2


def test_a_still_allowed_person_is_checked_without_seeing_the_provider(
    idp, cast, oakwood_microsoft, browser_for
):
    teacher = linked_teacher(idp, cast, oakwood_microsoft)
    browser = browser_for()
    browser.sign_in(oakwood_microsoft, "tomh")
    time_passes(browser.client, settings.SSO_RECHECK_SECONDS + 1)

    to_provider = browser.client.get("/my-reports/")
    assert query_of(to_provider["Location"])["prompt"] == "none"
    back = browser.client.get(browser.authorize(to_provider, login=None))

    assert back.status_code == 302 and back["Location"] == "/my-reports/"
    assert browser.client.session[SESSION_KEY] == str(teacher.pk)
    assert browser.client.get("/my-reports/").status_code == 200


def test_someone_switched_off_at_the_provider_is_signed_out_at_the_next_check(
    idp, cast, oakwood_microsoft, browser_for
):
    teacher = linked_teacher(idp, cast, oakwood_microsoft)
    browser = browser_for()
    browser.sign_in(oakwood_microsoft, "tomh")
    assert browser.client.get("/my-reports/").status_code == 200
    idp.disable("tomh")
    # Still inside the check interval: the session goes on.
    assert browser.client.get("/my-reports/").status_code == 200
    time_passes(browser.client, settings.SSO_RECHECK_SECONDS + 1)

    to_provider = browser.client.get("/my-reports/")
    callback = browser.authorize(to_provider, login=None)
    assert query_of(callback).get("error") == "login_required"
    back = browser.client.get(callback)

    assert back["Location"] == "/sign-in/school/oakwood/"
    assert SESSION_KEY not in browser.client.session
    assert browser.client.get("/my-reports/")["Location"].startswith("/sign-in/")
    assert AuditEvent.objects.filter(action="sso.recheck_failed", actor=teacher).exists()
    # And signing in again is refused by the provider itself.
    again = browser.authorize(browser.start(oakwood_microsoft), login="tomh")
    assert "error=access_denied" in again


def test_a_session_that_was_not_checked_in_time_ends_at_the_idle_limit(
    idp, cast, oakwood_microsoft, browser_for
):
    """Only forms sent (no page opened to carry the check) for longer than the idle limit: the
    session ends, and what was being sent is kept for after signing in again."""
    linked_teacher(idp, cast, oakwood_microsoft)
    browser = browser_for()
    browser.sign_in(oakwood_microsoft, "tomh")
    time_passes(browser.client, settings.SSO_RECHECK_SECONDS + 60)
    # A form sent between the check being due and the idle limit still goes through.
    assert post_form(browser.client, "/notifications/read/").status_code == 302
    assert SESSION_KEY in browser.client.session

    time_passes(browser.client, settings.SESSION_COOKIE_AGE + 1)
    response = post_form(browser.client, "/notifications/read/", {"x": "kept"})

    assert response["Location"].startswith("/sign-in/")
    assert SESSION_KEY not in browser.client.session
    assert AuditEvent.objects.filter(action="sso.recheck_overdue").exists()


def test_a_password_session_is_not_sent_to_a_provider(cast, client_for):
    client = client_for(cast.teacher)
    assert client.get("/my-reports/").status_code == 200
