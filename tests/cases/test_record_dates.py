"""When things were done: never in the future, and a date before the incident is queried,
not refused (the report's date can be wrong, and staff may see imagery before reporting it)."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import forms
from cases.models import (
    CaseNote,
    Decision,
    DeviceSecured,
    ImageryViewing,
    ParentsInformed,
    Referral,
    RemovalOffered,
    ReviewMeeting,
)
from tests.conftest import post_form

from .conftest import make_incident

HAPPENED = date(2026, 3, 10)
BEFORE = "2025-03-10"  # a year too early: the usual slip
CHECK_MESSAGE = forms.BEFORE_THE_INCIDENT.format(
    earliest="10 March 2026", when=forms.WHEN_IT_HAPPENED
)


def dated_posts(cast, pupil):
    """(url name, model, date field, form data without the date)."""
    return [
        (
            "review_meeting",
            ReviewMeeting,
            "held_on",
            {"attendees": "Dana Lee (DSL)", "considered": ["parents"]},
        ),
        ("referral", Referral, "referred_on", {"agency": "police", "their_reference": "CAD/1"}),
        ("parents_informed", ParentsInformed, "informed_on", {"informed": "yes"}),
        (
            "removal_offered",
            RemovalOffered,
            "offered_on",
            {"services": ["report_remove"], "offered_by": str(cast.dsl.pk)},
        ),
        (
            "device_secured",
            DeviceSecured,
            "secured_on",
            {"device": "Phone", "where_kept": "Safe", "handed_to": "PC Ng"},
        ),
        (
            "imagery_viewing",
            ImageryViewing,
            "viewed_on",
            {"viewed_time": "10:00", "reason": "Police asked.", "others_present": "Dev Patel"},
        ),
        ("add_note", CaseNote, "happened_on", {"text": "Her tutor rang."}),
        ("decision", Decision, "happened_on", {"decision": "other", "reasons": "Wait."}),
    ]


@pytest.fixture
def dated_incident(cast, pupil):
    return make_incident(cast.school_a, cast.teacher, happened_on=HAPPENED)


@pytest.mark.parametrize("index", range(8))
def test_a_date_before_the_incident_is_queried_then_saved_once_confirmed(
    cast, pupil, dated_incident, client_for, index
):
    name, model, field, data = dated_posts(cast, pupil)[index]
    url = reverse(f"cases:{name}", kwargs={"reference": dated_incident.reference})
    client = client_for(cast.dsl)

    response = post_form(client, url, {**data, field: BEFORE})
    assert CHECK_MESSAGE in response.context["form"].errors[field]
    html = response.content.decode()
    assert forms.DATE_IS_RIGHT in html
    assert 'value="2025-03-10"' in html  # what was typed is kept
    assert not model.objects.exists()

    response = post_form(client, url, {**data, field: BEFORE, "date_confirmed": "on"})
    assert response.status_code == 302
    assert model.objects.count() == 1


def test_the_confirmation_box_is_not_offered_for_a_date_after_the_incident(
    cast, dated_incident, client_for
):
    url = reverse("cases:referral", kwargs={"reference": dated_incident.reference})
    response = client_for(cast.dsl).get(url)
    assert forms.DATE_IS_RIGHT not in response.content.decode()
    response = post_form(
        client_for(cast.dsl), url, {"agency": "other", "referred_on": "2026-03-10"}
    )
    assert forms.DATE_IS_RIGHT not in response.content.decode()


def test_viewing_before_the_report_but_after_the_incident_is_saved_without_a_question(
    cast, client_for
):
    incident = make_incident(
        cast.school_a, cast.teacher, happened_on=HAPPENED, age=timedelta(days=3)
    )
    viewed = timezone.localdate() - timedelta(days=4)
    response = post_form(
        client_for(cast.dsl),
        reverse("cases:imagery_viewing", kwargs={"reference": incident.reference}),
        {
            "viewed_on": viewed.isoformat(),
            "viewed_time": "10:00",
            "reason": "A pupil showed me before I could stop them.",
            "others_present": "Nobody: it was in the corridor.",
        },
    )
    assert response.status_code == 302
    assert timezone.localtime(ImageryViewing.objects.get().viewed_at).date() == viewed


def test_without_a_date_for_the_incident_the_report_date_is_the_check(cast, client_for):
    incident = make_incident(cast.school_a, cast.teacher, age=timedelta(days=1))
    reported = timezone.localdate(incident.submitted_at)
    response = post_form(
        client_for(cast.dsl),
        reverse("cases:device_secured", kwargs={"reference": incident.reference}),
        {
            "device": "Phone",
            "secured_on": (reported - timedelta(days=365)).isoformat(),
            "where_kept": "Safe",
            "handed_to": "PC Ng",
        },
    )
    assert forms.WHEN_REPORTED in response.context["form"].errors["secured_on"][0]


def test_a_viewing_later_today_is_refused_on_the_time_not_the_date(cast, incident, client_for):
    now = timezone.localtime()
    if now.hour == 23 and now.minute >= 58:
        pytest.skip("no minute left today to be in the future")
    later = datetime.combine(now.date(), now.time()) + timedelta(minutes=2)
    response = post_form(
        client_for(cast.dsl),
        reverse("cases:imagery_viewing", kwargs={"reference": incident.reference}),
        {
            "viewed_on": now.date().isoformat(),
            "viewed_time": f"{later:%H:%M}",
            "reason": "Police asked.",
            "others_present": "Dev Patel",
        },
    )
    errors = response.context["form"].errors
    assert "viewed_on" not in errors
    assert errors["viewed_time"][0].startswith("The time must be now or earlier")
    assert not ImageryViewing.objects.exists()


def test_a_viewing_on_a_later_day_is_refused_on_the_date(cast, incident, client_for):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = post_form(
        client_for(cast.dsl),
        reverse("cases:imagery_viewing", kwargs={"reference": incident.reference}),
        {
            "viewed_on": tomorrow.isoformat(),
            "viewed_time": "09:00",
            "reason": "Police asked.",
            "others_present": "Dev Patel",
        },
    )
    assert forms.NOT_IN_FUTURE in response.context["form"].errors["viewed_on"]
