"""Bad input on every step: the error is on the field, the person's values are kept, nothing is
saved, and nothing breaks."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from incidents.forms import (
    ACKNOWLEDGE_MESSAGE,
    ADULTS_DESCRIPTION_MESSAGE,
    DATE_INCOMPLETE_MESSAGES,
    DATE_PART_MESSAGES,
    DEVICE_DETAILS_MESSAGE,
    FUTURE_DATE_MESSAGE,
    VIEWED_BY_MESSAGE,
)
from incidents.models import Incident, Pupil, ReportDraft
from tests.conftest import post_form, search_for


def errors_of(response, form_name="form"):
    return response.context[form_name].errors


def test_before_you_start_needs_the_acknowledgement(client_for, cast):
    client = client_for(cast.teacher)
    url = reverse("incidents:report_start", kwargs={"school": "oakwood"})
    response = post_form(client, url, {})
    assert response.status_code == 200
    assert errors_of(response)["acknowledged"] == [ACKNOWLEDGE_MESSAGE]
    assert "There is a problem" in response.content.decode()
    assert response.content.decode().count(ACKNOWLEDGE_MESSAGE) >= 2  # summary and field
    assert not ReportDraft.objects.exists()


def test_what_happened_names_each_missing_answer(journey, cast):
    j = journey(cast.teacher)
    j.start()
    response = post_form(j.client, j.url("report_what"), {"platform": "Snapchat"})
    assert response.status_code == 200
    errors = errors_of(response)
    assert set(errors) == {
        "image_nature",
        "threats_or_demands",
        "came_to_light",
        "location",
        "account",
    }
    assert 'value="Snapchat"' in response.content.decode()  # kept
    assert "what" not in j.draft.data


def test_a_date_in_the_future_is_refused_and_the_rest_is_kept(journey, cast):
    j = journey(cast.teacher)
    j.start()
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = j.what(
        happened_on_0=str(tomorrow.day),
        happened_on_1=str(tomorrow.month),
        happened_on_2=str(tomorrow.year),
        account="He said it was sent on Friday.",
    )
    assert response.status_code == 200
    assert errors_of(response)["happened_on"] == [FUTURE_DATE_MESSAGE]
    body = response.content.decode()
    assert "He said it was sent on Friday." in body
    assert f'value="{tomorrow.year}"' in body


def test_a_date_that_does_not_exist_is_refused(journey, cast):
    j = journey(cast.teacher)
    j.start()
    for day, month, year in (("31", "2", "2026"), ("1", "13", "2026"), ("x", "1", "2026")):
        response = j.what(happened_on_0=day, happened_on_1=month, happened_on_2=year)
        assert response.status_code == 200, (day, month, year)
        assert "happened_on" in errors_of(response)
    response = j.what(happened_on_0="1", happened_on_1="", happened_on_2="2026")
    assert "happened_on" in errors_of(response)
    response = j.what(happened_on_0="99999999999999999999", happened_on_1="1", happened_on_2="1")
    assert "happened_on" in errors_of(response)


def test_the_account_length_limit_is_stated_and_enforced(journey, cast):
    j = journey(cast.teacher)
    j.start()
    page = j.client.get(j.url("report_what")).content.decode()
    assert "Up to 5,000 characters" in page
    response = j.what(account="a " * 2501)
    assert errors_of(response)["account"] == ["What happened must be 5,000 characters or fewer"]
    response = j.what(platform="x" * 201)
    assert "200 characters or fewer" in errors_of(response)["platform"][0]


def test_a_choice_that_is_not_offered_is_refused(journey, cast):
    j = journey(cast.teacher)
    j.start()
    response = j.what(image_nature="selfie", threats_or_demands="maybe", location="moon")
    assert {"image_nature", "threats_or_demands", "location"} <= set(errors_of(response))


def test_who_refuses_a_pupil_from_another_school(journey, cast, pupils):
    j = journey(cast.teacher)
    j.start()
    j.what()
    response = j.add_pupil(pupils["other_school"])
    assert response.status_code == 200
    assert errors_of(response, "choose_form")["pupil"] == ["Select a pupil from the list"]
    assert not j.draft.data.get("who", {}).get("pupils")


def test_who_refuses_a_pupil_id_that_is_not_an_id(journey, cast):
    j = journey(cast.teacher)
    j.start()
    response = post_form(
        j.client,
        j.url("report_who"),
        {"action": "add", "choose-pupil": "'; drop table", "choose-role": "pictured"},
    )
    assert response.status_code == 200
    assert "pupil" in errors_of(response, "choose_form")


def test_who_needs_a_role_and_a_name_for_a_new_pupil(journey, cast):
    j = journey(cast.teacher)
    j.start()
    response = j.add_new_pupil(first="Ava", last="", year="14", role="bystander")
    assert response.status_code == 200
    errors = errors_of(response, "new_form")
    assert set(errors) == {"last_name", "year_group", "role"}
    assert 'value="Ava"' in response.content.decode()
    assert "open" in response.content.decode().split("The pupil is not on the list")[0][-200:]
    assert not Pupil.objects.exists()


def test_adults_yes_needs_who_in_words(journey, cast):
    j = journey(cast.teacher)
    j.start()
    j.what()
    j.adults("yes", "")
    response = j.checklist()
    assert errors_of(response)["adults_description"] == [ADULTS_DESCRIPTION_MESSAGE]
    response = j.checklist(adult_involved="", adults_description="a man she met online")
    assert "adult_involved" in errors_of(response)
    assert "a man she met online" in response.content.decode()
    assert "checklist" not in j.draft.data.get("steps_done", [])


def test_each_yes_that_needs_words_says_so_and_keeps_what_was_typed(journey, cast):
    j = journey(cast.teacher)
    j.start()
    j.what()
    j.adults()
    response = j.checklist(
        device_involved="yes",
        device_details="",
        imagery_viewed="yes",
        imagery_viewed_by="",
        imagery_viewed_when="Tuesday at lunchtime",
        immediate_risk="",
    )
    errors = errors_of(response)
    assert errors["device_details"] == [DEVICE_DETAILS_MESSAGE]
    assert errors["imagery_viewed_by"] == [VIEWED_BY_MESSAGE]
    assert "imagery_viewed_when" not in errors  # roughly when is optional
    assert "Tuesday at lunchtime" in response.content.decode()
    assert "checklist" not in j.draft.data.get("steps_done", [])


def test_words_after_a_yes_since_changed_to_no_are_not_kept(journey, cast):
    j = journey(cast.teacher)
    j.start()
    j.what()
    j.adults()
    response = j.checklist(device_involved="no", device_details="Maya's phone")
    assert response.status_code == 302
    assert "device_details" not in j.draft.data["details"]


def test_the_checklist_needs_every_answer(journey, cast):
    j = journey(cast.teacher)
    j.start()
    j.what()
    j.adults()
    response = post_form(j.client, j.url("report_checklist"), {"immediate_risk": "perhaps"})
    assert response.status_code == 200
    errors = errors_of(response)
    assert errors["immediate_risk"] == ["Select yes, no or not known"]
    assert "coercion_or_capacity" in errors
    assert "checklist" not in j.draft.data["steps_done"]
    assert "immediate_risk" not in j.draft.data["answers"]


def test_the_further_information_cannot_be_empty(journey, cast):
    j = journey(cast.teacher).complete()
    j.submit()
    incident = Incident.objects.get()
    url = reverse("incidents:my_report", kwargs={"reference": incident.reference})
    response = post_form(j.client, url, {"text": "   "})
    assert response.status_code == 200
    assert errors_of(response)["text"] == ["Write the further information"]
    assert not incident.follow_ups.exists()


def test_an_expired_draft_is_gone(journey, cast):
    j = journey(cast.teacher)
    j.start()
    ReportDraft.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert j.client.get(j.url("report_what")).status_code == 404


def test_every_error_in_the_summary_links_to_its_control(journey, cast):
    import re

    def assert_links_land(response):
        html = response.content.decode()
        summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
        anchors = re.findall(r'href="#([^"]+)"', summary)
        assert anchors
        ids = set(re.findall(r'id="([^"]+)"', html))
        assert [a for a in anchors if a not in ids] == []

    j = journey(cast.teacher)
    assert_links_land(
        post_form(j.client, reverse("incidents:report_start", kwargs={"school": "oakwood"}), {})
    )
    j.start()
    assert_links_land(post_form(j.client, j.url("report_what"), {"happened_on_0": "40"}))
    assert_links_land(post_form(j.client, j.url("report_who"), {"action": "add"}))
    assert_links_land(
        post_form(j.client, j.url("report_who"), {"action": "add", "new-first_name": "Ava"})
    )
    assert_links_land(
        post_form(j.client, j.url("report_who"), {"action": "continue", "choose-role": "pictured"})
    )
    j.what()
    j.adults()
    assert_links_land(post_form(j.client, j.url("report_checklist"), {}))
    yes = {"adult_involved": "yes", "device_involved": "yes", "imagery_viewed": "yes"}
    assert_links_land(post_form(j.client, j.url("report_checklist"), yes))


def test_a_date_box_with_letters_says_which_box_and_what_it_needs(journey, cast):
    j = journey(cast.teacher)
    j.start()
    response = j.what(happened_on_0="3rd", happened_on_1="March", happened_on_2="٢٠٢٤")
    assert errors_of(response)["happened_on"] == list(DATE_PART_MESSAGES)


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("29", "2", "2026", "February 2026 has 28 days: check the day"),
        ("31", "4", "2026", "April 2026 has 30 days: check the day"),
        ("14", "3", "26", "Enter the year in full, for example 2026"),
        ("", "2", "2026", DATE_INCOMPLETE_MESSAGES[0]),
        ("14", "", "2026", DATE_INCOMPLETE_MESSAGES[1]),
    ],
)
def test_a_wrong_or_part_date_says_what_to_do_and_keeps_the_rest(
    journey, cast, day, month, year, message
):
    j = journey(cast.teacher)
    j.start()
    response = j.what(
        happened_on_0=day,
        happened_on_1=month,
        happened_on_2=year,
        account="She said it was some time in February, before half term.",
    )
    assert errors_of(response)["happened_on"] == [message]
    body = response.content.decode()
    assert "some time in February, before half term." in body
    assert 'value="Snapchat"' in body
    assert "what" not in j.draft.data


def test_29_february_in_a_leap_year_is_a_date(journey, cast):
    j = journey(cast.teacher)
    j.start()
    j.what(happened_on_0="29", happened_on_1="2", happened_on_2="2024")
    assert j.draft.data["what"]["happened_on"] == "2024-02-29"


def test_no_text_box_cuts_what_is_pasted_into_it(journey, cast, client_for):
    """A maxlength attribute makes the browser drop everything past the limit without a word;
    the limit is checked on sending instead, and a live count shows it while typing."""
    j = journey(cast.teacher)
    j.start()
    what = j.client.get(j.url("report_what")).content.decode()
    questions = j.client.get(j.url("report_checklist")).content.decode()
    who = j.client.get(j.url("report_who")).content.decode()
    imports = client_for(cast.admin).get(
        reverse("incidents:pupils_import", kwargs={"school": "oakwood"})
    )
    for page in (what, questions, who, imports.content.decode()):
        assert " maxlength=" not in page
    assert 'data-module="govuk-character-count" data-maxlength="5000"' in what
    assert 'data-maxlength="1000"' in questions


def test_the_error_summary_links_to_the_date_box_that_is_missing(journey, cast):
    j = journey(cast.teacher)
    j.start()
    for box, parts in ((1, ("14", "", "2026")), (2, ("14", "3", ""))):
        response = j.what(**{f"happened_on_{n}": part for n, part in enumerate(parts)})
        link = f'href="#id_happened_on_{box}">{escape(DATE_INCOMPLETE_MESSAGES[box])}'
        assert link in response.content.decode()


def test_a_search_too_long_says_so_in_plain_words(journey, cast):
    j = journey(cast.teacher)
    j.start()
    response = search_for(j.client, j.url("report_who"), "a" * 150, action="search")
    assert response.context["search"].errors["q"] == ["Search for 100 characters or fewer"]
