"""Writing and checking the audit trail. Every record goes through `record()`."""

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models.sql import InsertQuery
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .middleware import current_request_id
from .models import GENESIS_HASH, LEGACY_CHAIN, AuditEvent, chain_for

# Each chain has its own PostgreSQL advisory lock: this base plus the school's id (0 for the
# chain of events with no school). Records are chained one at a time within a school; writers at
# different schools never wait for each other.
_CHAIN_LOCK_BASE = 0x5AFE6A4D << 32


def chain_lock_key(school_id: int | None) -> int:
    return _CHAIN_LOCK_BASE + (school_id or 0)


def chain_genesis() -> str:
    """What the first record of every per-school chain links to: the last hash of the single
    chain the trail was before it was split by school, or GENESIS_HASH for a newer service."""
    last_legacy = (
        AuditEvent.objects.filter(chain=LEGACY_CHAIN)
        .order_by("-id")
        .values_list("hash", flat=True)
        .first()
    )
    return last_legacy or GENESIS_HASH


def keyed_digest(value: str, *, purpose: str, key: str | None = None) -> str:
    """A keyed hash (HMAC-SHA256 under AUDIT_HMAC_KEY, one salt per purpose) of text that must
    not be kept as typed, e.g. an address that may be a password typed in the wrong box.

    Unlike a plain SHA-256 it cannot be reversed by hashing guesses without the key."""
    secret = settings.AUDIT_HMAC_KEY if key is None else key
    return salted_hmac(
        f"safeguarding.{purpose}", value, secret=secret, algorithm="sha256"
    ).hexdigest()


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


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
    """Append one event to its school's chain.

    `target` may be any model instance; its type and primary key are stored. `data` must hold
    references, enums and counts only, never names or narrative about children.

    Within a caller's transaction the record is part of it, with no savepoint: a failure here
    fails the caller's work as well, which is what an unaudited change must do.
    """
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    school_id = school.pk if school is not None else None
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
        chain=chain_for(school_id),
        hash_scheme=AuditEvent.HashScheme.CHAINED,
    )
    outside_a_transaction = connection.vendor == "postgresql" and not connection.in_atomic_block
    if outside_a_transaction and _append_in_one_statement(event, school_id):
        return event
    with transaction.atomic(savepoint=False):
        _place(event, _lock_and_read_head(event.chain, school_id))
        event.save(force_insert=True)
    return event


def _place(event: AuditEvent, head: tuple[str, int] | None) -> None:
    """Put `event` after `head` (the chain's newest record's hash and seq), and seal it."""
    event.previous_hash, event.seq = (head[0], head[1] + 1) if head else (chain_genesis(), 1)
    event.hash = event.compute_hash()


def _lock_and_read_head(chain: str, school_id: int | None) -> tuple[str, int] | None:
    """The chain's newest record (hash, seq), read once this transaction holds the chain's lock.

    On PostgreSQL one statement does both (migration 0010 explains how); SQLite lets one writer
    at a time write anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT head_hash, head_seq FROM safeguarding_audit_chain_head(%s, %s)",
                [chain_lock_key(school_id), chain],
            )
            return cursor.fetchone()
    return _head(chain)


def _head(chain: str) -> tuple[str, int] | None:
    return (
        AuditEvent.objects.filter(chain=chain).order_by("-seq").values_list("hash", "seq").first()
    )


def _append_in_one_statement(event: AuditEvent, school_id: int | None) -> bool:
    """Outside any transaction (a page's record of who looked): one try without a transaction
    of our own, so no BEGIN and COMMIT around the two statements.

    The head is read without the chain's lock. The INSERT then writes only if it can take the
    lock for its own statement (a writer holding it may be about to add a record), and the
    chain's unique places refuse it if another record took the place meanwhile. Whoever holds
    the lock reads the head only once they have it, so they always see a record written this
    way, and never lose their place to it. False if nothing was written: the caller then waits
    for the lock as any writer does."""
    _place(event, _head(event.chain))
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    query = InsertQuery(AuditEvent)
    query.insert_values(fields, [event])
    [(insert, params)] = query.get_compiler(connection=connection).as_sql()
    columns, values = insert.split(" VALUES ", 1)
    sql = (
        f"{columns} SELECT {values.strip()[1:-1]} WHERE pg_try_advisory_xact_lock(%s) "
        f"RETURNING {connection.ops.quote_name(AuditEvent._meta.pk.column)}"
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, chain_lock_key(school_id)])
            row = cursor.fetchone()
    except IntegrityError:  # another record took this place in the chain first
        return False
    if row is None:  # another writer holds the chain
        return False
    event.pk = row[0]
    event._state.adding = False
    event._state.db = connection.alias
    return True


def first_broken_event(key: str | None = None) -> AuditEvent | None:
    """The first event (by id) that breaks its chain, or None when the whole trail is intact.
    verify_audit (safeguarding/audit_check.py) says why, chain by chain."""
    from .audit_check import verify_chains

    report = verify_chains(key=key, workers=1)
    broken = [chain.broken_id for chain in report.chains if chain.broken_id is not None]
    return AuditEvent.objects.get(pk=min(broken)) if broken else None
