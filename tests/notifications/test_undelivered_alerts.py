"""An alert that did not get through is shown to the school's DSLs, deputies and trust leads
until someone sends it again or says they told the person another way."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import services
from notifications.models import Failure, Kind, Outbox, OutboxStatus
from safeguarding.models import AuditEvent
from tests.conftest import post_form

from .conftest import make_incident

BANNER = "email alert about concerns at Oakwood Academy has not been delivered"
PAGE = "/s/oakwood/alerts-not-delivered/"


@pytest.fixture
def refused(cast):
    incident = make_incident(cast, urgent=True)
    return Outbox.objects.create(
        recipient=cast.deputy,
        kind=Kind.NEW_CASE,
        school=cast.school_a,
        incident_id=incident.pk,
        reference=incident.reference,
        urgent=True,
        status=OutboxStatus.FAILED,
        failure=Failure.REFUSED,
        attempts=1,
        idempotency_key="refused",
    )


def test_the_banner_is_shown_to_the_schools_leads_and_trust_leads_only(cast, client_for, refused):
    for person in (cast.dsl, cast.deputy, cast.trust_lead):
        page = client_for(person).get("/notifications/").content.decode()
        assert BANNER in page, person
    for person in (cast.teacher, cast.admin, cast.dsl_b, cast.other_trust_lead, cast.outsider):
        assert BANNER not in client_for(person).get("/").content.decode(), person
    # Leads get a link to act; the trust lead the school's name and a count only.
    assert PAGE in client_for(cast.dsl).get("/").content.decode()
    lead = client_for(cast.trust_lead).get("/").content.decode()
    assert PAGE not in lead and refused.reference not in lead


def test_a_late_alert_is_shown_too_but_not_one_still_within_its_time(cast, client_for):
    incident = make_incident(cast)
    row = Outbox.objects.create(
        recipient=cast.dsl,
        kind=Kind.NEW_CASE,
        school=cast.school_a,
        incident_id=incident.pk,
        reference=incident.reference,
        idempotency_key="waiting",
    )
    assert BANNER not in client_for(cast.deputy).get("/").content.decode()
    Outbox.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - services.DELIVERY_LIMIT - timedelta(seconds=1)
    )
    assert BANNER in client_for(cast.deputy).get("/").content.decode()


def test_summaries_and_reminders_are_not_alerts(cast, client_for):
    Outbox.objects.create(
        recipient=cast.dsl,
        kind=Kind.DIGEST,
        school=cast.school_a,
        status=OutboxStatus.FAILED,
        failure=Failure.REFUSED,
        idempotency_key="digest",
    )
    assert BANNER not in client_for(cast.dsl).get("/").content.decode()


def test_the_page_says_who_was_not_told_and_to_tell_them_in_person(cast, client_for, refused):
    page = client_for(cast.dsl).get(PAGE).content.decode()
    assert "deputy@oakwood.test" in page
    assert refused.reference in page
    assert "The mail server refused it" in page
    assert "Tell each person in person or by phone now" in page


def test_sending_again_makes_a_new_message_and_is_audited(
    transactional_db, cast, client_for, refused, smtp_email
):
    response = post_form(client_for(cast.dsl), f"{PAGE}{refused.pk}/resend/")
    assert response.status_code == 302
    refused.refresh_from_db()
    assert refused.resolved_by == cast.dsl and refused.resolved_at
    copy = Outbox.objects.exclude(pk=refused.pk).get()
    assert (copy.recipient, copy.kind) == (cast.deputy, Kind.NEW_CASE)
    assert copy.reference == refused.reference
    assert copy.message_id and copy.message_id != refused.message_id
    assert copy.status == OutboxStatus.SENT  # no broker here: sent in-process
    assert smtp_email.recipients() == ["deputy@oakwood.test"]
    event = AuditEvent.objects.get(action=services.RESENT)
    assert event.actor == cast.dsl and event.data["new_outbox"] == copy.pk
    assert BANNER not in client_for(cast.trust_lead).get("/").content.decode()


def test_told_them_in_person_clears_it_and_is_audited(cast, client_for, refused):
    response = post_form(client_for(cast.deputy), f"{PAGE}{refused.pk}/dealt-with/")
    assert response.status_code == 302
    assert BANNER not in client_for(cast.dsl).get("/").content.decode()
    event = AuditEvent.objects.get(action=services.DEALT_WITH)
    assert event.actor == cast.deputy and event.data == {
        "kind": Kind.NEW_CASE,
        "reference": refused.reference,
    }


def test_another_schools_alert_or_a_delivered_one_cannot_be_touched(cast, client_for, refused):
    elsewhere = Outbox.objects.create(
        recipient=cast.dsl_b,
        kind=Kind.NEW_CASE,
        school=cast.school_b,
        status=OutboxStatus.FAILED,
        failure=Failure.REFUSED,
        idempotency_key="elsewhere",
    )
    delivered = Outbox.objects.create(
        recipient=cast.dsl,
        kind=Kind.NEW_CASE,
        school=cast.school_a,
        status=OutboxStatus.SENT,
        idempotency_key="delivered",
    )
    client = client_for(cast.dsl)
    for row in (elsewhere, delivered):
        assert post_form(client, f"{PAGE}{row.pk}/resend/").status_code == 404
        assert post_form(client, f"{PAGE}{row.pk}/dealt-with/").status_code == 404
    # Not by the school's admin either (403), nor by the other school's DSL (404).
    assert post_form(client_for(cast.admin), f"{PAGE}{refused.pk}/resend/").status_code == 403
    assert post_form(client_for(cast.dsl_b), f"{PAGE}{refused.pk}/resend/").status_code == 404
    assert Outbox.objects.count() == 3
