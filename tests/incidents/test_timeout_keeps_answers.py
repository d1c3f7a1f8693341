"""The Questions page sent after the session ran out loses nothing: its answers and the words
after a "yes" are kept, and saved to the draft once the reporter signs back in."""

import re
from html import unescape
from urllib.parse import urlencode

from django.contrib.sessions.models import Session
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.incidents.conftest import checklist_answers

FORM = "application/x-www-form-urlencoded"
WORDS = "Maya's phone: she still has it & won't switch it off"


def test_questions_sent_after_timing_out_are_saved_after_signing_back_in(journey, cast):
    j = journey(cast.teacher)
    j.start()
    j.what()
    j.adults()
    asked = j.client.get(j.url("report_checklist")).context["form"].fields
    answers = {k: v for k, v in checklist_answers().items() if k in asked}
    answers.update(device_involved="yes", device_secured="no", device_details=WORDS)

    Session.objects.all().delete()  # the session has run out
    response = j.client.post(j.url("report_checklist"), urlencode(answers), content_type=FORM)
    assert response["Location"].startswith(reverse("safeguarding:login"))
    assert "checklist" not in j.draft.data["steps_done"]

    login = {"username": cast.teacher.email, "password": PASSWORD}
    response = j.client.post(response["Location"], urlencode(login), content_type=FORM)
    assert response["Location"] == reverse("safeguarding:unsaved")
    html = j.client.get(response["Location"]).content.decode()
    assert f'action="{j.url("report_checklist")}"' in html
    kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert unescape(kept["device_details"]) == WORDS

    resend = {
        name: unescape(value) for name, value in kept.items() if name != "csrfmiddlewaretoken"
    }
    response = j.client.post(j.url("report_checklist"), urlencode(resend), content_type=FORM)
    assert response.status_code == 302
    draft = j.draft
    assert "checklist" in draft.data["steps_done"]
    assert draft.data["details"]["device_details"] == WORDS
    assert draft.data["answers"]["device_secured"] == "no"
