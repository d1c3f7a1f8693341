"""A form posted after the session ran out is kept, and saved once the person signs back in."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import CaseNote
from incidents.models import ReportDraft
from safeguarding.models import AuditEvent, Membership, Role
from safeguarding.two_factor import current_code
from tests.cases.conftest import make_incident
from tests.conftest import PASSWORD

FORM = "application/x-www-form-urlencoded"
NOTE = "Spoke to Amy's mum at 4pm.\nShe will bring the phone in tomorrow & won't delete anything."


def post(client, url, data):
    return client.post(url, urlencode(data), content_type=FORM)


def sign_in(browser, user, location=None):
    """Through the real pages: password, then the app's code if they have one. Returns the
    last response."""
    location = location or reverse("safeguarding:login")
    response = post(browser, location, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    device = TOTPDevice.objects.filter(user=user).first()
    if device is not None:
        # As if the next 30-second code had come round (each code works once).
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
        response = post(browser, response["Location"], {"code": current_code(device)})
        assert response.status_code == 302
    return response


def time_out(browser) -> None:
    """The session runs out on the server; the browser keeps its cookies."""
    key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))


def note_posted_after_timing_out(cast, browser):
    incident = make_incident(cast.school_a, cast.teacher)
    note_url = reverse("cases:add_note", args=[incident.reference])
    sign_in(browser, cast.dsl)
    assert browser.get(note_url).status_code == 200
    time_out(browser)
    response = post(browser, note_url, {"text": NOTE})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("safeguarding:login"))
    assert "unsaved" in response["Location"]
    assert not CaseNote.objects.exists()
    return note_url, response["Location"]


def test_a_note_posted_after_timing_out_is_saved_after_signing_back_in(cast):
    browser = Client()
    note_url, sign_in_page = note_posted_after_timing_out(cast, browser)
    response = sign_in(browser, cast.dsl, sign_in_page)
    assert response["Location"] == reverse("safeguarding:unsaved")

    page = browser.get(response["Location"])
    html = page.content.decode()
    assert "You were signed out before your changes were saved" in html
    assert f'action="{note_url}"' in html
    kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert unescape(kept["text"]) == NOTE

    response = post(browser, note_url, {"text": unescape(kept["text"])})
    assert response.status_code in (200, 302)
    assert CaseNote.objects.get().text == NOTE
    # Offered once only.
    assert browser.get(reverse("safeguarding:unsaved"))["Location"] == reverse("safeguarding:home")


def test_nothing_is_kept_from_a_plain_visit(cast):
    browser = Client()
    response = browser.get(reverse("cases:inbox", kwargs={"school": "oakwood"}))
    assert response.status_code == 302
    assert "unsaved" not in response["Location"]


# Issue 13, point 1: the kept text went to whoever signed in next on that browser, for two
# hours, even at another school and trust.


@pytest.mark.parametrize("next_person", ["dsl_b", "deputy", "teacher"])
def test_someone_else_signing_in_on_that_browser_never_sees_it(cast, next_person):
    browser = Client()
    _, sign_in_page = note_posted_after_timing_out(cast, browser)
    someone_else = getattr(cast, next_person)
    response = sign_in(browser, someone_else, sign_in_page)
    # Wherever they go first, the kept text is already gone.
    assert NOTE.split("\n")[0] not in browser.get(reverse("safeguarding:home")).content.decode()
    page = browser.get(reverse("safeguarding:unsaved"))
    assert page["Location"] == reverse("safeguarding:home")
    assert "_unsaved_post" not in browser.session
    discarded = AuditEvent.objects.get(action="unsaved_form.discarded")
    assert discarded.actor == someone_else
    assert response.status_code == 302


def test_the_owner_gets_it_back_only_while_they_may_still_open_the_page(cast):
    browser = Client()
    _, sign_in_page = note_posted_after_timing_out(cast, browser)
    # Before they sign back in, they stop being the school's DSL (and are a teacher there).
    Membership.objects.filter(user=cast.dsl, role=Role.DSL).update(role=Role.STAFF)
    sign_in(browser, cast.dsl, sign_in_page)
    page = browser.get(reverse("safeguarding:unsaved"))
    assert page["Location"] == reverse("safeguarding:home")


def test_a_report_draft_goes_back_only_to_its_reporter_while_it_lasts(cast):
    draft = ReportDraft.objects.create(
        reporter=cast.teacher,
        school=cast.school_a,
        data={},
        expires_at=timezone.now() + timedelta(days=7),
    )
    url = reverse("incidents:report_what", kwargs={"school": "oakwood", "draft": draft.pk})
    browser = Client()
    sign_in(browser, cast.teacher)
    time_out(browser)
    post(browser, url, {"account": "What Amy told me at break."})
    draft.delete()
    sign_in(browser, cast.teacher, reverse("safeguarding:login"))
    assert browser.get(reverse("safeguarding:unsaved"))["Location"] == reverse("safeguarding:home")


def test_nothing_goes_back_when_nobody_can_say_who_typed_it(cast):
    incident = make_incident(cast.school_a, cast.teacher)
    browser = Client()  # never signed in here (or its cookies were cleared)
    post(browser, reverse("cases:add_note", args=[incident.reference]), {"text": NOTE})
    sign_in(browser, cast.dsl)
    assert browser.get(reverse("safeguarding:unsaved"))["Location"] == reverse("safeguarding:home")


def test_signing_out_means_the_browser_belongs_to_nobody(cast):
    from safeguarding.unsaved import OWNER_COOKIE

    browser = Client()
    sign_in(browser, cast.dsl)
    browser.get(reverse("safeguarding:home"))
    assert browser.cookies[OWNER_COOKIE].value
    post(browser, reverse("safeguarding:logout"), {})
    assert not browser.cookies[OWNER_COOKIE].value
