"""The audit trail is one chain per school (issue 18), and each chain's head is anchored outside
the database, so deleting the newest records is noticed (issue 13, points 3 and 4)."""

import json
import logging
import threading
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from safeguarding import audit
from safeguarding.models import GENESIS_HASH, AuditEvent
from tests.safeguarding.test_audit_keyed import behind_the_triggers, write_unkeyed


def verify(*args) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def failure(*args) -> str:
    with pytest.raises(CommandError) as raised:
        verify(*args)
    assert raised.value.returncode == 2
    return str(raised.value)


def delete(*events: AuditEvent) -> None:
    behind_the_triggers(
        [("DELETE FROM safeguarding_auditevent WHERE id = %s", [e.id]) for e in events]
    )


@pytest.fixture
def trail(cast):
    """Three records at Oakwood, two at Elm Park, one tied to no school, interleaved."""
    a, b = cast.school_a, cast.school_b
    written = [
        ("a", audit.record("test.a0", school=a)),
        ("b", audit.record("test.b0", school=b)),
        ("none", audit.record("test.none0")),
        ("a", audit.record("test.a1", school=a)),
        ("b", audit.record("test.b1", school=b)),
        ("a", audit.record("test.a2", school=a)),
    ]
    return {
        name: [event for chain, event in written if chain == name] for name in ("a", "b", "none")
    }


def test_each_school_has_its_own_chain(cast, trail):
    a, b = trail["a"], trail["b"]
    assert [(e.chain, e.seq) for e in a] == [(f"school:{cast.school_a.pk}", n) for n in (1, 2, 3)]
    assert [(e.chain, e.seq) for e in b] == [(f"school:{cast.school_b.pk}", n) for n in (1, 2)]
    assert (trail["none"][0].chain, trail["none"][0].seq) == ("none", 1)
    assert a[0].previous_hash == b[0].previous_hash == GENESIS_HASH
    assert a[1].previous_hash == a[0].hash and a[2].previous_hash == a[1].hash
    assert b[1].previous_hash == b[0].hash
    assert verify().startswith("Audit trail intact: 6 records in 3 chains\n")


def test_verify_reports_its_speed(trail):
    lines = verify().splitlines()
    assert lines[1].startswith("Checked in ") and "records a second" in lines[1]


def test_new_chains_start_from_the_end_of_the_single_chain_of_before(cast):
    old = [write_unkeyed(f"test.old_{n}") for n in range(2)]
    first = audit.record("test.new", school=cast.school_a)
    assert first.previous_hash == old[-1].hash
    assert verify().startswith("Audit trail intact: 3 records in 2 chains")


def test_removing_the_end_of_the_single_chain_of_before_is_found(cast):
    old = [write_unkeyed(f"test.old_{n}") for n in range(3)]
    first = audit.record("test.new", school=cast.school_a)
    delete(old[-1])
    message = failure()
    assert f"id={first.id}" in message
    assert "does not link to the end of the single chain" in message


def test_removing_the_first_record_of_a_chain_is_found(trail):
    delete(trail["a"][0])
    message = failure()
    assert f"id={trail['a'][1].id}" in message
    assert "at the start of its chain, were removed" in message
    assert "Oakwood Academy" in message  # the chain is named by its school


def test_a_record_moved_to_another_schools_chain_is_found(cast, trail):
    moved = trail["b"][1]
    behind_the_triggers(
        [
            (
                "UPDATE safeguarding_auditevent SET chain = %s, seq = 4, previous_hash = %s"
                " WHERE id = %s",
                [f"school:{cast.school_a.pk}", trail["a"][2].hash, moved.id],
            )
        ]
    )
    assert f"id={moved.id}" in failure()


def test_without_anchors_removing_the_newest_records_cannot_be_seen(trail):
    """Why anchors exist: the chain that is left is intact."""
    delete(trail["a"][2])
    out, err = StringIO(), StringIO()
    call_command("verify_audit", stdout=out, stderr=err)
    assert out.getvalue().startswith("Audit trail intact: 5 records")
    assert "No anchors given" in err.getvalue()


def test_the_anchors_show_the_newest_records_were_removed(cast, trail, tmp_path):
    anchors = tmp_path / "anchors.log"
    call_command("anchor_audit", "--file", str(anchors), stdout=StringIO())
    assert "3 chains checked against their latest anchor" in verify("--anchors", str(anchors))

    delete(trail["a"][2], trail["a"][1])
    message = failure("--anchors", str(anchors))
    assert f"Chain school:{cast.school_a.pk}:" in message
    assert "it had 3 records" in message and "it now has 1" in message
    assert "its newest records were removed" in message
    assert f"school:{cast.school_b.pk}" not in message


def test_the_anchors_show_a_whole_chain_was_removed(cast, trail, tmp_path):
    anchors = tmp_path / "anchors.log"
    call_command("anchor_audit", "--file", str(anchors), stdout=StringIO())
    delete(*trail["b"])
    message = failure("--anchors", str(anchors))
    assert f"Chain school:{cast.school_b.pk}:" in message and "it now has 0" in message


def test_the_anchors_show_a_replaced_newest_record(cast, trail, tmp_path):
    anchors = tmp_path / "anchors.log"
    call_command("anchor_audit", "--file", str(anchors), stdout=StringIO())
    last = trail["b"][1]
    delete(last)
    # Someone with the key writes a different last record in its place.
    replacement = audit.record("test.b_other", school=cast.school_b)
    assert replacement.seq == 2
    message = failure("--anchors", str(anchors))
    assert "no longer there as it was anchored" in message


def test_the_latest_anchor_counts_and_later_records_are_fine(cast, trail, tmp_path):
    anchors = tmp_path / "anchors.log"
    call_command("anchor_audit", "--file", str(anchors), stdout=StringIO())
    audit.record("test.a3", school=cast.school_a)
    call_command("anchor_audit", "--file", str(anchors), stdout=StringIO())
    audit.record("test.a4", school=cast.school_a)
    assert "Audit trail intact: 8 records" in verify("--anchors", str(anchors))


def test_a_forged_anchor_fails_verification(trail, tmp_path, settings):
    anchors = tmp_path / "anchors.log"
    call_command("anchor_audit", "--file", str(anchors), stdout=StringIO())
    line = anchors.read_text().splitlines()[0]
    payload = json.loads(line.split("audit-anchor ", 1)[1])
    payload["count"] += 5
    anchors.write_text(anchors.read_text() + "audit-anchor " + json.dumps(payload) + "\n")
    assert "1 of the 4 anchor lines read are not signed" in failure("--anchors", str(anchors))


def test_anchors_go_to_the_log_stream_and_carry_no_names(cast, trail, caplog, settings, tmp_path):
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "kept.log")
    with caplog.at_level(logging.INFO, logger="safeguarding.audit.anchor"):
        call_command("anchor_audit", stdout=StringIO())
    logged = [r.getMessage() for r in caplog.records if r.name == "safeguarding.audit.anchor"]
    assert len(logged) == 3 and all(m.startswith("audit-anchor {") for m in logged)
    assert "Oakwood" not in " ".join(logged)
    # verify_audit reads AUDIT_ANCHOR_FILE by itself, and a log extract as well.
    assert "3 chains checked" in verify()
    extract = tmp_path / "log-extract.txt"
    extract.write_text(
        "".join(f"2026-01-01 INFO safeguarding.audit.anchor [-] {m}\n" for m in logged)
    )
    assert "3 chains checked" in verify("--anchors", str(extract))


def test_the_periodic_job_anchors_the_chains_written_to_lately(cast, trail, tmp_path, settings):
    from safeguarding.tasks import anchor_audit_heads

    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "kept.log")
    assert anchor_audit_heads.delay().get() == 3
    behind_the_triggers(
        [("UPDATE safeguarding_auditevent SET at = at - interval '1 day'", [])]
        if connection.vendor == "postgresql"
        else [("UPDATE safeguarding_auditevent SET at = datetime(at, '-1 day')", [])]
    )
    audit.record("test.a3", school=cast.school_a)
    assert anchor_audit_heads.delay().get() == 1
    assert anchor_audit_heads.delay(every_chain=True).get() == 3


def test_verify_audit_fails_in_production_without_the_last_unkeyed_id(trail, settings):
    settings.PRODUCTION = True
    settings.AUDIT_LAST_UNKEYED_ID = None
    assert "AUDIT_LAST_UNKEYED_ID is not set" in failure()
    settings.AUDIT_LAST_UNKEYED_ID = 0
    assert verify().startswith("Audit trail intact")


# ---- No lock shared across schools (PostgreSQL) ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_writer_at_one_school_never_waits_for_another_school(postgres, cast):
    """School A's chain is locked by an open transaction: a record at school B is written at
    once, a second one at school A waits (here: gives up after the lock timeout)."""
    params = connection.get_connection_params()
    holding = threading.Event()
    release = threading.Event()

    def hold_school_a():
        with transaction.atomic():
            audit.record("test.holding", school=cast.school_a)
            holding.set()
            release.wait(30)
        connection.close()

    holder = threading.Thread(target=hold_school_a)
    holder.start()
    try:
        assert holding.wait(30)
        with psycopg.connect(
            host=params.get("host") or "127.0.0.1",
            port=params.get("port") or 5432,
            user=params["user"],
            dbname=params["dbname"],
            options="-c lock_timeout=1000",
        ) as probe:
            probe.execute(
                "SELECT pg_advisory_xact_lock(%s)", [audit.chain_lock_key(cast.school_b.pk)]
            )
            probe.rollback()
            with pytest.raises(psycopg.errors.LockNotAvailable):
                probe.execute(
                    "SELECT pg_advisory_xact_lock(%s)", [audit.chain_lock_key(cast.school_a.pk)]
                )
            probe.rollback()
        # And through the app: school B's record is written while school A's lock is held.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")
            written = audit.record("test.other_school", school=cast.school_b)
        assert written.seq == 1
    finally:
        release.set()
        holder.join(30)


@pytest.mark.django_db(transaction=True)
def test_chains_are_checked_by_several_processes_at_once(cast):
    for n in range(30):
        audit.record("test.parallel", school=(cast.school_a, cast.school_b, None)[n % 3])
    broken = AuditEvent.objects.filter(chain=f"school:{cast.school_b.pk}", seq=4).get()
    lines = verify("--workers", "2").splitlines()
    assert lines[0] == "Audit trail intact: 30 records in 3 chains"
    assert lines[1].endswith("records a second, 2 processes.")
    behind_the_triggers(
        [("UPDATE safeguarding_auditevent SET data = '{\"n\": 1}' WHERE id = %s", [broken.id])]
    )
    assert f"id={broken.id}" in failure("--workers", "2")


# Several processes checking one chain need a database server: SQLite's in-memory test database
# is not shared with forked processes, and its connection's schema goes stale after them.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_long_chain_is_checked_in_pieces(cast, settings):
    from safeguarding import audit_check

    events = [audit.record("test.long", school=cast.school_a) for _ in range(25)]
    report = audit_check.verify_chains(workers=2, segment=10)
    assert report.records == 25 and not report.broken
    delete(events[15])
    report = audit_check.verify_chains(workers=2, segment=10)
    (chain,) = report.broken
    assert chain.broken_id == events[16].id and chain.reason == audit_check.UNLINKED
    delete(events[9])  # the last of the first piece: found by the second piece
    report = audit_check.verify_chains(workers=2, segment=10)
    assert report.broken[0].broken_id == events[10].id
