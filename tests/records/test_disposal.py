"""Disposal is irreversible: afterwards no table, no audit row, no index and no statistics
figure holds the pupil's name or the file's words. Proven on PostgreSQL by grepping a pg_dump
of the whole test database (every table, the audit trail), then, once the storage is cleared
(records/storage.py), every page of every table, TOAST table and index (search indexes too)
and the planner's statistics; the anonymised statistics count the same before and after."""

import shutil
import subprocess
import time
from datetime import date

import pytest
from django.db import connection

from cases import services as case_services
from cases.search import search_cases
from incidents.models import FollowUp, Incident, Pupil, PupilRole
from records import services, storage
from records.models import DisposedFile, SecureExport
from safeguarding import audit
from safeguarding.models import AuditEvent
from stats import queries
from stats.periods import Period, academic_year_of
from tests.conftest import require
from tests.records.conftest import file_for, make_pupil

TODAY = date(2036, 6, 1)
# Everything typed about Zorbulon Quillfeather's file, as it would be in real life.
GONE = (
    "Zorbulon",
    "Quillfeather",
    "quagmirefox",  # the child's own words
    "vexillum",  # the DSL's reasons
    "snarkwhistle",  # the reporter's further information
    "Bandersnatch",  # a parent named in a record
    "Tumtum",  # the person who asked for their data
    "Frabjous",  # a legal hold's reason
    "Galumph",  # the reason it was kept once
    "Tulgey Wood",  # the pupil's address
    "Borogove",  # a carer on the pupil's file
    "07700 900 461",  # the carer's phone
    "Mome Rath",  # another agency working with the pupil
    "Outgrabe",  # what the referral asked
)
KEPT = "jabberwock"  # a shared case's words: the other pupil's file still holds them


def dump() -> str:
    require(shutil.which("pg_dump") is not None, "pg_dump (apt-get install postgresql-client)")
    s = connection.settings_dict
    result = subprocess.run(
        [
            "pg_dump",
            "--no-owner",
            "-h",
            s["HOST"] or "127.0.0.1",
            "-p",
            str(s["PORT"] or 5432),
            "-U",
            s["USER"],
            s["NAME"],
        ],
        capture_output=True,
        check=True,
        env={"PGPASSWORD": s.get("PASSWORD") or "", "PATH": "/usr/bin:/bin"},
    )
    return result.stdout.decode()


def raw_pages_holding(words) -> dict[str, list[str]]:
    """Each word's relations (tables, TOAST tables, indexes) with a page holding its bytes, dead
    row versions and free space included: what is on disk, not what a query sees."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        cursor.execute(
            "SELECT c.oid::regclass::text,"
            " pg_relation_size(c.oid) / current_setting('block_size')::int"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 't', 'i', 'm') AND c.relpersistence = 'p'"
            " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
            " AND (n.nspname <> 'pg_toast' OR c.relkind IN ('t', 'i'))"
        )
        relations = [(name, blocks) for name, blocks in cursor.fetchall() if blocks]
        found: dict[str, list[str]] = {}
        for name, blocks in relations:
            for block in range(blocks):
                cursor.execute("SELECT get_raw_page(%s, %s)", [name, block])
                page = bytes(cursor.fetchone()[0]).lower()
                for word in words:
                    if word.lower().encode() in page and name not in found.get(word, []):
                        found.setdefault(word, []).append(name)
    return found


def statistics_holding(words) -> list[str]:
    """Words in the planner's statistics (pg_statistic: samples of column values)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lower(concat_ws(' ', most_common_vals::text, histogram_bounds::text,"
            " most_common_elems::text)) FROM pg_stats WHERE schemaname = current_schema()"
        )
        text = " ".join(row[0] or "" for row in cursor.fetchall())
    return [word for word in words if word.lower() in text]


def clear_storage() -> int:
    """Run the job until it clears: other test runs share this PostgreSQL, and a transaction of
    theirs older than the disposal makes it wait for the next run, as it would in production."""
    for _ in range(600):
        cleared = storage.clear_disposed()
        if cleared:
            return cleared
        time.sleep(0.5)
    return 0


def another_session():
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s.get("PASSWORD") or None,
        dbname=s["NAME"],
    )


def figures(school):
    scope = queries.Scope(school=school)
    period = Period(academic_year_of(date.today()))
    return (
        queries.cases_by_kind(scope, period),
        queries.cases_by_outcome(scope, period),
        queries.factors_applied(scope, period),
        queries.cases_by_year_group_band(scope, period),
    )


@pytest.fixture
def full_file(transactional_db, cast):
    require(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL)")
    pupil = make_pupil(cast.school_a, born=date(2011, 5, 14))
    other = make_pupil(cast.school_a, first="Hepzibah", last="Crankshaw", born=date(2014, 1, 2))
    pupil.address = "3 Tulgey Wood, Slithy"
    pupil.upn = "A123456789012"
    pupil.child_in_need = True
    pupil.sen = "K"
    pupil.save()
    pupil.carers.create(name="Ms Borogove", relationship="Mother", phone="07700 900 461")
    pupil.agencies.create(agency="Mome Rath Youth Service", contact="Sam, 01632 960 000")
    own = file_for(cast, pupil)
    case_services.record_referral(
        incident=own,
        actor=cast.dsl,
        agency="police",
        referred_on=date(2026, 1, 5),
        ask="Outgrabe: visit the family today.",
    )
    FollowUp.objects.create(
        incident=own, author=cast.teacher, text="Zorbulon came back (snarkwhistle)."
    )
    case_services.record_parents_informed(
        incident=own,
        actor=cast.dsl,
        informed=True,
        informed_on=date(2026, 1, 5),
        who_was_told="Mrs Bandersnatch, his aunt",
    )
    case_services.add_task(
        incident=own,
        actor=cast.dsl,
        title="Call Zorbulon's aunt",
        owner=cast.dsl,
        due_on=date(2026, 1, 9),
    )
    shared = file_for(
        cast,
        other,
        others=[pupil],
        account=f"Hepzibah said Zorbulon Quillfeather sent it on ({KEPT}).",
        reasons="Refer: Hepzibah is at risk.",
    )
    shared.involvements.filter(pupil=pupil).update(role=PupilRole.SHARER)
    sar = services.log_request(
        school=cast.school_a,
        pupil=pupil,
        actor=cast.dsl,
        requester_name="Mr Tumtum",
        relationship="parent",
        how_received="spoken",
        received_on=date(2026, 1, 5),
    )
    services.decide_item(
        sar=sar,
        actor=cast.dsl,
        key=f"case:{own.reference}:report",
        choice="disclose",
        extra_redactions="Quillfeather",
    )
    services.mark_answered(sar=sar, actor=cast.dsl, answered_on=date(2026, 1, 20))
    record, _ = services.make_export(
        pupil=pupil, school=cast.school_a, actor=cast.dsl, recipient_school="Hill School"
    )
    transfer = services.send_transfer(
        pupil=pupil, school=cast.school_a, to_school=cast.school_b, actor=cast.dsl
    )
    services.reject_transfer(transfer=transfer, actor=cast.dsl_b, reason="Not Zorbulon's school.")
    hold = services.place_legal_hold(
        pupil=pupil, school=cast.school_a, actor=cast.dsl, kind="claim", reason="Frabjous claim."
    )
    services.lift_legal_hold(hold=hold, actor=cast.dsl, reason="Frabjous claim settled.")
    services.keep_file(
        pupil=pupil,
        school=cast.school_a,
        actor=cast.dsl,
        reason="Galumph: still relevant.",
        next_review_on=date(2036, 5, 20),
        today=date(2036, 5, 14),
    )
    return pupil, own, shared, record


def test_after_disposal_the_database_holds_no_name_and_no_words(cast, full_file):
    pupil, own, shared, export = full_file
    before = dump()
    assert all(word in before for word in GONE), [w for w in GONE if w not in before]
    figures_before = figures(cast.school_a)

    disposed = services.dispose_file(pupil=pupil, school=cast.school_a, actor=cast.dsl, today=TODAY)

    after = dump()
    left = [word for word in GONE if word.lower() in after.lower()]
    assert left == [], f"still in the database after disposal: {left}"
    assert KEPT in after  # the other pupil's file keeps the shared case's words
    assert figures(cast.school_a) == figures_before  # the anonymised counts are unchanged

    shared.refresh_from_db()
    assert shared.account == f"Hepzibah said [name removed] sent it on ({KEPT})."
    own.refresh_from_db()
    assert own.account == "Removed at the file's retention review."
    pupil.refresh_from_db()
    assert (pupil.first_name, pupil.last_name, pupil.date_of_birth) == ("", "", None)
    assert pupil.details_removed_at is not None and pupil.year_group == "9"
    assert [f.value for f in pupil.flags()] == ["Not recorded"] * len(Pupil.FLAG_FIELDS)
    assert (pupil.upn, pupil.address, pupil.sex) == ("", "", "")
    assert not pupil.carers.exists() and not pupil.agencies.exists()
    assert Pupil.objects.filter(school=cast.school_a).on_list().count() == 1
    assert SecureExport.objects.get().archive is None

    # The destruction record: what, when, who, under which rule; in the audit trail too.
    assert (disposed.cases_erased, disposed.cases_kept_for_others) == (1, 1)
    assert disposed.rule == "Date of birth plus 25 years (the default rule)"
    event = AuditEvent.objects.get(action="file.disposed")
    assert event.actor == cast.dsl and event.school == cast.school_a
    assert set(event.data["cases"]) == {own.reference, shared.reference}
    assert event.data["review_was_due_on"] == "2036-05-20"
    # The audit trail was not touched, and still verifies.
    assert audit.first_broken_event() is None


def test_the_storage_is_cleared_too_row_versions_search_keys_statistics(cast, full_file):
    """What a pg_dump cannot show: old row versions VACUUM has not removed yet, the words as
    keys of the full-text search indexes, samples of values in the planner's statistics."""
    pupil, own, shared, export = full_file
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        require(cursor.fetchone()[0], "a PostgreSQL superuser (pageinspect reads raw pages)")
        cursor.execute("ANALYZE")  # as autovacuum would have, some time in the file's life
    assert statistics_holding(GONE), "the planner's statistics sample the names"
    assert search_cases(cast.dsl, "quagmirefox").found

    # Someone's transaction began before the disposal and is still running.
    older = another_session()
    older.execute("SELECT pg_current_xact_id()")
    services.dispose_file(pupil=pupil, school=cast.school_a, actor=cast.dsl, today=TODAY)
    assert storage.clear_disposed() == 0  # it could still see the old rows: wait
    assert DisposedFile.objects.get().storage_cleared_at is None
    older.rollback()
    older.close()

    assert search_cases(cast.dsl, "quagmirefox").found == []
    assert search_cases(cast.dsl, "Zorbulon").found == []
    # Committed, but still on disk: at least the search index keeps the child's own words.
    assert "incident_text_search" in raw_pages_holding(["quagmirefox"]).get("quagmirefox", [])

    assert clear_storage() == 1
    left = raw_pages_holding(GONE)
    assert left == {}, f"still on disk after clearing: {left}"
    assert statistics_holding(GONE) == []
    assert raw_pages_holding([KEPT])  # the other pupil's case is still there
    event = AuditEvent.objects.get(action="file.storage_cleared")
    assert event.data["disposals"] == 1
    assert storage.clear_disposed() == 0  # nothing left to clear
    assert audit.first_broken_event() is None


def test_disposal_cannot_be_undone_or_repeated(cast, full_file):
    pupil, *_ = full_file
    services.dispose_file(pupil=pupil, school=cast.school_a, actor=cast.dsl, today=TODAY)
    with pytest.raises(services.RecordsError, match="disposed of"):
        services.dispose_file(pupil=pupil, school=cast.school_a, actor=cast.dsl, today=TODAY)
    assert DisposedFile.objects.count() == 1
    assert Incident.objects.filter(school=cast.school_a).count() == 2  # still counted
