"""Writing and checking the audit trail. Every record goes through `record()`."""

from django.db import connection, transaction
from django.utils import timezone

from .middleware import current_request_id
from .models import GENESIS_HASH, AuditEvent

# One constant lock key for the whole chain: records are chained one at a time.
_CHAIN_LOCK_KEY = 0x5AFE6A4D


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
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    return event


def first_broken_event() -> AuditEvent | None:
    """The first event whose hash or link to the previous one does not match, or None."""
    expected_previous = GENESIS_HASH
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.previous_hash != expected_previous or event.compute_hash() != event.hash:
            return event
        expected_previous = event.hash
    return None
