"""Writing and checking the audit trail. Every record goes through `record()`."""

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .middleware import current_request_id
from .models import GENESIS_HASH, AuditEvent

# One constant lock key for the whole chain: records are chained one at a time.
_CHAIN_LOCK_KEY = 0x5AFE6A4D


def keyed_digest(value: str, *, purpose: str) -> str:
    """A keyed hash (HMAC-SHA256 under AUDIT_HMAC_KEY, one salt per purpose) of text that must
    not be kept as typed, e.g. an address that may be a password typed in the wrong box.

    Unlike a plain SHA-256 it cannot be reversed by hashing guesses without the key."""
    return salted_hmac(
        f"safeguarding.{purpose}", value, secret=settings.AUDIT_HMAC_KEY, algorithm="sha256"
    ).hexdigest()


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


@transaction.atomic
def record(
    action: str,
    *,
    actor=None,
    target=None,
    target_type: str = "",
    target_id: str = "",
    school=None,
    request=None,
    data: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain.

    `target` may be any model instance; its type and primary key are stored. `data` must hold
    references, enums and counts only, never names or narrative about children.
    """
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    event = AuditEvent(
        at=timezone.now(),
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        school=school,
        ip_address=client_ip(request),
        request_id=current_request_id() or "",
        data=data or {},
        previous_hash=last or GENESIS_HASH,
        hash_scheme=AuditEvent.HashScheme.HMAC_SHA256,
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    return event


# Why a record breaks the chain, as `first_break()` reports it.
CHANGED = "changed"
UNLINKED = "unlinked"
UNKEYED_AFTER_KEYED = "unkeyed_after_keyed"


def first_break(key: str | None = None) -> tuple[AuditEvent, str] | None:
    """The first event that breaks the chain and why (CHANGED, UNLINKED or
    UNKEYED_AFTER_KEYED), or None when the whole trail is intact.

    Each record is checked with its own hash scheme (`key` defaults to settings.AUDIT_HMAC_KEY).
    Unkeyed records are accepted only before the first keyed one (and, when
    settings.AUDIT_LAST_UNKEYED_ID is set, only up to that id): once the chain is keyed, a plain
    SHA-256 record can only be a rewrite by someone without the key.
    """
    expected_previous = GENESIS_HASH
    keyed_seen = False
    last_unkeyed_id = settings.AUDIT_LAST_UNKEYED_ID
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.hash_scheme == AuditEvent.HashScheme.HMAC_SHA256:
            keyed_seen = True
        elif keyed_seen or (last_unkeyed_id is not None and event.id > last_unkeyed_id):
            return event, UNKEYED_AFTER_KEYED
        if event.compute_hash(key) != event.hash:
            return event, CHANGED
        if event.previous_hash != expected_previous:
            return event, UNLINKED
        expected_previous = event.hash
    return None


def first_broken_event(key: str | None = None) -> AuditEvent | None:
    """The first event whose hash, scheme or link to the previous one does not match, or None."""
    broken = first_break(key)
    return broken[0] if broken else None
