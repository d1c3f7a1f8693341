"""Each structured record, added through its page: one row with who and when, one event."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import forms, services
from cases.models import (
    CaseNote,
    Decision,
    DeviceSecured,
    ImageryViewing,
    ParentsInformed,
    Referral,
    RemovalOffered,
    ReviewMeeting,
    StaffSawImagery,
    StatusChange,
    Task,
    TriageOverride,
)
from incidents.models import Status
from safeguarding.text import IMAGERY_MESSAGE
from tests.conftest import post_form

from .conftest import RECORD_PAGES

TODAY = timezone.localdate().isoformat()
TOMORROW = (timezone.localdate() + timedelta(days=1)).isoformat()


def valid_posts(cast, pupil):
    """(url name, model, form data) for every record page."""
    return [
        (
            "review_meeting",
            ReviewMeeting,
            {
                "held_on": TODAY,
                "attendees": "Dana Lee (DSL), Dev Patel (deputy)",
                "considered": ["immediate_risk", "parents"],
                "notes": "Agreed to call the police.",
            },
        ),
        (
            "referral",
            Referral,
            {
                "agency": "social_care",
                "referred_on": TODAY,
                "their_reference": "MASH-2231",
                "contact": "Duty social worker",
            },
        ),
        ("decision", Decision, {"decision": "not_refer", "reasons": "No factor applies."}),
        ("parents_informed", ParentsInformed, {"informed": "yes", "informed_on": TODAY}),
        (
            "removal_offered",
            RemovalOffered,
            {
                "services": ["report_remove", "take_it_down"],
                "pupil": str(pupil.pk),
                "offered_by": str(cast.deputy.pk),
                "offered_on": TODAY,
            },
        ),
        (
            "device_secured",
            DeviceSecured,
            {
                "device": "Pupil's phone, switched off",
                "secured_on": TODAY,
                "where_kept": "Safe in the head's office",
                "handed_to": "PC Smith",
            },
        ),
        (
            "imagery_viewing",
            ImageryViewing,
            {
                "viewed_on": TODAY,
                "viewed_time": "00:01",
                "reason": "Police asked me to confirm which pupil it shows.",
                "others_present": "Dev Patel, deputy DSL",
            },
        ),
        (
            "staff_saw_imagery",
            StaffSawImagery,
            {"seen_by": "Sam Roy, teaching assistant", "seen_when": "Tuesday lunchtime"},
        ),
        (
            "add_task",
            Task,
            {"title": "Call the parents", "owner": str(cast.deputy.pk), "due_on": TOMORROW},
        ),
        (
            "triage_override",
            TriageOverride,
            {
                "referral": "no",
                "referral_reason": "Both 17.",
                "urgency": "dsl_review_today",
                "urgency_reason": "Both 17.",
                "typology": "aggravated",
                "sextortion": "yes",
            },
        ),
        ("add_note", CaseNote, {"text": "Spoke to the form tutor."}),
    ]


def test_every_record_page_saves_one_row_and_one_event(cast, incident, pupil, client_for):
    client = client_for(cast.dsl)
    for name, model, data in valid_posts(cast, pupil):
        url = reverse(f"cases:{name}", kwargs={"reference": incident.reference})
        before = services.case_events(incident).count()

        response = post_form(client, url, data)

        assert response.status_code == 302, (name, response.content.decode()[:3000])
        assert response["Location"] == reverse(
            "cases:detail", kwargs={"reference": incident.reference}
        )
        row = model.objects.get(incident=incident)
        assert row.recorded_by == cast.dsl
        assert row.recorded_at is not None
        events = list(services.case_events(incident))[before:]
        assert len(events) == 1, name
        assert events[0].action == services.RECORD_ADDED
        assert events[0].data["record"] == model.KIND
        assert events[0].data["id"] == row.pk
        assert events[0].actor == cast.dsl
        assert events[0].school == cast.school_a


def test_event_data_holds_references_and_choices_but_never_the_words(
    cast, incident, pupil, client_for
):
    client = client_for(cast.dsl)
    words = []
    for name, _model, data in valid_posts(cast, pupil):
        post_form(client, reverse(f"cases:{name}", kwargs={"reference": incident.reference}), data)
        words += [v for k, v in data.items() if isinstance(v, str) and " " in v]
    for event in services.case_events(incident):
        for text in words:
            assert text not in str(event.data)


def test_the_imagery_viewing_record_names_the_dsl_as_viewer(cast, incident, pupil, client_for):
    data = dict(valid_posts(cast, pupil)[6][2])
    post_form(
        client_for(cast.dsl),
        reverse("cases:imagery_viewing", kwargs={"reference": incident.reference}),
        data,
    )
    viewing = ImageryViewing.objects.get()
    assert viewing.viewed_by == cast.dsl
    assert viewing.others_present == "Dev Patel, deputy DSL"


@pytest.mark.parametrize(
    ("name", "data", "field", "message"),
    [
        (
            "review_meeting",
            {"held_on": TOMORROW, "attendees": "A", "considered": ["parents"]},
            "held_on",
            forms.NOT_IN_FUTURE,
        ),
        (
            "referral",
            {"agency": "other", "referred_on": TODAY},
            "agency_other",
            forms.SAY_WHICH_AGENCY,
        ),
        (
            "decision",
            {"decision": "not_refer", "reasons": ""},
            "reasons",
            forms.DecisionForm.required_messages["reasons"],
        ),
        (
            "parents_informed",
            {"informed": "no"},
            "reason_not_informed",
            forms.SAY_WHY_PARENTS_NOT_TOLD,
        ),
        ("parents_informed", {"informed": "yes"}, "informed_on", forms.SAY_WHEN_PARENTS_TOLD),
        ("add_task", {"title": "Call", "due_on": "2020-01-01"}, "due_on", forms.DUE_NOT_IN_PAST),
        ("add_task", {"title": "Call", "due_on": "2099-01-01"}, "due_on", forms.DUE_TOO_FAR),
        ("add_note", {"text": "See <img src=x>"}, "text", IMAGERY_MESSAGE),
        ("add_note", {"text": "data:image/png;base64,iVBORw0KGgo"}, "text", IMAGERY_MESSAGE),
    ],
)
def test_bad_input_is_shown_on_the_field_and_nothing_is_saved(
    cast, incident, client_for, name, data, field, message
):
    if "owner" not in data and name == "add_task":
        data = {**data, "owner": str(cast.dsl.pk)}
    changes = services.case_events(incident).exclude(action=services.CASE_VIEWED)
    before = changes.count()
    response = post_form(
        client_for(cast.dsl),
        reverse(f"cases:{name}", kwargs={"reference": incident.reference}),
        data,
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert message in form.errors[field]
    assert changes.count() == before


def test_a_task_owner_must_work_at_the_school(cast, incident, client_for):
    response = post_form(
        client_for(cast.dsl),
        reverse("cases:add_task", kwargs={"reference": incident.reference}),
        {"title": "Call", "owner": str(cast.teacher_b.pk), "due_on": TOMORROW},
    )
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not Task.objects.exists()


def test_a_task_owner_is_the_dsl_or_a_deputy_who_can_open_the_case(cast, incident, client_for):
    """A teacher given a task was reminded of it by a link to a case they cannot open (404),
    and could never see or finish it."""
    client = client_for(cast.dsl)
    url = reverse("cases:add_task", kwargs={"reference": incident.reference})
    offered = set(client.get(url).context["form"].fields["owner"].queryset)
    assert offered == {cast.dsl, cast.deputy}

    response = post_form(
        client, url, {"title": "Call", "owner": str(cast.teacher.pk), "due_on": TOMORROW}
    )
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    with pytest.raises(services.CaseError, match=services.TASK_OWNER_NOT_REVIEWER):
        services.add_task(
            incident=incident,
            actor=cast.dsl,
            title="Call",
            owner=cast.admin,
            due_on=timezone.localdate(),
        )
    assert not Task.objects.exists()


def test_a_closed_case_takes_no_records_until_reopened(cast, incident, client_for):
    type(incident).objects.filter(pk=incident.pk).update(status=Status.CLOSED)
    response = post_form(
        client_for(cast.dsl),
        reverse("cases:add_note", kwargs={"reference": incident.reference}),
        {"text": "Late note"},
    )
    assert response.status_code == 200
    assert services.CASE_IS_CLOSED in response.content.decode()
    assert not CaseNote.objects.exists()


def test_marking_a_task_done_is_an_event(cast, incident, client_for):
    task = services.add_task(
        incident=incident,
        actor=cast.dsl,
        title="Call",
        owner=cast.deputy,
        due_on=timezone.localdate(),
    )
    url = reverse("cases:task_done", kwargs={"reference": incident.reference, "task": task.pk})
    post_form(client_for(cast.deputy), url)
    task.refresh_from_db()
    assert task.done_by == cast.deputy and task.done_at is not None
    last = services.case_events(incident).last()
    assert (last.action, last.data) == (services.TASK_DONE, {"record": "task", "id": task.pk})


def test_a_task_on_another_case_is_404(cast, incident, client_for):
    from .conftest import make_incident

    other = make_incident(cast.school_a, cast.teacher)
    task = services.add_task(
        incident=other, actor=cast.dsl, title="Call", owner=cast.deputy, due_on=timezone.localdate()
    )
    url = reverse("cases:task_done", kwargs={"reference": incident.reference, "task": task.pk})
    assert post_form(client_for(cast.dsl), url).status_code == 404


def test_the_override_never_changes_the_checklists_outcome(cast, incident, client_for):
    original = (incident.outcome, incident.urgency, incident.referral)
    post_form(
        client_for(cast.dsl),
        reverse("cases:triage_override", kwargs={"reference": incident.reference}),
        {
            "referral": "no",
            "referral_reason": "Both are 17.",
            "urgency": "dsl_review_today",
            "urgency_reason": "Both are 17.",
            "typology": "aggravated",
            "sextortion": "yes",
        },
    )
    incident.refresh_from_db()
    assert (incident.outcome, incident.urgency, incident.referral) == original
    override = TriageOverride.objects.get()
    assert (override.urgency, override.referral) == ("dsl_review_today", "no")
    # The DSL's decision is the case's current one, beside the checklist's.
    assert (incident.decided_referral, incident.decided_urgency) == ("no", "dsl_review_today")


def test_assigning_to_someone_who_is_not_a_dsl_or_deputy_is_refused(cast, incident, client_for):
    with pytest.raises(services.CaseError):
        services.assign(incident=incident, actor=cast.dsl, assignee=cast.teacher)
    response = post_form(
        client_for(cast.dsl),
        reverse("cases:assign", kwargs={"reference": incident.reference}),
        {"assignee": str(cast.teacher.pk)},
    )
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.assigned_to is None


def test_assigning_to_a_deputy(cast, incident, client_for):
    response = post_form(
        client_for(cast.dsl),
        reverse("cases:assign", kwargs={"reference": incident.reference}),
        {"assignee": str(cast.deputy.pk)},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.assigned_to == cast.deputy
    event = services.case_events(incident).last()
    assert event.action == services.ASSIGNED
    assert event.data == {"assignee": str(cast.deputy.pk), "previous": None}


def test_closing_through_the_page_without_a_reason_is_refused(cast, incident, client_for):
    type(incident).objects.filter(pk=incident.pk).update(status=Status.MANAGED_IN_SCHOOL)
    url = reverse("cases:status", kwargs={"reference": incident.reference})
    client = client_for(cast.dsl)
    response = post_form(
        client, url, {"to_status": "closed", "closing_outcome": "no_further_action"}
    )
    assert response.status_code == 200
    assert "Write why the case can be closed." in response.context["form"].errors["reason"]
    response = post_form(
        client,
        url,
        {"to_status": "closed", "closing_outcome": "no_further_action", "reason": "Resolved."},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    assert StatusChange.objects.get().reason == "Resolved."


def test_every_record_page_and_case_button_ignores_a_double_click(
    cast, incident, pupil, client_for
):
    """A double click on Save posted the record twice: each button asks GOV.UK Frontend to
    ignore a second click."""
    client = client_for(cast.dsl)
    for name, _model, _data in valid_posts(cast, pupil):
        page = client.get(reverse(f"cases:{name}", kwargs={"reference": incident.reference}))
        html = page.content.decode()
        assert 'type="submit"' in html, name
        submit = html[html.index('type="submit"') : html.index("/>", html.index('type="submit"'))]
        assert 'data-prevent-double-click="true"' in submit, name
        assert 'data-module="govuk-button"' in submit, name
    services.add_task(
        incident=incident, actor=cast.dsl, title="Call", owner=cast.dsl, due_on=timezone.localdate()
    )
    detail = client.get(reverse("cases:detail", kwargs={"reference": incident.reference}))
    html = detail.content.decode()
    for label in ("Acknowledge this case", "Mark done"):
        button = html[: html.index(label)].rsplit("<button", 1)[1]
        assert 'data-prevent-double-click="true"' in button, label


@pytest.mark.parametrize("name", ["referral", "decision", "review_meeting", "status"])
def test_each_error_in_the_summary_links_to_a_control_on_the_page(cast, incident, client_for, name):
    """A radio or checkbox group has no element with the field's own id: link to its first box."""
    response = post_form(
        client_for(cast.dsl),
        reverse(f"cases:{name}", kwargs={"reference": incident.reference}),
        {"submit": "Save"},  # nothing chosen or typed
    )
    html = response.content.decode()
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    anchors = re.findall(r'href="#([^"]*)"', summary)
    assert anchors
    for anchor in anchors:
        assert f'id="{anchor}"' in html, anchor


@pytest.mark.parametrize("name", ["status", *RECORD_PAGES])
def test_an_empty_box_says_what_to_do_not_this_field_is_required(cast, incident, client_for, name):
    response = post_form(
        client_for(cast.dsl),
        reverse(f"cases:{name}", kwargs={"reference": incident.reference}),
        {"submit": "Save"},
    )
    form = response.context["form"]
    assert form.errors
    messages = [str(m) for errors in form.errors.values() for m in errors]
    assert "This field is required." not in messages
    assert set(messages) <= set(form.required_messages.values()) | {forms.CHOOSE_A_SERVICE}


def test_the_referral_form_says_what_mash_and_ceop_are(cast, incident, client_for):
    html = client_for(cast.dsl).get(reverse("cases:referral", args=[incident.reference]))
    html = html.content.decode()
    assert "MASH (the council&#x27;s multi-agency safeguarding hub)" in html
    assert "CEOP (Child Exploitation and Online Protection, part of the National Crime Agency)" in (
        html
    )


def test_a_record_page_with_mistakes_says_error_in_its_title(cast, incident, client_for):
    """The title is what a screen reader says first, and what shows in the browser's tab."""
    client = client_for(cast.dsl)
    url = reverse("cases:decision", args=[incident.reference])
    assert "<title>Record a decision – " in client.get(url).content.decode()
    html = post_form(client, url, {"decision": "", "reasons": ""}).content.decode()
    assert "<title>Error: Record a decision – " in html
