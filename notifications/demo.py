"""Demo alerts (seed_demo): the emails the demo cases' reporting would have sent.

Every demo case's safeguarding leads were emailed a minute after it was reported (and its
reporter sent a receipt with the reference), except at
Ashgrove, where the mail server refused the newest unacknowledged case's email to the deputy:
its DSL, deputy and trust lead see a banner, and the deputy's "alerts not delivered" page says
who to tell in person. Idempotent: rows are keyed like real ones.
"""

from datetime import timedelta

from incidents.models import Incident
from safeguarding.models import Role, School

from .models import Failure, Kind, Outbox, OutboxStatus
from .services import case_reviewers, new_message_id

REFUSED_AT = "ashgrove"
REFUSAL = "SMTPRecipientsRefused: 550 5.1.1 Mailbox unavailable"


def seed_demo_data(stdout) -> None:
    made = 0
    for incident in Incident.objects.filter(reference__startswith="SG-DEM").select_related(
        "school"
    ):
        for person in case_reviewers(incident.school):
            _, created = Outbox.objects.get_or_create(
                idempotency_key=f"{Kind.NEW_CASE}:{incident.pk}:{person.pk}",
                defaults={
                    "recipient": person,
                    "kind": Kind.NEW_CASE,
                    "reference": incident.reference,
                    "incident_id": incident.pk,
                    "school": incident.school,
                    "status": OutboxStatus.SENT,
                    "attempts": 1,
                    "created_at": incident.submitted_at,
                    "sent_at": incident.submitted_at + timedelta(minutes=1),
                    "read_at": incident.acknowledged_at,
                    "message_id": new_message_id(),
                },
            )
            made += created
        if incident.reporter_id is not None:
            Outbox.objects.get_or_create(
                idempotency_key=f"{Kind.REPORT_RECEIPT}:{incident.pk}:{incident.reporter_id}",
                defaults={
                    "recipient_id": incident.reporter_id,
                    "kind": Kind.REPORT_RECEIPT,
                    "reference": incident.reference,
                    "incident_id": incident.pk,
                    "school": incident.school,
                    "status": OutboxStatus.SENT,
                    "attempts": 1,
                    "created_at": incident.submitted_at,
                    "sent_at": incident.submitted_at + timedelta(minutes=1),
                    "message_id": new_message_id(),
                },
            )
    school = School.objects.filter(slug=REFUSED_AT).first()
    newest = (
        Incident.objects.filter(
            school=school, reference__startswith="SG-DEM", acknowledged_at__isnull=True
        )
        .order_by("-submitted_at")
        .first()
    )
    if newest is not None and made:
        refused = Outbox.objects.filter(
            incident_id=newest.pk, kind=Kind.NEW_CASE, recipient__memberships__role=Role.DEPUTY_DSL
        )
        refused.update(
            status=OutboxStatus.FAILED,
            failure=Failure.REFUSED,
            sent_at=None,
            last_error=REFUSAL,
            flagged_at=newest.submitted_at + timedelta(minutes=1),
        )
    stdout.write(f"  {made} demo alert(s) recorded")
