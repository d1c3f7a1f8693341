"""`manage.py verify_audit` walks the hash chain and names the first broken record."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from safeguarding import audit
from safeguarding.models import AuditEvent


@pytest.fixture
def trail(db):
    return [audit.record(f"test.step_{n}", target_type="test", data={"n": n}) for n in range(5)]


def tamper(sql: str, params: list) -> None:
    """Change the table behind the triggers' back, as someone with the database password could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute("DROP TRIGGER safeguarding_auditevent_no_update")
            cursor.execute("DROP TRIGGER safeguarding_auditevent_no_delete")
            cursor.execute(sql, params)


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


def test_an_intact_trail_is_reported_with_its_size(trail):
    assert verify() == "Audit trail intact: 5 records in 1 chain"


def test_an_empty_trail_is_intact(db):
    assert verify() == "Audit trail intact: 0 records in 0 chains"


def test_changed_data_is_found_and_the_record_named(trail):
    tamper("UPDATE safeguarding_auditevent SET data = %s WHERE id = %s", ['{"n": 99}', trail[2].id])
    assert AuditEvent.objects.get(pk=trail[2].pk).data == {"n": 99}
    message = broken_message()
    assert names(trail[2]) in message
    assert "no longer match its hash" in message


def test_a_rewritten_record_with_a_fresh_hash_breaks_the_next_link(trail):
    forged = AuditEvent.objects.get(pk=trail[1].pk)
    forged.action = "test.innocent"
    new_hash = forged.compute_hash()
    tamper(
        "UPDATE safeguarding_auditevent SET action = %s, hash = %s WHERE id = %s",
        ["test.innocent", new_hash, trail[1].id],
    )
    assert names(trail[2]) in broken_message()


def test_a_removed_record_is_found_at_the_one_after_it(trail):
    tamper("DELETE FROM safeguarding_auditevent WHERE id = %s", [trail[3].id])
    message = broken_message()
    assert names(trail[4]) in message
    assert "does not link to the record before it" in message


def test_the_first_record_must_start_the_chain(trail):
    tamper("DELETE FROM safeguarding_auditevent WHERE id = %s", [trail[0].id])
    assert names(trail[1]) in broken_message()
