"""The audit trail under load: case views by 1, 8 and 32 viewers at once, and verify_audit over
1,000,000 records.

Run: .venv/bin/python benchmarks/audit_trail.py
     [--database-url postgres://.../sg_audit_bench] [--views 100] [--records 1000000]
Needs PostgreSQL. Uses its own database (dropped and made afresh; default sg_audit_bench on
127.0.0.1). Not part of the test suite.

1. Viewers. Every view of a case writes one audit record (`audit.record`, its own transaction,
   as a case page does). 1, 8 and 32 viewers (threads, each with its own connection) each write
   `--views` records, three ways:
   - floor: the same INSERT with no chain (no lock, no look-up of the chain's last record);
   - one chain per school: each viewer at a school of its own (how the trail is written);
   - one shared chain: every viewer at the same school (every writer queues for one lock, as
     the single chain of before did for the whole service).
   Prints records a second and p50 / p95 per record. Target: with one chain per school, p95
   within 2x of the floor's at every number of viewers (the chain costs one indexed look-up and
   an uncontended lock, not a queue).
2. verify_audit over `--records` records in 32 school chains (written with COPY, each hash the
   real keyed chained hash), as the operator runs it: the command in a process of its own, with
   1 worker and with one per CPU. Prints the time and records a second. Target: 1,000,000
   records verified in under 10 minutes on this 2-core machine. Then the newest record of one
   chain is removed behind the database's triggers (as its owner could), and verify_audit must
   fail against the anchors written before (exit status 2), naming that chain.
"""

import argparse
import io
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sg_audit_bench"
VIEWER_COUNTS = (1, 8, 32)
CHAINS = 32
VIEW_TARGET = 2.0
VERIFY_TARGET_SECONDS = 600


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--views", type=int, default=100, help="records each viewer writes")
    parser.add_argument("--records", type=int, default=1_000_000, help="records to verify")
    return parser.parse_args()


ARGS = parse_args()
ANCHOR_FILE = Path(tempfile.mkdtemp(prefix="audit-bench-")) / "anchors.log"
os.environ["DATABASE_URL"] = ARGS.database_url
os.environ["AUDIT_ANCHOR_FILE"] = str(ANCHOR_FILE)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
os.environ["LOG_LEVEL"] = "WARNING"
os.environ.pop("PRODUCTION", None)


def fresh_database(url: str) -> None:
    import psycopg

    base, name = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


fresh_database(ARGS.database_url)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from safeguarding import audit  # noqa: E402
from safeguarding.models import AuditEvent, School, audit_hash  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def floor_write(viewer: int, seq: int, school: School) -> None:
    with transaction.atomic():
        event = AuditEvent(
            at=timezone.now(),
            action="case.viewed",
            target_type="incidents.incident",
            target_id=str(seq),
            school=school,
            data={"page": "case"},
            chain=f"floor:{viewer}",
            seq=seq,
            previous_hash="0" * 64,
            hash_scheme=AuditEvent.HashScheme.CHAINED,
        )
        event.hash = event.compute_hash()
        event.save(force_insert=True)


def chained_write(viewer: int, seq: int, school: School) -> None:
    audit.record(
        "case.viewed",
        target_type="incidents.incident",
        target_id=str(seq),
        school=school,
        data={"page": "case"},
    )


def run_viewers(write, schools: list[School], round_no: int) -> tuple[float, list[float]]:
    timings: list[list[float]] = [[] for _ in schools]
    start = threading.Barrier(len(schools) + 1)

    def viewer(index: int) -> None:
        school = schools[index]
        start.wait()
        for n in range(ARGS.views):
            began = time.perf_counter()
            write(round_no * 1000 + index, n + 1, school)
            timings[index].append(time.perf_counter() - began)
        connections.close_all()

    threads = [threading.Thread(target=viewer, args=(i,)) for i in range(len(schools))]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    flat = [t for per_viewer in timings for t in per_viewer]
    return len(flat) / elapsed, flat


def viewers_part(schools: list[School]) -> bool:
    print(f"1. Case views: each viewer writes {ARGS.views} audit records")
    heading = f"{'viewers':>7}  {'how':<24} {'records/s':>9} {'p50 ms':>7} {'p95 ms':>7}"
    print(f"{heading} {'vs floor':>8}")
    ok = True
    round_no = 0
    for count in VIEWER_COUNTS:
        floor_p95 = None
        for label, write, at in (
            ("floor (no chain)", floor_write, schools[:count]),
            ("one chain per school", chained_write, schools[:count]),
            ("one shared chain", chained_write, [schools[-1]] * count),
        ):
            round_no += 1
            rate, timings = run_viewers(write, at, round_no)
            p50, p95 = percentile(timings, 50) * 1000, percentile(timings, 95) * 1000
            if floor_p95 is None:
                floor_p95 = p95
            ratio = p95 / floor_p95
            mark = ""
            if label == "one chain per school":
                passed = ratio <= VIEW_TARGET
                ok = ok and passed
                mark = "  ok" if passed else f"  OVER {VIEW_TARGET}x"
            print(
                f"{count:>7}  {label:<24} {rate:>9.0f} {p50:>7.1f} {p95:>7.1f} {ratio:>7.2f}x{mark}"
            )
    return ok


def write_chains(schools: list[School], total: int) -> None:
    """`total` records over the schools' chains, each hashed as audit.record would."""
    genesis = audit.chain_genesis()
    per_chain = total // len(schools)
    columns = (
        "at",
        "actor_id",
        "action",
        "target_type",
        "target_id",
        "school_id",
        "ip_address",
        "request_id",
        "data",
        "previous_hash",
        "chain",
        "seq",
        "hash",
        "hash_scheme",
    )
    scheme = AuditEvent.HashScheme.CHAINED.value
    base = datetime.now(UTC) - timedelta(days=365)
    data = {"page": "case"}
    with connection.cursor() as cursor:
        copy_sql = f"COPY safeguarding_auditevent ({', '.join(columns)}) FROM STDIN"
        # Chains are written one after another, so each chain's ids ascend with its seq.
        with cursor.cursor.copy(copy_sql) as copy:
            for school in schools:
                previous = genesis
                chain = f"school:{school.pk}"
                for seq in range(1, per_chain + 1):
                    fields = {
                        "at": base + timedelta(seconds=seq),
                        "actor_id": None,
                        "action": "case.viewed",
                        "target_type": "incidents.incident",
                        "target_id": str(seq % 500 + 1),
                        "school_id": school.pk,
                        "ip_address": None,
                        "request_id": "",
                        "data": data,
                        "previous_hash": previous,
                        "chain": chain,
                        "seq": seq,
                    }
                    digest = audit_hash(fields, scheme)
                    copy.write_row(
                        (
                            fields["at"],
                            None,
                            fields["action"],
                            fields["target_type"],
                            fields["target_id"],
                            school.pk,
                            None,
                            "",
                            json.dumps(data),
                            previous,
                            chain,
                            seq,
                            digest,
                            scheme,
                        )
                    )
                    previous = digest
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE safeguarding_auditevent")


def verify_audit(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    began = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "verify_audit", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    return time.perf_counter() - began, result


def verify_part(schools: list[School]) -> bool:
    print(f"\n2. verify_audit over {ARGS.records:,} records in {len(schools)} school chains")
    with connection.cursor() as cursor:  # the floor's rows belong to no chain
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("DELETE FROM safeguarding_auditevent WHERE chain LIKE 'floor:%%'")
        cursor.execute("SET session_replication_role = DEFAULT")
    began = time.perf_counter()
    write_chains(schools, ARGS.records)
    total = AuditEvent.objects.count()
    print(f"   written in {time.perf_counter() - began:.0f} s ({total:,} records in the trail)")
    logging.getLogger("safeguarding.audit.anchor").setLevel(logging.WARNING)
    call_command("anchor_audit", stdout=io.StringIO())
    ok = True
    cpus = os.cpu_count() or 1
    for workers in sorted({1, cpus}):
        seconds, result = verify_audit("--workers", str(workers))
        said = " ".join(result.stdout.strip().splitlines()[:2])
        passed = result.returncode == 0 and seconds < VERIFY_TARGET_SECONDS
        ok = ok and passed
        print(
            f"   {workers} worker(s): {seconds:.1f} s with the command's start-up,"
            f" exit {result.returncode}: {said}  {'ok' if passed else 'FAILED'}"
        )
    # The database owner removes the newest record of one chain: the anchors must show it.
    victim = AuditEvent.objects.filter(school=schools[0]).order_by("-seq").first()
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("DELETE FROM safeguarding_auditevent WHERE id = %s", [victim.id])
        cursor.execute("SET session_replication_role = DEFAULT")
    seconds, result = verify_audit()
    found = result.returncode == 2 and victim.chain in (result.stdout + result.stderr)
    ok = ok and found
    print(
        f"   newest record of {victim.chain} removed: exit {result.returncode} in {seconds:.1f} s,"
        f" {'found' if found else 'NOT FOUND'}"
    )
    if not found:
        print(result.stdout + result.stderr)
    return ok


def main() -> int:
    call_command("migrate", verbosity=0)
    schools = [
        School.objects.create(name=f"Viewing school {n}", slug=f"view-{n}")
        for n in range(max(VIEWER_COUNTS) + 1)
    ]
    views_ok = viewers_part(schools)
    bulk = [School.objects.create(name=f"Bulk school {n}", slug=f"bulk-{n}") for n in range(CHAINS)]
    verify_ok = verify_part(bulk)
    print(
        f"\nViews: one chain per school within {VIEW_TARGET}x of the floor:"
        f" {'yes' if views_ok else 'NO'}. verify_audit of {ARGS.records:,} records under"
        f" {VERIFY_TARGET_SECONDS // 60} minutes and removal found: {'yes' if verify_ok else 'NO'}."
    )
    return 0 if views_ok and verify_ok else 1


if __name__ == "__main__":
    sys.exit(main())
