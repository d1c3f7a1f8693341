"""Sending a report queues the DSLs' alert in the same transaction; so does further information.
A report that cannot be sent writes nothing and alerts nobody."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from guidance.checklist import load_checklist
from incidents.models import Incident, ReportDraft
from incidents.services import submit_report
from notifications.models import Kind, Outbox
from safeguarding.models import AuditEvent
from tests.conftest import post_form


def test_sending_a_report_alerts_the_schools_dsl_and_deputy(journey, cast):
    j = journey(cast.teacher).complete(immediate_risk="yes")
    j.submit()
    incident = Incident.objects.get()
    rows = Outbox.objects.filter(incident_id=incident.pk, kind=Kind.NEW_CASE)
    assert sorted(rows.values_list("recipient__email", flat=True)) == [
        "deputy@oakwood.test",
        "dsl@oakwood.test",
    ]
    assert all(row.urgent and row.reference == incident.reference for row in rows)


def test_a_routine_report_is_not_marked_urgent(journey, cast):
    """Two Year 11s swapping their own pictures willingly: the DSL reviews it today."""
    j = journey(cast.teacher)
    j.start()
    natures = load_checklist().question("image_nature").choice_values()
    j.what(image_nature="real_photo" if "real_photo" in natures else "real_nudes")
    j.adults("no")
    j.checklist(
        pictured_child_willing="yes",
        creator="pictured_child",
        original_source="no_real_photo",
        spread_platforms="private_message",
        spread_recipients="one",
    )
    j.submit()
    incident = Incident.objects.get()
    assert incident.urgency == "dsl_review_today"
    assert not Outbox.objects.filter(incident_id=incident.pk, urgent=True).exists()


def test_further_information_alerts_the_dsl(journey, cast):
    j = journey(cast.teacher).complete()
    j.submit()
    incident = Incident.objects.get()
    url = reverse("incidents:my_report", kwargs={"reference": incident.reference})
    post_form(j.client, url, {"text": "More to say."})
    rows = Outbox.objects.filter(incident_id=incident.pk, kind=Kind.FOLLOW_UP)
    assert list(rows.values_list("recipient__email", flat=True)) == ["dsl@oakwood.test"]


def test_an_unfinished_draft_writes_nothing(journey, cast):
    j = journey(cast.teacher)
    j.start()
    j.what()
    with pytest.raises(ValidationError):
        submit_report(actor=cast.teacher, draft=j.draft)
    assert not Incident.objects.exists()
    assert not Outbox.objects.exists()
    assert not AuditEvent.objects.filter(action="incident.reported").exists()
    assert ReportDraft.objects.filter(pk=j.draft_id).exists()


def test_someone_elses_draft_cannot_be_submitted_through_the_service(journey, cast):
    j = journey(cast.teacher).complete()
    with pytest.raises(ValidationError):
        submit_report(actor=cast.dsl, draft=j.draft)
    assert not Incident.objects.exists()


def test_a_reference_that_clashes_is_drawn_again(journey, cast):
    from incidents.services import _save_with_a_free_reference

    journey(cast.teacher).complete().submit()
    existing = Incident.objects.get()
    clash = Incident.objects.get()
    clash.id, clash.reference = uuid.uuid4(), existing.reference
    _save_with_a_free_reference(clash)
    assert Incident.objects.count() == 2
    assert clash.reference != existing.reference
    assert Incident.objects.filter(reference=clash.reference).exists()
