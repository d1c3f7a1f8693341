"""The messages people expect: the reporter gets a receipt and hears when the DSL acknowledges
their report; a task's owner hears when someone else gives them a task. Each carries the
reference and a link, never a pupil's name or what happened, and goes through the outbox."""

from datetime import timedelta

from django.utils import timezone

from cases import services as case_services
from cases.models import Task
from incidents.models import Incident
from notifications.models import Kind, Outbox, OutboxStatus
from tests.conftest import post_form
from tests.incidents.conftest import Journey

from .conftest import CANARY, free_port, make_incident, use_broker


def send_report(client_for, cast) -> Incident:
    journey = Journey(client_for(cast.teacher), cast.school_a)
    journey.start()
    assert journey.what(account=f"Maya said {CANARY}").status_code == 302
    assert journey.adults().status_code == 302
    assert journey.checklist().status_code == 302
    assert journey.submit().status_code == 302
    return Incident.objects.get(reporter=cast.teacher)


def by_recipient(messages) -> dict:
    return {m["to"][0]: m for m in messages}


def text_of(message) -> str:
    return message["msg"].get_body(("plain",)).get_content()


def test_the_reporter_gets_a_receipt_with_the_reference_only(
    transactional_db, cast, client_for, smtp_email
):
    incident = send_report(client_for, cast)

    receipt = Outbox.objects.get(kind=Kind.REPORT_RECEIPT)
    assert receipt.recipient == cast.teacher
    assert receipt.case_path == f"/my-reports/{incident.reference}/"
    messages = by_recipient(smtp_email.wait_for(3))
    assert sorted(messages) == ["deputy@oakwood.test", "dsl@oakwood.test", "teacher@oakwood.test"]
    mine = messages["teacher@oakwood.test"]
    assert mine["msg"]["Subject"] == f"Your report {incident.reference} was sent"
    assert f"/my-reports/{incident.reference}/" in text_of(mine)
    assert "/cases/" not in mine["raw"].decode()
    for message in messages.values():
        assert CANARY.encode() not in message["raw"]

    # Opening the report marks the receipt read.
    client = client_for(cast.teacher)
    assert client.get(f"/my-reports/{incident.reference}/").status_code == 200
    receipt.refresh_from_db()
    assert receipt.read_at is not None


def test_the_receipt_waits_in_the_outbox_while_the_broker_is_down(
    transactional_db, cast, client_for, smtp_email
):
    with use_broker(f"redis://127.0.0.1:{free_port()}/0"):
        incident = send_report(client_for, cast)
    receipt = Outbox.objects.get(kind=Kind.REPORT_RECEIPT, incident_id=incident.pk)
    assert receipt.status == OutboxStatus.PENDING
    from notifications import services

    services.relay_pending()
    receipt.refresh_from_db()
    assert receipt.status == OutboxStatus.SENT


def test_the_reporter_hears_once_when_a_lead_acknowledges(transactional_db, cast, smtp_email):
    incident = make_incident(cast, account=CANARY)
    case_services.acknowledge(incident=incident, actor=cast.dsl)

    notice = Outbox.objects.get(kind=Kind.REPORT_ACKNOWLEDGED)
    assert (notice.recipient, notice.reference) == (cast.teacher, incident.reference)
    message = smtp_email.wait_for(1)[0]
    assert message["to"] == ["teacher@oakwood.test"]
    assert message["msg"]["Subject"] == f"Your report {incident.reference} was acknowledged"
    assert f"/my-reports/{incident.reference}/" in text_of(message)
    assert CANARY.encode() not in message["raw"]
    assert b"Dana Lee" not in message["raw"]  # who acknowledged is not said either

    # Moving the case on later tells the reporter nothing more.
    case_services.change_status(incident=incident, actor=cast.dsl, to_status="under_review")
    assert Outbox.objects.filter(recipient=cast.teacher).count() == 1


def test_a_lead_acknowledging_their_own_report_is_not_told(transactional_db, cast):
    incident = make_incident(cast, reporter=cast.dsl)
    case_services.acknowledge(incident=incident, actor=cast.dsl)
    assert not Outbox.objects.filter(kind=Kind.REPORT_ACKNOWLEDGED).exists()


def test_a_reporter_who_has_left_is_not_written_to(transactional_db, cast):
    incident = make_incident(cast)
    cast.teacher.memberships.all().delete()
    case_services.acknowledge(incident=incident, actor=cast.dsl)
    assert not Outbox.objects.filter(kind=Kind.REPORT_ACKNOWLEDGED).exists()


def test_a_task_owner_is_told_when_someone_else_gives_them_a_task(
    transactional_db, cast, client_for, smtp_email
):
    incident = make_incident(cast, status="acknowledged", acknowledged_at=timezone.now())
    client = client_for(cast.dsl)
    due = timezone.localdate() + timedelta(days=2)
    response = post_form(
        client,
        f"/cases/{incident.reference}/tasks/",
        {
            "title": f"Call {CANARY}'s parents",
            "owner": str(cast.deputy.pk),
            "due_on": due.isoformat(),
        },
    )
    assert response.status_code == 302, response.content
    task = Task.objects.get(incident=incident)

    given = Outbox.objects.get(kind=Kind.TASK_GIVEN)
    assert (given.recipient, given.reference) == (cast.deputy, incident.reference)
    message = smtp_email.wait_for(1)[0]
    assert message["to"] == ["deputy@oakwood.test"]
    assert message["msg"]["Subject"] == f"You have a new task on concern {incident.reference}"
    assert f"/cases/{incident.reference}/" in text_of(message)
    html = message["msg"].get_body(("html",)).get_content()
    assert f"Sign in to see the task on concern {incident.reference}" in html
    # The task's words are the DSL's own: they stay in the case.
    assert CANARY.encode() not in message["raw"]

    # A task someone gives themselves needs no message.
    case_services.add_task(
        incident=incident, actor=cast.dsl, title="Check in", owner=cast.dsl, due_on=due
    )
    assert Outbox.objects.filter(kind=Kind.TASK_GIVEN).count() == 1
    assert task.owner == cast.deputy
