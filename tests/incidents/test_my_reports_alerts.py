"""'My reports' tells the member of staff whether a safeguarding lead has been alerted, and when,
and to tell them in person when not."""

from datetime import timedelta

from django.utils import timezone

from notifications import services
from notifications.models import Failure, Kind, Outbox, OutboxStatus
from tests.notifications.conftest import make_incident

TELL = "Tell them in person now"


def alert(incident, recipient, **fields):
    return Outbox.objects.create(
        recipient=recipient,
        kind=Kind.NEW_CASE,
        school=incident.school,
        incident_id=incident.pk,
        reference=incident.reference,
        idempotency_key=f"{incident.pk}:{recipient.pk}",
        **fields,
    )


def page(client_for, cast) -> str:
    return client_for(cast.teacher).get("/my-reports/").content.decode()


def test_emailed_then_seen(cast, client_for):
    incident = make_incident(cast)
    sent_at = timezone.localtime().replace(hour=9, minute=41)
    alert(incident, cast.dsl, status=OutboxStatus.SENT, sent_at=sent_at)
    alert(incident, cast.deputy, status=OutboxStatus.FAILED, failure=Failure.REFUSED)
    html = page(client_for, cast)
    assert "Safeguarding lead emailed" in html and "09:41" in html
    assert TELL not in html  # one lead was told

    incident.acknowledged_at = sent_at + timedelta(minutes=5)
    incident.status = "acknowledged"
    incident.save()
    assert "Seen by a safeguarding lead" in page(client_for, cast)


def test_on_its_way_then_not_delivered_says_tell_them_in_person(cast, client_for):
    incident = make_incident(cast)
    row = alert(incident, cast.dsl)
    html = page(client_for, cast)
    assert "Email to your safeguarding lead on its way" in html and TELL not in html

    Outbox.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - services.DELIVERY_LIMIT - timedelta(seconds=1)
    )
    html = page(client_for, cast)
    assert "Safeguarding lead not alerted: the email has not been delivered." in html
    assert "Tell your DSL in person now." in html
    assert TELL in html


def test_a_school_with_no_lead_says_so(cast, client_for):
    incident = make_incident(cast)
    Outbox.objects.create(
        recipient=cast.admin,
        kind=Kind.NO_LEAD,
        school=cast.school_a,
        incident_id=incident.pk,
        status=OutboxStatus.SENT,
        sent_at=timezone.now(),
        idempotency_key="no-lead",
    )
    html = page(client_for, cast)
    assert "Nobody alerted: the school has no safeguarding lead here." in html
    assert TELL in html
