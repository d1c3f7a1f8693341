"""A new case reaches every DSL and deputy of its school by email, and no one else."""

from django.db import transaction

from notifications import services
from notifications.models import Outbox, OutboxStatus
from safeguarding.models import Membership, Role

from .conftest import CANARY, make_incident, wait_until


def report(cast, *, urgent=False):
    with transaction.atomic():
        incident = make_incident(cast, urgent=urgent)
        services.notify_new_case(
            school=incident.school,
            incident_id=incident.pk,
            reference=incident.reference,
            urgent=urgent,
        )
    return incident


def test_in_process_a_new_case_emails_the_dsl_and_deputy(transactional_db, cast, smtp_email):
    incident = report(cast)

    messages = smtp_email.wait_for(2)
    assert smtp_email.recipients() == ["deputy@oakwood.test", "dsl@oakwood.test"]
    for message in messages:
        body = message["msg"].get_body(("plain",)).get_content()
        html = message["msg"].get_body(("html",)).get_content()
        assert incident.reference in message["msg"]["Subject"]
        assert "A new concern needs you. Sign in to see it." in body
        assert f"http://127.0.0.1:8000/cases/{incident.reference}/" in body
        assert f'href="http://127.0.0.1:8000/cases/{incident.reference}/"' in html
        assert "Urgent" not in message["msg"]["Subject"]
    assert set(Outbox.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_urgent_cases_say_so(transactional_db, cast, smtp_email):
    report(cast, urgent=True)
    for message in smtp_email.wait_for(2):
        assert message["msg"]["Subject"].startswith("Urgent:")
        assert "needs action now" in message["msg"].get_body(("plain",)).get_content()


def test_with_a_real_worker_a_new_case_emails_the_dsls(worker, cast, smtp_server):
    incident = report(cast, urgent=True)

    smtp_server.wait_for(2)
    assert smtp_server.recipients() == ["deputy@oakwood.test", "dsl@oakwood.test"]
    assert all(incident.reference in m["msg"]["Subject"] for m in smtp_server.messages)
    rows = Outbox.objects.filter(incident_id=incident.pk)
    assert wait_until(lambda: not rows.exclude(status=OutboxStatus.SENT).exists())
    assert {(r.status, r.attempts) for r in rows} == {(OutboxStatus.SENT, 1)}


def test_nobody_outside_the_schools_case_reviewers_is_told(transactional_db, cast, smtp_email):
    report(cast)
    smtp_email.wait_for(2)
    told = set(smtp_email.recipients())
    for user in (cast.teacher, cast.admin, cast.dsl_b, cast.teacher_b, cast.trust_lead):
        assert user.email not in told


def test_a_school_with_no_safeguarding_lead_tells_its_admins_and_trust_at_once(
    transactional_db, cast, smtp_email
):
    Membership.objects.filter(school=cast.school_a, role__in=Role.case_reviewers()).delete()
    with transaction.atomic():
        incident = make_incident(cast, account=CANARY, urgent=True)
        services.notify_new_case(
            school=incident.school,
            incident_id=incident.pk,
            reference=incident.reference,
            urgent=True,
        )

    messages = smtp_email.wait_for(2)
    assert smtp_email.recipients() == sorted([cast.admin.email, cast.trust_lead.email])
    for message in messages:
        subject = message["msg"]["Subject"]
        body = message["msg"].get_body(("plain",)).get_content()
        assert subject == (
            "Urgent: a concern at Oakwood Academy has no safeguarding lead to receive it"
        )
        assert "no designated safeguarding lead (DSL) or deputy" in body
        # Neither role can open cases: no reference, no link to the case, nothing said.
        assert incident.reference.encode() not in message["raw"]
        assert CANARY.encode() not in message["raw"]
        assert b"/cases/" not in message["raw"]
