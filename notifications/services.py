"""Queueing and delivering notifications: the outbox, the relay and escalation.

Callers use the notify_* functions inside the transaction that writes the event causing the
notification: one outbox row per recipient is written in that transaction, and after commit a
nudge queues a send task for each row. If the broker is down the nudge gives up quickly and
`relay_pending` (run every minute by beat) sends what is still waiting, so a saved case always
gets its messages and a failed publish never reaches the member of staff.

Sending is idempotent per row: a row is claimed (pending -> sending) by one conditional UPDATE,
or by SELECT ... FOR UPDATE SKIP LOCKED for a relay batch on PostgreSQL, before its email goes
out. Arguments and rows are references and ids only: never a pupil's name or what happened.
"""

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from functools import partial

from celery.result import EagerResult
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from safeguarding import audit
from safeguarding.models import Role, School, User
from terms.school_days import calendar_for

from .emails import send_email, site_link
from .models import FILE_WORK, Kind, NotificationSettings, Outbox, OutboxStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
# A row left "sending" this long belonged to a worker that died mid-send: send it again.
STALE_CLAIM = timedelta(minutes=10)
RELAY_BATCH = 200

# The audit action written when a case is escalated (data: stage 1 = other DSLs, 2 = trust).
ESCALATED = "case.escalated"

SENT = "sent"
SKIPPED = "skipped"
RETRY = "retry"
FAILED = "failed"


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: 1, 2, 4 ... minutes, at most an hour."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


# --- Who hears about what -------------------------------------------------------------------


def holders(school: School, roles) -> list[User]:
    """The active people holding any of `roles` at `school`, by email."""
    return list(
        User.objects.filter(
            is_active=True, memberships__school=school, memberships__role__in=list(roles)
        )
        .distinct()
        .order_by("email")
    )


def case_reviewers(school: School) -> list[User]:
    """Every active DSL and deputy DSL of `school`."""
    return holders(school, Role.case_reviewers())


def dsls(school: School) -> list[User]:
    """The school's active DSLs; its deputies when it has no DSL."""
    return holders(school, [Role.DSL]) or holders(school, [Role.DEPUTY_DSL])


def trust_leads(school: School) -> list[User]:
    if school.trust_id is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            memberships__trust_id=school.trust_id,
            memberships__role=Role.TRUST_LEAD,
        )
        .distinct()
        .order_by("email")
    )


def is_urgent(incident) -> bool:
    """Urgent when the triage said immediate referral, or anything above 'review today'."""
    from incidents.models import ReferralLine, Urgency

    return incident.referral == ReferralLine.YES or incident.urgency in (
        Urgency.CALL_999,
        Urgency.TELL_DSL_NOW,
    )


# --- Writing the outbox ---------------------------------------------------------------------


def _queue(
    *,
    kind: str,
    key: str,
    recipients: Iterable[User],
    school: School | None,
    incident_id,
    reference: str,
    urgent: bool,
) -> list[int]:
    """One row per recipient, sent after the surrounding transaction commits."""
    created_ids = []
    with transaction.atomic():
        for user in recipients:
            row, created = Outbox.objects.get_or_create(
                idempotency_key=f"{kind}:{key}:{user.pk}",
                defaults={
                    "recipient": user,
                    "kind": kind,
                    "reference": reference,
                    "incident_id": incident_id,
                    "school": school,
                    "urgent": urgent,
                },
            )
            if created:
                created_ids.append(row.pk)
        if created_ids:
            transaction.on_commit(partial(enqueue, created_ids), robust=True)
    return created_ids


def notify_new_case(*, school: School, incident_id, reference: str, urgent: bool) -> list[int]:
    """Tell every DSL and deputy of `school` that a new case needs them.

    A school with none yet cannot let anyone open the case: its school admins and trust leads
    are told at once that a concern is waiting and a lead must be added (the school's name
    only, no reference: neither role can open cases).
    """
    reviewers = case_reviewers(school)
    if not reviewers:
        return _queue(
            kind=Kind.NO_LEAD,
            key=str(incident_id),
            recipients=holders(school, [Role.SCHOOL_ADMIN]) + trust_leads(school),
            school=school,
            incident_id=incident_id,
            reference="",
            urgent=urgent,
        )
    return _queue(
        kind=Kind.NEW_CASE,
        key=str(incident_id),
        recipients=reviewers,
        school=school,
        incident_id=incident_id,
        reference=reference,
        urgent=urgent,
    )


def notify_follow_up(
    *, school: School, incident_id, reference: str, follow_up_id=None
) -> list[int]:
    """Tell the case's assigned DSL (or every DSL) that the reporter added information.

    Pass `follow_up_id` where there is one, so that the same follow-up is announced once.
    """
    from incidents.models import Incident

    assigned_id = (
        Incident.objects.filter(pk=incident_id).values_list("assigned_to", flat=True).first()
    )
    assigned = User.objects.filter(pk=assigned_id, is_active=True).first() if assigned_id else None
    return _queue(
        kind=Kind.FOLLOW_UP,
        key=f"{incident_id}:{follow_up_id or uuid.uuid4()}",
        recipients=[assigned] if assigned else dsls(school),
        school=school,
        incident_id=incident_id,
        reference=reference,
        urgent=False,
    )


def notify_safeguarding_lead_added(*, school: School, person: User, key: str) -> list[int]:
    """Tell every other active DSL of `school` that someone was made a DSL or deputy there.

    The message names the school only, never the person: the DSLs sign in to see who. `key`
    identifies the grant (e.g. the new membership), so the same grant is announced once.
    """
    others = (
        User.objects.filter(is_active=True, memberships__school=school, memberships__role=Role.DSL)
        .exclude(pk=person.pk)
        .distinct()
        .order_by("email")
    )
    return _queue(
        kind=Kind.LEAD_ADDED,
        key=f"{school.pk}:{key}",
        recipients=list(others),
        school=school,
        incident_id=None,
        reference="",
        urgent=False,
    )


def notify_lead_requested(*, school: School, recipients: Iterable[User], key: str) -> list[int]:
    """Tell `recipients` (the school's other DSLs and its trust's leads) at once that someone
    has been put forward as a DSL or deputy at `school` and needs their confirmation. Names the
    school only; `key` identifies the request, so it is announced once."""
    return _queue(
        kind=Kind.LEAD_REQUESTED,
        key=f"{school.pk}:{key}",
        recipients=list(recipients),
        school=school,
        incident_id=None,
        reference="",
        urgent=False,
    )


def notify_two_factor_reset(*, school: School | None, person: User) -> list[int]:
    """Tell `person` that their two-factor sign-in was reset, so that a reset they did not ask
    for does not go unnoticed: by a school admin at `school` (named, nothing else), or by the
    technical team (`school=None`, from the admin site)."""
    return _queue(
        kind=Kind.TWO_FACTOR_RESET,
        key=f"{school.pk if school else 'admin'}:{person.pk}:{uuid.uuid4()}",
        recipients=[person],
        school=school,
        incident_id=None,
        reference="",
        urgent=False,
    )


def notify_file_work(
    *, kind: str, key: str, school: School, recipients: Iterable[User], reference: str = ""
) -> list[int]:
    """Tell `recipients` about a child protection file's life at `school` (records/): a file to
    send, one waiting to be accepted, a review or a subject access request due. `key` names the
    occasion (such as the transfer and its due date), so each is told once. The message carries
    `reference` (a transfer's or request's) at most: never a pupil's name."""
    if kind not in FILE_WORK:
        raise ValueError(f"{kind} is not about a file")
    return _queue(
        kind=kind,
        key=key,
        recipients=list(recipients),
        school=school,
        incident_id=None,
        reference=reference,
        urgent=False,
    )


# --- Publishing -----------------------------------------------------------------------------


def enqueue(outbox_ids: list[int]) -> None:
    """Queue a send task per row. Run after commit; never raises.

    A broker that refuses or hangs costs one publish attempt (bounded by the broker timeouts in
    settings); the remaining rows are left to the relay rather than paying that again.
    With no broker configured the task runs here, in-process, and a mail server that fails
    likewise costs one attempt: the rest wait for the relay.
    """
    from .tasks import send_outbox_message

    for outbox_id in outbox_ids:
        try:
            result = send_outbox_message.delay(outbox_id)
        except Exception as exc:
            logger.warning(
                "notifications: could not queue outbox message %s (%s); the relay will send it",
                outbox_id,
                type(exc).__name__,
            )
            return
        if isinstance(result, EagerResult) and result.result == RETRY:
            return


# --- Delivering -----------------------------------------------------------------------------


def _claim(outbox_id: int) -> bool:
    claimed = Outbox.objects.filter(pk=outbox_id, status=OutboxStatus.PENDING).update(
        status=OutboxStatus.SENDING, claimed_at=timezone.now()
    )
    return claimed == 1


def _claim_due(limit: int) -> list[int]:
    """Claim up to `limit` rows that are due, skipping rows another relay holds."""
    now = timezone.now()
    due = Outbox.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "pk"
    )
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            Outbox.objects.filter(pk__in=ids).update(status=OutboxStatus.SENDING, claimed_at=now)
        return ids
    return [pk for pk in due.values_list("pk", flat=True)[:limit] if _claim(pk)]


def _message_for(row: Outbox) -> tuple[str, dict]:
    if row.kind in (Kind.TRUST_ESCALATION, Kind.NO_LEAD):
        # Trust leads and school admins learn only that a school has a case waiting: no
        # reference, no link to it.
        return row.kind, {"school_name": row.school.name, "urgent": row.urgent}
    if row.kind in (Kind.LEAD_ADDED, Kind.TWO_FACTOR_RESET):
        # Names the school only: who was given the role (or reset the sign-in) is for the
        # recipient to see once signed in.
        return row.kind, {"school_name": row.school.name if row.school else ""}
    if row.kind == Kind.LEAD_REQUESTED:
        return row.kind, {"school_name": row.school.name, "link": site_link(row.case_path)}
    if row.kind in FILE_WORK:
        return "file_work", {
            "headline": row.get_kind_display(),
            "school_name": row.school.name,
            "reference": row.reference,
            "link": site_link(row.case_path),
        }
    if row.kind == Kind.DIGEST:
        return row.kind, {
            "school_name": row.school.name,
            "inbox_link": site_link(row.case_path),
            **open_items(row.recipient, row.school),
        }
    return row.kind, {
        "reference": row.reference,
        "case_link": site_link(row.case_path),
        "urgent": row.urgent,
    }


def _send_claimed(outbox_id: int) -> str:
    row = Outbox.objects.select_related("recipient", "school").get(pk=outbox_id)
    if not row.recipient.is_active:
        Outbox.objects.filter(pk=row.pk).update(
            status=OutboxStatus.FAILED, last_error="The recipient's account is switched off."
        )
        return FAILED
    name, context = _message_for(row)
    try:
        send_email(name, to=[row.recipient.email], context=context)
    except Exception as exc:
        return _record_failure(row, exc)
    Outbox.objects.filter(pk=row.pk).update(
        status=OutboxStatus.SENT,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        last_error="",
    )
    return SENT


def _record_failure(row: Outbox, exc: Exception) -> str:
    attempts = row.attempts + 1
    gave_up = attempts >= MAX_ATTEMPTS
    Outbox.objects.filter(pk=row.pk).update(
        status=OutboxStatus.FAILED if gave_up else OutboxStatus.PENDING,
        attempts=attempts,
        last_error=f"{type(exc).__name__}: {exc}"[:300],
        next_attempt_at=timezone.now() + backoff(attempts),
    )
    logger.warning(
        "notifications: outbox message %s attempt %s failed (%s)%s",
        row.pk,
        attempts,
        type(exc).__name__,
        "; giving up" if gave_up else "",
    )
    return FAILED if gave_up else RETRY


def deliver(outbox_id: int) -> str:
    """Send one row's email unless someone else already has (or is). Never sends twice."""
    if not _claim(outbox_id):
        return SKIPPED
    return _send_claimed(outbox_id)


def relay_pending(*, limit: int = RELAY_BATCH) -> dict[str, int]:
    """Send rows still waiting: never queued (broker down), or due for another attempt."""
    Outbox.objects.filter(
        status=OutboxStatus.SENDING, claimed_at__lt=timezone.now() - STALE_CLAIM
    ).update(status=OutboxStatus.PENDING)
    claimed = _claim_due(limit)
    counts = {SENT: 0, RETRY: 0, FAILED: 0}
    for index, outbox_id in enumerate(claimed):
        result = _send_claimed(outbox_id)
        counts[result] += 1
        if result == RETRY:
            # The mail server is failing: hand the rest back rather than wait on each.
            rest = claimed[index + 1 :]
            Outbox.objects.filter(pk__in=rest, status=OutboxStatus.SENDING).update(
                status=OutboxStatus.PENDING
            )
            break
    return counts


def mark_case_read(*, user: User, incident_id) -> int:
    """Mark `user`'s notifications about one case read (call when they open the case)."""
    return Outbox.objects.filter(
        recipient=user, incident_id=incident_id, read_at__isnull=True
    ).update(read_at=timezone.now())


# --- Escalation -----------------------------------------------------------------------------


def escalation_deadlines(incident, rules: NotificationSettings) -> tuple[datetime, datetime]:
    """When a case unacknowledged since submission goes to the other DSLs, then the trust."""
    urgent = is_urgent(incident)
    to_dsls = rules.deadline_after(incident.submitted_at, urgent=urgent)
    return to_dsls, rules.deadline_after(to_dsls, urgent=urgent)


@transaction.atomic
def escalate(incident, *, now: datetime | None = None) -> list[int]:
    """Queue whatever escalation is due for one unacknowledged case. Safe to repeat."""
    now = now or timezone.now()
    school = incident.school
    rules = NotificationSettings.for_school(school)
    to_dsls_at, to_trust_at = escalation_deadlines(incident, rules)
    escalations = Outbox.objects.filter(
        incident_id=incident.pk, kind__in=[Kind.ESCALATION, Kind.TRUST_ESCALATION]
    )
    done = set(escalations.values_list("kind", flat=True).distinct())
    queued: list[int] = []
    urgent = is_urgent(incident)
    stages = [
        (Kind.ESCALATION, to_dsls_at, 1),
        (Kind.TRUST_ESCALATION, to_trust_at, 2),
    ]
    for kind, due_at, stage in stages:
        if now < due_at or kind in done:
            continue
        if kind == Kind.ESCALATION:
            recipients = [u for u in case_reviewers(school) if u.pk != incident.assigned_to_id]
            reference = incident.reference
        else:
            recipients = trust_leads(school)
            reference = ""
        ids = _queue(
            kind=kind,
            key=str(incident.pk),
            recipients=recipients,
            school=school,
            incident_id=incident.pk,
            reference=reference,
            urgent=urgent,
        )
        if ids:
            audit.record(
                ESCALATED,
                target=incident,
                school=school,
                data={"stage": stage, "recipients": len(ids)},
            )
        queued += ids
    return queued


def escalate_unacknowledged(*, now: datetime | None = None) -> int:
    """Escalate every new case nobody has acknowledged in time. Run every minute by beat."""
    from incidents.models import Incident, Status

    now = now or timezone.now()
    fully_escalated = Outbox.objects.filter(kind=Kind.TRUST_ESCALATION).values("incident_id")
    waiting = (
        Incident.objects.filter(status=Status.NEW, acknowledged_at__isnull=True)
        .exclude(pk__in=fully_escalated)
        .select_related("school__trust")
    )
    return sum(len(escalate(incident, now=now)) for incident in waiting.iterator())


# --- Task reminders and the daily summary ---------------------------------------------------

# Reminders and the daily summary go out from this time (run every 15 minutes by beat: a beat
# that was down at 07:00 still sends them, once).
DIGEST_FROM = time(7, 0)


def remind_tasks(*, now: datetime | None = None) -> list[int]:
    """Tell each open task's owner on the day it is due, and once when it is overdue.

    Sent from 07:00, not at midnight. The message names the case reference only: a task's
    title is the DSL's own words.
    """
    from cases.models import Task
    from incidents.models import Status

    now = timezone.localtime(now or timezone.now())
    if now.time() < DIGEST_FROM:
        return []
    today = now.date()
    open_tasks = (
        Task.objects.filter(done_at__isnull=True, due_on__lte=today, owner__is_active=True)
        .exclude(incident__status=Status.CLOSED)
        .select_related("incident__school", "owner")
    )
    queued: list[int] = []
    for task in open_tasks.iterator():
        kind = Kind.TASK_DUE if task.due_on == today else Kind.TASK_OVERDUE
        queued += _queue(
            kind=kind,
            key=f"{task.pk}",
            recipients=[task.owner],
            school=task.incident.school,
            incident_id=task.incident_id,
            reference=task.incident.reference,
            urgent=False,
        )
    return queued


def open_items(user: User, school: School) -> dict[str, int]:
    """Counts for one DSL's daily summary at one school: numbers only, never words."""
    from cases.models import Task
    from incidents.models import Incident, Status

    today = timezone.localdate()
    cases = Incident.objects.filter(school=school)
    # A closed case's tasks cannot be done any more: they are not chased (nor in reminders).
    tasks = Task.objects.filter(owner=user, done_at__isnull=True, incident__school=school).exclude(
        incident__status=Status.CLOSED
    )
    return {
        "awaiting_acknowledgement": cases.filter(status=Status.NEW).count(),
        "open_cases": cases.exclude(status=Status.CLOSED).count(),
        "tasks_due_today": tasks.filter(due_on=today).count(),
        "tasks_overdue": tasks.filter(due_on__lt=today).count(),
    }


def send_daily_digests(*, now: datetime | None = None) -> list[int]:
    """One summary a school day to each DSL and deputy with anything open at their school."""
    now = timezone.localtime(now or timezone.now())
    if now.time() < DIGEST_FROM:
        return []
    queued: list[int] = []
    schools = School.objects.filter(memberships__role__in=Role.case_reviewers()).distinct()
    for school in schools:
        if not calendar_for(school).is_school_day(now.date()):
            continue
        recipients = [u for u in case_reviewers(school) if any(open_items(u, school).values())]
        queued += _queue(
            kind=Kind.DIGEST,
            key=f"{school.pk}:{now.date().isoformat()}",
            recipients=recipients,
            school=school,
            incident_id=None,
            reference="",
            urgent=False,
        )
    return queued
