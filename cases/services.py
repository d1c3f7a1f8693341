"""Everything that changes a case. Each change writes its row(s) and exactly one audit event in
one transaction; the event is the case's timeline entry and names the row by kind and id.

Callers have already passed `safeguarding.access.get_incident_for`; these functions check only
what the case itself must hold true (the workflow, who may be assigned, closed cases frozen).
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from guidance.triage import TYPOLOGY_LABELS, triage
from incidents.models import Incident, IncidentPupil, Pupil, ReferralLine, Status, Urgency
from incidents.services import (  # noqa: F401  (used as services.*)
    CASE_VIEWED,
    cases_listed,
    log_case_view,
    log_cases_seen,
)
from notifications.services import notify_report_acknowledged, notify_task_given
from safeguarding import access, audit
from safeguarding.models import AuditEvent, Role, User

from . import answers as answers_module
from . import assessment, reported, workflow
from .models import (
    CaseLink,
    CaseNote,
    CaseRecord,
    Decision,
    DeviceSecured,
    Happened,
    ImageryViewing,
    ParentsInformed,
    PupilChange,
    Referral,
    RemovalOffered,
    ReviewMeeting,
    StaffSawImagery,
    StatusChange,
    Task,
    TriageOverride,
)

CASE_IS_CLOSED = "This case is closed. Reopen it to add to it."
NOT_IN_FUTURE = "The date must be today or in the past."
TIME_NOT_IN_FUTURE = "The time must be now or earlier: it is {now} now."
# A pupil's file that reached their new school (records/) leaves this school's copy read-only.
CASE_READ_ONLY = (
    "This case is kept read-only: every pupil in it has left and their file has gone to their "
    "new school. You can still move its status on and close it, but not reopen it."
)
PUPIL_PART_READ_ONLY = (
    "{pupil}'s file has gone to their new school: their part in this case is kept read-only."
)
ASSIGNEE_NOT_REVIEWER = "Choose the DSL or a deputy DSL of this school."
ONLY_DSL_VIEWS_IMAGERY = "Only the DSL may record viewing imagery."
TASK_OWNER_NOT_STAFF = "Choose someone who works at this school."
# Only the DSL and deputies can open a case, so only they can see, be reminded of and finish a task.
TASK_OWNER_NOT_REVIEWER = "Choose the DSL or a deputy DSL of this school."

# Actions written by this module (and by the reporting journey) that make up a timeline.
STATUS_CHANGED = "case.status_changed"
ASSIGNED = "case.assigned"
RECORD_ADDED = "case.record_added"
TASK_DONE = "case.task_done"
CASE_LINKED = "case.linked"

NOT_ITSELF = "Enter the reference of another case, not this one."
ALREADY_LINKED = "These cases are already linked."
ALREADY_A_DUPLICATE = "This case is already closed as a duplicate of {reference}."
ORIGINAL_IS_A_DUPLICATE = (
    "{reference} is itself closed as a duplicate of {original}. Enter {original} instead."
)
PUPIL_ALREADY_IN_ROLE = "{pupil} is already in this case as “{role}”."
PUPIL_NOT_AT_SCHOOL = "Choose a pupil on this school's list."
NOT_IN_THIS_CASE = "Choose a pupil who is in this case."
NOT_SAME_SCHOOL = "Only cases at the same school can be linked."


class CaseError(ValueError):
    """A change the case cannot take. `field` names the form field to show it on, if any."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def case_events(incident: Incident):
    """The case's timeline: every audit event about it, and every list page that showed it
    (incidents.services.log_cases_seen), oldest first."""
    return AuditEvent.objects.filter(about_case(incident)).order_by("id")


def about_case(incident: Incident) -> Q:
    """The audit events `case_events` reads."""
    about_it = Q(target_type=Incident._meta.label_lower, target_id=str(incident.pk))
    return about_it | cases_listed(incident)


def _event(incident: Incident, action: str, *, actor: User, request, data: dict) -> None:
    audit.record(
        action, actor=actor, target=incident, school=incident.school, request=request, data=data
    )


def _lock(incident: Incident) -> Incident:
    """Re-read the incident under a row lock so two people's changes do not interleave."""
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _when_it_happened(record: CaseRecord) -> None:
    """When it happened: now unless the record says when (a date, and a time if known), never
    in the future."""
    if not isinstance(record, Happened):
        return
    now = timezone.localtime()
    day = record.happened_date
    if day is None:
        day = now.date()
        setattr(record, record.HAPPENED_ON, day)
        if record.happened_time is None:
            record.happened_time = now.time().replace(second=0, microsecond=0)
            return
    if day > now.date():
        raise CaseError(NOT_IN_FUTURE, field=record.HAPPENED_ON)
    if record.happened_time is not None:
        moment = timezone.make_aware(datetime.combine(day, record.happened_time))
        # The minute shown as now, even if the clock has moved on into the next.
        if moment >= now.replace(second=0, microsecond=0) + timedelta(minutes=1):
            raise CaseError(TIME_NOT_IN_FUTURE.format(now=f"{now:%H:%M}"), field="happened_time")


def transferred(pupils) -> list[Pupil]:
    """Those of a case's `pupils` whose file has gone to their new school: their part in the
    case (their details, their roles) is kept read-only at this school, as the record of what
    was sent."""
    return [pupil for pupil in pupils if pupil.file_transferred_at is not None]


def all_gone(pupils) -> bool:
    """Every one of a case's `pupils` has left with their file: nothing more is added to the
    case here; its status may still move on to closed, never back. A case with a pupil who
    stays stays open to work on for them."""
    pupils = list(pupils)
    return bool(pupils) and len(transferred(pupils)) == len(pupils)


def is_read_only(incident: Incident) -> bool:
    return all_gone(Pupil.objects.filter(involvements__incident=incident).distinct())


def _check_editable(incident: Incident) -> None:
    if incident.status == Status.CLOSED:
        raise CaseError(CASE_IS_CLOSED)
    if is_read_only(incident):
        raise CaseError(CASE_READ_ONLY)


def _check_pupil_part(pupil: Pupil, *, field: str = "pupil") -> None:
    if pupil.file_transferred_at is not None:
        raise CaseError(PUPIL_PART_READ_ONLY.format(pupil=pupil), field=field)


def _add_record(record: CaseRecord, *, actor: User, request, **data) -> CaseRecord:
    incident = _lock(record.incident)
    _check_editable(incident)
    _when_it_happened(record)
    record.recorded_by = actor
    record.save()
    _event(
        incident,
        RECORD_ADDED,
        actor=actor,
        request=request,
        data={"record": record.KIND, "id": record.pk, **data},
    )
    return record


@transaction.atomic
def change_status(
    *,
    incident: Incident,
    actor: User,
    to_status: str,
    reason: str = "",
    closing_outcome: str = "",
    request=None,
) -> StatusChange:
    """Move the case along the workflow (cases/workflow.py), keeping its dates in step."""
    locked = _lock(incident)
    if locked.status == Status.CLOSED and is_read_only(locked):
        raise CaseError(CASE_READ_ONLY)
    try:
        workflow.check_move(
            locked.status, to_status, reason=reason, closing_outcome=closing_outcome
        )
    except workflow.WorkflowError as error:
        raise CaseError(error.message, field=error.field) from error
    now = timezone.now()
    change = StatusChange.objects.create(
        incident=locked,
        recorded_by=actor,
        recorded_at=now,
        from_status=locked.status,
        to_status=to_status,
        reason=reason.strip(),
        closing_outcome=closing_outcome if to_status == Status.CLOSED else "",
    )
    locked.status = to_status
    fields = ["status"]
    if to_status == Status.ACKNOWLEDGED and locked.acknowledged_at is None:
        locked.acknowledged_at = now
        fields.append("acknowledged_at")
    if to_status == Status.CLOSED:
        locked.closed_at = now
        fields.append("closed_at")
    elif change.from_status == Status.CLOSED:
        locked.closed_at = None
        fields.append("closed_at")
        if locked.duplicate_of_id is not None:
            # Reopened: no longer a duplicate (the link between the two cases stays).
            locked.duplicate_of = None
            fields.append("duplicate_of")
    locked.save(update_fields=fields)
    _event(
        locked,
        STATUS_CHANGED,
        actor=actor,
        request=request,
        data={
            "record": StatusChange.KIND,
            "id": change.pk,
            "from": change.from_status,
            "to": to_status,
            **({"closing_outcome": change.closing_outcome} if change.closing_outcome else {}),
        },
    )
    if "acknowledged_at" in fields:
        notify_report_acknowledged(incident=locked, actor=actor)
    # Keep the caller's object current for the page it renders next.
    for field in fields:
        setattr(incident, field, getattr(locked, field))
    return change


@transaction.atomic
def acknowledge(*, incident: Incident, actor: User, request=None) -> StatusChange:
    """Acknowledge a new case; whoever acknowledges an unassigned case takes it on."""
    change = change_status(
        incident=incident, actor=actor, to_status=Status.ACKNOWLEDGED, request=request
    )
    if incident.assigned_to_id is None and not is_read_only(incident):
        assign(incident=incident, actor=actor, assignee=actor, request=request)
    return change


def reviewers_of(school):
    """The people a case at `school` can be assigned to: its DSLs and deputies."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__school=school,
            memberships__role__in=access.CASE_REVIEWERS,
        )
        .distinct()
        .order_by("full_name")
    )


def task_owners(school):
    """Who a task at `school` can be given to: its DSLs and deputies, and its pastoral staff
    when the school allows it (they then see only their tasks: safeguarding.access)."""
    roles = [*access.CASE_REVIEWERS, *([Role.PASTORAL] if school.pastoral_tasks else [])]
    return (
        User.objects.filter(is_active=True, memberships__school=school, memberships__role__in=roles)
        .distinct()
        .order_by("full_name")
    )


def pastoral_staff_of(school):
    """The pastoral staff (and nobody else) of `school`: named as such where tasks are given."""
    return User.objects.filter(memberships__school=school, memberships__role=Role.PASTORAL)


def staff_of(school):
    """Everyone working with pupils at `school` (who offered removal): any role there but
    school admin, who manages accounts and never sees a case."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__school=school,
            memberships__role__in=[r for r in Role.school_roles() if r != Role.SCHOOL_ADMIN],
        )
        .distinct()
        .order_by("full_name")
    )


@transaction.atomic
def assign(*, incident: Incident, actor: User, assignee: User, request=None) -> None:
    if not reviewers_of(incident.school).filter(pk=assignee.pk).exists():
        raise CaseError(ASSIGNEE_NOT_REVIEWER, field="assignee")
    locked = _lock(incident)
    _check_editable(locked)
    previous = locked.assigned_to_id
    if previous == assignee.pk:
        return
    locked.assigned_to = assignee
    locked.save(update_fields=["assigned_to"])
    incident.assigned_to = assignee
    _event(
        locked,
        ASSIGNED,
        actor=actor,
        request=request,
        data={"assignee": str(assignee.pk), "previous": str(previous) if previous else None},
    )


REVIEW_ANSWER_NOT_ASKED = "The initial review does not ask {question!r}."
REVIEW_ANSWER_INVALID = "Choose one of the answers offered to “{question}”."


def review_questions(incident: Incident) -> list:
    """The questions of `incident`'s initial review (cases.answers.review_questions), for the
    checklist version it was answered against; none for a version no longer held."""
    checklist = answers_module.checklist_of(incident.checklist_version)
    if checklist is None:
        return []
    previous = answers_module.merged_review_answers(
        ReviewMeeting.objects.filter(incident=incident).order_by("recorded_at", "id")
    )
    return answers_module.review_questions(checklist, incident.answers or {}, previous)


@transaction.atomic
def record_initial_review(
    *,
    incident: Incident,
    actor: User,
    held_on: date,
    happened_time: time | None = None,
    answers: dict[str, str] | None = None,
    attendees: str = "",
    considered: list[str] | tuple[str, ...] = (),
    notes: str = "",
    request=None,
) -> ReviewMeeting:
    """The DSL's initial review: their answers to the review's questions (the reporter's
    answers are never changed), what they considered and with whom, and the checklist re-run
    over the reporter's answers and every review's, kept with the review."""
    incident = _lock(incident)
    checklist = answers_module.checklist_of(incident.checklist_version)
    given = {qid: value for qid, value in (answers or {}).items() if value not in (None, "")}
    reporter = incident.answers or {}
    outcome: dict = {}
    if checklist is not None:
        asked = {q.id: q for q in review_questions(incident)}
        for qid, value in given.items():
            if qid not in asked:
                raise CaseError(REVIEW_ANSWER_NOT_ASKED.format(question=qid))
            if value not in asked[qid].choice_values():
                raise CaseError(REVIEW_ANSWER_INVALID.format(question=asked[qid].text))
        previous = answers_module.merged_review_answers(
            ReviewMeeting.objects.filter(incident=incident).order_by("recorded_at", "id")
        )
        given = answers_module.asked_answers(checklist, reporter, {**previous, **given})
        given = {qid: value for qid, value in given.items() if qid in asked}
        outcome = triage(checklist, {**reporter, **previous, **given}).to_dict()
    elif given:
        raise CaseError(REVIEW_ANSWER_NOT_ASKED.format(question=next(iter(given))))
    review = ReviewMeeting(
        incident=incident,
        held_on=held_on,
        happened_time=happened_time,
        attendees=attendees,
        considered=list(considered),
        notes=notes,
        checklist_version=checklist.version if checklist else "",
        answers=given,
        outcome=outcome,
    )
    data = {"answered": sorted(given)}
    if outcome:
        data["referral"] = assessment.referral_of(outcome)
    return _add_record(review, actor=actor, request=request, **data)


@transaction.atomic
def record_referral(
    *,
    incident: Incident,
    actor: User,
    agency: str,
    referred_on: date,
    agency_other: str = "",
    ask: str = "",
    their_reference: str = "",
    contact: str = "",
    outcome: str = "",
    happened_time: time | None = None,
    request=None,
) -> Referral:
    referral = Referral(
        incident=incident,
        happened_time=happened_time,
        agency=agency,
        agency_other=agency_other if agency == Referral.Agency.OTHER else "",
        ask=ask,
        referred_on=referred_on,
        their_reference=their_reference,
        contact=contact,
        outcome=outcome,
    )
    return _add_record(referral, actor=actor, request=request, agency=agency)


@transaction.atomic
def record_decision(
    *,
    incident: Incident,
    actor: User,
    decision: str,
    reasons: str,
    happened_on: date | None = None,
    happened_time: time | None = None,
    request=None,
) -> Decision:
    """A decision and its reasons, made when it was recorded unless the DSL says when."""
    row = Decision(
        incident=incident,
        decision=decision,
        reasons=reasons,
        happened_on=happened_on,
        happened_time=happened_time,
    )
    return _add_record(row, actor=actor, request=request, decision=decision)


@transaction.atomic
def record_parents_informed(
    *,
    incident: Incident,
    actor: User,
    informed: bool,
    informed_on: date | None = None,
    who_was_told: str = "",
    reason_not_informed: str = "",
    request=None,
) -> ParentsInformed:
    row = ParentsInformed(
        incident=incident,
        informed=informed,
        informed_on=informed_on if informed else None,
        who_was_told=who_was_told if informed else "",
        reason_not_informed="" if informed else reason_not_informed,
    )
    return _add_record(row, actor=actor, request=request, informed=informed)


@transaction.atomic
def record_removal_offered(
    *,
    incident: Incident,
    actor: User,
    services: list[str],
    offered_by: User,
    offered_on: date,
    pupil: Pupil | None = None,
    notes: str = "",
    request=None,
) -> RemovalOffered:
    if not staff_of(incident.school).filter(pk=offered_by.pk).exists():
        raise CaseError(TASK_OWNER_NOT_STAFF, field="offered_by")
    row = RemovalOffered(
        incident=incident,
        services=list(services),
        offered_by=offered_by,
        offered_on=offered_on,
        pupil=pupil,
        notes=notes,
    )
    return _add_record(row, actor=actor, request=request, services=list(services))


@transaction.atomic
def record_device_secured(
    *,
    incident: Incident,
    actor: User,
    device: str,
    secured_on: date,
    where_kept: str,
    handed_to: str,
    request=None,
) -> DeviceSecured:
    row = DeviceSecured(
        incident=incident,
        device=device,
        secured_on=secured_on,
        where_kept=where_kept,
        handed_to=handed_to,
    )
    return _add_record(row, actor=actor, request=request)


NOTHING_TO_CONFIRM_DEVICE = (
    "The reporter did not say a device was switched off and given to the DSL. Record the "
    "device secured instead."
)
NOTHING_TO_CONFIRM_VIEWING = "The reporter did not say anyone on the staff saw the image."
REPORTED_DEVICE = "The device {reporter} reported"
REPORTED_WHERE_KEPT = "With the DSL"
REPORTED_SEEN_BY = "Someone on the staff, as {reporter} reported"
# The reporter's words ("Me: ...") say who from their side: whose words they are is kept.
REPORTED_SEEN_BY_WORDS = "{reporter} reported: {words}"


def _fit(text: str, model, field: str) -> str:
    """The reporter's words, cut to fit the DSL's record (the report keeps them whole)."""
    limit = model._meta.get_field(field).max_length
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@transaction.atomic
def confirm_reported_device(*, incident: Incident, actor: User, request=None) -> DeviceSecured:
    """The DSL confirms what the reporter said, that the device was switched off and given to
    the DSL: one step that writes the DSL's own record (once; a second confirmation returns it)."""
    _lock(incident)  # two clicks at once confirm once
    said = reported.reported_device(incident)
    if said is None or not said.handed_to_the_dsl:
        raise CaseError(NOTHING_TO_CONFIRM_DEVICE)
    existing = DeviceSecured.objects.filter(incident=incident, confirmed_from_report=True).first()
    if existing is not None:
        return existing
    row = DeviceSecured(
        incident=incident,
        device=_fit(said.details, DeviceSecured, "device")
        or REPORTED_DEVICE.format(reporter=incident.reporter.full_name),
        secured_on=timezone.localdate(incident.submitted_at),
        where_kept=REPORTED_WHERE_KEPT,
        handed_to=actor.full_name,
        confirmed_from_report=True,
    )
    return _add_record(row, actor=actor, request=request, confirmed_from_report=True)


@transaction.atomic
def confirm_reported_viewing(*, incident: Incident, actor: User, request=None) -> StaffSawImagery:
    """The DSL confirms what the reporter said, that someone on the staff saw the image: the
    DSL's own record of it (once), apart from any deliberate viewing by the DSL."""
    _lock(incident)  # two clicks at once confirm once
    said = reported.reported_viewing(incident)
    if said is None or not said.staff_saw_it:
        raise CaseError(NOTHING_TO_CONFIRM_VIEWING)
    existing = StaffSawImagery.objects.filter(incident=incident, confirmed_from_report=True).first()
    if existing is not None:
        return existing
    reporter = incident.reporter.full_name
    row = StaffSawImagery(
        incident=incident,
        seen_by=_fit(
            REPORTED_SEEN_BY_WORDS.format(words=said.seen_by, reporter=reporter)
            if said.seen_by
            else REPORTED_SEEN_BY.format(reporter=reporter),
            StaffSawImagery,
            "seen_by",
        ),
        seen_when=_fit(said.seen_when, StaffSawImagery, "seen_when"),
        confirmed_from_report=True,
    )
    return _add_record(row, actor=actor, request=request, confirmed_from_report=True)


@transaction.atomic
def record_staff_saw_imagery(
    *,
    incident: Incident,
    actor: User,
    seen_by: str,
    seen_when: str = "",
    how: str = "",
    support: str = "",
    request=None,
) -> StaffSawImagery:
    row = StaffSawImagery(
        incident=incident, seen_by=seen_by, seen_when=seen_when, how=how, support=support
    )
    return _add_record(row, actor=actor, request=request)


@transaction.atomic
def record_imagery_viewing(
    *,
    incident: Incident,
    actor: User,
    viewed_at: datetime,
    reason: str,
    others_present: str,
    what_was_done: str = "",
    request=None,
) -> ImageryViewing:
    """The DSL records that they viewed imagery. The viewer is always the person recording."""
    if Role.DSL not in access.roles_at_school(actor, incident.school):
        raise CaseError(ONLY_DSL_VIEWS_IMAGERY)
    row = ImageryViewing(
        incident=incident,
        viewed_by=actor,
        viewed_at=viewed_at,
        reason=reason,
        others_present=others_present,
        what_was_done=what_was_done,
    )
    return _add_record(row, actor=actor, request=request)


@transaction.atomic
def add_task(
    *, incident: Incident, actor: User, title: str, owner: User, due_on: date, request=None
) -> Task:
    if not task_owners(incident.school).filter(pk=owner.pk).exists():
        raise CaseError(TASK_OWNER_NOT_REVIEWER, field="owner")
    task = Task(incident=incident, title=title, owner=owner, due_on=due_on)
    _add_record(task, actor=actor, request=request, owner=str(owner.pk))
    notify_task_given(task=task, actor=actor)
    return task


@transaction.atomic
def complete_task(*, task: Task, actor: User, request=None) -> Task:
    incident = _lock(task.incident)
    _check_editable(incident)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.done_at is not None:
        return task
    task.done_at = timezone.now()
    task.done_by = actor
    task.save(update_fields=["done_at", "done_by"])
    _event(
        incident,
        TASK_DONE,
        actor=actor,
        request=request,
        data={"record": Task.KIND, "id": task.pk},
    )
    return task


# Where the DSL decides other than the checklist, they say why (KCSIE: record decisions and
# the reasons for them). Agreeing with the checklist needs no reason.
REASON_NEEDED = "Write why you decided this: the checklist says “{checklist}”."
CHOOSE_A_VALUE = {
    assessment.REFERRAL: "Choose whether this needs an immediate referral.",
    assessment.URGENCY: "Choose the urgency.",
    assessment.TYPOLOGY: "Choose the type of incident.",
    assessment.SEXTORTION: "Choose whether this is sextortion.",
}
DECISION_CHOICES = {
    assessment.REFERRAL: tuple(ReferralLine.values),
    assessment.URGENCY: tuple(Urgency.values),
    assessment.TYPOLOGY: tuple(TYPOLOGY_LABELS),
    assessment.SEXTORTION: (assessment.SEXTORTION_YES, assessment.SEXTORTION_NO),
}


def latest_review(incident: Incident) -> ReviewMeeting | None:
    return ReviewMeeting.objects.filter(incident=incident).order_by("recorded_at", "id").last()


def latest_decision(incident: Incident) -> TriageOverride | None:
    return (
        TriageOverride.objects.filter(incident=incident)
        .select_related("recorded_by")
        .order_by("recorded_at", "id")
        .last()
    )


def current_assessment(incident: Incident) -> assessment.Assessment:
    return assessment.assess(
        incident, review=latest_review(incident), decision=latest_decision(incident)
    )


def reasons_missing(
    checklist: assessment.Assessment, values: dict[str, str], reasons: dict[str, str]
) -> dict[str, str]:
    """{part: message} for each part decided other than the checklist's latest, with no
    reason."""
    missing = {}
    for part in assessment.PARTS:
        line = checklist[part]
        if values.get(part) != line.checklist.value and not reasons.get(part, "").strip():
            missing[part] = REASON_NEEDED.format(checklist=line.checklist.label)
    return missing


@transaction.atomic
def override_triage(
    *,
    incident: Incident,
    actor: User,
    referral: str,
    urgency: str,
    typology: str,
    sextortion: str,
    referral_reason: str = "",
    urgency_reason: str = "",
    typology_reason: str = "",
    sextortion_reason: str = "",
    request=None,
) -> TriageOverride:
    """Record the DSL's decision on the referral line, urgency, type and sextortion, each with
    its reason where it differs from the checklist's. The checklist's outcome stays exactly as it
    was; this decision becomes the case's current one (the incident's `decided_*` fields)."""
    values = {
        assessment.REFERRAL: referral,
        assessment.URGENCY: urgency,
        assessment.TYPOLOGY: typology,
        assessment.SEXTORTION: sextortion,
    }
    reasons = {
        assessment.REFERRAL: referral_reason.strip(),
        assessment.URGENCY: urgency_reason.strip(),
        assessment.TYPOLOGY: typology_reason.strip(),
        assessment.SEXTORTION: sextortion_reason.strip(),
    }
    for part, value in values.items():
        if value not in DECISION_CHOICES[part]:
            raise CaseError(CHOOSE_A_VALUE[part], field=part)
    for part, message in reasons_missing(current_assessment(incident), values, reasons).items():
        raise CaseError(message, field=f"{part}_reason")
    row = TriageOverride(
        incident=incident,
        referral=referral,
        referral_reason=reasons[assessment.REFERRAL],
        urgency=urgency,
        urgency_reason=reasons[assessment.URGENCY],
        typology=typology,
        typology_reason=reasons[assessment.TYPOLOGY],
        sextortion=sextortion == assessment.SEXTORTION_YES,
        sextortion_reason=reasons[assessment.SEXTORTION],
    )
    row = _add_record(row, actor=actor, request=request, **values)
    decided = {
        "decided_referral": row.referral,
        "decided_urgency": row.urgency,
        "decided_typology": row.typology,
        "decided_sextortion": row.sextortion,
    }
    Incident.objects.filter(pk=incident.pk).update(**decided)
    for field, value in decided.items():
        setattr(incident, field, value)
    return row


@transaction.atomic
def add_note(
    *,
    incident: Incident,
    actor: User,
    text: str,
    happened_on: date | None = None,
    happened_time: time | None = None,
    request=None,
) -> CaseNote:
    """A note about what happened: now unless the DSL says when."""
    note = CaseNote(
        incident=incident, text=text, happened_on=happened_on, happened_time=happened_time
    )
    return _add_record(note, actor=actor, request=request)


def _lock_pair(one: Incident, other: Incident) -> tuple[Incident, Incident]:
    """Lock both cases, always in the same order, so two links made at once cannot deadlock."""
    rows = {
        row.pk: row
        for row in Incident.objects.select_for_update()
        .filter(pk__in=[one.pk, other.pk])
        .order_by("pk")
    }
    return rows[one.pk], rows[other.pk]


def _check_pair(incident: Incident, other: Incident) -> None:
    if other.pk == incident.pk:
        raise CaseError(NOT_ITSELF, field="reference")
    if other.school_id != incident.school_id:
        raise CaseError(NOT_SAME_SCHOOL, field="reference")


def _link(
    incident: Incident, other: Incident, *, actor: User, reason: str, explanation: str, request
) -> CaseLink:
    """The link row and one audit event on each case (both in the school's chain)."""
    link = CaseLink.objects.create(
        incident=incident,
        linked=other,
        recorded_by=actor,
        reason=reason,
        explanation=explanation.strip(),
    )
    for here, there in ((incident, other), (other, incident)):
        _event(
            here,
            CASE_LINKED,
            actor=actor,
            request=request,
            data={"record": CaseLink.KIND, "id": link.pk, "other": there.reference},
        )
    return link


def links_between(incident: Incident, other: Incident):
    return CaseLink.objects.filter(
        Q(incident=incident, linked=other) | Q(incident=other, linked=incident)
    )


@transaction.atomic
def link_cases(
    *,
    incident: Incident,
    actor: User,
    other: Incident,
    reason: str,
    explanation: str = "",
    request=None,
) -> CaseLink:
    """Link two cases of one school (the same incident reported twice, the same image, the same
    person responsible...). Shown on both cases and on both timelines; nothing moves."""
    _check_pair(incident, other)
    locked, other = _lock_pair(incident, other)
    _check_editable(locked)
    if is_read_only(other):
        raise CaseError(CASE_READ_ONLY, field="reference")
    if links_between(locked, other).exists():
        raise CaseError(ALREADY_LINKED, field="reference")
    return _link(
        locked, other, actor=actor, reason=reason, explanation=explanation, request=request
    )


@transaction.atomic
def close_as_duplicate(
    *, incident: Incident, actor: User, original: Incident, reason: str, request=None
) -> StatusChange:
    """Close `incident` as a duplicate of `original`, from whatever status it is in: links the
    two both ways (unless already linked) and marks it `duplicate_of`, so statistics count the
    incident once. Nothing is moved: each case keeps its own records. Reopening it undoes the
    mark (change_status)."""
    _check_pair(incident, original)
    locked, original = _lock_pair(incident, original)
    if locked.duplicate_of_id is not None:
        raise CaseError(
            ALREADY_A_DUPLICATE.format(reference=locked.duplicate_of.reference), field="reference"
        )
    _check_editable(locked)
    if is_read_only(original):
        raise CaseError(CASE_READ_ONLY, field="reference")
    if original.duplicate_of_id is not None:
        raise CaseError(
            ORIGINAL_IS_A_DUPLICATE.format(
                reference=original.reference, original=original.duplicate_of.reference
            ),
            field="reference",
        )
    if not links_between(locked, original).exists():
        _link(
            locked,
            original,
            actor=actor,
            reason=CaseLink.Reason.SAME_INCIDENT,
            explanation=reason,
            request=request,
        )
    now = timezone.now()
    change = StatusChange.objects.create(
        incident=locked,
        recorded_by=actor,
        recorded_at=now,
        from_status=locked.status,
        to_status=Status.CLOSED,
        reason=reason.strip(),
        closing_outcome=StatusChange.ClosingOutcome.DUPLICATE,
    )
    locked.status = Status.CLOSED
    locked.closed_at = now
    locked.duplicate_of = original
    locked.save(update_fields=["status", "closed_at", "duplicate_of"])
    _event(
        locked,
        STATUS_CHANGED,
        actor=actor,
        request=request,
        data={
            "record": StatusChange.KIND,
            "id": change.pk,
            "from": change.from_status,
            "to": Status.CLOSED,
            "closing_outcome": change.closing_outcome,
            "duplicate_of": original.reference,
        },
    )
    for field in ("status", "closed_at", "duplicate_of"):
        setattr(incident, field, getattr(locked, field))
    return change


@transaction.atomic
def add_pupil(
    *, incident: Incident, actor: User, pupil: Pupil, role: str, reason: str, request=None
) -> PupilChange:
    """Add a pupil of the school to the case in `role`, saying why (on the timeline)."""
    if pupil.school_id != incident.school_id or pupil.details_removed_at is not None:
        raise CaseError(PUPIL_NOT_AT_SCHOOL, field="pupil")
    _check_pupil_part(pupil)
    change = PupilChange(
        incident=incident, pupil=pupil, role=role, added=True, reason=reason.strip()
    )
    _lock(incident)
    if IncidentPupil.objects.filter(incident=incident, pupil=pupil, role=role).exists():
        raise CaseError(
            PUPIL_ALREADY_IN_ROLE.format(pupil=pupil, role=change.get_role_display().lower()),
            field="pupil",
        )
    record = _add_record(change, actor=actor, request=request, pupil=str(pupil.pk), added=True)
    IncidentPupil.objects.create(incident=incident, pupil=pupil, role=role)
    return record


@transaction.atomic
def remove_pupil(
    *, incident: Incident, actor: User, involvement: IncidentPupil, reason: str, request=None
) -> PupilChange:
    """Take a pupil's part (one role) off the case, saying why. The pupil stays on the school's
    list; the case leaves their file if it was their only part in it."""
    if involvement.incident_id != incident.pk:
        raise CaseError(NOT_IN_THIS_CASE, field="involvement")
    _check_pupil_part(involvement.pupil, field="involvement")
    change = PupilChange(
        incident=incident,
        pupil=involvement.pupil,
        role=involvement.role,
        added=False,
        reason=reason.strip(),
    )
    record = _add_record(
        change, actor=actor, request=request, pupil=str(involvement.pupil_id), added=False
    )
    IncidentPupil.objects.filter(pk=involvement.pk).delete()
    return record
