"""Submitting a report with the broker frozen: the member of staff must not wait for Redis.

Run: .venv/bin/python benchmarks/submit_broker_frozen.py
     [--database-url postgres://.../sg_submit_bench] [--reports 40]
Needs PostgreSQL and `redis-server` (it starts its own, on a free port, and freezes it with
SIGSTOP: a Redis that accepts connections and never answers, the worst case for a publisher).
Uses its own database (created if missing). Walks the real report journey through Django's
test client (every middleware, the real view), then times only the final "Send report" POST:

1. floor: `--reports` submits with Redis answering;
2. frozen: `--reports` submits with Redis stopped (SIGSTOP), from a fresh broker connection
   pool, as a web process that has not published yet (the case that took 6 s before);
then checks every report's alerts are in the outbox, waiting for the relay.
Prints p50 / p95 / max of each and the ratio of the p95s. Target: frozen p95 within 1.5x of
the floor's. Not part of the test suite.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/sg_submit_bench"
TARGET_RATIO = 1.5


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--reports", type=int, default=40)
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ARGS = parse_args()
REDIS_PORT = free_port()
os.environ["DATABASE_URL"] = ARGS.database_url
os.environ["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
os.environ["LOG_LEVEL"] = "ERROR"
os.environ.pop("PRODUCTION", None)
os.environ.pop("EMAIL_URL", None)


def create_database(url: str) -> None:
    import psycopg

    server, name = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


create_database(ARGS.database_url)

import django  # noqa: E402

django.setup()

from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()  # so the test client can read each page's form

import kombu.pools  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from guidance.checklist import load_checklist  # noqa: E402
from incidents.models import Incident  # noqa: E402
from notifications.models import Outbox  # noqa: E402
from notifications.publisher import publisher  # noqa: E402
from safeguarding.celery import app as celery_app  # noqa: E402
from safeguarding.models import Membership, Role, School, User  # noqa: E402

WHAT = {
    "image_nature": "nudified",
    "threats_or_demands": "no",
    "came_to_light": "child_told",
    "happened_on_0": "3",
    "happened_on_1": "11",
    "happened_on_2": "2026",
    "location": "online",
    "platform": "Benchmark",
    "account": "Benchmark report.",
}


def post(client, url, data):
    from urllib.parse import urlencode

    return client.post(
        url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded"
    )


def set_up():
    call_command("migrate", verbosity=0)
    school, _ = School.objects.get_or_create(
        slug="bench-submit", defaults={"name": "Bench Submit School"}
    )
    people = {}
    for email, role in (
        ("staff@submit.invalid", Role.STAFF),
        ("dsl@submit.invalid", Role.DSL),
        ("deputy@submit.invalid", Role.DEPUTY_DSL),
    ):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, None, full_name=email.split("@")[0])
            Membership.objects.create(user=user, role=role, school=school)
        people[role] = user
    return school, people[Role.STAFF]


def answers(client, url) -> dict:
    asked = client.get(url).context["form"].fields.keys()
    found = {}
    for question in load_checklist().questions:
        values = question.choice_values()
        found[question.id] = "no" if "no" in values else "not_known"
    found["adult_involved"] = "no"
    return {k: v for k, v in found.items() if k in asked}


def ready_to_send(client, school) -> str:
    """Every step of the journey except the last; returns the URL that sends it."""
    start_url = reverse("incidents:report_start", args=[school.slug])
    start = post(client, start_url, {"acknowledged": "on"})
    draft = re.search(r"/report/([0-9a-f-]{36})/", start["Location"]).group(1)

    def url(name):
        return reverse(f"incidents:{name}", kwargs={"school": school.slug, "draft": draft})

    assert post(client, url("report_what"), WHAT).status_code == 302
    assert post(client, url("report_who"), {"action": "continue"}).status_code == 302
    checklist = url("report_checklist")
    assert post(client, checklist, answers(client, checklist)).status_code == 302
    return url("report_check")


def fresh_broker_connections() -> None:
    """As a web process that has not published anything yet."""
    publisher.flush(60)
    kombu.pools.reset()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


def submits(client, school, count: int) -> list[float]:
    took = []
    for _ in range(count):
        url = ready_to_send(client, school)
        started = time.perf_counter()
        response = post(client, url, {})
        took.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302, response.status_code
    return took


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def describe(label: str, took: list[float]) -> float:
    p95 = percentile(took, 0.95)
    print(
        f"{label}: p50 {statistics.median(took):.0f} ms  p95 {p95:.0f} ms"
        f"  max {max(took):.0f} ms  first {took[0]:.0f} ms  over {len(took)}"
    )
    return p95


def main() -> int:
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("needs redis-server (apt-get install redis-server)")
    directory = tempfile.mkdtemp(prefix="submit-bench-redis-")
    redis_process = subprocess.Popen(
        [server, "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", ""]
        + ["--dir", directory],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        school, staff = set_up()
        client = Client()
        client.force_login(staff)
        before = Incident.objects.filter(school=school).count()

        submits(client, school, 3)  # warm-up: imports, templates, first connections
        fresh_broker_connections()
        floor = describe("Redis up    ", submits(client, school, ARGS.reports))

        publisher.flush(60)
        fresh_broker_connections()
        os.kill(redis_process.pid, signal.SIGSTOP)
        try:
            frozen = describe("Redis frozen", submits(client, school, ARGS.reports))
        finally:
            os.kill(redis_process.pid, signal.SIGCONT)
        publisher.flush(120)

        made = Incident.objects.filter(school=school).count() - before
        rows = Outbox.objects.filter(school=school, kind="new_case")
        waiting = rows.filter(queued_at__isnull=True, status="pending").count()
        print(
            f"reports saved {made}; alert rows {rows.count()} in the outbox,"
            f" {waiting} not published while Redis was frozen (the relay sends them)"
        )
        ratio = frozen / floor
        print(f"p95 frozen / p95 up: {ratio:.2f} (target {TARGET_RATIO})")
        ok = ratio <= TARGET_RATIO and made == 2 * ARGS.reports + 3
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        redis_process.kill()
        redis_process.wait()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
