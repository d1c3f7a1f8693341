"""Django's `flush`, made to respect the append-only audit trail.

The database refuses to empty the audit table (see migration 0002), so a plain flush fails.
That is what we want on a real database. Test databases are emptied between transactional
tests with this command, so there (settings.AUDIT_TRAIL_ERASABLE_BY_FLUSH, set only by
tests/conftest.py) the table owner suspends the triggers for the flush, in one transaction.
"""

from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import connections, transaction

AUDIT_TABLE = "safeguarding_auditevent"
REFUSED = (
    "Refused: flushing would erase the audit trail, which is append-only. "
    "Create a new database instead."
)


@contextmanager
def audit_triggers_suspended(connection):
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {AUDIT_TABLE} DISABLE TRIGGER USER")
            yield
            cursor.execute(f"ALTER TABLE {AUDIT_TABLE} ENABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [AUDIT_TABLE],
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            yield
            for _name, sql in triggers:
                cursor.execute(sql)
        else:
            yield


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if not getattr(settings, "AUDIT_TRAIL_ERASABLE_BY_FLUSH", False):
            raise CommandError(REFUSED)
        with audit_triggers_suspended(connection):
            return super().handle(**options)
