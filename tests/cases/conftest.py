"""Incidents made directly with the ORM, as the reporting journey would leave them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Incident, IncidentPupil, Pupil, PupilRole, Urgency
from safeguarding import audit

# Every page of a case where something is recorded (cases:<name>, with the case reference).
RECORD_PAGES = [
    "assign",
    "review_meeting",
    "referral",
    "decision",
    "parents_informed",
    "removal_offered",
    "device_secured",
    "staff_saw_imagery",
    "imagery_viewing",
    "add_task",
    "triage_override",
    "add_note",
]

OUTCOME = {
    "checklist_version": "2024.1",
    "immediate_referral": True,
    "referral_factors": [
        {
            "id": "coercion_or_capacity",
            "label": "A child may have been pressured or blackmailed",
            "source": "UKCIS 2024",
            "answer": "yes",
            "reason": "Threats were made.",
            "awaiting_confirmation": False,
        }
    ],
    "unknown_factors": [],
    "typology": "aggravated",
    "typology_reason": "Threats or demands were made.",
    "sextortion": True,
    "sextortion_advice": [
        {"text": "Do not pay.", "source": "NCA 2024", "id": "sx_dont_pay"},
    ],
    "urgency": "tell_dsl_now",
    "headline": "Tell the DSL in person now, then finish this report.",
    "next_actions": [{"text": "Refer to the police today.", "source": "UKCIS 2024", "id": "x"}],
}


def make_incident(
    school, reporter, *, urgency=Urgency.TELL_DSL_NOW, age=timedelta(hours=2), pupils=(), **fields
) -> Incident:
    values = {
        "kind": "sextortion",
        "came_to_light": "child_told",
        "location": "online",
        "platform": "Snapchat",
        "account": "She said a boy online said he would send the picture to her friends.",
        "adults_involved": "not_known",
        "checklist_version": "2024.1",
        "outcome": {**OUTCOME, "urgency": urgency},
        "urgency": urgency,
        "referral": "yes" if urgency != Urgency.DSL_REVIEW_TODAY else "no",
        "submitted_at": timezone.now() - age,
    }
    values.update(fields)
    incident = Incident.objects.create(school=school, reporter=reporter, **values)
    for pupil, role in pupils:
        IncidentPupil.objects.create(incident=incident, pupil=pupil, role=role)
    audit.record(
        "incident.reported",
        actor=reporter,
        target=incident,
        school=school,
        data={"reference": incident.reference, "kind": incident.kind},
    )
    return incident


def make_pupil(school, first="Amy", last="Jones", year="9") -> Pupil:
    return Pupil.objects.create(school=school, first_name=first, last_name=last, year_group=year)


@pytest.fixture
def pupil(cast):
    return make_pupil(cast.school_a)


@pytest.fixture
def incident(cast, pupil):
    return make_incident(cast.school_a, cast.teacher, pupils=[(pupil, PupilRole.PICTURED)])


def make_reported(school, reporter, answers, *, version="2026-09", pupils=(), **fields):
    """An incident as `incidents.services.submit_report` leaves it: the checklist `version` run
    over `answers`, its outcome, urgency and referral line stored with it."""
    from guidance.checklist import load_checklist
    from guidance.triage import triage

    outcome = triage(load_checklist(version), answers)
    return make_incident(
        school,
        reporter,
        pupils=pupils,
        checklist_version=version,
        answers=dict(answers),
        outcome=outcome.to_dict(),
        urgency=outcome.urgency,
        referral=outcome.referral,
        **fields,
    )


# Every reason to refer "not known": the referral line is "not known yet", never "no".
ALL_NOT_KNOWN = {
    "adult_involved": "not_known",
    "coercion_or_capacity": "not_known",
    "unusual_or_violent": "not_known",
    "sexual_acts_under_13": "not_known",
    "immediate_risk": "not_known",
    "image_nature": "ai_generated",
    "creator": "pupil_here",
    "spread_platforms": "group_chat",
    "spread_recipients": "many",
    "threats_or_demands": "no",
    "device_involved": "yes",
    "device_secured": "no",
    "imagery_viewed": "yes",
}
