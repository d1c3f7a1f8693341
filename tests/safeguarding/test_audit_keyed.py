"""The audit chain is keyed: rewriting records and recomputing the chain needs AUDIT_HMAC_KEY.

Someone holding only the database password can get past the triggers (session_replication_role
on PostgreSQL) and recompute hashes, but only unkeyed ones, and verify_audit catches that.
"""

import hashlib
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from safeguarding import audit, audit_check
from safeguarding.management.commands.verify_audit import WHY
from safeguarding.models import GENESIS_HASH, LEGACY_CHAIN, AuditEvent


@pytest.fixture
def trail(db):
    return [audit.record(f"test.step_{n}", target_type="test", data={"n": n}) for n in range(5)]


def plain_sha256(row: dict) -> str:
    """The old, unkeyed hash, written out independently of the model."""
    payload = {
        "at": row["at"].isoformat(),
        "actor": str(row["actor_id"]) if row["actor_id"] else None,
        "action": row["action"],
        "target_type": row["target_type"],
        "target_id": row["target_id"],
        "school": row["school_id"],
        "ip_address": row["ip_address"],
        "request_id": row["request_id"],
        "data": row["data"],
        "previous_hash": row["previous_hash"],
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def behind_the_triggers(statements: list[tuple[str, list]]) -> None:
    """Run SQL past the append-only triggers, as someone with the owner's password could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            for sql, params in statements:
                cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute("DROP TRIGGER safeguarding_auditevent_no_update")
            cursor.execute("DROP TRIGGER safeguarding_auditevent_no_delete")
            for sql, params in statements:
                cursor.execute(sql, params)


def rewrite_with_plain_hashes(from_event: AuditEvent, action: str) -> None:
    """Change one record's action, then recompute an unkeyed chain from it to the end."""
    chain = AuditEvent.objects.filter(chain=from_event.chain)
    rows = list(chain.filter(id__gte=from_event.id).order_by("id").values())
    previous = chain.filter(id__lt=from_event.id).order_by("-id").first()
    previous_hash = previous.hash if previous else GENESIS_HASH
    statements = []
    for row in rows:
        if row["id"] == from_event.id:
            row["action"] = action
        row["previous_hash"] = previous_hash
        row["hash"] = plain_sha256(row)
        statements.append(
            (
                "UPDATE safeguarding_auditevent SET action = %s, previous_hash = %s, hash = %s,"
                " hash_scheme = 'sha256' WHERE id = %s",
                [row["action"], row["previous_hash"], row["hash"], row["id"]],
            )
        )
        previous_hash = row["hash"]
    behind_the_triggers(statements)


def verify() -> str:
    """The first line of verify_audit's report (the next says how fast it went)."""
    out = StringIO()
    call_command("verify_audit", stdout=out, stderr=StringIO())
    return out.getvalue().splitlines()[0]


def broken_message() -> str:
    with pytest.raises(CommandError) as failure:
        verify()
    assert failure.value.returncode != 0
    return str(failure.value)


def names(event: AuditEvent) -> str:
    return f"id={event.id}, time={timezone.localtime(event.at).isoformat()}, action={event.action}"


def last_legacy_hash() -> str:
    legacy = AuditEvent.objects.filter(chain=LEGACY_CHAIN).order_by("-id")
    return legacy.values_list("hash", flat=True).first() or GENESIS_HASH


def write_unkeyed(action: str) -> AuditEvent:
    """A record as the code before the keyed chain wrote it (an existing row after 0004 and
    0006: in the single, legacy chain)."""
    event = AuditEvent(
        at=timezone.now(),
        action=action,
        target_type="test",
        data={"old": True},
        chain=LEGACY_CHAIN,
        previous_hash=last_legacy_hash(),
        hash_scheme=AuditEvent.HashScheme.SHA256,
    )
    row = {
        "at": event.at,
        "actor_id": None,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "school_id": None,
        "ip_address": None,
        "request_id": event.request_id,
        "data": event.data,
        "previous_hash": event.previous_hash,
    }
    event.hash = plain_sha256(row)
    event.save(force_insert=True)
    return event


def write_keyed_legacy(action: str) -> AuditEvent:
    """A record as the single keyed chain wrote it, before the split by school."""
    event = AuditEvent(
        at=timezone.now(),
        action=action,
        target_type="test",
        chain=LEGACY_CHAIN,
        previous_hash=last_legacy_hash(),
        hash_scheme=AuditEvent.HashScheme.HMAC_SHA256,
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    return event


def test_new_records_are_keyed(trail, settings):
    assert {e.hash_scheme for e in AuditEvent.objects.all()} == {"hmac-sha256-chain"}
    event = AuditEvent.objects.get(pk=trail[0].pk)
    assert event.hash != plain_sha256(AuditEvent.objects.filter(pk=event.pk).values().get())
    assert event.compute_hash(key="another key entirely, just as long") != event.hash


def test_with_the_right_key_the_keyed_trail_verifies(trail):
    assert verify() == "Audit trail intact: 5 records in 1 chain"


def test_a_rewrite_recomputed_without_the_key_is_found(trail):
    rewrite_with_plain_hashes(trail[2], "test.innocent")
    # The forged chain is internally consistent: every link and unkeyed hash matches.
    forged = list(AuditEvent.objects.filter(id__gte=trail[2].id).order_by("id").values())
    assert forged[0]["action"] == "test.innocent"
    assert all(row["hash"] == plain_sha256(row) for row in forged)
    assert all(b["previous_hash"] == a["hash"] for a, b in zip(forged, forged[1:], strict=False))
    message = broken_message()
    assert names(AuditEvent.objects.get(pk=trail[2].pk)) in message
    assert WHY[audit_check.UNKEYED_AFTER_KEYED] in message


def test_a_rewrite_recomputed_with_a_guessed_key_is_found(trail):
    forged = AuditEvent.objects.get(pk=trail[3].pk)
    forged.action = "test.innocent"
    behind_the_triggers(
        [
            (
                "UPDATE safeguarding_auditevent SET action = %s, hash = %s WHERE id = %s",
                [forged.action, forged.compute_hash(key="a guess at the key"), forged.id],
            )
        ]
    )
    message = broken_message()
    assert names(forged) in message
    assert WHY[audit_check.CHANGED] in message


def test_a_wrong_key_fails_verification_at_the_first_record(trail, settings):
    settings.AUDIT_HMAC_KEY = "not the key this trail was written with, at all"
    message = broken_message()
    assert names(trail[0]) in message
    assert "AUDIT_HMAC_KEY" in message


def test_records_written_before_the_chain_was_keyed_still_verify(db):
    old = [write_unkeyed(f"test.old_{n}") for n in range(3)]
    new = [audit.record(f"test.new_{n}", target_type="test") for n in range(2)]
    assert new[0].previous_hash == old[-1].hash
    assert verify() == (
        "Audit trail intact: 5 records in 2 chains"
        " (3 written before the chain was keyed, with unkeyed hashes)"
    )


def test_an_unkeyed_record_after_a_keyed_one_is_broken(db):
    write_unkeyed("test.old")
    keyed = write_keyed_legacy("test.keyed")
    late = write_unkeyed("test.late")
    assert late.previous_hash == keyed.hash
    message = broken_message()
    assert names(late) in message
    assert WHY[audit_check.UNKEYED_AFTER_KEYED] in message


def test_a_record_added_to_the_single_chain_after_the_split_is_broken(db):
    write_unkeyed("test.old")
    audit.record("test.new")  # the first record of a chain of its own
    late = write_unkeyed("test.late")
    message = broken_message()
    assert names(late) in message
    assert WHY[audit_check.AFTER_CUTOVER] in message


@pytest.mark.usefixtures("postgres")
def test_on_postgres_a_whole_trail_rewritten_without_the_key_is_found(trail, settings):
    """The scenario the review found, end to end on PostgreSQL: replica mode silences the
    triggers, every record is rewritten with a recomputed unkeyed chain from the first one, and
    verify_audit still fails once the deployment has said no unkeyed records exist."""
    settings.AUDIT_LAST_UNKEYED_ID = 0
    rewrite_with_plain_hashes(trail[0], "test.innocent")
    forged = AuditEvent.objects.get(pk=trail[0].pk)
    assert forged.action == "test.innocent" and forged.hash_scheme == "sha256"
    message = broken_message()
    assert names(forged) in message
    assert WHY[audit_check.UNKEYED_AFTER_KEYED] in message


def test_unkeyed_records_past_the_last_unkeyed_id_are_broken(db, settings):
    old = [write_unkeyed(f"test.old_{n}") for n in range(2)]
    settings.AUDIT_LAST_UNKEYED_ID = old[0].id
    assert names(old[1]) in broken_message()
    settings.AUDIT_LAST_UNKEYED_ID = old[1].id
    assert verify() == (
        "Audit trail intact: 2 records in 1 chain"
        " (2 written before the chain was keyed, with unkeyed hashes)"
    )


def test_unkeyed_records_prompt_for_the_last_unkeyed_id(db):
    old = [write_unkeyed(f"test.old_{n}") for n in range(2)]
    err = StringIO()
    call_command("verify_audit", stdout=StringIO(), stderr=err)
    assert f"AUDIT_LAST_UNKEYED_ID={old[1].id}" in err.getvalue()
