"""Everything that changes a pupil's file over its life. Each function writes its rows and one
audit event (ids, enums, counts and dates: never names or narrative) in one transaction.

Callers have passed `safeguarding.access`: the school in the URL is one where the actor is a
DSL or deputy, and the pupil, transfer or request was looked up within it.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from incidents.models import Pupil, YearGroup, fold_name
from notifications import services as notifications
from notifications.models import Kind as NotificationKind
from safeguarding import audit
from safeguarding.models import School, User
from terms.school_days import calendar_for

from . import deadlines, disposal, export, storage
from .content import build_file, file_incidents, has_file
from .models import (
    DisclosureItem,
    DisposedFile,
    Exemption,
    LegalHold,
    ReceivedFile,
    RetentionPolicy,
    RetentionReview,
    SecureExport,
    SubjectAccessRequest,
    Transfer,
)

NO_FILE = "This pupil has no child protection file at your school."
FILE_DISPOSED = "This pupil's file was disposed of."
ALREADY_SENT = "The file has already been sent: see its transfer below."
SAME_SCHOOL = "Choose the pupil's new school, not your own."
SAY_WHY_NAMES_KEPT = "Write why the other pupils' names should stay in the file."
TRANSFER_CLOSED = "This transfer is no longer waiting: it was {status}."
FILE_TRANSFERRED = (
    "This pupil's file has gone to their new school: this school's copy is kept read-only."
)
SAY_WHY_REJECTED = (
    "Write why you are rejecting the file, for example that the pupil is not coming to your school."
)
SAY_WHY_WITHDRAWN = "Write why you are withdrawing the file."
NOT_YOUR_PUPIL = "Choose a pupil on your school's list."
EXPORT_NOT_SENT = "Record how and when the file was sent first."
EXPORT_GONE = "The archive is no longer kept. Make a new one if you still need to send it."
SENT_IN_FUTURE = "The date must be today or in the past."
BEFORE_MADE = "The file was made on {made}: the date cannot be before it."
SAY_WHO = "Enter who confirmed they received it."
SAY_WHY_KEPT = "Write why the file is being kept."
NEXT_REVIEW_IN_PAST = "The next review must be after today."
NOT_DUE = "This file is not due for review until {due}."
NO_REVIEW_DATE = (
    "This file has no review date because the pupil's date of birth is not known. Add it first."
)
ON_HOLD = "A legal hold is in place: it must be lifted before the file can be disposed of."
REQUEST_OPEN = (
    "A subject access request about this pupil is open: answer it before disposing of the file."
)
TRANSFER_OPEN = (
    "A transfer of this file is waiting: it must be accepted, rejected or withdrawn first."
)
SAY_WHY_HELD = "Write why the file must be kept."
SAY_WHY_LIFTED = "Write why the hold can be lifted."
HOLD_LIFTED = "This hold was already lifted."
POLICY_YEARS = "Enter a number of years from 1 to 100."
SAY_WHY_POLICY = "Write why the school chose this rule, and where it comes from."
RECEIVED_IN_FUTURE = "The date the request arrived must be today or in the past."
SAY_WHY_EXTENDED = "Write why the request is complex enough to need more time."
EXTENSION_MONTHS = "An extension is one or two further months."
REQUEST_CLOSED = "This request has been answered or withdrawn."
CHOOSE_EXEMPTION = "Choose the exemption that allows this to be withheld."
SAY_WHY_WITHHELD = "Write why the exemption applies to this item."
SAY_WHY_UNREDACTED = "Write why other people's details can be disclosed (for example, they agreed)."
BEST_INTERESTS_ONLY_FOR_PARENTS = (
    "This exemption applies only to a request from a parent or carer with parental responsibility."
)
UNKNOWN_ITEM = "That item is not in this pupil's file."
CHOOSE_HOW_ENDED = "Choose whether the request was withdrawn or is closed without disclosure."
SAY_WHY_ENDED = (
    "Write why: what the requester said when withdrawing it, or why nothing will be disclosed."
)
BEFORE_RECEIVED = "The request arrived on {received}: the date cannot be before it."

DEFAULT_RULE_REASON = (
    "Kept until the pupil's date of birth plus 25 years, then reviewed (IRMS Information "
    "Management Toolkit for Schools)."
)


class RecordsError(ValueError):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _require_file(pupil: Pupil, school: School) -> None:
    if pupil.details_removed_at is not None:
        raise RecordsError(FILE_DISPOSED)
    if not has_file(pupil, school):
        raise RecordsError(NO_FILE)


# --- Leavers --------------------------------------------------------------------------------


@transaction.atomic
def record_leaving(
    *,
    pupil: Pupil,
    school: School,
    actor: User,
    leaving_date: date | None,
    destination: str = "",
    request=None,
) -> Pupil:
    """Set (or clear) the pupil's leaving date and destination, as the pupil import can."""
    if pupil.details_removed_at is not None:
        raise RecordsError(FILE_DISPOSED)
    if pupil.file_transferred_at is not None:
        raise RecordsError(FILE_TRANSFERRED)
    pupil.leaving_date = leaving_date
    pupil.destination = destination if leaving_date else ""
    pupil.save(update_fields=["leaving_date", "destination"])
    audit.record(
        "pupil.leaving_recorded",
        actor=actor,
        target=pupil,
        school=school,
        request=request,
        data={"leaving_date": str(leaving_date or "")},
    )
    return pupil


@dataclass
class FileState:
    """Where a pupil's file is in its journey to their next school."""

    stage: str  # "staying", "to_send", "sent", "transferred"
    due_on: date | None = None
    transfer: Transfer | None = None
    export: SecureExport | None = None

    def overdue(self, today: date) -> bool:
        return self.due_on is not None and self.stage in ("to_send", "sent") and today > self.due_on


def file_state(pupil: Pupil, school: School) -> FileState:
    transfers = Transfer.objects.filter(pupil=pupil, from_school=school).select_related(
        "to_school", "decided_by"
    )
    exports = SecureExport.objects.filter(pupil=pupil, school=school, withdrawn_at__isnull=True)
    accepted = transfers.filter(status=Transfer.Status.ACCEPTED).first()
    if accepted:
        return FileState("transferred", transfer=accepted)
    confirmed = exports.filter(receipt_confirmed_on__isnull=False).first()
    if confirmed:
        return FileState("transferred", export=confirmed)
    open_transfer = transfers.filter(status__in=Transfer.OPEN).first()
    if open_transfer:
        return FileState("sent", due_on=open_transfer.due_on, transfer=open_transfer)
    sent_export = exports.filter(sent_on__isnull=False).first()
    if sent_export:
        return FileState("sent", due_on=sent_export.due_on, export=sent_export)
    if pupil.leaving_date is None:
        return FileState("staying")
    due = deadlines.within_five_days(pupil.leaving_date, calendar_for(school))
    return FileState("to_send", due_on=due, export=exports.filter(sent_on__isnull=True).first())


def leavers_with_files(school: School):
    """Pupils at `school` with a leaving date and a child protection file still held."""
    return (
        Pupil.objects.filter(school=school, leaving_date__isnull=False)
        .on_list()
        .filter(involvements__incident__school=school)
        .distinct()
        .order_by("leaving_date", "last_name")
    )


# --- Transfer inside the service ------------------------------------------------------------


@transaction.atomic
def send_transfer(
    *,
    pupil: Pupil,
    school: School,
    to_school: School,
    actor: User,
    keep_other_names: bool = False,
    other_names_reason: str = "",
    today: date | None = None,
    request=None,
) -> Transfer:
    _require_file(pupil, school)
    if to_school.pk == school.pk:
        raise RecordsError(SAME_SCHOOL, field="to_school")
    if keep_other_names and not other_names_reason.strip():
        raise RecordsError(SAY_WHY_NAMES_KEPT, field="other_names_reason")
    Pupil.objects.select_for_update().filter(pk=pupil.pk).first()
    if file_state(pupil, school).stage in ("sent", "transferred"):
        raise RecordsError(ALREADY_SENT)
    content = build_file(
        pupil,
        school,
        keep_other_names=keep_other_names,
        other_names_reason=other_names_reason,
        generated_by=actor,
    )
    transfer = Transfer.objects.create(
        pupil=pupil,
        from_school=school,
        to_school=to_school,
        content=content,
        other_names_kept=keep_other_names,
        other_names_reason=other_names_reason if keep_other_names else "",
        sent_by=actor,
        due_on=deadlines.within_five_days(_today(today), calendar_for(school)),
    )
    audit.record(
        "file.transfer_sent",
        actor=actor,
        target=transfer,
        school=school,
        request=request,
        data={
            "reference": transfer.reference,
            "pupil": str(pupil.pk),
            "to_school": to_school.pk,
            "cases": len(content["cases"]),
            "earlier_files": len(content["earlier_files"]),
            "other_names_kept": keep_other_names,
        },
    )
    notifications.notify_file_work(
        kind=NotificationKind.FILE_INCOMING,
        key=str(transfer.pk),
        school=to_school,
        recipients=notifications.case_reviewers(to_school),
        reference=transfer.reference,
    )
    return transfer


def _mark_transferred(pupil: Pupil, *, to: str, at) -> None:
    """The file reached the new school: the sending school's copy becomes read-only (the
    pupil's details, their part in each case: cases/services.py refuses changes to them; a
    case none of whose pupils stays is read-only as a whole). The receipt itself (who, when)
    stays on the transfer or export."""
    Pupil.objects.filter(pk=pupil.pk).update(file_transferred_at=at, file_transferred_to=to)
    pupil.file_transferred_at, pupil.file_transferred_to = at, to


def _lock_transfer(transfer: Transfer) -> Transfer:
    locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if not locked.is_open:
        raise RecordsError(TRANSFER_CLOSED.format(status=locked.get_status_display().lower()))
    return locked


@transaction.atomic
def mark_viewed(*, transfer: Transfer, actor: User, request=None) -> Transfer:
    """The receiving school opened the transfer (not the file: it has none yet)."""
    updated = Transfer.objects.filter(pk=transfer.pk, status=Transfer.Status.PENDING).update(
        status=Transfer.Status.VIEWED, viewed_at=timezone.now()
    )
    if updated:
        transfer.refresh_from_db()
        audit.record(
            "file.transfer_viewed",
            actor=actor,
            target=transfer,
            school=transfer.to_school,
            request=request,
            data={"reference": transfer.reference},
        )
    return transfer


def matching_pupils(transfer: Transfer):
    """Pupils on the receiving school's list who may be the one coming: the same date of
    birth, or the same name however it is written."""
    details = transfer.content.get("pupil", {})
    name = (fold_name(details.get("first_name", "")), fold_name(details.get("last_name", "")))
    pupils = Pupil.objects.filter(school=transfer.to_school).on_list()
    same_name = [p.pk for p in pupils if (fold_name(p.first_name), fold_name(p.last_name)) == name]
    born = _date_or_none(details.get("date_of_birth"))
    return pupils.filter(
        Q(pk__in=same_name) | Q(date_of_birth=born) if born else Q(pk__in=same_name)
    )


def _date_or_none(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _year_group(label: str) -> str:
    return next((value for value, text in YearGroup.choices if text == label), YearGroup.Y7)


@transaction.atomic
def accept_transfer(
    *, transfer: Transfer, actor: User, pupil: Pupil | None = None, request=None
) -> ReceivedFile:
    """The receiving school takes the file: its own copy, attached to the pupil on its list
    (`pupil`) or to a pupil added to its list from the file."""
    transfer = _lock_transfer(transfer)
    details = transfer.content.get("pupil", {})
    created = pupil is None
    if pupil is None:
        pupil = Pupil.objects.create(
            school=transfer.to_school,
            first_name=details.get("first_name", ""),
            last_name=details.get("last_name", ""),
            year_group=_year_group(details.get("year_group", "")),
            date_of_birth=_date_or_none(details.get("date_of_birth")),
        )
    elif pupil.school_id != transfer.to_school_id or pupil.details_removed_at is not None:
        raise RecordsError(NOT_YOUR_PUPIL, field="pupil")
    received = ReceivedFile.objects.create(
        school=transfer.to_school,
        pupil=pupil,
        transfer=transfer,
        from_school_name=transfer.from_school.name,
        content=transfer.content,
        accepted_by=actor,
    )
    transfer.status = Transfer.Status.ACCEPTED
    transfer.decided_by = actor
    transfer.decided_at = received.accepted_at
    transfer.save(update_fields=["status", "decided_by", "decided_at"])
    _mark_transferred(transfer.pupil, to=transfer.to_school.name, at=received.accepted_at)
    audit.record(
        "file.transfer_accepted",
        actor=actor,
        target=transfer,
        school=transfer.to_school,
        request=request,
        data={
            "reference": transfer.reference,
            "from_school": transfer.from_school_id,
            "pupil": str(pupil.pk),
            "pupil_added": created,
        },
    )
    return received


@transaction.atomic
def reject_transfer(*, transfer: Transfer, actor: User, reason: str, request=None) -> Transfer:
    """The receiving school refuses the file (it was sent to the wrong school): it keeps
    nothing of it, and the sender is told to send it again."""
    if not reason.strip():
        raise RecordsError(SAY_WHY_REJECTED, field="reason")
    transfer = _lock_transfer(transfer)
    transfer.status = Transfer.Status.REJECTED
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.rejection_reason = reason
    transfer.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
    audit.record(
        "file.transfer_rejected",
        actor=actor,
        target=transfer,
        school=transfer.to_school,
        request=request,
        data={"reference": transfer.reference, "from_school": transfer.from_school_id},
    )
    notifications.notify_file_work(
        kind=NotificationKind.FILE_REJECTED,
        key=str(transfer.pk),
        school=transfer.from_school,
        recipients=notifications.case_reviewers(transfer.from_school),
        reference=transfer.reference,
    )
    return transfer


@transaction.atomic
def withdraw_transfer(*, transfer: Transfer, actor: User, reason: str, request=None) -> Transfer:
    if not reason.strip():
        raise RecordsError(SAY_WHY_WITHDRAWN, field="reason")
    transfer = _lock_transfer(transfer)
    transfer.status = Transfer.Status.WITHDRAWN
    transfer.withdrawal_reason = reason
    transfer.save(update_fields=["status", "withdrawal_reason"])
    audit.record(
        "file.transfer_withdrawn",
        actor=actor,
        target=transfer,
        school=transfer.from_school,
        request=request,
        data={"reference": transfer.reference, "to_school": transfer.to_school_id},
    )
    return transfer


# --- Transfer outside the service: a secure export ------------------------------------------


@transaction.atomic
def make_export(
    *, pupil: Pupil, school: School, actor: User, recipient_school: str, request=None
) -> tuple[SecureExport, str]:
    """The file as an encrypted archive (PDF + JSON). Returns the export and its password,
    which is shown once and kept nowhere."""
    _require_file(pupil, school)
    if file_state(pupil, school).stage in ("sent", "transferred"):
        raise RecordsError(ALREADY_SENT)
    # A second archive replaces one made but never sent.
    SecureExport.objects.filter(
        pupil=pupil, school=school, sent_on__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now(), archive=None, content={})
    content = build_file(pupil, school, generated_by=actor)
    record = SecureExport(pupil=pupil, school=school, recipient_school=recipient_school)
    password = export.new_password()
    archive = export.build_archive(content, reference=record.reference, password=password)
    record.content = content
    record.archive = archive
    record.archive_sha256 = hashlib.sha256(archive).hexdigest()
    record.created_by = actor
    record.save()
    audit.record(
        "file.exported",
        actor=actor,
        target=record,
        school=school,
        request=request,
        data={
            "reference": record.reference,
            "pupil": str(pupil.pk),
            "cases": len(content["cases"]),
            "bytes": len(archive),
            "sha256": record.archive_sha256,
        },
    )
    return record, password


def download_archive(*, record: SecureExport, actor: User, request=None) -> bytes:
    if record.archive is None or record.withdrawn_at or record.sent_on:
        raise RecordsError(EXPORT_GONE)
    audit.record(
        "file.export_downloaded",
        actor=actor,
        target=record,
        school=record.school,
        request=request,
        data={"reference": record.reference, "sha256": record.archive_sha256},
    )
    return bytes(record.archive)


def _check_done_on(day: date, record: SecureExport, field: str, today: date) -> None:
    if day > today:
        raise RecordsError(SENT_IN_FUTURE, field=field)
    made = timezone.localdate(record.created_at)
    if day < made:
        raise RecordsError(BEFORE_MADE.format(made=f"{made:%-d %B %Y}"), field=field)


@transaction.atomic
def record_export_sent(
    *,
    record: SecureExport,
    actor: User,
    sent_on: date,
    method: str,
    sent_to: str,
    today: date | None = None,
    request=None,
) -> SecureExport:
    """How, when and to whom the archive went. The archive itself is no longer kept."""
    record = SecureExport.objects.select_for_update().get(pk=record.pk)
    if record.withdrawn_at:
        raise RecordsError(EXPORT_GONE)
    _check_done_on(sent_on, record, "sent_on", _today(today))
    record.sent_on = sent_on
    record.method = method
    record.sent_to = sent_to
    record.archive = None
    record.due_on = deadlines.within_five_days(sent_on, calendar_for(record.school))
    record.save(update_fields=["sent_on", "method", "sent_to", "archive", "due_on"])
    audit.record(
        "file.export_sent",
        actor=actor,
        target=record,
        school=record.school,
        request=request,
        data={"reference": record.reference, "sent_on": str(sent_on), "method": method},
    )
    return record


@transaction.atomic
def confirm_export_receipt(
    *,
    record: SecureExport,
    actor: User,
    confirmed_on: date,
    confirmed_by: str,
    today: date | None = None,
    request=None,
) -> SecureExport:
    record = SecureExport.objects.select_for_update().get(pk=record.pk)
    if not record.sent_on:
        raise RecordsError(EXPORT_NOT_SENT)
    if not confirmed_by.strip():
        raise RecordsError(SAY_WHO, field="confirmed_by")
    _check_done_on(confirmed_on, record, "confirmed_on", _today(today))
    record.receipt_confirmed_on = confirmed_on
    record.receipt_confirmed_by = confirmed_by
    record.save(update_fields=["receipt_confirmed_on", "receipt_confirmed_by"])
    _mark_transferred(record.pupil, to=record.recipient_school, at=timezone.now())
    audit.record(
        "file.export_received",
        actor=actor,
        target=record,
        school=record.school,
        request=request,
        data={"reference": record.reference, "confirmed_on": str(confirmed_on)},
    )
    return record


def purge_unsent_archives(*, older_than_hours: int = 24) -> int:
    """Archives made but not sent are not kept past a day: the DSL makes a new one."""
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    return SecureExport.objects.filter(archive__isnull=False, created_at__lt=cutoff).update(
        archive=None
    )


# --- Retention ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    version: int
    years_after_birth: int
    reason: str

    def __str__(self) -> str:
        name = "the default rule" if self.version == 0 else f"version {self.version}"
        return f"Date of birth plus {self.years_after_birth} years ({name})"


def current_rule(school: School) -> Rule:
    policy = RetentionPolicy.objects.filter(school=school).first()
    if policy is None:
        return Rule(0, deadlines.DEFAULT_RETENTION_YEARS, DEFAULT_RULE_REASON)
    return Rule(policy.version, policy.years_after_birth, policy.reason)


@transaction.atomic
def set_retention_rule(
    *, school: School, actor: User, years_after_birth: int, reason: str, request=None
) -> RetentionPolicy:
    if not 1 <= years_after_birth <= 100:
        raise RecordsError(POLICY_YEARS, field="years_after_birth")
    if not reason.strip():
        raise RecordsError(SAY_WHY_POLICY, field="reason")
    latest = RetentionPolicy.objects.select_for_update().filter(school=school).first()
    policy = RetentionPolicy.objects.create(
        school=school,
        version=(latest.version if latest else 0) + 1,
        years_after_birth=years_after_birth,
        reason=reason,
        created_by=actor,
    )
    audit.record(
        "retention.rule_changed",
        actor=actor,
        target=policy,
        school=school,
        request=request,
        data={"version": policy.version, "years_after_birth": years_after_birth},
    )
    return policy


@dataclass
class Review:
    """When a pupil's file at a school is next reviewed, and why then."""

    pupil: Pupil
    due_on: date | None
    rule: Rule
    kept: RetentionReview | None
    holds: list[LegalHold]

    @property
    def on_hold(self) -> bool:
        return any(h.is_active for h in self.holds)

    def is_due(self, today: date) -> bool:
        return self.due_on is not None and self.due_on <= today


def review_of(pupil: Pupil, school: School, *, rule: Rule | None = None) -> Review:
    rule = rule or current_rule(school)
    kept = (
        RetentionReview.objects.filter(
            pupil=pupil, school=school, decision=RetentionReview.Decision.KEEP
        )
        .select_related("decided_by")
        .first()
    )
    holds = list(LegalHold.objects.filter(pupil=pupil, school=school).select_related("placed_by"))
    due = (
        kept.next_review_on
        if kept
        else deadlines.review_due_on(pupil.date_of_birth, rule.years_after_birth)
    )
    return Review(pupil=pupil, due_on=due, rule=rule, kept=kept, holds=holds)


def pupils_with_files(school: School):
    """Every pupil whose child protection file is held at `school`."""
    received = ReceivedFile.objects.filter(school=school).values("pupil_id")
    return (
        Pupil.objects.filter(school=school)
        .on_list()
        .filter(Q(involvements__incident__school=school) | Q(pk__in=received))
        .distinct()
    )


def retention_queue(school: School, *, today: date | None = None, ahead_days: int = 0):
    """Files due for review by `today` (+ `ahead_days`), and files with no review date."""
    today = _today(today)
    rule = current_rule(school)
    pupils = list(pupils_with_files(school).order_by("date_of_birth", "last_name"))
    # Three queries whatever the number of files: the latest keep decision and the holds of each.
    kept: dict = {}
    for decision in RetentionReview.objects.filter(
        school=school, pupil__in=pupils, decision=RetentionReview.Decision.KEEP
    ).select_related("decided_by"):
        kept.setdefault(decision.pupil_id, decision)  # newest first (Meta.ordering)
    holds: dict = {}
    for hold in LegalHold.objects.filter(school=school, pupil__in=pupils):
        holds.setdefault(hold.pupil_id, []).append(hold)
    due, unknown = [], []
    for pupil in pupils:
        decision = kept.get(pupil.pk)
        review = Review(
            pupil=pupil,
            due_on=decision.next_review_on
            if decision
            else deadlines.review_due_on(pupil.date_of_birth, rule.years_after_birth),
            rule=rule,
            kept=decision,
            holds=holds.get(pupil.pk, []),
        )
        if review.due_on is None:
            unknown.append(review)
        elif review.due_on <= today + timedelta(days=ahead_days):
            due.append(review)
    due.sort(key=lambda r: r.due_on)
    return due, unknown


@transaction.atomic
def keep_file(
    *,
    pupil: Pupil,
    school: School,
    actor: User,
    reason: str,
    next_review_on: date,
    today: date | None = None,
    request=None,
) -> RetentionReview:
    _require_file(pupil, school)
    if not reason.strip():
        raise RecordsError(SAY_WHY_KEPT, field="reason")
    if next_review_on <= _today(today):
        raise RecordsError(NEXT_REVIEW_IN_PAST, field="next_review_on")
    review = review_of(pupil, school)
    decision = RetentionReview.objects.create(
        pupil=pupil,
        school=school,
        decision=RetentionReview.Decision.KEEP,
        reason=reason,
        next_review_on=next_review_on,
        review_was_due_on=review.due_on or _today(today),
        policy_version=review.rule.version,
        decided_by=actor,
    )
    audit.record(
        "retention.kept",
        actor=actor,
        target=pupil,
        school=school,
        request=request,
        data={
            "next_review_on": str(next_review_on),
            "review_was_due_on": str(decision.review_was_due_on),
            "policy_version": review.rule.version,
        },
    )
    return decision


@transaction.atomic
def place_legal_hold(
    *, pupil: Pupil, school: School, actor: User, kind: str, reason: str, request=None
) -> LegalHold:
    _require_file(pupil, school)
    if not reason.strip():
        raise RecordsError(SAY_WHY_HELD, field="reason")
    hold = LegalHold.objects.create(
        pupil=pupil, school=school, kind=kind, reason=reason, placed_by=actor
    )
    audit.record(
        "retention.hold_placed",
        actor=actor,
        target=pupil,
        school=school,
        request=request,
        data={"hold": hold.pk, "kind": kind},
    )
    return hold


@transaction.atomic
def lift_legal_hold(*, hold: LegalHold, actor: User, reason: str, request=None) -> LegalHold:
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if not hold.is_active:
        raise RecordsError(HOLD_LIFTED)
    if not reason.strip():
        raise RecordsError(SAY_WHY_LIFTED, field="reason")
    hold.lifted_by = actor
    hold.lifted_at = timezone.now()
    hold.lift_reason = reason
    hold.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    audit.record(
        "retention.hold_lifted",
        actor=actor,
        target=hold.pupil,
        school=hold.school,
        request=request,
        data={"hold": hold.pk, "kind": hold.kind},
    )
    return hold


def disposal_blockers(pupil: Pupil, school: School, *, today: date | None = None) -> list[str]:
    """Why the file cannot be disposed of today; empty when it can."""
    if pupil.details_removed_at is not None:
        return [FILE_DISPOSED]
    review = review_of(pupil, school)
    blockers = []
    if review.due_on is None:
        blockers.append(NO_REVIEW_DATE)
    elif not review.is_due(_today(today)):
        blockers.append(NOT_DUE.format(due=f"{review.due_on:%-d %B %Y}"))
    if review.on_hold:
        blockers.append(ON_HOLD)
    if SubjectAccessRequest.objects.filter(
        pupil=pupil, school=school, status=SubjectAccessRequest.Status.OPEN
    ).exists():
        blockers.append(REQUEST_OPEN)
    if Transfer.objects.filter(pupil=pupil, from_school=school, status__in=Transfer.OPEN).exists():
        blockers.append(TRANSFER_OPEN)
    return blockers


@transaction.atomic
def dispose_file(
    *, pupil: Pupil, school: School, actor: User, today: date | None = None, request=None
) -> DisposedFile:
    """Remove the pupil's name and the narrative of their file from the database for good
    (records/disposal.py), keeping the anonymised counts, and record the destruction."""
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    blockers = disposal_blockers(pupil, school, today=today)
    if blockers:
        raise RecordsError(blockers[0])
    review = review_of(pupil, school)
    references = [i.reference for i in file_incidents(pupil, school)]
    erased, kept_for_others = disposal.erase_file(pupil=pupil, school=school)
    record = DisposedFile.objects.create(
        pupil=pupil,
        school=school,
        transaction_id=storage.transaction_id(),
        disposed_by=actor,
        review_was_due_on=review.due_on,
        policy_version=review.rule.version,
        rule=str(review.rule),
        cases_erased=erased,
        cases_kept_for_others=kept_for_others,
    )
    RetentionReview.objects.create(
        pupil=pupil,
        school=school,
        decision=RetentionReview.Decision.DISPOSE,
        review_was_due_on=review.due_on,
        policy_version=review.rule.version,
        decided_by=actor,
    )
    audit.record(
        "file.disposed",
        actor=actor,
        target=pupil,
        school=school,
        request=request,
        data={
            "pupil": str(pupil.pk),
            "cases": references,
            "cases_erased": erased,
            "cases_kept_for_others": kept_for_others,
            "review_was_due_on": str(review.due_on),
            "policy_version": review.rule.version,
            "rule": str(review.rule),
        },
    )
    return record


# --- Subject access -------------------------------------------------------------------------


@transaction.atomic
def log_request(
    *,
    school: School,
    pupil: Pupil,
    actor: User,
    requester_name: str,
    relationship: str,
    how_received: str,
    received_on: date,
    today: date | None = None,
    request=None,
) -> SubjectAccessRequest:
    if pupil.details_removed_at is not None:
        raise RecordsError(FILE_DISPOSED)
    if received_on > _today(today):
        raise RecordsError(RECEIVED_IN_FUTURE, field="received_on")
    sar = SubjectAccessRequest.objects.create(
        school=school,
        pupil=pupil,
        requester_name=requester_name,
        relationship=relationship,
        how_received=how_received,
        received_on=received_on,
        due_on=deadlines.calendar_months_after(received_on, 1),
        logged_by=actor,
    )
    audit.record(
        "subject_access.logged",
        actor=actor,
        target=sar,
        school=school,
        request=request,
        data={
            "reference": sar.reference,
            "pupil": str(pupil.pk),
            "relationship": relationship,
            "received_on": str(received_on),
            "due_on": str(sar.due_on),
        },
    )
    return sar


def _lock_open(sar: SubjectAccessRequest) -> SubjectAccessRequest:
    locked = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
    if locked.status != SubjectAccessRequest.Status.OPEN:
        raise RecordsError(REQUEST_CLOSED)
    return locked


@transaction.atomic
def extend_request(
    *, sar: SubjectAccessRequest, actor: User, months: int, reason: str, request=None
) -> SubjectAccessRequest:
    """A complex request may take up to two further months; the requester must be told why
    within the first month."""
    sar = _lock_open(sar)
    if months not in range(1, deadlines.MAX_EXTENSION_MONTHS + 1):
        raise RecordsError(EXTENSION_MONTHS, field="months")
    if not reason.strip():
        raise RecordsError(SAY_WHY_EXTENDED, field="reason")
    sar.extended_to = deadlines.calendar_months_after(sar.received_on, 1 + months)
    sar.extension_reason = reason
    sar.save(update_fields=["extended_to", "extension_reason"])
    audit.record(
        "subject_access.extended",
        actor=actor,
        target=sar,
        school=sar.school,
        request=request,
        data={"reference": sar.reference, "extended_to": str(sar.extended_to)},
    )
    return sar


@transaction.atomic
def decide_item(
    *,
    sar: SubjectAccessRequest,
    actor: User,
    key: str,
    choice: str,
    exemption: str = "",
    note: str = "",
    extra_redactions: str = "",
    request=None,
) -> DisclosureItem:
    from .disclosure import item_keys

    sar = _lock_open(sar)
    if key not in item_keys(sar):
        raise RecordsError(UNKNOWN_ITEM)
    if choice == DisclosureItem.Choice.WITHHOLD:
        if exemption not in Exemption.values:
            raise RecordsError(CHOOSE_EXEMPTION, field="exemption")
        if (
            exemption == Exemption.NOT_IN_BEST_INTERESTS
            and sar.relationship != SubjectAccessRequest.Relationship.PARENT
        ):
            raise RecordsError(BEST_INTERESTS_ONLY_FOR_PARENTS, field="exemption")
        if not note.strip():
            raise RecordsError(SAY_WHY_WITHHELD, field="note")
    else:
        exemption = ""
    if choice == DisclosureItem.Choice.DISCLOSE_UNREDACTED and not note.strip():
        raise RecordsError(SAY_WHY_UNREDACTED, field="note")
    item, _ = DisclosureItem.objects.update_or_create(
        request=sar,
        key=key,
        defaults={
            "choice": choice,
            "exemption": exemption,
            "note": note,
            "extra_redactions": extra_redactions,
            "decided_by": actor,
            "decided_at": timezone.now(),
        },
    )
    audit.record(
        "subject_access.item_decided",
        actor=actor,
        target=sar,
        school=sar.school,
        request=request,
        data={"reference": sar.reference, "item": key, "choice": choice, "exemption": exemption},
    )
    return item


@transaction.atomic
def mark_answered(
    *,
    sar: SubjectAccessRequest,
    actor: User,
    answered_on: date,
    today: date | None = None,
    request=None,
) -> SubjectAccessRequest:
    sar = _lock_open(sar)
    if answered_on > _today(today):
        raise RecordsError(SENT_IN_FUTURE, field="answered_on")
    sar.status = SubjectAccessRequest.Status.ANSWERED
    sar.answered_on = answered_on
    sar.save(update_fields=["status", "answered_on"])
    audit.record(
        "subject_access.answered",
        actor=actor,
        target=sar,
        school=sar.school,
        request=request,
        data={
            "reference": sar.reference,
            "answered_on": str(answered_on),
            "on_time": answered_on <= sar.deadline,
        },
    )
    return sar


@transaction.atomic
def end_without_disclosure(
    *,
    sar: SubjectAccessRequest,
    actor: User,
    outcome: str,
    reason: str,
    ended_on: date,
    today: date | None = None,
    request=None,
) -> SubjectAccessRequest:
    """The requester withdrew the request, or it is closed without a disclosure (their identity
    could not be confirmed, it was manifestly unfounded or excessive...). Either way, why is
    recorded, and it leaves the lists of what is due."""
    sar = _lock_open(sar)
    if outcome not in SubjectAccessRequest.ENDED_WITHOUT_DISCLOSURE:
        raise RecordsError(CHOOSE_HOW_ENDED, field="outcome")
    if not reason.strip():
        raise RecordsError(SAY_WHY_ENDED, field="reason")
    if ended_on > _today(today):
        raise RecordsError(SENT_IN_FUTURE, field="ended_on")
    if ended_on < sar.received_on:
        raise RecordsError(
            BEFORE_RECEIVED.format(received=f"{sar.received_on:%-d %B %Y}"), field="ended_on"
        )
    sar.status = outcome
    sar.closed_on = ended_on
    sar.closed_reason = reason
    sar.closed_by = actor
    sar.save(update_fields=["status", "closed_on", "closed_reason", "closed_by"])
    audit.record(
        "subject_access.withdrawn"
        if outcome == SubjectAccessRequest.Status.WITHDRAWN
        else "subject_access.closed",
        actor=actor,
        target=sar,
        school=sar.school,
        request=request,
        data={"reference": sar.reference, "outcome": outcome, "ended_on": str(ended_on)},
    )
    return sar
