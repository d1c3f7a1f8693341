"""A form posted after the session ran out is kept, and saved once the person signs back in."""

import re
from html import unescape
from urllib.parse import urlencode

from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import CaseNote
from safeguarding.two_factor import current_code
from tests.cases.conftest import make_incident
from tests.conftest import PASSWORD

FORM = "application/x-www-form-urlencoded"
NOTE = "Spoke to Amy's mum at 4pm.\nShe will bring the phone in tomorrow & won't delete anything."


def post(client, url, data):
    return client.post(url, urlencode(data), content_type=FORM)


def test_a_note_posted_after_timing_out_is_saved_after_signing_back_in(cast):
    incident = make_incident(cast.school_a, cast.teacher)
    note_url = reverse("cases:add_note", args=[incident.reference])
    browser = Client()  # its session has expired: the server no longer knows it

    response = post(browser, note_url, {"text": NOTE})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("safeguarding:login"))
    assert "unsaved" in response["Location"]
    assert not CaseNote.objects.exists()

    # Sign in again through the real pages: password, then the app's code.
    response = post(
        browser, response["Location"], {"username": cast.dsl.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=cast.dsl)
    response = post(browser, response["Location"], {"code": current_code(device)})
    assert response.status_code == 302
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
