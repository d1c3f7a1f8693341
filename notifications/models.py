"""The outbox of messages to staff, and each school's escalation settings.

An `Outbox` row is one message to one person. It is written in the same transaction as the
event that causes it, so a message exists exactly when its case does; delivery happens after
commit and is retried until it succeeds. The same rows are the person's in-app notifications.
Rows hold a case reference and ids only: never a pupil's name or what happened.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from safeguarding.models import School
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


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


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
    # The relay leaves a row alone until then: backoff after a failed attempt.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
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
        ]

    def __str__(self) -> str:
        about = self.reference or f"school {self.school_id}"
        return f"{self.get_kind_display()} {about} to {self.recipient_id}"

    @property
    def case_path(self) -> str:
        """Where the message points in the app: the case, the school's cases, or nowhere."""
        if self.kind in FILE_WORK:
            return f"/s/{self.school.slug}/records/"
        if self.reference:
            return f"/cases/{self.reference}/"
        if self.kind == Kind.DIGEST:
            return f"/s/{self.school.slug}/cases/"
        if self.kind in (Kind.LEAD_ADDED, Kind.NO_LEAD):
            return "/"  # the home page lists each school's safeguarding leads
        if self.kind == Kind.LEAD_REQUESTED:
            return f"/s/{self.school.slug}/people/lead-requests/"
        return ""


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
