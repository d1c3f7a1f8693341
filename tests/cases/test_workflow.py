"""Every allowed move works, every other is refused; closing needs an outcome and a reason."""

import itertools

import pytest
from django.urls import reverse

from cases import forms, services, workflow
from cases.models import StatusChange
from incidents.models import Status
from safeguarding.models import AuditEvent
from tests.conftest import post_form

from .conftest import make_incident

OUTCOME = StatusChange.ClosingOutcome.NO_FURTHER_ACTION
ALLOWED = {(m.source, m.target) for m in workflow.MOVES}
REFUSED = sorted(
    (a, b) for a, b in itertools.product(Status.values, Status.values) if (a, b) not in ALLOWED
)


def at_status(cast, status):
    incident = make_incident(cast.school_a, cast.teacher)
    if status != Status.NEW:
        type(incident).objects.filter(pk=incident.pk).update(status=status)
        incident.refresh_from_db()
    return incident


def test_the_moves_are_the_ones_the_issue_names():
    assert {
        (Status.NEW, Status.ACKNOWLEDGED),
        (Status.ACKNOWLEDGED, Status.UNDER_REVIEW),
        (Status.UNDER_REVIEW, Status.REFERRED),
        (Status.UNDER_REVIEW, Status.MANAGED_IN_SCHOOL),
        (Status.MANAGED_IN_SCHOOL, Status.REFERRED),
        (Status.REFERRED, Status.MANAGED_IN_SCHOOL),
        (Status.REFERRED, Status.CLOSED),
        (Status.MANAGED_IN_SCHOOL, Status.CLOSED),
        (Status.CLOSED, Status.UNDER_REVIEW),
    } == ALLOWED


@pytest.mark.parametrize(("source", "target"), sorted(ALLOWED))
def test_an_allowed_move_changes_the_status_and_writes_one_event(cast, source, target):
    incident = at_status(cast, source)
    before = AuditEvent.objects.count()

    change = services.change_status(
        incident=incident,
        actor=cast.dsl,
        to_status=target,
        reason="Police have confirmed no further action.",
        closing_outcome=OUTCOME,
    )

    incident.refresh_from_db()
    assert incident.status == target
    assert (change.from_status, change.to_status) == (source, target)
    events = list(AuditEvent.objects.filter(id__gt=0).order_by("id"))[before:]
    assert [e.action for e in events] == [services.STATUS_CHANGED]
    assert events[0].data == {
        "record": "status_change",
        "id": change.pk,
        "from": source,
        "to": target,
        **({"closing_outcome": OUTCOME} if target == Status.CLOSED else {}),
    }
    assert events[0].actor == cast.dsl
    assert events[0].target_id == str(incident.pk)


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_a_move_not_in_the_workflow_is_refused_and_changes_nothing(cast, source, target):
    incident = at_status(cast, source)
    before = AuditEvent.objects.count()

    with pytest.raises(services.CaseError) as refused:
        services.change_status(
            incident=incident,
            actor=cast.dsl,
            to_status=target,
            reason="A reason.",
            closing_outcome=OUTCOME,
        )

    assert "cannot be moved" in refused.value.message
    incident.refresh_from_db()
    assert incident.status == source
    assert AuditEvent.objects.count() == before
    assert not StatusChange.objects.exists()


@pytest.mark.parametrize("source", [Status.REFERRED, Status.MANAGED_IN_SCHOOL])
def test_closing_without_a_reason_is_refused(cast, source):
    incident = at_status(cast, source)
    with pytest.raises(services.CaseError) as refused:
        services.change_status(
            incident=incident,
            actor=cast.dsl,
            to_status=Status.CLOSED,
            reason="   ",
            closing_outcome=OUTCOME,
        )
    assert refused.value.message == workflow.CLOSING_NEEDS_REASON
    incident.refresh_from_db()
    assert incident.status == source
    assert incident.closed_at is None


def test_closing_without_an_outcome_is_refused(cast):
    incident = at_status(cast, Status.MANAGED_IN_SCHOOL)
    with pytest.raises(services.CaseError) as refused:
        services.change_status(
            incident=incident, actor=cast.dsl, to_status=Status.CLOSED, reason="All done."
        )
    assert refused.value.message == workflow.CLOSING_NEEDS_OUTCOME
    incident.refresh_from_db()
    assert incident.status == Status.MANAGED_IN_SCHOOL


def test_reopening_without_a_reason_is_refused(cast):
    incident = at_status(cast, Status.CLOSED)
    with pytest.raises(services.CaseError) as refused:
        services.change_status(incident=incident, actor=cast.dsl, to_status=Status.UNDER_REVIEW)
    assert refused.value.message == workflow.REOPENING_NEEDS_REASON


def test_the_case_dates_follow_the_workflow(cast):
    incident = make_incident(cast.school_a, cast.teacher)

    services.acknowledge(incident=incident, actor=cast.deputy)
    incident.refresh_from_db()
    assert incident.acknowledged_at is not None
    assert incident.assigned_to == cast.deputy  # acknowledging an unassigned case takes it on

    for target in (Status.UNDER_REVIEW, Status.MANAGED_IN_SCHOOL):
        services.change_status(incident=incident, actor=cast.dsl, to_status=target)
    services.change_status(
        incident=incident,
        actor=cast.dsl,
        to_status=Status.CLOSED,
        reason="Support in place.",
        closing_outcome=StatusChange.ClosingOutcome.MANAGED_COMPLETE,
    )
    incident.refresh_from_db()
    assert incident.closed_at is not None
    acknowledged_at = incident.acknowledged_at

    services.change_status(
        incident=incident, actor=cast.dsl, to_status=Status.UNDER_REVIEW, reason="New messages."
    )
    incident.refresh_from_db()
    assert incident.closed_at is None
    assert incident.acknowledged_at == acknowledged_at
    actions = list(services.case_events(incident).values_list("action", flat=True))
    assert actions == [
        "incident.reported",
        services.STATUS_CHANGED,
        services.ASSIGNED,
        services.STATUS_CHANGED,
        services.STATUS_CHANGED,
        services.STATUS_CHANGED,
        services.STATUS_CHANGED,
    ]


def test_acknowledging_twice_is_refused(cast):
    incident = make_incident(cast.school_a, cast.teacher)
    services.acknowledge(incident=incident, actor=cast.dsl)
    with pytest.raises(services.CaseError):
        services.acknowledge(incident=incident, actor=cast.deputy)
    incident.refresh_from_db()
    assert incident.assigned_to == cast.dsl


def test_a_task_on_a_closed_case_cannot_be_marked_done(cast, incident):
    from datetime import date, timedelta

    from cases import services
    from cases.models import Task

    task = services.add_task(
        incident=incident,
        actor=cast.dsl,
        title="Call parents",
        owner=cast.dsl,
        due_on=date.today() + timedelta(days=1),
    )
    services.acknowledge(incident=incident, actor=cast.dsl)
    for status in ("under_review", "managed_in_school"):
        services.change_status(incident=incident, actor=cast.dsl, to_status=status)
    services.change_status(
        incident=incident,
        actor=cast.dsl,
        to_status="closed",
        reason="All done.",
        closing_outcome="no_further_action",
    )
    with pytest.raises(services.CaseError, match="closed"):
        services.complete_task(task=task, actor=cast.dsl)
    assert Task.objects.get(pk=task.pk).done_at is None


def test_a_status_change_from_a_stale_page_says_the_case_moved_on(cast, client_for):
    """Two tabs: one closes the case, the other still offers "Managed in school". The second
    used to say "Select a valid choice. managed_in_school is not one of the available choices"."""
    incident = make_incident(cast.school_a, cast.teacher, status=Status.REFERRED)
    client = client_for(cast.dsl)
    url = reverse("cases:status", kwargs={"reference": incident.reference})
    services.change_status(
        incident=incident,
        actor=cast.dsl,
        to_status=Status.CLOSED,
        reason="Police leading.",
        closing_outcome=StatusChange.ClosingOutcome.AGENCY_LEADING,
    )

    response = post_form(client, url, {"to_status": Status.MANAGED_IN_SCHOOL})

    assert response.status_code == 200
    assert response.context["form"].errors["to_status"] == [
        forms.STATUS_MOVED_ON.format(status="closed")
    ]
    assert "not one of the available choices" not in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
