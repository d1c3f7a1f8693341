"""A pupil's child protection file over its life: sent to a new school, kept, reviewed and
disposed of, and disclosed on a subject access request.

The file itself is the pupil's part in the school's cases (incidents/, cases/) plus any file
received from an earlier school. Rows here hold what happened to it; every change writes one
audit event (ids, enums, counts and dates only). A file's content is copied in two places,
each erased when the file is disposed of: what was sent (`Transfer.content`,
`SecureExport.content`) and what was received (`ReceivedFile.content`).
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from incidents.models import REFERENCE_ALPHABET, Pupil
from safeguarding.models import School


def _reference(prefix: str) -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{prefix}-{chars[:4]}-{chars[4:]}"


def transfer_reference() -> str:
    return _reference("FT")


def export_reference() -> str:
    return _reference("FX")


def request_reference() -> str:
    return _reference("SAR")


class Transfer(models.Model):
    """The file sent to another school that uses the service. Only the sender sees `content`;
    the receiving school gets its own copy (`ReceivedFile`) when it accepts."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the new school"
        VIEWED = "viewed", "Seen by the new school"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN = (Status.PENDING, Status.VIEWED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=16, unique=True, default=transfer_reference)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="+")
    from_school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    to_school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    content = models.JSONField(default=dict, help_text="The file exactly as sent.")
    other_names_kept = models.BooleanField(default=False)
    other_names_reason = models.TextField(blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(help_text="Accepted by this day, or the sender is reminded.")
    viewed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["to_school", "status"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class ReceivedFile(models.Model):
    """A file another school sent, owned by the school that accepted it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="received_files")
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, related_name="received_file"
    )
    from_school_name = models.CharField(max_length=200)
    content = models.JSONField(default=dict)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]


class SecureExport(models.Model):
    """The file for a school outside the service: a PDF and the same content as JSON in an
    encrypted archive. Its password is shown once and never stored; the archive is kept only
    until the DSL says it was sent (or a day has passed)."""

    class Method(models.TextChoices):
        SECURE_EMAIL = "secure_email", "Secure (encrypted) email"
        BY_HAND = "by_hand", "Handed over in person (encrypted memory stick)"
        COURIER = "courier", "Courier or tracked post (encrypted memory stick)"
        OTHER = "other", "Another secure way"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=16, unique=True, default=export_reference)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    recipient_school = models.CharField(max_length=200)
    content = models.JSONField(default=dict, help_text="The file exactly as exported.")
    archive = models.BinaryField(null=True, blank=True)
    archive_sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_on = models.DateField(null=True, blank=True)
    method = models.CharField(max_length=20, choices=Method.choices, blank=True)
    sent_to = models.CharField(max_length=200, blank=True, help_text="Who it was sent to.")
    due_on = models.DateField(
        null=True, blank=True, help_text="Receipt confirmed by this day, or the DSL is reminded."
    )
    receipt_confirmed_on = models.DateField(null=True, blank=True)
    receipt_confirmed_by = models.CharField(max_length=200, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reference

    @property
    def stage(self) -> str:
        if self.withdrawn_at:
            return "withdrawn"
        if self.receipt_confirmed_on:
            return "confirmed"
        if self.sent_on:
            return "sent"
        return "made"


class RetentionPolicy(models.Model):
    """A version of the school's rule for when a file is reviewed. Versions are never edited:
    a change is a new version, and each decision names the version it followed."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    years_after_birth = models.PositiveSmallIntegerField()
    reason = models.TextField(help_text="Why the school chose this rule, and its source.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["school", "version"], name="one_policy_version")
        ]


class RetentionReview(models.Model):
    """A decision at a file's review: keep it (why, and until when) or dispose of it."""

    class Decision(models.TextChoices):
        KEEP = "keep", "Keep"
        DISPOSE = "dispose", "Dispose of"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    review_was_due_on = models.DateField()
    policy_version = models.PositiveIntegerField(help_text="0: the default rule.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]


class LegalHold(models.Model):
    """While a hold is in place the file cannot be disposed of."""

    class Kind(models.TextChoices):
        POLICE = "police", "Police investigation"
        INQUIRY = "inquiry", "Public inquiry"
        CLAIM = "claim", "Legal claim or litigation"
        OTHER = "other", "Another legal reason"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at"]

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class DisposedFile(models.Model):
    """That a pupil's file at a school was disposed of: when, by whom, under which rule. No name:
    the pupil row it points at has none left either. The same is in the audit trail."""

    pupil = models.OneToOneField(Pupil, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    disposed_at = models.DateTimeField(default=timezone.now)
    review_was_due_on = models.DateField()
    policy_version = models.PositiveIntegerField()
    rule = models.CharField(max_length=200)
    cases_erased = models.PositiveIntegerField(default=0)
    cases_kept_for_others = models.PositiveIntegerField(default=0)
    transaction_id = models.BigIntegerField(
        null=True, blank=True, help_text="PostgreSQL's id of the transaction that disposed of it."
    )
    storage_cleared_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When old row versions, search index keys and statistics were cleared "
        "(records/storage.py).",
    )


class SubjectAccessRequest(models.Model):
    """A request for the pupil's personal data (UK GDPR Article 15), in any form."""

    class Relationship(models.TextChoices):
        PUPIL = "pupil", "The pupil"
        PARENT = "parent", "A parent or carer with parental responsibility"
        REPRESENTATIVE = "representative", "Someone acting for the pupil (such as a solicitor)"
        OTHER = "other", "Someone else"

    class How(models.TextChoices):
        WRITING = "writing", "In writing (letter or form)"
        EMAIL = "email", "By email"
        SPOKEN = "spoken", "Spoken (in person or by phone)"
        OTHER = "other", "Another way"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        WITHDRAWN = "withdrawn", "Withdrawn by the requester"
        CLOSED = "closed", "Closed without disclosure"

    # How an open request ends without a disclosure (`closed_reason` says why).
    ENDED_WITHOUT_DISCLOSURE = (Status.WITHDRAWN, Status.CLOSED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=16, unique=True, default=request_reference)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="+")
    requester_name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    how_received = models.CharField(max_length=10, choices=How.choices)
    received_on = models.DateField()
    due_on = models.DateField()
    extended_to = models.DateField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    answered_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True, help_text="Withdrawn or closed on.")
    closed_reason = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_on", "-logged_at"]

    def __str__(self) -> str:
        return self.reference

    @property
    def deadline(self):
        return self.extended_to or self.due_on


class Exemption(models.TextChoices):
    """Why an item is withheld from a disclosure (Data Protection Act 2018)."""

    SERIOUS_HARM = (
        "serious_harm",
        "Serious harm: likely to cause serious harm to the physical or mental health of the "
        "child or another person (Schedule 3, Part 4)",
    )
    NOT_IN_BEST_INTERESTS = (
        "best_interests",
        "Child abuse data: a parent's request, and disclosure would not be in the child's best "
        "interests (Schedule 3, Part 5)",
    )
    THIRD_PARTY = (
        "third_party",
        "Another person's information that cannot be separated out, without their consent "
        "(Schedule 2, Part 3)",
    )
    CRIME = (
        "crime",
        "Would prejudice preventing or detecting crime, such as a police investigation "
        "(Schedule 2, Part 1)",
    )
    LEGAL_PRIVILEGE = "legal_privilege", "Legal professional privilege (Schedule 2, Part 4)"


class DisclosureItem(models.Model):
    """The DSL's choice for one item of the file in a subject access disclosure. Items with no
    row are disclosed with third parties' details removed (the default)."""

    class Choice(models.TextChoices):
        DISCLOSE = "disclose", "Disclose, with other people's details removed"
        DISCLOSE_UNREDACTED = "unredacted", "Disclose in full (they agreed, or it is reasonable)"
        WITHHOLD = "withhold", "Withhold"

    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.CASCADE, related_name="items"
    )
    key = models.CharField(max_length=80)
    choice = models.CharField(max_length=12, choices=Choice.choices)
    exemption = models.CharField(max_length=20, choices=Exemption.choices, blank=True)
    note = models.TextField(blank=True, help_text="Why: the exemption's reasoning, or consent.")
    extra_redactions = models.TextField(
        blank=True, help_text="Further words to remove, one a line (a nickname, a place)."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "key"], name="one_choice_per_item")
        ]
