"""Notification speed and loss: from a case's commit to its email arriving at an SMTP server.

Run: .venv/bin/python benchmarks/notification_latency.py
     [--database-url postgres://.../sg_notify_bench] [--redis-url redis://127.0.0.1:6379/7]
Needs PostgreSQL and Redis. Uses its own database (created if missing) and Redis database
(emptied), starts a real `celery -A safeguarding worker` and an aiosmtpd server, then:

0. floor: 50 messages sent straight to the SMTP server from this process (no outbox, no
   broker): the least a message can take here;
1. latency: 200 cases one after another; for each, the time from its transaction's commit to
   the DSL's email arriving; prints p50 / p95 / max and p50 against the floor's;
2. loss: 1,000 cases committed as fast as four threads can, then waits for the emails (running
   the outbox relay as beat would if anything is still pending); prints how many arrived, how
   many were lost and how many came twice. Target: none lost, none twice.
Not part of the test suite.
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FLOOR_MESSAGES = 50
LATENCY_CASES = 200
LOSS_CASES = 1000
LOSS_THREADS = 4
WAIT_SECONDS = 180
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/sg_notify_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/7"
REFERENCE = re.compile(rb"SG-[0-9A-Z]{4}-[0-9A-Z]{4}")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--smtp-port", type=int, default=8107)
    parser.add_argument("--concurrency", type=int, default=8, help="worker threads")
    return parser.parse_args()


ARGS = parse_args()
os.environ["DATABASE_URL"] = ARGS.database_url
os.environ["CELERY_BROKER_URL"] = ARGS.redis_url
os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{ARGS.smtp_port}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
os.environ["LOG_LEVEL"] = "WARNING"
os.environ.pop("PRODUCTION", None)


def create_database(url: str) -> None:
    import psycopg

    server, name = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


create_database(ARGS.database_url)

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from django.core.mail import send_mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from incidents.models import Incident, Urgency  # noqa: E402
from notifications import services  # noqa: E402
from notifications.models import Outbox, OutboxStatus  # noqa: E402
from safeguarding.models import Membership, Role, School, User  # noqa: E402


class Sink:
    """Arrival time of every message, by the case reference in it."""

    def __init__(self):
        self.lock = threading.Lock()
        self.arrivals: dict[str, list[float]] = {}

    async def handle_DATA(self, server, session, envelope):
        now = time.perf_counter()
        match = REFERENCE.search(envelope.original_content)
        if match:
            with self.lock:
                self.arrivals.setdefault(match.group().decode(), []).append(now)
        return "250 OK"

    def received(self, references) -> int:
        with self.lock:
            return sum(1 for r in references if r in self.arrivals)


def set_up_school():
    call_command("migrate", verbosity=0)
    Outbox.objects.all().delete()
    school, _ = School.objects.get_or_create(slug="bench-school", defaults={"name": "Bench School"})
    user = User.objects.filter(email="dsl@bench.invalid").first()
    if user is None:
        user = User.objects.create_user("dsl@bench.invalid", None, full_name="Bench DSL")
        Membership.objects.create(user=user, role=Role.DSL, school=school)
    reporter = User.objects.filter(email="staff@bench.invalid").first()
    if reporter is None:
        reporter = User.objects.create_user("staff@bench.invalid", None, full_name="Bench Staff")
        Membership.objects.create(user=reporter, role=Role.STAFF, school=school)
    return school, reporter


def report(school, reporter, committed: dict) -> str:
    """One case and its notification in one transaction; note when it committed."""
    with transaction.atomic():
        incident = Incident.objects.create(
            school=school,
            reporter=reporter,
            kind="nudified",
            came_to_light="child_told",
            location="online",
            account="Benchmark case.",
            adults_involved="no",
            checklist_version="bench",
            urgency=Urgency.DSL_REVIEW_TODAY,
        )
        reference = incident.reference
        # Registered before the nudge, so it runs first: the moment of commit.
        transaction.on_commit(lambda: committed.__setitem__(reference, time.perf_counter()))
        services.notify_new_case(
            school=school, incident_id=incident.pk, reference=reference, urgent=False
        )
    return reference


def wait_for(sink: Sink, references, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    relayed_at = time.monotonic()
    while time.monotonic() < deadline and sink.received(references) < len(references):
        time.sleep(0.2)
        if time.monotonic() - relayed_at > 20:
            # What beat does every minute: send whatever is still pending.
            services.relay_pending(limit=len(references))
            relayed_at = time.monotonic()


def start_worker(log_path: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "safeguarding",
        "worker",
        "--queues=alerts,celery",
        "--pool=threads",
        f"--concurrency={ARGS.concurrency}",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "INFO"}
    redis.Redis.from_url(ARGS.redis_url).flushdb()
    log = log_path.open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while " ready." not in log_path.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not start; see {log_path}")
        time.sleep(0.2)
    return process


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", ARGS.smtp_port)) == 0:
            raise SystemExit(f"port {ARGS.smtp_port} is in use: pass --smtp-port")
    school, reporter = set_up_school()
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=ARGS.smtp_port)
    controller.start()
    log_path = Path(tempfile.mkstemp(prefix="notify-bench-worker-", suffix=".log")[1])
    worker = start_worker(log_path)
    try:
        print(f"worker log: {log_path}")
        floor = []
        for i in range(FLOOR_MESSAGES):
            reference = f"SG-FL00-{i:04d}"
            started = time.perf_counter()
            send_mail(f"Floor {reference}", "Floor.", None, ["dsl@bench.invalid"])
            wait_for(sink, [reference], 10)
            floor.append((sink.arrivals[reference][0] - started) * 1000)
        floor_p50 = statistics.median(floor)
        print(f"floor: a direct SMTP send, p50 {floor_p50:.1f} ms over {FLOOR_MESSAGES}")

        committed: dict[str, float] = {}
        references = []
        for _ in range(LATENCY_CASES):
            references.append(report(school, reporter, committed))
            time.sleep(0.02)
        wait_for(sink, references, WAIT_SECONDS)
        latencies = [
            (sink.arrivals[r][0] - committed[r]) * 1000 for r in references if r in sink.arrivals
        ]
        print(f"latency over {LATENCY_CASES} cases, commit to SMTP arrival (ms):")
        print(
            f"  p50 {statistics.median(latencies):.1f}  p95 {percentile(latencies, 0.95):.1f}"
            f"  max {max(latencies):.1f}  (arrived {len(latencies)}/{LATENCY_CASES});"
            f" p50 is {statistics.median(latencies) / floor_p50:.1f}x the floor"
        )

        burst: dict[str, float] = {}
        started = time.perf_counter()

        def one(_):
            try:
                return report(school, reporter, burst)
            finally:
                connection.close()

        with ThreadPoolExecutor(LOSS_THREADS) as pool:
            loss_refs = list(pool.map(one, range(LOSS_CASES)))
        committed_in = time.perf_counter() - started
        wait_for(sink, loss_refs, WAIT_SECONDS)
        drained_in = time.perf_counter() - started
        arrived = sink.received(loss_refs)
        twice = sum(1 for r in loss_refs if len(sink.arrivals.get(r, [])) > 1)
        pending = Outbox.objects.exclude(status=OutboxStatus.SENT).count()
        print(f"loss over {LOSS_CASES} cases committed by {LOSS_THREADS} threads:")
        print(
            f"  committed in {committed_in:.1f} s, all email in {drained_in:.1f} s;"
            f" arrived {arrived}, lost {LOSS_CASES - arrived}, twice {twice},"
            f" outbox rows not sent {pending}"
        )
        ok = arrived == LOSS_CASES and twice == 0 and len(latencies) == LATENCY_CASES
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
