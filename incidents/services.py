"""Workflows of the reporting journey: drafts, submitting, follow-ups and the pupil list.

Each writes its rows, its audit events and queues its notifications in one transaction.
Audit `data` holds ids, enums and counts only.
"""

import csv
import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from guidance.checklist import Checklist, current_version, load_checklist
from guidance.triage import Outcome, triage
from notifications.services import notify_follow_up, notify_new_case, notify_report_sent
from safeguarding import audit
from safeguarding.models import AuditEvent, School, User
from safeguarding.text import clean_text, find_imagery

from . import journey
from .models import (
    CameToLight,
    FollowUp,
    Incident,
    IncidentPupil,
    Location,
    Pupil,
    PupilRole,
    ReferralLine,
    ReportDraft,
    Status,
    TriggeredFactor,
    Urgency,
    YearGroup,
    YesNoUnknown,
    fold_name,
    kind_for,
    new_reference,
)
from .referral_columns import (
    REFERRAL_COLUMN_NAMES,
    UPN_HEADINGS,
    apply_referral_details,
    parse_referral_details,
)

DRAFT_LIFETIME = timedelta(days=7)
STEPS = journey.STEPS
INCOMPLETE_DRAFT = "The report is not finished: {step} still needs answers."
ALREADY_SENT = "This report has already been sent."
STEP_NAMES = {"what": "what happened", "who": "who was involved", "checklist": "the questions"}


# Drafts ------------------------------------------------------------------------------------


def start_draft(*, actor: User, school: School) -> ReportDraft:
    """A new draft, answered against the current checklist version to the end, even if a new
    version is published before it is sent."""
    return ReportDraft.objects.create(
        reporter=actor,
        school=school,
        data={
            "version": current_version(),
            "acknowledged": True,
            "steps_done": [],
            "answers": {},
            "details": {},
        },
        expires_at=timezone.now() + DRAFT_LIFETIME,
    )


def drafts_of(user: User, school: School):
    """The person's unexpired drafts at `school`, most recent first."""
    return ReportDraft.objects.filter(
        reporter=user, school=school, expires_at__gt=timezone.now()
    ).order_by("-updated_at")


def save_draft(draft: ReportDraft, *, step: str | None = None) -> None:
    """Keep the draft for another seven days from now; mark `step` as answered."""
    if step is not None and step not in draft.data.setdefault("steps_done", []):
        draft.data["steps_done"].append(step)
    draft.expires_at = timezone.now() + DRAFT_LIFETIME
    draft.save()


def upgrade_draft(draft: ReportDraft) -> ReportDraft:
    """A draft begun before the journey asked the image's nature and threats apart, in today's
    shape (journey.upgrade_legacy_draft), saved once. It keeps its checklist version."""
    upgraded = journey.upgrade_legacy_draft(draft.data)
    if upgraded is not draft.data:
        draft.data = upgraded
        draft.save(update_fields=["data", "updated_at"])
    return draft


def checklist_for(draft: ReportDraft) -> Checklist:
    """The checklist version the draft was begun under."""
    return load_checklist(journey.upgrade_legacy_draft(draft.data)["version"])


def draft_answers(draft: ReportDraft) -> dict[str, str]:
    """The checklist answers given so far, less those to questions no longer asked."""
    return journey.asked_answers(checklist_for(draft), draft.data.get("answers", {}))


def _save_answers(draft: ReportDraft, question_ids, answers: dict[str, str]) -> None:
    """Replace the answers to `question_ids` (an unasked question's answer goes)."""
    saved = {k: v for k, v in draft.data.get("answers", {}).items() if k not in question_ids}
    saved.update({k: v for k, v in answers.items() if k in question_ids and v})
    draft.data["answers"] = saved


def save_what_happened(
    *, draft: ReportDraft, data: dict[str, Any], answers: dict[str, str]
) -> None:
    """The account, and the image's nature and threats (checklist answers) given with it."""
    checklist = checklist_for(draft)
    draft.data["what"] = data
    _save_answers(draft, {q.id for q in journey.what_questions(checklist)}, answers)
    save_draft(draft, step="what")


def draft_pupils(draft: ReportDraft) -> list[dict[str, Any]]:
    return draft.data.setdefault("who", {}).setdefault("pupils", [])


def add_listed_pupil(*, draft: ReportDraft, pupil: Pupil, role: str) -> None:
    if pupil.school_id != draft.school_id:
        raise ValidationError("That pupil is not on this school's list")
    pupils = draft_pupils(draft)
    if not any(p.get("pupil_id") == str(pupil.pk) and p["role"] == role for p in pupils):
        pupils.append({"key": secrets.token_hex(6), "pupil_id": str(pupil.pk), "role": role})
    save_draft(draft)


def add_new_pupil(
    *, draft: ReportDraft, first_name: str, last_name: str, year_group: str, role: str
) -> None:
    new = {"first_name": first_name, "last_name": last_name, "year_group": year_group}
    pupils = draft_pupils(draft)
    if not any(p.get("new") == new and p["role"] == role for p in pupils):
        pupils.append({"key": secrets.token_hex(6), "new": new, "role": role})
    save_draft(draft)


def remove_pupil(*, draft: ReportDraft, key: str) -> None:
    draft.data.setdefault("who", {})["pupils"] = [
        p for p in draft_pupils(draft) if p.get("key") != key
    ]
    save_draft(draft)


def finish_who(*, draft: ReportDraft) -> None:
    """Every pupil the reporter knows of is added (there may be none)."""
    draft_pupils(draft)
    save_draft(draft, step="who")


def save_questions(*, draft: ReportDraft, answers: dict[str, str], details: dict[str, str]) -> None:
    """The Questions page's answers, and the words given after a "yes" (who the adult is, the
    device and where it is, who saw the image). Words for a "yes" since changed are dropped."""
    checklist = checklist_for(draft)
    _save_answers(draft, {q.id for q in journey.page_questions(checklist)}, answers)
    asked = journey.follow_ups_asked(journey.asked_answers(checklist, draft.data["answers"]))
    draft.data["details"] = {name: details[name] for name in asked if details.get(name)}
    save_draft(draft, step="checklist")


def outcome_for(draft: ReportDraft) -> Outcome | None:
    """The triage outcome of the draft's answers so far (None before the Questions step)."""
    if "checklist" not in draft.data.get("steps_done", []):
        return None
    return triage(checklist_for(draft), draft_answers(draft))


def first_missing_step(draft: ReportDraft) -> str | None:
    """The first step still to answer: not yet saved (the Questions step only if it has
    something to ask), or with a question asked and not answered (a question that applies after
    an answer was changed, or words needed after a "yes"). None when the report is complete."""
    checklist = checklist_for(draft)
    answers = draft.data.get("answers", {})
    done = draft.data.get("steps_done", [])
    shown = journey.steps(checklist, answers)
    unanswered = journey.unanswered_step(checklist, answers, draft.data.get("details", {}))
    return next(
        (step for step in STEPS if step in shown and (step not in done or step == unanswered)),
        None,
    )


@transaction.atomic
def discard_draft(*, actor: User, draft: ReportDraft) -> None:
    draft.delete()


def purge_expired_drafts(*, now: datetime | None = None) -> int:
    """Delete every draft past its expiry. Returns how many went."""
    deleted, _ = ReportDraft.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


# Submitting --------------------------------------------------------------------------------


def _require(condition: bool, step: str) -> None:
    if not condition:
        raise ValidationError(INCOMPLETE_DRAFT.format(step=step), code="incomplete")


def _validated_what(data: dict[str, Any]) -> dict[str, Any]:
    _require(data.get("came_to_light") in CameToLight.values, "what happened")
    _require(data.get("location") in Location.values, "what happened")
    account = clean_text(data.get("account"))
    platform = clean_text(data.get("platform"))
    _require(bool(account) and not find_imagery(account), "what happened")
    _require(not find_imagery(platform), "what happened")
    happened_on = date.fromisoformat(data["happened_on"]) if data.get("happened_on") else None
    _require(happened_on is None or happened_on <= timezone.localdate(), "what happened")
    return {
        "came_to_light": data["came_to_light"],
        "location": data["location"],
        "platform": platform,
        "account": account,
        "happened_on": happened_on,
    }


def _validated_details(details: dict[str, Any], asked: tuple[str, ...]) -> dict[str, str]:
    """The words given after a "yes", cleaned: each one needed is there, none is an image."""
    cleaned = dict.fromkeys(journey.FOLLOW_UP_FIELDS, "")
    for name in asked:
        text = clean_text(details.get(name))
        _require(not find_imagery(text), STEP_NAMES["checklist"])
        _require(bool(text) or name not in journey.REQUIRED_FOLLOW_UPS, STEP_NAMES["checklist"])
        cleaned[name] = text
    return cleaned


def _resolve_pupils(draft: ReportDraft, *, actor: User) -> list[tuple[Pupil, str]]:
    """The draft's pupils as rows, creating those added by name (marked as added in a report).

    A pupil added by name is a new record for each report, never matched to an earlier one by
    name: two children with the same name must not share a child protection file. The DSL
    reconciles them with the school list.
    """
    resolved: list[tuple[Pupil, str]] = []
    added: dict[tuple[str, str, str], Pupil] = {}
    for entry in draft_pupils(draft):
        role = entry.get("role")
        _require(role in PupilRole.values, "who was involved")
        if "pupil_id" in entry:
            pupil = Pupil.objects.filter(pk=entry["pupil_id"], school=draft.school).first()
            _require(pupil is not None, "who was involved")
        else:
            new = entry.get("new", {})
            first, last = clean_text(new.get("first_name")), clean_text(new.get("last_name"))
            _require(bool(first and last), "who was involved")
            _require(new.get("year_group") in YearGroup.values, "who was involved")
            key = (first, last, new["year_group"])
            if key not in added:
                added[key] = Pupil.objects.create(
                    school=draft.school,
                    first_name=first,
                    last_name=last,
                    year_group=new["year_group"],
                    added_from_report=True,
                )
                audit.record(
                    "pupil.added_from_report",
                    actor=actor,
                    target=added[key],
                    school=draft.school,
                )
            pupil = added[key]
        if (pupil, role) not in resolved:
            resolved.append((pupil, role))
    return resolved


def was_sent(*, actor: User, draft_id) -> bool:
    """Whether `actor` already sent the report drafted as `draft_id` (its draft is gone)."""
    return AuditEvent.objects.filter(
        action="incident.reported", actor=actor, data__draft=str(draft_id)
    ).exists()


@transaction.atomic
def submit_report(*, actor: User, draft: ReportDraft, request=None) -> Incident:
    """Turn a finished draft into a case: the incident, its factors and pupils, the first
    events on its timeline, and the DSLs' alert. The draft is deleted.

    `request`, when given, only adds where it came from to the audit events."""
    # Locked, so a double click (or two tabs) sends the report once; the second finds it gone.
    draft = ReportDraft.objects.select_for_update().filter(pk=draft.pk, reporter=actor).first()
    if draft is None:
        raise ValidationError(ALREADY_SENT, code="already_sent")
    draft.data = journey.upgrade_legacy_draft(draft.data)
    _require(draft.data.get("acknowledged") is True, "before you start")
    missing = first_missing_step(draft)
    _require(missing is None, STEP_NAMES.get(missing or "", ""))
    what = _validated_what(draft.data.get("what", {}))

    checklist = checklist_for(draft)
    answers = draft_answers(draft)
    details = _validated_details(draft.data.get("details", {}), journey.follow_ups_asked(answers))
    adults = answers.get("adult_involved", YesNoUnknown.NOT_KNOWN)
    _require(adults in YesNoUnknown.values, STEP_NAMES["checklist"])
    outcome = triage(checklist, answers)

    incident = Incident(
        school=draft.school,
        reporter=actor,
        kind=kind_for(
            image_nature=answers.get("image_nature", ""),
            threats_or_demands=answers.get("threats_or_demands", ""),
        ),
        image_nature=answers.get("image_nature", ""),
        threats_or_demands=answers.get("threats_or_demands", ""),
        adults_involved=adults,
        adults_description=details["adults_description"],
        device_involved=answers.get("device_involved", ""),
        device_secured=answers.get("device_secured", ""),
        device_details=details["device_details"],
        imagery_viewed=answers.get("imagery_viewed", ""),
        imagery_viewed_by=details["imagery_viewed_by"],
        imagery_viewed_when=details["imagery_viewed_when"],
        checklist_version=checklist.version,
        answers=answers,
        outcome=outcome.to_dict(),
        urgency=outcome.urgency,
        referral=outcome.referral,
        **what,
    )
    _save_with_a_free_reference(incident)
    factors = {f.id: "yes" for f in outcome.referral_factors}
    for f in outcome.unknown_factors:
        factors.setdefault(f.id, "not_known")
    TriggeredFactor.objects.bulk_create(
        TriggeredFactor(incident=incident, factor=factor, answer=answer)
        for factor, answer in factors.items()
    )
    pupils = _resolve_pupils(draft, actor=actor)
    IncidentPupil.objects.bulk_create(
        IncidentPupil(incident=incident, pupil=pupil, role=role) for pupil, role in pupils
    )
    audit.record(
        "incident.reported",
        actor=actor,
        target=incident,
        school=incident.school,
        request=request,
        data={
            "reference": incident.reference,
            "draft": str(draft.pk),
            "kind": incident.kind,
            "image_nature": incident.image_nature,
            "threats_or_demands": incident.threats_or_demands,
            "urgency": incident.urgency,
            "referral": incident.referral,
            "checklist_version": incident.checklist_version,
            "factors": sorted(factors),
            "pupils": [[str(pupil.pk), role] for pupil, role in pupils],
        },
    )
    draft.delete()
    _tell_if_reported_already(incident, actor=actor, request=request)
    notify_new_case(
        school=incident.school,
        incident_id=incident.pk,
        reference=incident.reference,
        urgent=is_urgent(incident),
    )
    notify_report_sent(incident=incident)
    return incident


# Two reports about the same pupil this close together are possibly the same incident.
SAME_PUPILS_WITHIN = timedelta(hours=24)
# The reporter was told the DSL already has a report about this (written on the new case).
REPORTED_ALREADY = "incident.reported_already"


def reported_close_to(incident: Incident):
    """The school's other reports about any of `incident`'s pupils made within a day of it
    (before or after), oldest first: possibly the same incident."""
    return (
        Incident.objects.filter(
            school_id=incident.school_id,
            submitted_at__gte=incident.submitted_at - SAME_PUPILS_WITHIN,
            submitted_at__lte=incident.submitted_at + SAME_PUPILS_WITHIN,
            involvements__pupil__involvements__incident=incident,
        )
        .exclude(pk=incident.pk)
        .distinct()
        .order_by("submitted_at", "id")
    )


def _tell_if_reported_already(incident: Incident, *, actor: User, request=None) -> None:
    """When another report at the school named any of the same pupils in the day before this
    one, the reporter is told the DSL already has a report about this and will see them
    together (the report-sent page, once: `reporter_told`). Nothing about the other report is
    said: not who, when, its reference or what it says; and it is said only once the report is
    sent, so nobody can ask whether a pupil is in a case without reporting (the new case, and
    this event on it, name them to the DSL)."""
    earlier = (
        reported_close_to(incident)
        .filter(submitted_at__lte=incident.submitted_at)
        .order_by("-submitted_at", "-id")
        .first()
    )
    incident.reporter_told = earlier is not None
    if earlier is None:
        return
    audit.record(
        REPORTED_ALREADY,
        actor=actor,
        target=incident,
        school=incident.school,
        request=request,
        data={"reference": incident.reference, "possibly_same_as": earlier.reference},
    )


def _save_with_a_free_reference(incident: Incident, attempts: int = 5) -> None:
    """References are random (40 bits): on the rare clash with an existing one, draw again."""
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                incident.save(force_insert=True)
            return
        except IntegrityError:
            if (
                attempt == attempts - 1
                or not Incident.objects.filter(reference=incident.reference).exists()
            ):
                raise
            incident.reference = new_reference()


def is_urgent(incident: Incident) -> bool:
    return incident.referral == ReferralLine.YES or incident.urgency != Urgency.DSL_REVIEW_TODAY


CASE_VIEWED = "incident.viewed"
# Pages that list several cases; every other page that shows a case is about that one case.
LIST_PAGES = ("inbox", "pupil_file", "search")


def log_cases_seen(
    *,
    incidents,
    actor: User,
    via: str,
    request=None,
    listed_on=None,
    school: School | None = None,
) -> None:
    """THE helper that records someone seeing cases: one audit row per page, however many cases
    the page shows.

    Seeing a case means being shown anything from its record beyond its reference, status and
    dates: who was involved (pupils' names, their part in it), what was reported or answered,
    its triage outcome, or anything recorded on it (decisions, referrals, tasks, notes). So every
    page of a case counts (the case page, each of its record forms, the referral summary PDF, the
    reporter's own copy), and so does every list that shows who was involved in cases: the inbox
    and a pupil's child protection file. Each calls this once per page it shows (`via` names the
    page).

    A page about one case is recorded with the case as its target. A list at `school`
    (`listed_on`: the school, for the inbox, or the pupil whose file it is) is recorded with the
    list's subject as its target and the id of every case it showed in data["cases"]. "Who has
    seen this case" (cases.services.case_events) reads both.
    """
    incidents = list(incidents)
    if not incidents:
        return
    if listed_on is None:
        (incident,) = incidents
        audit.record(
            CASE_VIEWED,
            actor=actor,
            target=incident,
            school=incident.school,
            request=request,
            data={"via": via},
        )
        return
    audit.record(
        CASE_VIEWED,
        actor=actor,
        target=listed_on,
        school=school,
        request=request,
        data={"via": via, "cases": [str(incident.pk) for incident in incidents]},
    )


def log_case_view(*, incident: Incident, actor: User, request=None, via: str = "page") -> None:
    """One case seen on a page about it: see log_cases_seen."""
    log_cases_seen(incidents=[incident], actor=actor, via=via, request=request)


def cases_listed(incident: Incident) -> Q:
    """Audit rows of lists that showed `incident` (see log_cases_seen)."""
    if connection.vendor == "postgresql":
        # Served by a partial GIN index (safeguarding migration 0007).
        listed = Q(data__cases__contains=[str(incident.pk)])
    else:
        # SQLite cannot look inside a JSON list; a case's id is unique text within it.
        listed = Q(data__cases__icontains=str(incident.pk))
    return Q(action=CASE_VIEWED, school_id=incident.school_id) & listed


FOLLOW_UP_CLOSED = (
    "This case is closed. If you have a new concern, tell the safeguarding lead and make a "
    "new report."
)


@transaction.atomic
def add_follow_up(*, actor: User, incident: Incident, text: str, request=None) -> FollowUp:
    """Append further information from the reporter; the original report is never edited."""
    if incident.status == Status.CLOSED:
        raise ValidationError(FOLLOW_UP_CLOSED, code="closed")
    text = clean_text(text)
    if not text or find_imagery(text):
        raise ValidationError("Further information must be words only", code="invalid")
    follow_up = FollowUp.objects.create(incident=incident, author=actor, text=text)
    audit.record(
        "incident.follow_up_added",
        actor=actor,
        target=incident,
        school=incident.school,
        request=request,
        data={"follow_up_id": follow_up.pk},
    )
    notify_follow_up(
        school=incident.school,
        incident_id=incident.pk,
        reference=incident.reference,
        follow_up_id=follow_up.pk,
    )
    return follow_up


# The pupil list ----------------------------------------------------------------------------

CSV_COLUMNS = ("first_name", "last_name", "year_group", "date_of_birth", "mis_id")
# Optional: a leaver's last day and the school they are going to. A blank never clears them.
LEAVING_COLUMNS = ("leaving_date", "destination")
IMPORTED_COLUMNS = CSV_COLUMNS + LEAVING_COLUMNS + tuple(REFERRAL_COLUMN_NAMES)
# A leaving date further ahead than this is almost always a mistyped year.
LEAVING_WITHIN_DAYS = 400
MAX_IMPORT_ROWS = 5000
OLDEST_PUPIL_YEARS = 25
FORMULA_PREFIXES = ("=", "+", "-", "@")

_YEAR_ALIASES = {
    **{str(n): str(n) for n in range(1, 14)},
    "r": "R",
    "reception": "R",
    "yr": "R",
    "year r": "R",
    "rec": "R",
    "n": "N",
    "nursery": "N",
}
# "Year 9", "Y9", "Yr 9", "NC Year 09", "Year09": the number is the year group.
_YEAR_PREFIX = re.compile(r"^(?:nc\s*)?(?:year|yr|y)?\s*0*(?=\d)")

# Heading names as MIS exports and spreadsheets write them, once lower-cased and with spaces,
# hyphens and underscores made one "_". The first of a column's names found in the heading row
# is the one used.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "first_name": ("first_name", "forename", "first_names", "given_name", "preferred_forename",
                   "legal_forename", "firstname"),
    "last_name": ("last_name", "surname", "family_name", "preferred_surname", "legal_surname",
                  "lastname"),
    "year_group": ("year_group", "year", "nc_year", "national_curriculum_year",
                   "curriculum_year", "yeargroup"),
    "date_of_birth": ("date_of_birth", "dob", "birth_date", "d_o_b", "dateofbirth"),
    "mis_id": ("mis_id", "upn", "admission_number", "adno", "pupil_id", "student_id", "misid"),
    "leaving_date": ("leaving_date", "date_of_leaving", "leave_date", "leaving", "date_left",
                     "left_on", "leaving_on"),
    "destination": ("destination", "next_school", "new_school", "destination_school",
                    "leaving_destination", "moving_to"),
    # A pupil's details for a referral (referral_columns.py).
    **REFERRAL_COLUMN_NAMES,
}  # fmt: skip


EXTRA_COLUMNS = (
    "The row has more columns than the heading row: if a name or other value has a comma in "
    'it, put quote marks (") around that value'
)
UNCLOSED_QUOTE = (
    'A quote mark (") in this row is not closed, so the lines after it were read as part of '
    "it: check its quotes, then paste this row and the rows after it again"
)


@dataclass
class RowError:
    line: int
    reason: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    header_error: str = ""
    # Heading names of columns that were not imported (a tutor group, notes), as written.
    ignored_columns: list[str] = field(default_factory=list)

    # Rows that gave a pupil a new leaving date: each starts a file transfer (records/).
    leavers: int = 0
    # Pupils whose details for a referral (sex, UPN, address, flags, carers, agencies) changed.
    details_updated: int = 0

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged


DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d-%B-%Y",
    # Two-digit years (14/03/11) are this century: pupils are under 25.
    "%d/%m/%y",
    "%d-%m-%y",
    "%d.%m.%y",
    "%d-%b-%y",
)
# A spreadsheet's date-and-time cell exported as text: "14/03/2011 00:00".
_MIDNIGHT = re.compile(r"\s+0?0:00(?::00)?$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")


def parse_date_of_birth(value: str, *, what: str = "date of birth") -> date:
    value = _MIDNIGHT.sub("", value.strip())
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
        if fmt.endswith("%y") and parsed > timezone.localdate():
            parsed = parsed.replace(year=parsed.year - 100)
        return parsed
    if value.isdigit() and len(value) == 5:
        raise ValueError(
            f"the {what} '{value}' is a spreadsheet's number for a date: format the "
            "column as a date (such as 27/09/2014), then copy it again"
        )
    numeric = _NUMERIC_DATE.match(value)
    if numeric:
        day, month = int(numeric[1]), int(numeric[2])
        if month > 12 and day <= 12:
            raise ValueError(
                f"the {what} '{value}' has the month first: write the day first, "
                f"as {month:02d}/{day:02d}/{numeric[3]}"
            )
        raise ValueError(f"the {what} '{value}' is not a real date: check the day and month")
    raise ValueError(f"the {what} '{value}' is not a date like 2014-09-27 or 27/09/2014")


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February, and that year has none
        return day.replace(year=day.year - years, day=28)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _check_name(value: str, what: str) -> str:
    name = clean_text(value)
    if not name:
        raise ValueError(f"the {what} is missing")
    if len(name) > 100:
        raise ValueError(f"the {what} is longer than 100 characters")
    if name.startswith(FORMULA_PREFIXES):
        raise ValueError(f"the {what} starts with {name[0]}, which a name cannot")
    if find_imagery(name):
        raise ValueError(f"the {what} is not a name")
    return name


def _parse_row(row: dict[str, str]) -> dict[str, Any]:
    first_name = _check_name(row.get("first_name") or "", "first name")
    last_name = _check_name(row.get("last_name") or "", "last name")
    year_raw = clean_text(row.get("year_group") or "", compatibility=True)
    year_group = _YEAR_ALIASES.get(_YEAR_PREFIX.sub("", year_raw.lower()))
    if year_group is None:
        if not year_raw:
            raise ValueError("the year group is missing")
        raise ValueError(f"the year group '{year_raw[:20]}' is not one of N, R or 1 to 13")
    dob_raw = clean_text(row.get("date_of_birth") or "", compatibility=True)
    if not dob_raw:
        raise ValueError("the date of birth is missing")
    date_of_birth = parse_date_of_birth(dob_raw[:40])
    today = timezone.localdate()
    if date_of_birth > today:
        raise ValueError("the date of birth is in the future")
    if date_of_birth < _years_before(today, OLDEST_PUPIL_YEARS):
        raise ValueError(f"the date of birth is more than {OLDEST_PUPIL_YEARS} years ago")
    mis_id = clean_text(row.get("mis_id") or "", compatibility=True)
    if len(mis_id) > 50:
        raise ValueError("the MIS id is longer than 50 characters")
    if mis_id.startswith(FORMULA_PREFIXES) or find_imagery(mis_id):
        raise ValueError("the MIS id is not an id")
    parsed = {
        "first_name": first_name,
        "last_name": last_name,
        "year_group": year_group,
        "date_of_birth": date_of_birth,
        "mis_id": mis_id,
    }
    leaving_raw = clean_text(row.get("leaving_date") or "", compatibility=True)
    if leaving_raw:
        leaving_date = parse_date_of_birth(leaving_raw[:40], what="leaving date")
        if leaving_date < date_of_birth:
            raise ValueError("the leaving date is before the date of birth")
        if (leaving_date - today).days > LEAVING_WITHIN_DAYS:
            raise ValueError("the leaving date is more than a year ahead: check the year")
        parsed["leaving_date"] = leaving_date
    destination = clean_text(row.get("destination") or "")
    if destination:
        if len(destination) > 200:
            raise ValueError("the destination is longer than 200 characters")
        if destination.startswith(FORMULA_PREFIXES) or find_imagery(destination):
            raise ValueError("the destination is not the name of a school")
        parsed["destination"] = destination
    return parsed


def _existing_pupil(school: School, row: dict[str, Any]) -> Pupil | None:
    if row["mis_id"]:
        pupil = Pupil.objects.on_list().filter(school=school, mis_id=row["mis_id"]).first()
        if pupil is not None:
            return pupil
    # No MIS id, or one given for the first time to a pupil first imported without it. The
    # same name however it was typed: "O'Brien" is "O’Brien", "Sian" is "Siân".
    born_that_day = Pupil.objects.on_list().filter(
        school=school, date_of_birth=row["date_of_birth"]
    )
    if row["mis_id"]:
        born_that_day = born_that_day.filter(mis_id="")
    name = (fold_name(row["first_name"]), fold_name(row["last_name"]))

    def same_name(pupils):
        return [
            p
            for p in pupils.order_by("pk")
            if (fold_name(p.first_name), fold_name(p.last_name)) == name
        ]

    found = same_name(born_that_day)
    if found:
        return found[0]
    # A pupil a member of staff added while reporting has no date of birth: the one with this
    # name in this year group becomes the imported pupil (and keeps their reports). Two such
    # pupils are left alone rather than guessed between.
    added = same_name(
        Pupil.objects.filter(
            school=school,
            added_from_report=True,
            date_of_birth__isnull=True,
            year_group=row["year_group"],
        )
    )
    return added[0] if len(added) == 1 else None


def _delimiter(heading_row: str) -> str:
    """Commas; tabs for rows copied straight from a spreadsheet; semicolons for a CSV saved by
    Excel where a comma is the decimal point (much of Europe)."""
    counts = {d: heading_row.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _written(heading: str) -> str:
    """A heading name as COLUMN_NAMES writes it: "Contact 1 Name" is contact_1_name, "D.O.B" is
    d_o_b, "In Care?" is in_care."""
    words = re.split(r"[\s_\-./()?:#*]+", clean_text(heading, compatibility=True).lower())
    return "_".join(word for word in words if word)


def _column_names(heading: list[str]) -> list[str]:
    """The heading row's names as the import's columns ("First Name", "Forename" and
    "first-name" are first_name). A column the import does not use keeps a name of its own."""
    written = [_written(h) for h in heading]
    names = [f"_unused_{n}" for n in range(len(heading))]
    for column, known_as in COLUMN_NAMES.items():
        for name in known_as:
            if name in written and names[written.index(name)] not in IMPORTED_COLUMNS:
                names[written.index(name)] = column
                break
    return names


@transaction.atomic
def import_pupils(*, actor: User, school: School, csv_text: str) -> ImportResult:
    """Import pasted CSV rows into `school`'s pupil list.

    Every bad row is reported with its line number and the reason; good rows still import.
    A pupil already on the list (same MIS id, or same name and date of birth when there is no
    MIS id) is updated rather than added twice.
    """
    result = ImportResult()
    lines = csv_text.splitlines()
    # Excel can start a file with "sep=;" to say what separates its columns.
    separator_line = re.fullmatch(r"sep=(.)", lines[0].strip()) if lines else None
    if separator_line:
        lines = lines[1:]
    delimiter = separator_line[1] if separator_line else _delimiter(lines[0] if lines else "")
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    header = _column_names(reader.fieldnames or [])
    missing = [c for c in CSV_COLUMNS if c != "mis_id" and c not in header]
    if missing:
        result.header_error = (
            "The first row must be the heading row: "
            + ", ".join(CSV_COLUMNS)
            + f". Missing: {', '.join(missing)}."
        )
        return result
    # Columns without a heading are a spreadsheet's empty cells, not worth a mention.
    result.ignored_columns = [
        clean_text(name)
        for name, column in zip(reader.fieldnames, header, strict=True)
        if column not in IMPORTED_COLUMNS and clean_text(name)
    ]
    # An export whose only id is the UPN: that column is the MIS id and, when shaped like one,
    # the pupil's UPN too.
    upn_from_mis_id = "upn" not in header and any(
        column == "mis_id" and _written(name) in UPN_HEADINGS
        for name, column in zip(reader.fieldnames, header, strict=True)
    )
    reader.fieldnames = header
    seen_mis_ids: dict[str, int] = {}
    seen_names: dict[tuple[str, str, date], int] = {}
    rows = enumerate(reader)
    while True:
        try:
            index, raw = next(rows)
        except StopIteration:
            break
        except csv.Error:
            result.errors.append(
                RowError(reader.line_num + 1, "This row could not be read: check its quotes")
            )
            break
        # The line the row starts on: a quoted value may run over several lines.
        values = [v for v in raw.values() if isinstance(v, str)]
        line = reader.line_num - sum(v.count("\n") for v in values)
        if index >= MAX_IMPORT_ROWS:
            result.errors.append(
                RowError(line, f"only {MAX_IMPORT_ROWS:,} rows can be imported at once")
            )
            break
        if not any(v.strip() for v in values):
            continue
        if any("\n" in v for v in values):
            result.errors.append(RowError(line, UNCLOSED_QUOTE))
            continue
        # Empty cells past the last heading (a spreadsheet saves them for a stray format) are
        # nothing; a value there is a row out of line with its headings.
        if any((extra or "").strip() for extra in raw.get(None) or ()):
            result.errors.append(RowError(line, EXTRA_COLUMNS))
            continue
        try:
            row = _parse_row(raw)
            details = parse_referral_details(raw, upn_from_mis_id=upn_from_mis_id)
        except ValueError as error:
            result.errors.append(RowError(line, _sentence(str(error))))
            continue
        if row["mis_id"]:
            if row["mis_id"] in seen_mis_ids:
                result.errors.append(
                    RowError(line, f"The MIS id is already on line {seen_mis_ids[row['mis_id']]}")
                )
                continue
            seen_mis_ids[row["mis_id"]] = line
        else:
            name_key = (row["first_name"].lower(), row["last_name"].lower(), row["date_of_birth"])
            if name_key in seen_names:
                result.errors.append(
                    RowError(line, f"The same pupil is already on line {seen_names[name_key]}")
                )
                continue
            seen_names[name_key] = line
        pupil = _existing_pupil(school, row)
        if pupil is None:
            pupil = Pupil.objects.create(school=school, **row)
            if details:
                _details_imported(pupil, details, actor=actor, result=result)
            result.created += 1
            result.leavers += "leaving_date" in row
            continue
        if pupil.file_transferred_at is not None:
            # Their file went to their new school: this school's copy is read-only (records/).
            # Not said to the admin, who must not learn that the pupil had a file.
            result.unchanged += 1
            continue
        if not row["mis_id"]:
            row["mis_id"] = pupil.mis_id  # a row without one never clears the pupil's id
        changed = [name for name, value in row.items() if getattr(pupil, name) != value]
        try:
            details_changed = _details_imported(pupil, details, actor=actor, result=result)
        except ValueError as error:
            result.errors.append(RowError(line, _sentence(str(error))))
            continue
        result.leavers += "leaving_date" in changed
        if changed or details_changed:
            for name in changed:
                setattr(pupil, name, row[name])
            # To the school admin, a pupil added in a report (which they cannot see) is new to
            # the list: "updated" would tell them someone had named that child in a report.
            if pupil.added_from_report:
                result.created += 1
            else:
                result.updated += 1
            pupil.added_from_report = False
            pupil.save()
        else:
            result.unchanged += 1
    audit.record(
        "pupils.imported",
        actor=actor,
        school=school,
        data={
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "rejected": len(result.errors),
            "leavers": result.leavers,
            "details_updated": result.details_updated,
        },
    )
    return result


def _details_imported(pupil: Pupil, details, *, actor: User, result: ImportResult) -> list[str]:
    """Give `pupil` the row's details for a referral (blank cells keep what the DSL entered);
    audited like the DSL's own changes, by the names of what changed, never the values."""
    if not details:
        return []
    changed = apply_referral_details(pupil, details)
    if changed:
        pupil.save()
        result.details_updated += 1
        audit.record(
            PUPIL_DETAILS_CHANGED,
            actor=actor,
            target=pupil,
            school=pupil.school,
            data={"changed": changed, "via": "pupil import"},
        )
    return changed


# A pupil's details for a referral --------------------------------------------------------------

PUPIL_DETAILS_CHANGED = "pupil.details_changed"
PUPIL_DETAILS_READ_ONLY = (
    "This pupil's file has gone to their new school: their details here are kept read-only."
)


class PupilDetailsReadOnly(ValueError):
    """The pupil's file reached their new school (records/): this school's copy is read-only."""


@transaction.atomic
def update_pupil_details(
    *,
    pupil: Pupil,
    actor: User,
    fields: dict[str, Any],
    carers: list[dict[str, Any]],
    agencies: list[dict[str, Any]],
    request=None,
) -> list[str]:
    """Set what a referral asks about `pupil` (Pupil.REFERRAL_FIELDS), their parents or carers
    (in order: the first is who to contact first) and the other agencies working with them.

    Audited with the names of what changed, never the values (they are about a child). Returns
    those names; nothing is written when nothing changed.
    """
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if pupil.file_transferred_at is not None:
        raise PupilDetailsReadOnly(PUPIL_DETAILS_READ_ONLY)
    changed = [name for name in Pupil.REFERRAL_FIELDS if getattr(pupil, name) != fields[name]]
    for name in changed:
        setattr(pupil, name, fields[name])
    carer_keys = ("name", "relationship", "phone", "email", "parental_responsibility")
    old_carers = [{k: getattr(c, k) for k in carer_keys} for c in pupil.carers.all()]
    if old_carers != [{k: c.get(k, "") for k in carer_keys} for c in carers]:
        changed.append("carers")
        pupil.carers.all().delete()
        for priority, carer in enumerate(carers, start=1):
            pupil.carers.create(priority=priority, **carer)
    old_agencies = [{"agency": a.agency, "contact": a.contact} for a in pupil.agencies.all()]
    if old_agencies != agencies:
        changed.append("agencies")
        pupil.agencies.all().delete()
        for agency in agencies:
            pupil.agencies.create(**agency)
    if changed:
        pupil.save()
        audit.record(
            PUPIL_DETAILS_CHANGED,
            actor=actor,
            target=pupil,
            school=pupil.school,
            request=request,
            data={"changed": changed},
        )
    return changed
