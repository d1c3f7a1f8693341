"""The outbox of messages to staff, and each school's escalation settings.

An `Outbox` row is one message to one person. It is written in the same transaction as the
event that causes it, so a message exists exactly when its case does; delivery happens after
commit and is retried until it succeeds. The same rows are the person's in-app notifications.
Rows hold a case reference and ids only: never a pupil's name or what happened.
"""

from datetime import datetime, time, timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils import timezone

from safeguarding.models import Membership, Role, School
from terms.school_days import SchoolCalendar, calendar_for


class Kind(models.TextChoices):
    NEW_CASE = "new_case", "New concern"
    FOLLOW_UP = "follow_up", "More information added"
    ESCALATION = "escalation", "Concern not yet acknowledged"
    TRUST_ESCALATION = "trust_escalation", "Concern awaiting acknowledgement at a school"
    TASK_DUE = "task_due", "Task due today"
    TASK_OVERDUE = "task_overdue", "Task overdue"
    DIGEST = "digest", "Daily summary"
    LEAD_ADDED = "lead_added", "New safeguarding lead added"
    LEAD_REQUESTED = "lead_requested", "A new safeguarding lead needs your confirmation"
    TWO_FACTOR_RESET = "two_factor_reset", "Your two-factor sign-in was reset"
    NO_LEAD = "no_lead", "Concern reported at a school with no safeguarding lead"
    # A child protection file's life (records/): each names a reference at most, never a pupil.
    FILE_TO_SEND = "file_to_send", "A leaver's child protection file is due to be sent"
    FILE_OVERDUE = "file_overdue", "A leaver's child protection file is overdue"
    FILE_INCOMING = "file_incoming", "A child protection file has been sent to your school"
    FILE_NOT_ACCEPTED = "file_not_accepted", "A file you sent has not been accepted"
    FILE_REJECTED = "file_rejected", "A file you sent was rejected"
    RECEIPT_NOT_CONFIRMED = "receipt_missing", "A file you exported is not confirmed received"
    REVIEW_DUE = "review_due", "A child protection file is due for its retention review"
    REQUEST_DUE = "request_due", "A subject access request is due soon"
    REQUEST_OVERDUE = "request_overdue", "A subject access request is overdue"
    NO_DEPUTY = "no_deputy", "Concern waiting at a school with no deputy safeguarding lead"
    BRIEFING_REMINDER = "briefing", "Staff briefing still to read"
    # To the member of staff who reported a concern: its reference only, never what they wrote.
    REPORT_RECEIPT = "report_receipt", "Your report was sent"
    REPORT_ACKNOWLEDGED = "report_seen", "Your report was acknowledged"
    # To a task's owner when someone else gives it to them: the case reference, never the task.
    TASK_GIVEN = "task_given", "Task given to you"


# Messages about a file's life: they point at the school's files and requests page.
FILE_WORK = frozenset(
    {
        Kind.FILE_TO_SEND,
        Kind.FILE_OVERDUE,
        Kind.FILE_INCOMING,
        Kind.FILE_NOT_ACCEPTED,
        Kind.FILE_REJECTED,
        Kind.RECEIPT_NOT_CONFIRMED,
        Kind.REVIEW_DUE,
        Kind.REQUEST_DUE,
        Kind.REQUEST_OVERDUE,
    }
)


# Messages to a task's owner: pastoral staff, who never open a case, are sent to their tasks.
ABOUT_A_TASK = frozenset({Kind.TASK_GIVEN, Kind.TASK_DUE, Kind.TASK_OVERDUE})


# Messages to the reporter: they point at the report on "My reports", never at the case.
TO_REPORTER = frozenset({Kind.REPORT_RECEIPT, Kind.REPORT_ACKNOWLEDGED})


# Messages about a concern, sent on their own queue and worker so that nothing waits behind
# summaries or reminders. One that cannot be delivered is shown in the app to the school's
# safeguarding leads and trust leads, and to the service operator.
ALERT_KINDS = frozenset(
    {
        Kind.NEW_CASE,
        Kind.FOLLOW_UP,
        Kind.ESCALATION,
        Kind.TRUST_ESCALATION,
        Kind.NO_LEAD,
        Kind.NO_DEPUTY,
    }
)
ALERTS_QUEUE = "alerts"
DEFAULT_QUEUE = "celery"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Failure(models.TextChoices):
    """Why the last attempt did not deliver, for people deciding what to do about it."""

    TEMPORARY = "temporary", "The mail server did not take it yet"
    REFUSED = "refused", "The mail server refused it"
    GAVE_UP = "gave_up", "The mail server did not take it for a day"
    ACCOUNT_CLOSED = "closed", "The person's account is closed"


def new_message_id() -> str:
    """A Message-ID for one outbox row, kept for every attempt so that a mail system that sees
    the same message twice (a send whose acknowledgement was lost) can tell."""
    return make_msgid(domain=urlsplit(settings.SITE_URL).hostname or "localhost")


class Outbox(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Blank for messages to trust leads: they never see case references.
    reference = models.CharField(max_length=16, blank=True)
    incident_id = models.UUIDField(null=True, blank=True, db_index=True)
    # Blank only for a two-factor reset done by the technical team (no school did it).
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    urgent = models.BooleanField(default=False)

    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    failure = models.CharField(max_length=10, choices=Failure.choices, blank=True)
    # The relay leaves a row alone until then: backoff after a failed attempt.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # When a send task for it was last published: the relay publishes again only if that task
    # has had time to run and the row is still waiting (the broker may have lost it).
    queued_at = models.DateTimeField(null=True, blank=True)
    # A claim is a lease: the sender holding `claim_token` may send until `lease_until`. After
    # that the row is anyone's again (its sender died); marking it sent needs the same token.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=250, blank=True, default=new_message_id)
    # Not delivered in time (or refused): when the service operator was told (an ERROR log
    # line), and who at the school dealt with it (told the person another way).
    flagged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # One row per (event, recipient): writing the same message twice is a no-op.
    idempotency_key = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "outbox message"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outbox_pending_due",
            ),
            models.Index(fields=["recipient", "read_at"], name="outbox_recipient_unread"),
            models.Index(
                fields=["school", "created_at"],
                condition=~models.Q(status="sent") & models.Q(resolved_at__isnull=True),
                name="outbox_unsent_by_school",
            ),
        ]

    def __str__(self) -> str:
        about = self.reference or f"school {self.school_id}"
        return f"{self.get_kind_display()} {about} to {self.recipient_id}"

    @property
    def is_alert(self) -> bool:
        return self.kind in ALERT_KINDS

    @property
    def queue(self) -> str:
        return ALERTS_QUEUE if self.is_alert else DEFAULT_QUEUE

    @property
    def case_path(self) -> str:
        """Where the message points in the app: the case, the school's cases, or nowhere."""
        if self.kind in FILE_WORK:
            return f"/s/{self.school.slug}/records/"
        if self.kind in TO_REPORTER:
            return f"/my-reports/{self.reference}/"
        if self.kind in ABOUT_A_TASK and self.school_id and not self._reviews_cases():
            return f"/s/{self.school.slug}/my-tasks/"
        if self.reference:
            return f"/cases/{self.reference}/"
        if self.kind == Kind.DIGEST:
            return f"/s/{self.school.slug}/cases/"
        if self.kind in (Kind.LEAD_ADDED, Kind.NO_LEAD, Kind.NO_DEPUTY):
            return "/"  # the home page lists each school's safeguarding leads
        if self.kind == Kind.BRIEFING_REMINDER:
            return "/guidance/briefing/"
        if self.kind == Kind.LEAD_REQUESTED:
            return f"/s/{self.school.slug}/people/lead-requests/"
        return ""

    def _reviews_cases(self) -> bool:
        return Membership.objects.filter(
            user_id=self.recipient_id, school_id=self.school_id, role__in=Role.case_reviewers()
        ).exists()


class NotificationSettings(models.Model):
    """How long a school's DSLs have to acknowledge a new case before it is escalated."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="notification_settings"
    )
    urgent_acknowledge_minutes = models.PositiveIntegerField(
        default=30,
        help_text="Urgent cases (immediate referral or danger): minutes before escalating.",
    )
    school_day_ends_at = models.TimeField(
        default=time(17, 0),
        help_text="Other cases must be acknowledged by this time on the next school day.",
    )

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"Notification settings for {self.school}"

    @classmethod
    def for_school(cls, school: School) -> "NotificationSettings":
        """The school's settings, or the defaults (unsaved) when it has none."""
        found = cls.objects.filter(school=school).first()
        return found or cls(school=school)

    def deadline_after(self, start: datetime, *, urgent: bool) -> datetime:
        """When a case waiting since `start` becomes overdue for acknowledgement."""
        if urgent:
            return start + timedelta(minutes=self.urgent_acknowledge_minutes)
        # The school's term dates (terms/): holidays and closed days are not school days.
        local = timezone.localtime(start)
        calendar = calendar_for(self.school) if self.school_id else SchoolCalendar()
        day = calendar.next_school_day(local.date())
        naive = datetime.combine(day, self.school_day_ends_at)
        return timezone.make_aware(naive, timezone.get_current_timezone())


class Heartbeat(models.Model):
    """When a periodic part of the service last did its work: beat's scheduler, the relay,
    the escalation check. The health endpoint turns red when one falls silent."""

    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def beat(cls, name: str) -> None:
        cls.objects.update_or_create(name=name, defaults={"at": timezone.now()})

    @classmethod
    def age(cls, name: str, *, now: datetime | None = None) -> timedelta | None:
        at = cls.objects.filter(name=name).values_list("at", flat=True).first()
        return None if at is None else (now or timezone.now()) - at


class CaseEscalation(models.Model):
    """How far one unacknowledged case has been escalated, so each stage runs once and a case
    with nobody left to tell is not looked at every minute (it is shown to the operator)."""

    incident_id = models.UUIDField(unique=True)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    # 0: not yet; 1: the school's other leads (and, without a deputy, its admins and trust);
    # 2: the trust (or, with no trust, the school's admins).
    stage = models.PositiveSmallIntegerField(default=0)
    stranded_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Escalation of {self.incident_id}: stage {self.stage}"
