"""The pages a DSL opens all day, against the floor, at 100,000 cases across 200 schools.

Run: .venv/bin/python benchmarks/pages.py [--database-url postgres://.../sg_pages_bench]
     [--keep] [--quick] [--rounds 100]
Needs PostgreSQL. Uses its own database (default sg_pages_bench on 127.0.0.1), made afresh with
the data set unless --keep finds one already built (building 100,000 cases takes a few
minutes; --keep reuses it). --quick: 4,000 cases across 20 schools and 60 rounds, to check the
script. Not part of the test suite.

The data set (bulk inserts): 200 schools, each with 500 cases of two pupils (of 60 pupils),
a DSL and a deputy, and an unread alert per case to the DSL of the school measured. At that
school, one case has 20 records of every kind (status changes, initial reviews, referrals,
decisions, parents told, removal offered, devices secured, staff who saw it, the DSL's
viewing, tasks, triage decisions, notes, pupils added, links, follow-ups, assignments and
views), and one pupil is in 40 cases, each with a referral and a decision.

The app is served by gunicorn with 2 workers (DEBUG off, sessions and everything else as
configured), and the DSL signs in for real over HTTP: email and password, then the code their
authenticator app would show (TOTP). Then, interleaved in a random order each round and
repeated `--rounds` times, one request each to:
- the floor: the sign-in page, served to the same signed-in session (the framework's cost of
  a page: the session, the person, their second factor, the page's frame);
- the inbox (25 of the school's 500 cases), the busy case's page, the pupil's file (40 cases)
  and the DSL's home page.
Prints p50 and p95 of each, their ratio to the floor's, and each page's number of database
queries (counted in this process through Django's test client, as Django logs them outside a
test: with the BEGIN and COMMIT of the audit record's own transaction, which the tests, inside
a transaction of their own, do not see). Stops measuring after --minutes (default 30) and says
how many rounds it did.
Target: every page's p95 within 1.5x of the floor's (and never over 2x).
"""

import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sg_pages_bench"
TARGET = 1.5
LIMIT = 2.0
PASSWORD = "benchmark-pages-2026"
DSL_EMAIL = "dsl@school-000.invalid"
CASES_PER_PUPIL_FILE = 40
RECORDS_OF_EACH_KIND = 20
PUPILS_PER_SCHOOL = 60


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="reuse the data set if built")
    parser.add_argument("--quick", action="store_true", help="4,000 cases, 60 rounds")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=30, help="time limit for measuring")
    args = parser.parse_args()
    if args.quick:
        args.cases, args.schools, args.rounds = 4_000, 20, 60
    return args


ARGS = parse_args()
SERVER_ENV = {
    "DATABASE_URL": ARGS.database_url,
    "DEBUG": "false",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "safeguarding.settings",
}
os.environ.update(SERVER_ENV)
for name in ("PRODUCTION", "CELERY_BROKER_URL", "EMAIL_URL"):
    os.environ.pop(name, None)


def database_exists(url: str) -> bool:
    import psycopg

    base, name = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return found is not None


def fresh_database(url: str) -> None:
    import psycopg

    base, name = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


BUILD = not (ARGS.keep and database_exists(ARGS.database_url))
if BUILD:
    fresh_database(ARGS.database_url)

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.oath import TOTP  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from cases import models as records  # noqa: E402
from cases import services  # noqa: E402
from incidents.models import (  # noqa: E402
    FollowUp,
    Incident,
    IncidentPupil,
    Pupil,
    PupilRole,
    Status,
    Urgency,
)
from notifications.models import Outbox, OutboxStatus  # noqa: E402
from safeguarding import audit  # noqa: E402
from safeguarding.models import Membership, Role, School, User  # noqa: E402


def build() -> None:
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    password = make_password(PASSWORD)
    per_school = ARGS.cases // ARGS.schools
    schools = School.objects.bulk_create(
        School(name=f"Bench School {i:03d}", slug=f"school-{i:03d}") for i in range(ARGS.schools)
    )
    users = User.objects.bulk_create(
        User(email=f"{role}@{school.slug}.invalid", full_name=f"{role} {i}", password=password)
        for i, school in enumerate(schools)
        for role in ("dsl", "deputy")
    )
    Membership.objects.bulk_create(
        Membership(user=user, school=schools[i // 2], role=(Role.DSL, Role.DEPUTY_DSL)[i % 2])
        for i, user in enumerate(users)
    )
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=user, name="Phone", confirmed=True) for user in users
    )
    now = timezone.now()
    urgencies = list(Urgency.values)
    statuses = [Status.NEW, Status.ACKNOWLEDGED, Status.UNDER_REVIEW, Status.REFERRED]
    for s, school in enumerate(schools):
        dsl, deputy = users[2 * s], users[2 * s + 1]
        pupils = Pupil.objects.bulk_create(
            Pupil(school=school, first_name=f"Pupil{p}", last_name=f"Bench{p % 7}", year_group="9")
            for p in range(PUPILS_PER_SCHOOL)
        )
        cases = Incident.objects.bulk_create(
            Incident(
                school=school,
                reporter=deputy,
                kind="nudified",
                came_to_light="child_told",
                location="online",
                account="Words only, as a member of staff would write them.",
                adults_involved="no",
                checklist_version="2024.1",
                urgency=urgencies[i % len(urgencies)],
                status=statuses[i % len(statuses)] if i % 5 else Status.CLOSED,
                assigned_to=(dsl, deputy, None)[i % 3],
                submitted_at=now - timedelta(hours=i),
            )
            for i in range(per_school)
        )
        IncidentPupil.objects.bulk_create(
            IncidentPupil(incident=case, pupil=pupils[(i + k) % PUPILS_PER_SCHOOL], role=role)
            for i, case in enumerate(cases)
            for k, role in enumerate([PupilRole.PICTURED, PupilRole.ALLEGED_CREATOR])
            # The first pupil's cases are added below: exactly CASES_PER_PUPIL_FILE of them.
            if (i + k) % PUPILS_PER_SCHOOL != 0
        )
        if s == 0:
            Outbox.objects.bulk_create(
                Outbox(
                    recipient=dsl,
                    kind="new_case",
                    reference=case.reference,
                    incident_id=case.pk,
                    school=school,
                    idempotency_key=f"bench:{case.pk}",
                    status=OutboxStatus.SENT,
                    sent_at=now,
                )
                for case in cases
            )
            busy_school(school, dsl, deputy, pupils, cases)
        if s % 20 == 0:
            print(f"  school {s + 1} of {len(schools)}: {time.monotonic() - started:.0f} s")
    call_command("check", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"built in {time.monotonic() - started:.0f} s")


def busy_school(school, dsl, deputy, pupils, cases) -> None:
    """The busy case and the pupil in many cases, at the school measured."""
    amy = pupils[0]
    today = timezone.localdate()
    for case in cases[:CASES_PER_PUPIL_FILE]:
        IncidentPupil.objects.create(incident=case, pupil=amy, role=PupilRole.PICTURED)
        for row in [
            records.Referral(agency="police", referred_on=today),
            records.Decision(decision="refer", reasons="Threats were made.", happened_on=today),
        ]:
            row.incident, row.recorded_by = case, dsl
            row.save()
            audit.record(
                services.RECORD_ADDED,
                actor=dsl,
                target=case,
                school=school,
                data={"record": row.KIND, "id": row.pk},
            )
    busy = cases[1]
    for i in range(RECORDS_OF_EACH_KIND):
        pupil = pupils[1 + (i % (PUPILS_PER_SCHOOL - 1))]
        lead = (dsl, deputy)[i % 2]
        follow_up = FollowUp.objects.create(incident=busy, author=deputy, text="More.")
        audit.record(
            "incident.follow_up_added",
            actor=deputy,
            target=busy,
            school=school,
            data={"follow_up_id": follow_up.pk},
        )
        for row in [
            records.StatusChange(from_status="new", to_status="acknowledged", reason="Seen."),
            records.ReviewMeeting(held_on=today, checklist_version="2024.1", notes="Met."),
            records.Referral(agency="police", referred_on=today, their_reference=f"P{i}"),
            records.Decision(decision="refer", reasons="Threats were made.", happened_on=today),
            records.ParentsInformed(informed=True, informed_on=today, who_was_told="Mother"),
            records.RemovalOffered(
                services=["report_remove"], pupil=pupil, offered_by=lead, offered_on=today
            ),
            records.DeviceSecured(
                device="Phone", secured_on=today, where_kept="Safe", handed_to="DSL"
            ),
            records.StaffSawImagery(seen_by="A teacher", seen_when="Monday"),
            records.ImageryViewing(
                viewed_by=dsl, viewed_at=timezone.now(), reason="Asked.", others_present="Head"
            ),
            records.Task(title="Check in", owner=lead, due_on=today),
            records.TriageOverride(referral="yes", urgency="call_999", urgency_reason="Now."),
            records.CaseNote(text=f"Note {i}", happened_on=today),
            records.PupilChange(pupil=pupil, role=PupilRole.RECIPIENT, added=True, reason="Later."),
            records.CaseLink(linked=cases[2 + i], reason="same_image"),
        ]:
            row.incident, row.recorded_by = busy, lead
            row.save()
            audit.record(
                services.CASE_LINKED
                if isinstance(row, records.CaseLink)
                else services.RECORD_ADDED,
                actor=lead,
                target=busy,
                school=school,
                data={"record": row.KIND, "id": row.pk},
            )
        IncidentPupil.objects.get_or_create(incident=busy, pupil=pupil, role=PupilRole.RECIPIENT)
        services.assign(incident=busy, actor=dsl, assignee=lead)
        services.log_case_view(incident=busy, actor=lead)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(port: int) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=str(ROOT / ".venv" / "bin")) or "gunicorn"
    process = subprocess.Popen(
        [gunicorn, "safeguarding.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
        + ["--log-level", "warning", "--timeout", "120"],
        cwd=ROOT,
        env={**os.environ, **SERVER_ENV},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not start")


def csrf_token(html: str) -> str:
    marker = 'name="csrfmiddlewaretoken" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(base: str, user):
    """Sign in as a browser does: the sign-in form, then the code from the authenticator app."""
    import requests

    session = requests.Session()
    form = session.get(f"{base}/sign-in/")
    answer = session.post(
        f"{base}/sign-in/",
        data={
            "csrfmiddlewaretoken": csrf_token(form.text),
            "username": user.email,
            "password": PASSWORD,
        },
        headers={"Referer": f"{base}/sign-in/"},
    )
    if "/two-factor/check/" not in answer.url:
        raise SystemExit(f"sign-in did not ask for the code (at {answer.url})")
    answer = session.post(
        f"{base}/two-factor/check/",
        data={"csrfmiddlewaretoken": csrf_token(answer.text), "code": current_code(user)},
        headers={"Referer": f"{base}/two-factor/check/"},
    )
    session.get(f"{base}/")  # the first page after signing in may remind them of the briefing
    home = session.get(f"{base}/")
    if "Cases that need you now" not in home.text:
        raise SystemExit(f"not signed in after the code (at {answer.url})")
    return session


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def queries(user, path: str) -> int:
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    client.get(path)  # as measured: the page's first visit starts nothing new
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


def main() -> int:
    if BUILD:
        print(f"building {ARGS.cases:,} cases across {ARGS.schools} schools")
        build()
    else:
        print(f"reusing the data set in {ARGS.database_url.rsplit('/', 1)[1]} (--keep)")
        call_command("migrate", verbosity=0)  # the code may have moved on since it was built
    dsl = User.objects.get(email=DSL_EMAIL)
    school = School.objects.get(slug="school-000")
    pupil = Pupil.objects.get(school=school, first_name="Pupil0")
    busy = max(
        Incident.objects.filter(school=school)[:5],
        key=lambda case: services.case_events(case).count(),
    )
    pages = {
        "floor (sign-in page)": "/sign-in/",
        "inbox": f"/s/{school.slug}/cases/",
        "case page": f"/cases/{busy.reference}/",
        "pupil's file": f"/s/{school.slug}/pupils/{pupil.pk}/",
        "DSL's home": "/",
    }
    print(
        f"{Incident.objects.count():,} cases, {School.objects.count()} schools; the case page: "
        f"{services.case_events(busy).count()} timeline events; the pupil: "
        f"{IncidentPupil.objects.filter(pupil=pupil).count()} cases"
    )
    counts = {name: queries(dsl, path) for name, path in pages.items()}

    port = free_port()
    server = serve(port)
    try:
        base = f"http://127.0.0.1:{port}"
        session = sign_in(base, dsl)
        took: dict[str, list[float]] = {name: [] for name in pages}
        for _ in range(10):  # warm-up: both workers' imports, templates and connections
            for path in pages.values():
                session.get(base + path)
        rng = random.Random(18)
        deadline = time.monotonic() + ARGS.minutes * 60
        for _ in range(ARGS.rounds):
            if time.monotonic() > deadline:
                break
            order = list(pages.items())
            rng.shuffle(order)
            for name, path in order:
                start = time.perf_counter()
                response = session.get(base + path, allow_redirects=False, timeout=120)
                took[name].append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise SystemExit(f"{name}: {response.status_code}")
    finally:
        server.terminate()
        server.wait(timeout=30)

    floor = took["floor (sign-in page)"]
    floor_50, floor_95 = percentile(floor, 0.5), percentile(floor, 0.95)
    rounds = len(took["inbox"])
    print(f"\n{rounds} rounds, interleaved; times in ms; target p95 within {TARGET}x")
    print(f"{'page':22} {'p50':>7} {'p95':>7} {'p50 x':>6} {'p95 x':>6} {'queries':>8}")
    ok = True
    for name, values in took.items():
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        ratio_50, ratio_95 = p50 / floor_50, p95 / floor_95
        verdict = "" if name.startswith("floor") else ("ok" if ratio_95 <= TARGET else "OVER")
        if not name.startswith("floor"):
            ok = ok and ratio_95 <= TARGET and counts[name] <= 10
        print(
            f"{name:22} {p50 * 1000:7.1f} {p95 * 1000:7.1f} {ratio_50:6.2f} {ratio_95:6.2f}"
            f" {counts[name]:8d} {verdict}"
        )
    print("PASS" if ok else f"FAIL (target: p95 within {TARGET}x, at most 10 queries)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
