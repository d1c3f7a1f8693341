"""The cross-cutting core: people, organisations, roles and the audit trail."""

import hashlib
import hmac
import json
import unicodedata
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone


def canonical_email(value: str) -> str:
    """The one form an email address is stored in, looked up by and counted against.

    Surrounding white space dropped, compatibility characters folded to the letters they stand
    for (NFKC: a full-width "ｌ" or the long "ſ" are "l" and "s"), then lower case. Addresses are
    stored like this and compared exactly, never case-insensitively in the database: there,
    UPPER() maps the dotless "ı" to "I", so "brooksıde" matched "brookside". Here "ı" stays "ı",
    a different address.
    """
    folded = unicodedata.normalize("NFKC", str(value or "").strip()).lower()
    return unicodedata.normalize("NFKC", folded)


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        return canonical_email(email or "")

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=canonical_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email=canonical_email(username))

    def for_email(self, typed: str | None):
        """The account a typed address belongs to, or None (exact match on the canonical form)."""
        if not typed:
            return None
        return self.filter(email=canonical_email(typed)).first()


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff. Signs in with an email address."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can use the technical admin site.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @classmethod
    def normalize_username(cls, username):
        return canonical_email(username)

    def save(self, *args, **kwargs):
        self.email = canonical_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def has_two_factor_device(self) -> bool:
        """An authenticator app or a passkey / security key."""
        from django_otp.plugins.otp_totp.models import TOTPDevice
        from django_otp_webauthn.models import WebAuthnCredential

        # One query for both kinds: a teacher's every page asks (TwoFactorRequiredMiddleware).
        return User.objects.filter(
            Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
            | Exists(WebAuthnCredential.objects.filter(user=OuterRef("pk"), confirmed=True)),
            pk=self.pk,
        ).exists()

    @property
    def needs_two_factor(self) -> bool:
        """DSLs, deputies, school admins, trust leads and superusers must use two-factor."""
        if self.is_superuser or self.is_staff:
            return True
        loaded = getattr(self, "loaded_memberships", None)  # safeguarding.backends
        if loaded is not None:
            return any(m.role in Role.needing_two_factor() for m in loaded)
        return self.memberships.filter(role__in=Role.needing_two_factor()).exists()


class Trust(models.Model):
    """A multi-academy trust."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    suppression_threshold = models.PositiveSmallIntegerField(
        default=5,
        help_text="Counts below this are shown as 'c' in statistics.",
    )

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.PROTECT, related_name="schools"
    )
    urn = models.CharField("URN", max_length=20, blank=True, help_text="Unique reference number.")
    address = models.TextField(blank=True)
    safeguarding_phone = models.CharField(max_length=40, blank=True)
    safeguarding_email = models.EmailField(blank=True)
    # Set by the school admin: the DSL and deputies may give tasks to pastoral staff.
    pastoral_tasks = models.BooleanField(
        "Tasks can be given to pastoral staff",
        default=False,
        help_text="Pastoral staff then see the tasks given to them, never the case record.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    STAFF = "staff", "Staff"
    DSL = "dsl", "Designated safeguarding lead"
    DEPUTY_DSL = "deputy_dsl", "Deputy designated safeguarding lead"
    SCHOOL_ADMIN = "school_admin", "School admin"
    TRUST_LEAD = "trust_lead", "Trust lead"
    # Staff with limited case access: where the school allows it, tasks can be given to them,
    # and they see those tasks (a case reference, what to do, by when), never a case record.
    PASTORAL = "pastoral", "Pastoral staff"

    @classmethod
    def school_roles(cls) -> list[str]:
        return [cls.STAFF, cls.PASTORAL, cls.DSL, cls.DEPUTY_DSL, cls.SCHOOL_ADMIN]

    @classmethod
    def case_reviewers(cls) -> list[str]:
        return [cls.DSL, cls.DEPUTY_DSL]

    @classmethod
    def needing_two_factor(cls) -> list[str]:
        # Pastoral staff read tasks about children, which may name them.
        return [cls.DSL, cls.DEPUTY_DSL, cls.SCHOOL_ADMIN, cls.TRUST_LEAD, cls.PASTORAL]


class Membership(models.Model):
    """One role a person holds at one school (or, for trust leads, one trust)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role=Role.TRUST_LEAD, trust__isnull=False, school__isnull=True)
                    | (~Q(role=Role.TRUST_LEAD) & Q(school__isnull=False, trust__isnull=True))
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                condition=Q(school__isnull=False),
                name="one_role_per_school",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "trust"],
                condition=Q(trust__isnull=False),
                name="one_role_per_trust",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.school or self.trust}"


GENESIS_HASH = "0" * 64

# The audit trail is one hash chain per school, plus one for events tied to no school: writers at
# different schools never wait for each other. Records written before the trail was split form
# the single LEGACY_CHAIN; every other chain starts from its last hash (or GENESIS_HASH).
LEGACY_CHAIN = "legacy"
NO_SCHOOL_CHAIN = "none"


def chain_for(school_id) -> str:
    """The chain a record about `school_id` (None: no school) belongs to."""
    return f"school:{school_id}" if school_id is not None else NO_SCHOOL_CHAIN


def audit_hash(fields: dict, scheme: str, key: str | None = None) -> str:
    """The hash a record with these column values should carry under `scheme` (`key` defaults
    to settings.AUDIT_HMAC_KEY; the unkeyed scheme ignores it). `fields` holds the model's
    attribute names (actor_id, school_id, ...); verify_audit calls this without building models.
    """
    payload = {
        "at": fields["at"].isoformat(),
        "actor": str(fields["actor_id"]) if fields["actor_id"] else None,
        "action": fields["action"],
        "target_type": fields["target_type"],
        "target_id": fields["target_id"],
        "school": fields["school_id"],
        "ip_address": fields["ip_address"],
        "request_id": fields["request_id"],
        "data": fields["data"],
        "previous_hash": fields["previous_hash"],
    }
    if scheme == AuditEvent.HashScheme.CHAINED:
        # Which chain, and where in it: a record cannot be moved to another school's chain or
        # to another place in its own.
        payload["chain"] = fields["chain"]
        payload["seq"] = fields["seq"]
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
    if scheme == AuditEvent.HashScheme.SHA256:
        return hashlib.sha256(canonical).hexdigest()
    if scheme not in (AuditEvent.HashScheme.HMAC_SHA256, AuditEvent.HashScheme.CHAINED):
        raise ValueError(f"Unknown audit hash scheme {scheme!r}")
    key = settings.AUDIT_HMAC_KEY if key is None else key
    return hmac.new(key.encode(), canonical, hashlib.sha256).hexdigest()


# The columns audit_hash reads, in one place for the verifier's queries.
AUDIT_HASHED_FIELDS = (
    "at",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "school_id",
    "ip_address",
    "request_id",
    "data",
    "previous_hash",
    "chain",
    "seq",
)


class AuditEvent(models.Model):
    """An append-only, hash-chained record of something that happened.

    The database refuses UPDATE and DELETE on this table (see the migration's triggers).
    Case events are audit events too: a case's timeline is its audit events. `data` holds
    references, enums and counts; free text about children lives in the records it points to.
    Each record belongs to its school's chain (`chain`, at position `seq`); see audit.record().
    """

    class HashScheme(models.TextChoices):
        SHA256 = "sha256", "SHA-256, unkeyed (records written before the chain was keyed)"
        HMAC_SHA256 = "hmac-sha256", "HMAC-SHA256 with AUDIT_HMAC_KEY (the single chain)"
        CHAINED = (
            "hmac-sha256-chain",
            "HMAC-SHA256 with AUDIT_HMAC_KEY, over the record, its chain and its place in it",
        )

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # "school:<id>", NO_SCHOOL_CHAIN, or LEGACY_CHAIN for records from before the split.
    chain = models.CharField(max_length=32)
    # 1 for a chain's first record, then 2, 3...; none on the legacy chain (ordered by id).
    seq = models.PositiveBigIntegerField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # How `hash` was made. Records written before the chain was keyed are plain SHA-256 (0004
    # marks them so), those of the single keyed chain HMAC-SHA256; every new record is CHAINED.
    hash_scheme = models.CharField(
        max_length=20, choices=HashScheme.choices, default=HashScheme.CHAINED
    )

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["target_type", "target_id", "id"])]
        constraints = [
            # Two records can never take the same place in a chain: no fork, even if a writer
            # skipped the chain's lock.
            models.UniqueConstraint(fields=["chain", "seq"], name="one_record_per_chain_place"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"

    def compute_hash(self, key: str | None = None) -> str:
        """The hash this record should carry under its own scheme (`key` defaults to
        settings.AUDIT_HMAC_KEY; the unkeyed scheme ignores it)."""
        return audit_hash(
            {name: getattr(self, name) for name in AUDIT_HASHED_FIELDS}, self.hash_scheme, key
        )


class Invitation(models.Model):
    """An emailed, one-time link to join a school with one or more roles.

    Only a SHA-256 of the token is stored: the link itself exists only in the email.
    """

    LIFETIME = timedelta(days=7)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    roles = models.JSONField(help_text="The school roles given when the invitation is accepted.")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["school", "email"])]

    def __str__(self) -> str:
        return f"Invitation to {self.school} ({self.created_at:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        self.email = canonical_email(self.email)
        super().save(*args, **kwargs)

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.withdrawn_at is None
            and self.expires_at > timezone.now()
        )

    def role_labels(self) -> list[str]:
        return [Role(role).label for role in self.roles]


class LeadRoleRequest(models.Model):
    """Someone put forward as a DSL or deputy DSL at a school.

    Case access is never one person's decision: a school admin (or an invitation) asks, and the
    role is given only when a second person confirms: another DSL of the school, or the lead of
    its trust (people.confirm_lead_role). Both are on the audit trail, and every DSL of the
    school and the trust's leads are told when it is asked for.
    """

    class Outcome(models.TextChoices):
        WAITING = "", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        DECLINED = "declined", "Declined"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="lead_requests")
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(
        max_length=20, choices=[(r.value, r.label) for r in (Role.DSL, Role.DEPUTY_DSL)]
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default="")
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "person", "role"],
                condition=Q(outcome=""),
                name="one_waiting_lead_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} as {self.get_role_display()} at {self.school}"
