"""Queueing and delivering notifications: the outbox, the relay and escalation.

Callers use the notify_* functions inside the transaction that writes the event causing the
notification: one outbox row per recipient is written in that transaction, and after commit a
background thread publishes a send task per row (the request never waits for the broker). If
the broker is down those rows simply wait: `relay_pending` (run every few seconds by beat)
publishes whatever is due and not yet published, so a saved case always gets its messages.

Each row is claimed and sent on its own. A claim is a lease with a fencing token: the sender
holding the token may send until the lease ends, and marks the row sent only if it still holds
it. A sender that dies mid-send leaves a claim that lapses after `LEASE` and the row is sent
again, with the same Message-ID; the only window for a duplicate is between the mail server
accepting the message and the row being marked sent. A refusal (5xx) is final and shown to the
school and the operator at once; a temporary failure (4xx, no answer) is retried with a capped
backoff, and shown to them once the message is `DELIVERY_LIMIT` late.
Arguments and rows are references and ids only: never a pupil's name or what happened.
"""

import logging
import smtplib
import time as clock
import uuid
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from functools import partial
from typing import NamedTuple

from celery.result import EagerResult
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from safeguarding import audit
from safeguarding.models import Role, School, User
from terms.school_days import calendar_for

from .emails import send_email, site_link
from .models import (
    ALERT_KINDS,
    ALERTS_QUEUE,
    FILE_WORK,
    CaseEscalation,
    Failure,
    Heartbeat,
    Kind,
    NotificationSettings,
    Outbox,
    OutboxStatus,
    new_message_id,
)
from .publisher import publish, publisher

logger = logging.getLogger(__name__)

# How long a claim on a row lasts. A sender that has not marked the row sent by then is taken
# to have died, and the row is sent again. Longer than the whole SMTP conversation may take.
LEASE = timedelta(seconds=30)
# The whole SMTP conversation of one message, cut off after this (each step also has
# EMAIL_TIMEOUT): a sender never outlives its lease while it is still talking to the server.
SEND_DEADLINE = 20
# A published send task that has not sent its row by then may have been lost with the broker:
# the relay publishes the row again.
REQUEUE_AFTER = timedelta(seconds=60)
# An alert not delivered by then (or refused) is shown to the school's leads and trust leads,
# and logged at ERROR for the operator.
DELIVERY_LIMIT = timedelta(minutes=5)
# Temporary failures are retried this long; then the row is given up (and still shown).
GIVE_UP_AFTER = timedelta(hours=24)
RELAY_BATCH = 500
# The relay runs every 10 s; a longer silence means something was down.
RELAY_GAP = timedelta(seconds=30)

# The audit action written when a case is escalated (data: stage 1 = other DSLs, 2 = trust).
ESCALATED = "case.escalated"

SENT = "sent"
SKIPPED = "skipped"
RETRY = "retry"
FAILED = "failed"
# Another sender holds the row's lease: look again once it has run out.
HELD = "held"


def backoff(attempts: int, *, alert: bool) -> timedelta:
    """Wait before attempt `attempts + 1` after a temporary failure.

    Alerts: 5, 10, 20, 20 ... seconds, so one arrives within a minute of the mail server
    recovering. Summaries and reminders: 30 s doubling to at most 5 minutes.
    """
    step = max(attempts - 1, 0)
    if alert:
        return timedelta(seconds=min(5 * 2**step, 20))
    return timedelta(seconds=min(30 * 2**step, 300))


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
            queue_name = Outbox(kind=kind).queue
            transaction.on_commit(partial(enqueue, created_ids, queue_name=queue_name), robust=True)
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


def _still_reporting_at(user: User | None, school: School) -> bool:
    """Whether `user` can still open their reports at `school` (an active role there)."""
    return bool(
        user is not None
        and user.is_active
        and user.memberships.filter(school=school, role__in=Role.school_roles()).exists()
    )


def _tell_reporter(*, kind: str, incident) -> list[int]:
    """One message to the member of staff who reported `incident`, while they still work at
    the school (they open it on "My reports"): its reference, never what they wrote."""
    if not _still_reporting_at(incident.reporter, incident.school):
        return []
    return _queue(
        kind=kind,
        key=str(incident.pk),
        recipients=[incident.reporter],
        school=incident.school,
        incident_id=incident.pk,
        reference=incident.reference,
        urgent=False,
    )


def notify_report_sent(*, incident) -> list[int]:
    """Tell the reporter that their concern reached the school's leads: a receipt."""
    return _tell_reporter(kind=Kind.REPORT_RECEIPT, incident=incident)


def notify_report_acknowledged(*, incident, actor: User) -> list[int]:
    """Tell the reporter that a safeguarding lead has acknowledged their report (once). A lead
    who acknowledges their own report is not told what they did."""
    if incident.reporter_id is None or incident.reporter_id == actor.pk:
        return []
    return _tell_reporter(kind=Kind.REPORT_ACKNOWLEDGED, incident=incident)


def notify_task_given(*, task, actor: User) -> list[int]:
    """Tell a task's owner that someone else gave it to them: the case reference and a link,
    never the task's words (the DSL's own)."""
    owner = task.owner
    if owner.pk == actor.pk or not owner.is_active:
        return []
    return _queue(
        kind=Kind.TASK_GIVEN,
        key=f"{task.pk}",
        recipients=[owner],
        school=task.incident.school,
        incident_id=task.incident_id,
        reference=task.incident.reference,
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


def in_process() -> bool:
    from .tasks import send_outbox_message

    return bool(send_outbox_message.app.conf.task_always_eager)


def enqueue(outbox_ids: list[int], *, queue_name: str = ALERTS_QUEUE) -> None:
    """Have each row sent. Run after commit; never raises, never waits for the broker.

    With a broker, a background thread publishes the send tasks (publisher.py). With no broker
    the rows are sent here, in-process; a mail server that fails costs one attempt and the
    rest wait for the relay.
    """
    from .tasks import send_outbox_message

    if not in_process():
        publisher.submit(outbox_ids, queue_name=queue_name)
        return
    for outbox_id in outbox_ids:
        try:
            result = send_outbox_message.delay(outbox_id)
        except Exception as exc:
            logger.warning(
                "notifications: could not send outbox message %s (%s); the relay will send it",
                outbox_id,
                type(exc).__name__,
            )
            return
        if isinstance(result, EagerResult) and result.result == RETRY:
            return


# --- Delivering -----------------------------------------------------------------------------


def _claim(outbox_id: int, *, now: datetime) -> uuid.UUID | None:
    """Claim one row for sending: a waiting row, or one whose sender's lease ran out."""
    token = uuid.uuid4()
    claimable = Q(status=OutboxStatus.PENDING) | Q(status=OutboxStatus.SENDING, lease_until__lt=now)
    claimed = Outbox.objects.filter(claimable, pk=outbox_id).update(
        status=OutboxStatus.SENDING,
        claim_token=token,
        claimed_at=now,
        lease_until=now + LEASE,
    )
    return token if claimed == 1 else None


def _message_for(row: Outbox) -> tuple[str, dict]:
    if row.kind in (Kind.TRUST_ESCALATION, Kind.NO_LEAD, Kind.NO_DEPUTY):
        # Trust leads and school admins learn only that a school has a case waiting: no
        # reference, no link to it.
        return row.kind, {"school_name": row.school.name, "urgent": row.urgent}
    if row.kind in (Kind.LEAD_ADDED, Kind.TWO_FACTOR_RESET):
        # Names the school only: who was given the role (or reset the sign-in) is for the
        # recipient to see once signed in.
        return row.kind, {"school_name": row.school.name if row.school else ""}
    if row.kind == Kind.LEAD_REQUESTED:
        return row.kind, {"school_name": row.school.name, "link": site_link(row.case_path)}
    if row.kind == Kind.BRIEFING_REMINDER:
        return "briefing_reminder", {"link": site_link(row.case_path)}
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
            "files_link": site_link(f"/s/{row.school.slug}/records/"),
            **open_items(row.recipient, row.school),
        }
    return row.kind, {
        "reference": row.reference,
        "case_link": site_link(row.case_path),
        "urgent": row.urgent,
    }


def _held(row: Outbox, token: uuid.UUID):
    """The row, narrowed to the claim `token`: an update through it is a no-op once the claim
    has been lost (lease over and taken by another sender)."""
    return Outbox.objects.filter(pk=row.pk, claim_token=token, status=OutboxStatus.SENDING)


def _send_claimed(outbox_id: int, token: uuid.UUID) -> str:
    row = Outbox.objects.select_related("recipient", "school").get(pk=outbox_id)
    if not row.recipient.is_active:
        _held(row, token).update(
            status=OutboxStatus.FAILED,
            failure=Failure.ACCOUNT_CLOSED,
            last_error="The recipient's account is switched off.",
            claim_token=None,
            lease_until=None,
            flagged_at=timezone.now() if row.is_alert else None,
        )
        if row.is_alert:
            logger.error(
                "notifications: alert not delivered: outbox message %s (%s%s): the recipient's"
                " account is closed; shown to the school's safeguarding leads and trust leads",
                row.pk,
                row.kind,
                f" {row.reference}" if row.reference else "",
            )
        return FAILED
    if not row.message_id:  # written before rows had one
        Outbox.objects.filter(pk=row.pk, message_id="").update(message_id=new_message_id())
        row.message_id = Outbox.objects.values_list("message_id", flat=True).get(pk=row.pk)
    # Renew the lease just before talking to the mail server, and make sure it is still ours:
    # a sender paused past its lease must not send a row someone else has taken.
    now = timezone.now()
    if not _held(row, token).update(lease_until=now + LEASE):
        return SKIPPED
    name, context = _message_for(row)
    try:
        send_email(
            name,
            to=[row.recipient.email],
            context=context,
            message_id=row.message_id,
            deadline=SEND_DEADLINE,
        )
    except Exception as exc:
        return _record_failure(row, token, exc)
    _mark_sent(row, token)
    _wake_after_recovery()
    return SENT


def _mark_sent(row: Outbox, token: uuid.UUID) -> None:
    """The mail server has the message: record it, through a database blip if need be.

    Until this succeeds the row is "sending"; if the lease runs out first, another sender sends
    it again (the one duplicate an acknowledgement loss can cause).
    """
    deadline = clock.monotonic() + LEASE.total_seconds() / 2
    while True:
        try:
            marked = _held(row, token).update(
                status=OutboxStatus.SENT,
                sent_at=timezone.now(),
                attempts=F("attempts") + 1,
                last_error="",
                failure="",
                claim_token=None,
                lease_until=None,
                queued_at=None,
            )
            break
        except (OperationalError, InterfaceError) as exc:
            if clock.monotonic() > deadline:
                logger.error(
                    "notifications: outbox message %s was sent but could not be marked sent"
                    " (%s); it may be sent twice",
                    row.pk,
                    type(exc).__name__,
                )
                return
            connection.close()  # the next query opens a new one
            clock.sleep(1)
    if not marked:
        logger.warning(
            "notifications: outbox message %s was sent after its claim had run out; it may"
            " arrive twice",
            row.pk,
        )


def _wake_after_recovery() -> None:
    """A send went through: whatever is waiting out a backoff from earlier failures is due now,
    and the relay is asked to send it at once rather than at its next turn."""
    now = timezone.now()
    woken = Outbox.objects.filter(
        status=OutboxStatus.PENDING, attempts__gt=0, next_attempt_at__gt=now
    ).update(next_attempt_at=now, queued_at=None)
    if woken and not in_process():
        from .tasks import relay_pending

        try:
            relay_pending.apply_async()
        except Exception as exc:
            logger.warning("notifications: could not wake the relay (%s)", type(exc).__name__)


# Codes that mean our own set-up is wrong (sign-in to the mail server), not the message: they
# are retried, and show up as alerts not delivered in time.
SERVER_SET_UP_CODES = frozenset({530, 534, 535, 538})


def refused_permanently(exc: Exception) -> bool:
    """A 5xx answer about this message or its recipient: sending it again will not help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPConnectError | smtplib.SMTPAuthenticationError):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600 and exc.smtp_code not in SERVER_SET_UP_CODES
    return False


def _smtp_code(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return ",".join(str(code) for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return str(exc.smtp_code)
    return type(exc).__name__


def _record_failure(row: Outbox, token: uuid.UUID, exc: Exception) -> str:
    now = timezone.now()
    attempts = row.attempts + 1
    if refused_permanently(exc):
        failure, status = Failure.REFUSED, OutboxStatus.FAILED
    elif now - row.created_at >= GIVE_UP_AFTER:
        failure, status = Failure.GAVE_UP, OutboxStatus.FAILED
    else:
        failure, status = Failure.TEMPORARY, OutboxStatus.PENDING
    final = status == OutboxStatus.FAILED
    _held(row, token).update(
        status=status,
        failure=failure,
        attempts=attempts,
        last_error=f"{type(exc).__name__}: {exc}"[:300],
        next_attempt_at=now + backoff(attempts, alert=row.is_alert),
        claim_token=None,
        lease_until=None,
        queued_at=None,
        flagged_at=now if final and row.is_alert else row.flagged_at,
    )
    if final and row.is_alert:
        # For the service operator: references and codes only.
        logger.error(
            "notifications: alert not delivered: outbox message %s (%s%s) %s (%s); shown to the"
            " school's safeguarding leads and trust leads",
            row.pk,
            row.kind,
            f" {row.reference}" if row.reference else "",
            "refused by the mail server" if failure == Failure.REFUSED else "given up",
            _smtp_code(exc),
        )
    else:
        logger.warning(
            "notifications: outbox message %s attempt %s failed (%s)%s",
            row.pk,
            attempts,
            _smtp_code(exc),
            "; refused" if final else "",
        )
    return FAILED if final else RETRY


def deliver(outbox_id: int) -> str:
    """Send one row's email unless someone else already has (or is sending it now)."""
    now = timezone.now()
    token = _claim(outbox_id, now=now)
    if token is None:
        status = Outbox.objects.filter(pk=outbox_id).values_list("status", flat=True).first()
        return HELD if status == OutboxStatus.SENDING else SKIPPED
    return _send_claimed(outbox_id, token)


def lease_left(outbox_id: int) -> float:
    """Seconds until the current claim on a row runs out (0 if it has, or there is none)."""
    until = Outbox.objects.filter(pk=outbox_id).values_list("lease_until", flat=True).first()
    return max((until - timezone.now()).total_seconds(), 0.0) if until else 0.0


def undelivered_alerts(*, now: datetime | None = None):
    """Alerts refused, given up, or still not delivered `DELIVERY_LIMIT` after they were
    written, that nobody at the school has dealt with yet."""
    return Outbox.objects.filter(undelivered_alert(now=now))


def undelivered_alert(*, now: datetime | None = None) -> Q:
    """The condition `undelivered_alerts` selects by."""
    now = now or timezone.now()
    return Q(kind__in=ALERT_KINDS, resolved_at__isnull=True) & (
        Q(status=OutboxStatus.FAILED)
        | Q(
            status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING],
            created_at__lte=now - DELIVERY_LIMIT,
        )
    )


def _flag_late_alerts(now: datetime) -> int:
    """Log each alert that has become late, once, at ERROR: the operator's signal."""
    late = list(
        undelivered_alerts(now=now)
        .filter(flagged_at__isnull=True)
        .values_list("pk", "kind", "reference", "attempts", "failure")[:RELAY_BATCH]
    )
    for pk, kind, reference, attempts, failure in late:
        if Outbox.objects.filter(pk=pk, flagged_at__isnull=True).update(flagged_at=now):
            logger.error(
                "notifications: alert not delivered after %s minutes: outbox message %s (%s%s),"
                " %s attempts (%s); shown to the school's safeguarding leads and trust leads",
                int(DELIVERY_LIMIT.total_seconds() // 60),
                pk,
                kind,
                f" {reference}" if reference else "",
                attempts,
                failure or "not tried yet",
            )
    return len(late)


def relay_pending(*, limit: int = RELAY_BATCH, recovered: bool = False) -> dict[str, int]:
    """Have every row that is due sent: never published (broker was down), lost with the
    broker, due for another attempt, or left "sending" by a sender that died.

    With a broker, publishes one send task per row on its queue (alerts first) and returns at
    once: rows are never sent one after another here. `recovered`: the broker has just come
    back and may have lost what it held, so rows published before are published again.
    Without a broker, sends them here, stopping at the first temporary failure.
    """
    now = timezone.now()
    # The relay itself stopped for a while (database, beat or worker down): whatever was
    # published before may never have run, so publish it again now rather than a minute later.
    silent = Heartbeat.age("relay", now=now)
    if silent is not None and silent > RELAY_GAP:
        recovered = True
    Outbox.objects.filter(status=OutboxStatus.SENDING, lease_until__lt=now).update(
        status=OutboxStatus.PENDING, claim_token=None, lease_until=None, queued_at=None
    )
    _flag_late_alerts(now)
    due = Outbox.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
    counts = {"queued": 0, SENT: 0, RETRY: 0, FAILED: 0}
    if in_process():
        for outbox_id in due.order_by("-urgent", "next_attempt_at", "pk").values_list(
            "pk", flat=True
        )[:limit]:
            result = deliver(outbox_id)
            if result in counts:
                counts[result] += 1
            if result == RETRY:
                break  # the mail server is failing: the rest wait for their next turn
    else:
        quiet_for = timedelta(0) if recovered else REQUEUE_AFTER
        republishable = Q(queued_at__isnull=True) | Q(queued_at__lt=now - quiet_for)
        rows = list(
            due.filter(republishable)
            .order_by("-urgent", "next_attempt_at", "pk")
            .values_list("pk", "kind")[:limit]
        )
        by_queue: dict[str, list[int]] = {}
        for pk, kind in rows:
            by_queue.setdefault(Outbox(kind=kind).queue, []).append(pk)
        for queue_name in sorted(by_queue, key=lambda name: name != ALERTS_QUEUE):
            # Marked before publishing, so that two relays at once publish each row once.
            mine = [
                pk
                for pk in by_queue[queue_name]
                if due.filter(republishable, pk=pk).update(queued_at=now)
            ]
            published = publish(mine, queue_name=queue_name)
            counts["queued"] += len(published)
            if len(published) < len(mine):
                unpublished = mine[len(published) :]
                Outbox.objects.filter(pk__in=unpublished, queued_at=now).update(queued_at=None)
                break
    Heartbeat.beat("relay")
    return counts


# --- Alerts that did not get through -------------------------------------------------------

RESENT = "notification.resent"
DEALT_WITH = "notification.dealt_with"


def undelivered_alerts_at(schools) -> list[Outbox]:
    """Undelivered alerts at `schools`, oldest first, for the school's leads to act on."""
    return list(
        undelivered_alerts()
        .filter(school__in=schools)
        .select_related("recipient", "school")
        .order_by("created_at", "pk")
    )


@transaction.atomic
def resend(*, actor: User, outbox: Outbox, request=None) -> Outbox:
    """Send an undelivered alert again, as a new message (its own Message-ID); the old one is
    marked dealt with. Use once the person's address or the mail server is put right."""
    now = timezone.now()
    copy = Outbox.objects.create(
        recipient=outbox.recipient,
        kind=outbox.kind,
        reference=outbox.reference,
        incident_id=outbox.incident_id,
        school=outbox.school,
        urgent=outbox.urgent,
        idempotency_key=f"resend:{outbox.pk}:{uuid.uuid4()}"[:200],
    )
    Outbox.objects.filter(pk=outbox.pk).update(resolved_at=now, resolved_by=actor)
    audit.record(
        RESENT,
        actor=actor,
        target=outbox,
        school=outbox.school,
        request=request,
        data={"kind": outbox.kind, "reference": outbox.reference, "new_outbox": copy.pk},
    )
    transaction.on_commit(partial(enqueue, [copy.pk], queue_name=copy.queue), robust=True)
    return copy


@transaction.atomic
def mark_dealt_with(*, actor: User, outbox: Outbox, request=None) -> None:
    """Someone told the person another way (in person, by phone): the alert stops being shown.
    It is still sent if the mail server takes it later."""
    Outbox.objects.filter(pk=outbox.pk).update(resolved_at=timezone.now(), resolved_by=actor)
    audit.record(
        DEALT_WITH,
        actor=actor,
        target=outbox,
        school=outbox.school,
        request=request,
        data={"kind": outbox.kind, "reference": outbox.reference},
    )


class AlertState(NamedTuple):
    """What the member of staff who reported a concern is told about its alert."""

    state: str  # "seen", "alerted", "sending", "not_alerted", "no_lead"
    at: datetime | None = None


def alert_states(incidents, *, now: datetime | None = None) -> dict:
    """For each incident: has a safeguarding lead been alerted, and when? Reporters read this
    on "My reports" to know whether they must tell the DSL in person."""
    now = now or timezone.now()
    ids = [incident.pk for incident in incidents]
    rows: dict = {}
    for incident_id, kind, status, sent_at, created_at in Outbox.objects.filter(
        incident_id__in=ids, kind__in=[Kind.NEW_CASE, Kind.NO_LEAD]
    ).values_list("incident_id", "kind", "status", "sent_at", "created_at"):
        rows.setdefault(incident_id, []).append((kind, status, sent_at, created_at))
    states = {}
    for incident in incidents:
        found = rows.get(incident.pk, [])
        alerts = [
            (status, at, created) for kind, status, at, created in found if kind == Kind.NEW_CASE
        ]
        sent = sorted(at for _, at, _ in alerts if at)
        if incident.acknowledged_at:
            states[incident.pk] = AlertState("seen", incident.acknowledged_at)
        elif sent:
            states[incident.pk] = AlertState("alerted", sent[0])
        elif not alerts and (found or not case_reviewers(incident.school)):
            states[incident.pk] = AlertState("no_lead")
        elif any(
            status != OutboxStatus.FAILED and now - created < DELIVERY_LIMIT
            for status, _, created in alerts
        ):
            states[incident.pk] = AlertState("sending")
        else:
            states[incident.pk] = AlertState("not_alerted")
    return states


def schools_without_deputy(schools) -> list[School]:
    """Of `schools`, those with fewer than two active safeguarding leads (and at least one)."""
    return list(
        School.objects.filter(pk__in=[s.pk for s in schools])
        .annotate(
            leads=Count(
                "memberships__user",
                filter=Q(
                    memberships__role__in=Role.case_reviewers(),
                    memberships__user__is_active=True,
                ),
                distinct=True,
            )
        )
        .filter(leads=1)
        .order_by("name")
    )


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


# A case with nobody left to tell is looked at again this often (someone may have been given a
# role since), not every minute.
STRANDED_RECHECK = timedelta(hours=1)
# The audit action written when escalation finds nobody left to tell about a case.
STRANDED = "case.escalation_stranded"


def _told_about(incident) -> set:
    """Everyone already sent anything about this case (its alert, an escalation)."""
    return set(
        Outbox.objects.filter(incident_id=incident.pk).values_list("recipient_id", flat=True)
    )


def _overseers(school: School) -> list[User]:
    """Who hears that a school's case is waiting, beyond its leads: the trust's leads, or the
    school's admins when it has no trust lead."""
    return trust_leads(school) or holders(school, [Role.SCHOOL_ADMIN])


def has_no_deputy(school: School) -> bool:
    """One safeguarding lead (or none): nobody to pass a case to when they are away."""
    return len(case_reviewers(school)) < 2


@transaction.atomic
def escalate(incident, *, now: datetime | None = None) -> list[int]:
    """Queue whatever escalation is due for one unacknowledged case. Safe to repeat.

    Stage 1 (after the school's acknowledgement time): the school's DSLs and deputies who have
    not been told yet. At a school with no deputy, its admins and trust leads are also told that
    there is nobody to pass the case to. Stage 2 (the same time again): the trust's leads (the
    school's admins when it has no trust). Each stage tells only people not told before; a stage
    with nobody new moves straight on to the next; when the last finds nobody, the case is
    "stranded": logged for the operator, shown on the health page, looked at hourly.
    """
    now = now or timezone.now()
    school = incident.school
    state, _ = CaseEscalation.objects.select_for_update().get_or_create(
        incident_id=incident.pk, defaults={"school": school, "checked_at": now}
    )
    if state.stage >= 2 and (
        state.stranded_at is None or now - state.checked_at < STRANDED_RECHECK
    ):
        return []
    rules = NotificationSettings.for_school(school)
    to_leads_at, to_trust_at = escalation_deadlines(incident, rules)
    if now < to_leads_at:
        return []
    urgent = is_urgent(incident)
    told = _told_about(incident)

    def tell(kind: str, people: list[User], reference: str) -> list[int]:
        return _queue(
            kind=kind,
            key=str(incident.pk),
            recipients=[u for u in people if u.pk not in told],
            school=school,
            incident_id=incident.pk,
            reference=reference,
            urgent=urgent,
        )

    queued: list[int] = []
    move_on = False
    if state.stage < 1:
        leads = [u for u in case_reviewers(school) if u.pk != incident.assigned_to_id]
        ids = tell(Kind.ESCALATION, leads, incident.reference)
        if has_no_deputy(school):
            flag_to = holders(school, [Role.SCHOOL_ADMIN]) + trust_leads(school)
            ids += tell(Kind.NO_DEPUTY, flag_to, "")
        state.stage = 1
        if ids:
            _record_stage(incident, stage=1, recipients=len(ids))
        move_on = not ids
        queued += ids
    if state.stage == 1 and (move_on or now >= to_trust_at):
        ids = tell(Kind.TRUST_ESCALATION, _overseers(school), "")
        state.stage = 2
        if ids:
            _record_stage(incident, stage=2, recipients=len(ids))
        else:
            _strand(state, incident, now)
        queued += ids
    elif state.stage >= 2 and state.stranded_at is not None:
        # Looked at hourly: has anyone been given a role since?
        ids = tell(Kind.ESCALATION, case_reviewers(school), incident.reference)
        ids += tell(Kind.TRUST_ESCALATION, _overseers(school), "")
        if ids:
            _record_stage(incident, stage=2, recipients=len(ids))
            state.stranded_at = None
        queued += ids
    state.checked_at = now
    state.save()
    return queued


def _record_stage(incident, *, stage: int, recipients: int) -> None:
    audit.record(
        ESCALATED,
        target=incident,
        school=incident.school,
        data={"stage": stage, "recipients": recipients},
    )


def _strand(state: CaseEscalation, incident, now: datetime) -> None:
    state.stranded_at = now
    audit.record(STRANDED, target=incident, school=incident.school, data={"stage": state.stage})
    logger.error(
        "notifications: case %s is unacknowledged and escalation has nobody left to tell;"
        " shown on the health page",
        incident.reference,
    )


def escalate_unacknowledged(*, now: datetime | None = None) -> int:
    """Escalate every new case nobody has acknowledged in time. Run every minute by beat.

    Cases fully escalated are left alone; stranded ones are looked at hourly.
    """
    from incidents.models import Incident, Status

    now = now or timezone.now()
    settled = CaseEscalation.objects.filter(stage__gte=2).filter(
        Q(stranded_at__isnull=True) | Q(checked_at__gt=now - STRANDED_RECHECK)
    )
    waiting = (
        Incident.objects.filter(status=Status.NEW, acknowledged_at__isnull=True)
        .exclude(pk__in=settled.values("incident_id"))
        .select_related("school__trust")
    )
    queued = sum(len(escalate(incident, now=now)) for incident in waiting.iterator())
    Heartbeat.beat("escalation")
    return queued


def stranded_cases():
    """Unacknowledged cases with nobody left to escalate to (for the operator's health page)."""
    from incidents.models import Incident, Status

    waiting = Incident.objects.filter(status=Status.NEW, acknowledged_at__isnull=True)
    return CaseEscalation.objects.filter(
        stranded_at__isnull=False, incident_id__in=waiting.values("pk")
    ).select_related("school")


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
    """Counts for one DSL's daily summary at one school: numbers only, never words. Besides the
    cases, the school's file work (records.work.digest_counts): files to send or accept,
    reviews due, subject access requests due or overdue."""
    from cases.models import Task
    from incidents.models import Incident, Status
    from records.work import digest_counts

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
        **digest_counts(school, today=today),
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


def send_briefing_reminders(*, now: datetime | None = None) -> list[int]:
    """Once a week, one line to each member of staff who has not read the current staff
    briefing: sent on the first school day of the week (at their first school) it runs on."""
    from guidance.services import staff_to_remind

    now = timezone.localtime(now or timezone.now())
    if now.weekday() >= 5 or now.time() < DIGEST_FROM:
        return []
    year, week, _ = now.isocalendar()
    queued: list[int] = []
    for person in staff_to_remind():
        school = (
            School.objects.filter(
                memberships__user=person, memberships__role__in=Role.school_roles()
            )
            .order_by("name")
            .first()
        )
        if school is None or not calendar_for(school).is_school_day(now.date()):
            continue
        queued += _queue(
            kind=Kind.BRIEFING_REMINDER,
            key=f"{year}-W{week:02d}",
            recipients=[person],
            school=school,
            incident_id=None,
            reference="",
            urgent=False,
        )
    return queued
