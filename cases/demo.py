"""Demo cases for `manage.py seed_demo`: a few per demo school, in different states.

Idempotent: each demo case has a fixed reference, and a school's cases are made only once.
Every change goes through cases/services.py, so the timelines look like real ones.
"""

from datetime import time, timedelta

from django.utils import timezone

from guidance.checklist import STAFF, load_checklist
from guidance.triage import triage
from incidents.models import Incident, IncidentPupil, Pupil, PupilRole, Status
from incidents.services import REPORTED_ALREADY, reported_close_to
from safeguarding import audit
from safeguarding.models import Role, School, User

from . import services
from .models import Consideration, Decision, Referral, RemovalOffered, StatusChange

DEMO_SCHOOLS = ["ashgrove", "beacon-hill", "cedar-park", "willow-lane"]

# (first name, last name, year group): made up, and not the pupil list's demo names.
# Kai is in several reports within a day (the second report and the duplicate); no other pupil
# is in two reports less than a day apart, so only Kai's cases say "possibly the same incident".
DEMO_PUPILS = [
    ("Kai", "Demo-Reed", "9"),
    ("Lola", "Demo-Hart", "9"),
    ("Zac", "Demo-Mills", "10"),
    ("Theo", "Demo-Ward", "9"),
    ("Nia", "Demo-Osei", "8"),
    ("Ruby", "Demo-Khan", "8"),
    ("Ollie", "Demo-Clarke", "10"),
    ("Esme", "Demo-Lewis", "10"),
]

# "age": when it happened. "reported": how long ago it was reported, where that differs: every
# record below is written now (the audit trail takes the time it is written), so a case worked
# today was reported today, and its times and the trust's time-to-acknowledge figures add up.
SCENARIOS = [
    {
        "kind": "sextortion",
        "answers": {
            "adult_involved": "not_known",
            "coercion_or_capacity": "yes",
            "unusual_or_violent": "not_known",
            "sexual_acts_under_13": "no",
            "immediate_risk": "no",
            "image_nature": "not_known",
            "threats_or_demands": "yes",
            "spread_platforms": "not_known",
            "spread_recipients": "not_known",
            "device_involved": "yes",
            "device_secured": "yes",
            "imagery_viewed": "no",
        },
        "age": timedelta(hours=3),
        "account": "He said someone online has a picture of him and wants £100 by tonight.",
        "pupils": [(0, PupilRole.PICTURED), (0, PupilRole.TOLD_US)],
        "progress": "new",
    },
    {
        # Nobody knew the answers to the reasons to refer: "not known yet", never "no".
        "kind": "ai_generated",
        "answers": {
            "adult_involved": "not_known",
            "coercion_or_capacity": "not_known",
            "unusual_or_violent": "not_known",
            "sexual_acts_under_13": "not_known",
            "immediate_risk": "not_known",
            "danger_now": "no",
            "image_nature": "ai_generated",
            "creator": "pupil_here",
            "spread_platforms": "group_chat",
            "spread_recipients": "many",
            "threats_or_demands": "no",
            "device_involved": "not_known",
            "imagery_viewed": "yes",
        },
        "age": timedelta(hours=26),
        "account": "She said a boy in her class made a fake picture of her with an app.",
        "pupils": [(1, PupilRole.PICTURED), (2, PupilRole.ALLEGED_CREATOR)],
        "progress": "new",
        # Who saw the image by accident, and roughly when: never what it showed.
        "said": {
            "imagery_viewed_by": "Me: she held her phone up to show me before I could stop her.",
            "imagery_viewed_when": "Yesterday, at registration",
        },
    },
    {
        "kind": "nudified",
        "answers": {
            "adult_involved": "no",
            "coercion_or_capacity": "not_known",
            "unusual_or_violent": "no",
            "sexual_acts_under_13": "no",
            "immediate_risk": "no",
            "image_nature": "nudified",
            "original_source": "social_media",
            "spread_platforms": "group_chat",
            "spread_recipients": "many",
            "threats_or_demands": "no",
            "device_involved": "yes",
            "device_secured": "no",
            "imagery_viewed": "no",
        },
        "review": {
            "coercion_or_capacity": "no",
            "creator": "pupil_here",
            "pictured_child_willing": "no",
            "removal_offered": "no",
        },
        "age": timedelta(days=2),
        "reported": timedelta(hours=5),
        "account": "A friend told me a photo from her Instagram was changed and shared in a group.",
        "pupils": [(4, PupilRole.PICTURED), (5, PupilRole.RECIPIENT)],
        "progress": "under_review",
        # What the reporter said, in words, about the device.
        "said": {"device_details": "Ruby's phone: she still has it, switched on."},
    },
    {
        "kind": "sextortion",
        "answers": {
            "adult_involved": "not_known",
            "coercion_or_capacity": "yes",
            "unusual_or_violent": "no",
            "sexual_acts_under_13": "no",
            "immediate_risk": "no",
            "image_nature": "not_known",
            "threats_or_demands": "yes",
            "device_involved": "no",
            "imagery_viewed": "no",
        },
        "review": {"adult_involved": "yes", "creator": "adult", "removal_offered": "yes"},
        "decision": {
            "referral": "yes",
            "urgency": "tell_dsl_now",
            "typology": "aggravated",
            "sextortion": "yes",
        },
        "age": timedelta(days=5),
        "reported": timedelta(hours=4),
        "account": "His mum rang: he is being told to send more pictures or they will be posted.",
        "pupils": [(3, PupilRole.PICTURED)],
        "progress": "referred",
    },
    {
        "kind": "real_nudes",
        "answers": {
            "adult_involved": "no",
            "coercion_or_capacity": "no",
            "unusual_or_violent": "no",
            "sexual_acts_under_13": "no",
            "immediate_risk": "no",
            "image_nature": "real_photo",
            "original_source": "no_real_photo",
            "creator": "pictured_child",
            "pictured_child_willing": "yes",
            "spread_platforms": "private_message",
            "spread_recipients": "one",
            "threats_or_demands": "no",
            "device_involved": "no",
            "imagery_viewed": "no",
            "removal_offered": "yes",
        },
        "decision": {
            "referral": "no",
            "urgency": "dsl_review_today",
            "typology": "experimental",
            "sextortion": "no",
        },
        "age": timedelta(days=20),
        "reported": timedelta(hours=6),
        "account": "Two pupils in year 10 swapped pictures; one showed a friend.",
        "pupils": [(6, PupilRole.PICTURED), (7, PupilRole.SHARER)],
        "progress": "closed",
    },
    {
        # A filtering alert with no image known: the checklist does not type it ("Not typed").
        "kind": "no_image",
        "answers": {
            "adult_involved": "no",
            "coercion_or_capacity": "no",
            "unusual_or_violent": "no",
            "sexual_acts_under_13": "no",
            "immediate_risk": "no",
            "image_nature": "no_image_known",
            "threats_or_demands": "no",
            "device_involved": "no",
        },
        "age": timedelta(hours=4),
        "account": (
            "The web filter flagged a search for a nudify app on a school laptop in an ICT "
            "lesson. No picture of anyone is known and nothing was shared."
        ),
        "pupils": [],
        "progress": "new",
        "case": {"came_to_light": "monitoring", "location": "in_school", "platform": ""},
    },
]
DECISION_REASON = "Agreed at the initial review with the deputy DSL, from what we found out."


def _offered(checklist, answers: dict[str, str]) -> dict[str, str]:
    """The answers the checklist version asks and accepts (the demo outlives versions)."""
    return {
        qid: value
        for qid, value in answers.items()
        if checklist.has_question(qid) and value in checklist.question(qid).choice_values()
    }


def _split(checklist, answers: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The scenario's answers as a member of staff gives them (the checklist's staff part, each
    question only when it is asked) and the rest, which the DSL finds out at the initial
    review."""
    offered = _offered(checklist, answers)
    reporter = {
        qid: value
        for qid, value in offered.items()
        if checklist.question(qid).part == STAFF and checklist.question(qid).is_asked(offered)
    }
    return reporter, {qid: v for qid, v in offered.items() if qid not in reporter}


# The reporter's answers the case keeps in fields of their own (incidents.models.Incident).
REPORTER_ANSWER_FIELDS = (
    "image_nature",
    "threats_or_demands",
    "device_involved",
    "device_secured",
    "imagery_viewed",
)


def _reference(school_index: int, case_index: int) -> str:
    return f"SG-DEM{school_index}-{case_index:04d}"


def seed_demo_data(stdout) -> None:
    checklist = load_checklist()
    for school_index, slug in enumerate(DEMO_SCHOOLS, start=1):
        school = School.objects.filter(slug=slug).first()
        if school is None:
            continue
        dsl = User.objects.filter(memberships__school=school, memberships__role=Role.DSL).first()
        if dsl is None:
            continue
        deputy = (
            User.objects.filter(
                memberships__school=school, memberships__role=Role.DEPUTY_DSL
            ).first()
        ) or dsl
        reporter = (
            User.objects.filter(memberships__school=school, memberships__role=Role.STAFF).first()
            or dsl
        )
        pupils = [
            Pupil.objects.get_or_create(
                school=school,
                first_name=first,
                last_name=last,
                defaults={"year_group": year},
            )[0]
            for first, last, year in DEMO_PUPILS
        ]
        made = 0
        for case_index, scenario in enumerate(SCENARIOS, start=1):
            reference = _reference(school_index, case_index)
            if Incident.objects.filter(reference=reference).exists():
                continue
            _make_case(scenario, reference, school, reporter, dsl, deputy, pupils, checklist)
            made += 1
        made += _working_day(school_index, school, dsl, deputy, pupils, checklist)
        made += _reported_again(school_index, school, reporter, dsl, deputy, pupils, checklist)
        stdout.write(f"  {school.name}: {made} demo case(s) made")


# The same concern reported a second time by the deputy, closed as a duplicate of the first.
DUPLICATE = 90


def _working_day(school_index, school, dsl, deputy, pupils, checklist) -> int:
    """What the DSL's home and linked cases show: a duplicate report closed as such, and a task
    overdue on a case under review. Made once, with the duplicate."""
    reference = _reference(school_index, DUPLICATE)
    first = Incident.objects.filter(reference=_reference(school_index, 1)).first()
    reviewed = (
        Incident.objects.filter(school=school, status=Status.UNDER_REVIEW)
        .filter(reference__startswith=_reference(school_index, 0)[:-4])
        .order_by("reference")
        .first()
    )
    if first is None or Incident.objects.filter(reference=reference).exists():
        return 0
    again = {
        **SCENARIOS[0],
        "age": timedelta(hours=2),
        "account": "His friend told me someone online is threatening to share a picture of him.",
    }
    _make_case(again, reference, school, deputy, dsl, deputy, pupils, checklist)
    services.close_as_duplicate(
        incident=Incident.objects.get(reference=reference),
        actor=dsl,
        original=first,
        reason="The same threat, reported again by the deputy an hour later.",
    )
    if reviewed is not None:
        services.add_task(
            incident=reviewed,
            actor=dsl,
            title="Call the pictured pupil's mother back",
            owner=dsl,
            due_on=timezone.localdate() - timedelta(days=1),
        )
        pastoral = services.pastoral_staff_of(school).filter(is_active=True).first()
        if school.pastoral_tasks and pastoral is not None:
            # Shown on their "Your tasks" page: the reference and this, never the case.
            services.add_task(
                incident=reviewed,
                actor=dsl,
                title="Check in with the pictured pupil at morning registration",
                owner=pastoral,
                due_on=timezone.localdate() + timedelta(days=1),
            )
    return 1


# The first case's pupil reported again by a member of staff, within the day and not yet linked:
# they were told the DSL may already have a report about this; the DSL sees 'possibly the same
# incident' on both cases and in the inbox.
REPORTED_AGAIN = 91


def _reported_again(school_index, school, reporter, dsl, deputy, pupils, checklist) -> int:
    reference = _reference(school_index, REPORTED_AGAIN)
    if Incident.objects.filter(reference=reference).exists():
        return 0
    again = {
        **SCENARIOS[0],
        "age": timedelta(hours=1),
        "account": "He was upset in registration and said a stranger online has a photo of him.",
        "pupils": [(0, PupilRole.PICTURED)],
    }
    _make_case(again, reference, school, reporter, dsl, deputy, pupils, checklist)
    incident = Incident.objects.get(reference=reference)
    earlier = reported_close_to(incident).filter(submitted_at__lt=incident.submitted_at).last()
    if earlier is not None:
        audit.record(
            REPORTED_ALREADY,
            actor=reporter,
            target=incident,
            school=school,
            data={"reference": reference, "possibly_same_as": earlier.reference},
        )
    return 1


def _make_case(scenario, reference, school, reporter, dsl, deputy, pupils, checklist) -> None:
    answers, for_the_review = _split(checklist, scenario["answers"])
    outcome = triage(checklist, answers)
    incident = Incident.objects.create(
        reference=reference,
        school=school,
        reporter=reporter,
        kind=scenario["kind"],
        **{name: answers.get(name, "") for name in REPORTER_ANSWER_FIELDS},
        **scenario.get("said", {}),
        happened_on=timezone.localdate() - scenario["age"],
        **{
            "came_to_light": "child_told",
            "location": "online",
            "platform": "Snapchat",
            **scenario.get("case", {}),
        },
        account=scenario["account"],
        adults_involved=answers.get("adult_involved", "not_known"),
        checklist_version=checklist.version,
        answers=answers,
        outcome=outcome.to_dict(),
        urgency=outcome.urgency,
        referral=outcome.referral,
        submitted_at=timezone.now() - scenario.get("reported", scenario["age"]),
    )
    for pupil_index, role in scenario["pupils"]:
        IncidentPupil.objects.get_or_create(incident=incident, pupil=pupils[pupil_index], role=role)
    audit.record(
        "incident.reported",
        actor=reporter,
        target=incident,
        school=school,
        data={"reference": reference, "kind": incident.kind, "urgency": incident.urgency},
    )
    progress = scenario["progress"]
    if progress == "new":
        return
    today = timezone.localdate()
    services.acknowledge(incident=incident, actor=dsl)
    services.change_status(incident=incident, actor=dsl, to_status=Status.UNDER_REVIEW)
    found_out = {**for_the_review, **_offered(checklist, scenario.get("review", {}))}
    services.record_initial_review(
        incident=incident,
        actor=dsl,
        held_on=today,
        answers={
            question.id: found_out.get(question.id, "not_known")
            for question in services.review_questions(incident)
        },
        attendees=f"{dsl.full_name} (DSL), {deputy.full_name} (deputy DSL), head of year",
        considered=[c.value for c in Consideration],
        notes="Agreed to speak to both pupils' parents today.",
    )
    if "decision" in scenario:
        decision = scenario["decision"]
        services.override_triage(
            incident=incident,
            actor=dsl,
            **decision,
            **{f"{part}_reason": DECISION_REASON for part in decision},
        )
    services.add_task(
        incident=incident,
        actor=dsl,
        title="Check in with the pictured pupil",
        owner=deputy,
        due_on=today + timedelta(days=2),
    )
    if progress == "under_review":
        return
    if progress == "referred":
        services.record_decision(
            incident=incident,
            actor=dsl,
            decision=Decision.Choice.REFER,
            reasons="Threats and demands for more images: referral factor 2 applies.",
        )
        services.record_referral(
            incident=incident,
            actor=dsl,
            agency=Referral.Agency.POLICE,
            referred_on=today,
            their_reference="DEMO-4471",
            contact="Demo police contact, 101",
        )
        # Something that happened before the report, written down now: the chronology puts it
        # where it happened and says it was recorded late.
        services.add_note(
            incident=incident,
            actor=dsl,
            text="His form tutor says he was withdrawn and left a lesson early that afternoon; "
            "she mentioned it to me today.",
            happened_on=today - timedelta(days=3),
            happened_time=time(14, 10),
        )
        services.record_removal_offered(
            incident=incident,
            actor=dsl,
            services=[RemovalOffered.Service.REPORT_REMOVE],
            offered_by=dsl,
            offered_on=today,
            pupil=incident.involvements.first().pupil,
        )
        services.change_status(incident=incident, actor=dsl, to_status=Status.REFERRED)
        return
    services.record_decision(
        incident=incident,
        actor=dsl,
        decision=Decision.Choice.NOT_REFER,
        reasons="Both pupils were willing, no adult, no threats: managed in school (UKCIS).",
    )
    services.record_parents_informed(
        incident=incident, actor=dsl, informed=True, informed_on=today, who_was_told="Both mothers"
    )
    services.change_status(incident=incident, actor=dsl, to_status=Status.MANAGED_IN_SCHOOL)
    services.change_status(
        incident=incident,
        actor=dsl,
        to_status=Status.CLOSED,
        reason="Education session done with both pupils; parents support the plan.",
        closing_outcome=StatusChange.ClosingOutcome.MANAGED_COMPLETE,
    )
