"""Clearing what a disposal leaves behind in PostgreSQL's storage.

Disposal (disposal.py) overwrites names and narrative in one transaction, but PostgreSQL keeps
the old row versions on disk until VACUUM removes them, keeps the old words as keys of the
full-text search indexes (GIN) until they are rebuilt, and keeps samples of column values in
its planner statistics (pg_statistic) until the next ANALYZE. A plain VACUUM is not enough: it
frees the old versions' space but leaves their bytes in the page until something overwrites
them (tests/records/test_disposal.py reads the raw pages). So `clear_disposed()` runs
VACUUM (FULL, ANALYZE) on each table a disposal writes: the table, its TOAST table and every
index (search indexes too) are rewritten into new files without the old versions, and the
statistics are sampled again. Each table is locked while it is rewritten (a school's tables
take well under a second); a table busy for longer than LOCK_TIMEOUT is left for the next run.
Then the disposals covered are marked (`DisposedFile.storage_cleared_at`), and it is audited.

VACUUM FULL keeps an old row version that a transaction still running could see. Any
transaction in the cluster (any database) older than the disposal holds them: the run goes
ahead only once the oldest transaction still running is newer than every disposal it covers
(each remembers its own, `DisposedFile.transaction_id`), else it waits for the next run.

It must run outside a transaction, as the tables' owner (PostgreSQL 15 lets only the owner
vacuum or reindex a table): `manage.py clear_disposed_storage` with the owner's DATABASE_URL,
as `migrate` runs, nightly. The least-privilege role the app runs as (create_app_db_role) is
refused with NOT_THE_OWNER and nothing is marked.

What the database cannot do from here: the old files' blocks are freed to the file system,
not overwritten (disk encryption covers them); copies outside the database (backups, archived
WAL) age out on their own schedule; see records/README.md.
"""

from django.apps import apps
from django.db import DatabaseError, connection
from django.utils import timezone

from safeguarding import audit

from .models import DisposedFile

NOT_THE_OWNER = (
    "Clearing disposed files from storage needs the database owner (VACUUM and REINDEX): run "
    "`manage.py clear_disposed_storage` with the owner's DATABASE_URL, as for migrate."
)
# Every table disposal.erase_file writes (the audit trail holds no names: not written).
DISPOSAL_MODELS = (
    "incidents.Pupil",
    "incidents.Carer",
    "incidents.AgencyInvolvement",
    "incidents.Incident",
    "incidents.FollowUp",
    "records.Transfer",
    "records.ReceivedFile",
    "records.SecureExport",
    "records.LegalHold",
    "records.RetentionReview",
    "records.SubjectAccessRequest",
    "records.DisclosureItem",
)


LOCK_TIMEOUT = "10s"


class StorageError(RuntimeError):
    pass


def disposal_tables() -> list[str]:
    from cases.models import RECORD_MODELS

    models = [apps.get_model(label) for label in DISPOSAL_MODELS] + list(RECORD_MODELS)
    return sorted({model._meta.db_table for model in models})


def _not_owned(cursor, tables: list[str]) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename = ANY(%s) AND NOT pg_has_role(current_user, tableowner, 'USAGE')",
        [tables],
    )
    return [row[0] for row in cursor.fetchall()]


def transaction_id() -> int | None:
    """The current transaction's id (PostgreSQL's, with its epoch), for a disposal to remember."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        return cursor.fetchone()[0]


def _oldest_running(cursor) -> int:
    """The oldest transaction still running anywhere in the cluster (a snapshot's xmin)."""
    cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
    return cursor.fetchone()[0]


def clear_disposed() -> int:
    """Clear the storage of every disposal not cleared yet. Returns how many it covered (0 when
    there were none, or when an older transaction is still open: try again later)."""
    if connection.vendor != "postgresql":
        return 0  # SQLite (development): no row versions, no GIN indexes, no statistics.
    if connection.in_atomic_block:
        raise StorageError("VACUUM cannot run inside a transaction.")
    pending = dict(
        DisposedFile.objects.filter(storage_cleared_at__isnull=True).values_list(
            "pk", "transaction_id"
        )
    )
    if not pending:
        return 0
    tables = disposal_tables()
    with connection.cursor() as cursor:
        if _not_owned(cursor, tables):
            raise StorageError(NOT_THE_OWNER)
        if _oldest_running(cursor) <= max(xid or 0 for xid in pending.values()):
            return 0  # a transaction that began before a disposal could still see its rows
        cursor.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        try:
            for table in tables:
                cursor.execute(f"VACUUM (FULL, ANALYZE) {connection.ops.quote_name(table)}")
        except DatabaseError:
            return 0  # a table stayed busy: the next run does them all again
        finally:
            cursor.execute("RESET lock_timeout")
    ids = list(pending)
    DisposedFile.objects.filter(pk__in=ids).update(storage_cleared_at=timezone.now())
    audit.record(
        "file.storage_cleared",
        data={"disposals": len(ids), "tables": len(tables)},
    )
    return len(ids)
