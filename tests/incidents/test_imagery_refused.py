"""Imagery in any text field of the journey, the follow-up and the pupil import is refused with
the message staff need, the rest of the form is kept, and nothing is saved."""

import base64
import io
import random
import urllib.parse

import pytest
from django.urls import reverse
from PIL import Image

from incidents.models import FollowUp, Incident, Pupil
from safeguarding.text import IMAGERY_MESSAGE
from tests.conftest import post_form, search_for

IMAGERY = [
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk",
    "blob:https://web.whatsapp.com/3b1f5e1a-8a0c-4d4e-9a57-1e0b0a0c1d2e",
    '<img src="https://example.com/x.png">',
    "<svg onload=alert(1)>",
    "<picture><source srcset=x></picture>",
    "![the photo](https://example.com/a)",
    "[img]https://example.com/a[/img]",
    "QUJD" * 40,
    "https://cdn.example.com/uploads/photo.jpeg",
    "＜ｉｍｇ src=x＞",
    "<i\u200bmg src=x>",
]


def assert_refused(response, form_name, field):
    assert response.status_code == 200
    assert response.context[form_name].errors[field] == [IMAGERY_MESSAGE]
    assert IMAGERY_MESSAGE in response.content.decode()


@pytest.mark.parametrize("payload", IMAGERY)
def test_what_happened_refuses_imagery_in_the_account(journey, cast, payload):
    j = journey(cast.teacher)
    j.start()
    response = j.what(account=f"She said it was this: {payload}")
    assert_refused(response, "form", "account")
    assert 'value="Snapchat"' in response.content.decode()  # the rest kept
    assert "what" not in j.draft.data


@pytest.mark.parametrize("payload", IMAGERY[:4])
def test_what_happened_refuses_imagery_in_the_platform(journey, cast, payload):
    j = journey(cast.teacher)
    j.start()
    response = j.what(platform=payload)
    assert_refused(response, "form", "platform")
    assert "Jake put my photo in an app" in response.content.decode()


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_a_new_pupil_name_cannot_hold_imagery(journey, cast, field):
    j = journey(cast.teacher)
    j.start()
    names = {"first": "Ava", "last": "Smith", field.split("_")[0]: "<img src=x>"}
    response = j.add_new_pupil(first=names["first"], last=names["last"])
    assert_refused(response, "new_form", field)
    assert not Pupil.objects.exists()


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ("adult_involved", "adults_description"),
        ("device_involved", "device_details"),
        ("imagery_viewed", "imagery_viewed_by"),
        ("imagery_viewed", "imagery_viewed_when"),
    ],
)
def test_the_words_after_a_yes_cannot_hold_imagery(journey, cast, question, field):
    """Who the adult is, the device and where it is, who saw the image and when."""
    j = journey(cast.teacher)
    j.start()
    j.what()
    j.adults()
    words = {
        "adults_description": "a man online",
        "device_details": "Maya's phone",
        "imagery_viewed_by": "I did",
        "imagery_viewed_when": "Tuesday",
    }
    response = j.checklist(**{question: "yes", **words, field: "him: ![x](https://e.com/i)"})
    assert_refused(response, "form", field)
    assert "checklist" not in j.draft.data["steps_done"]


def test_searching_the_pupil_list_with_imagery_is_refused(journey, cast, pupils):
    j = journey(cast.teacher)
    j.start()
    response = search_for(
        j.client, j.url("report_who"), "data:image/png;base64,AAAA", action="search"
    )
    assert response.status_code == 200
    assert response.context["search"].errors["q"] == [IMAGERY_MESSAGE]


@pytest.mark.parametrize("payload", IMAGERY[:3])
def test_further_information_cannot_hold_imagery(journey, cast, payload):
    j = journey(cast.teacher).complete()
    j.submit()
    incident = Incident.objects.get()
    url = reverse("incidents:my_report", kwargs={"reference": incident.reference})
    response = post_form(j.client, url, {"text": f"Also {payload}"})
    assert_refused(response, "form", "text")
    assert f"Also {payload}" in response.content.decode() or "Also " in response.content.decode()
    assert not FollowUp.objects.exists()


def test_the_pupil_import_cannot_hold_imagery(client_for, cast):
    client = client_for(cast.admin)
    url = reverse("incidents:pupils_import", kwargs={"school": "oakwood"})
    csv_text = "first_name,last_name,year_group,date_of_birth,mis_id\n<img src=x>,A,9,2012-01-01,\n"
    response = post_form(client, url, {"csv_text": csv_text})
    assert_refused(response, "form", "csv_text")
    assert not Pupil.objects.exists()


def image_in_base64(fmt: str = "JPEG", size: int = 16) -> str:
    rng = random.Random(size)
    picture = Image.new("RGB", (size, size))
    picture.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(size * size)])
    out = io.BytesIO()
    picture.save(out, fmt)
    return base64.b64encode(out.getvalue()).decode()


def test_image_data_cut_up_by_full_stops_is_refused(journey, cast):
    j = journey(cast.teacher)
    j.start()
    encoded = image_in_base64()
    cut = ".".join(encoded[i : i + 10] for i in range(0, len(encoded), 10))
    response = j.what(account=f"She said it was this. {cut}")
    assert_refused(response, "form", "account")
    assert "what" not in j.draft.data


def test_a_data_uri_escaped_for_a_link_is_refused(journey, cast):
    j = journey(cast.teacher)
    j.start()
    uri = urllib.parse.quote("data:image/gif;base64," + image_in_base64("GIF", 1), safe="")
    response = j.what(platform=uri)
    assert_refused(response, "form", "platform")
    assert "what" not in j.draft.data
