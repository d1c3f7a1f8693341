"""The database itself refuses to change or remove audit records, whatever the code does."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from safeguarding import audit
from safeguarding.management.commands.flush import REFUSED
from safeguarding.models import AuditEvent

APPEND_ONLY = "audit trail is append-only"


@pytest.fixture
def event(db):
    return audit.record("test.written", target_type="test", target_id="1", data={"n": 1})


def test_an_orm_update_is_refused(event):
    with pytest.raises(DatabaseError, match=APPEND_ONLY), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="test.rewritten")
    event.refresh_from_db()
    assert event.action == "test.written"


def test_saving_a_changed_record_is_refused(event):
    event.data = {"n": 2}
    with pytest.raises(DatabaseError, match=APPEND_ONLY), transaction.atomic():
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).data == {"n": 1}


def test_an_orm_delete_is_refused(event):
    with pytest.raises(DatabaseError, match=APPEND_ONLY), transaction.atomic():
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_update_and_delete_are_refused(event):
    for statement in (
        "UPDATE safeguarding_auditevent SET action = 'x'",
        "DELETE FROM safeguarding_auditevent",
    ):
        with (
            pytest.raises(DatabaseError, match=APPEND_ONLY),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert AuditEvent.objects.get(pk=event.pk).action == "test.written"


def test_postgres_refuses_update_and_delete_with_its_own_trigger(postgres, event):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'safeguarding_auditevent'::regclass"
            " AND NOT tgisinternal ORDER BY tgname"
        )
        assert [row[0] for row in cursor.fetchall()] == [
            "safeguarding_auditevent_no_truncate",
            "safeguarding_auditevent_no_update_or_delete",
        ]
    with pytest.raises(DatabaseError, match=r"UPDATE refused"), transaction.atomic():
        AuditEvent.objects.update(action="x")
    with pytest.raises(DatabaseError, match=r"DELETE refused"), transaction.atomic():
        AuditEvent.objects.all().delete()


def test_postgres_refuses_truncate(postgres, event):
    with (
        pytest.raises(DatabaseError, match=r"TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Run the test's pending foreign-key checks now, or PostgreSQL refuses for that reason.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE safeguarding_auditevent CASCADE")
    assert AuditEvent.objects.count() == 1


def test_new_records_can_still_be_appended(event):
    second = audit.record("test.written", data={"n": 2})
    assert second.previous_hash == event.hash
    assert AuditEvent.objects.count() == 2


def test_flush_is_refused_outside_the_test_suite(event, settings):
    settings.AUDIT_TRAIL_ERASABLE_BY_FLUSH = False
    with pytest.raises(CommandError, match=REFUSED):
        call_command("flush", interactive=False, stdout=StringIO())
    assert AuditEvent.objects.count() == 1


# On SQLite the triggers put back after a flush are not seen by the same connection (its
# schema is cached); not yet understood, so this runs on PostgreSQL only.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_test_databases_can_still_be_emptied_and_stay_protected():
    audit.record("test.written")
    call_command("flush", interactive=False, stdout=StringIO())
    assert AuditEvent.objects.count() == 0
    # The triggers came back after the flush.
    event = audit.record("test.written")
    with pytest.raises(DatabaseError, match=APPEND_ONLY), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
