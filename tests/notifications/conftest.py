"""Real services for the notification tests: an SMTP server, a broker switch and a worker.

- `smtp_server`: aiosmtpd on a free port, collecting every message it accepts.
- `smtp_email`: Django in this process sends to that server.
- `use_broker(url)`: this process publishes to `url` instead of running tasks in-process.
- `worker`: `celery -A safeguarding worker` as a subprocess on the test Redis, reading the test
  database (needs PostgreSQL: the worker is another process) and sending to the SMTP server.
"""

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

import kombu.pools
import pytest
import redis
from aiosmtpd.controller import Controller
from django.db import connection

from incidents.models import Incident, Urgency
from safeguarding.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parents[2]
CANARY = "CANARY-7f3e-Zebra-Lighthouse"


def wait_until(condition, timeout: float = 60) -> bool:
    """Poll `condition` until it holds: another process (the worker) is doing the work."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Sink:
    """What the SMTP server received: one entry per message, with its envelope recipients."""

    host: str
    port: int
    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append(
                {"to": list(envelope.rcpt_tos), "raw": envelope.original_content, "msg": parsed}
            )
        return "250 OK"

    def recipients(self) -> list[str]:
        with self.lock:
            return sorted(r for m in self.messages for r in m["to"])

    def wait_for(self, count: int, timeout: float = 60) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        with self.lock:
            return list(self.messages)


@pytest.fixture
def smtp_server():
    sink = Sink(host="127.0.0.1", port=free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    yield sink
    controller.stop()


@pytest.fixture
def smtp_email(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    return smtp_server


def _reset_broker_pools() -> None:
    # kombu keeps connection pools in a global registry: empty it, or a closed pool comes back.
    kombu.pools.reset()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextlib.contextmanager
def use_broker(url: str):
    """Publish to a real broker at `url` from this process for the duration."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = url, False
    _reset_broker_pools()
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = saved
        _reset_broker_pools()


def make_incident(cast, *, account: str = "Something happened.", urgent: bool = False, **extra):
    fields = {
        "school": cast.school_a,
        "reporter": cast.teacher,
        "kind": "nudified",
        "came_to_light": "child_told",
        "location": "online",
        "account": account,
        "adults_involved": "no",
        "checklist_version": "test",
        "urgency": Urgency.CALL_999 if urgent else Urgency.DSL_REVIEW_TODAY,
        "referral": "yes" if urgent else "no",
    }
    fields.update(extra)
    return Incident.objects.create(**fields)


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@dataclass
class Worker:
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_worker(*, broker_url: str, smtp_port: int, log_path: Path) -> Worker:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "safeguarding.settings",
        "PYTHONPATH": str(BASE_DIR),
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "LOG_LEVEL": "INFO",
    }
    env.pop("PRODUCTION", None)
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "safeguarding",
        "worker",
        "--pool=threads",
        "--concurrency=4",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
    ]
    log = log_path.open("wb")
    process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    worker = Worker(process=process, log_path=log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the worker exited early:\n{worker.log()}")
        if " ready." in worker.log():
            return worker
        time.sleep(0.2)
    stop_worker(worker)
    raise RuntimeError(f"the worker did not start:\n{worker.log()}")


def stop_worker(worker: Worker) -> None:
    worker.process.terminate()
    try:
        worker.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.process.kill()
        worker.process.wait()


@pytest.fixture
def clean_redis(redis_url):
    """The test Redis database, emptied so no earlier run's messages are waiting."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield redis_url
    client.flushdb()


@pytest.fixture
def worker(postgres, transactional_db, clean_redis, smtp_server, tmp_path):
    running = start_worker(
        broker_url=clean_redis, smtp_port=smtp_server.port, log_path=tmp_path / "worker.log"
    )
    try:
        with use_broker(clean_redis):
            yield running
    finally:
        stop_worker(running)


@pytest.fixture
def blackhole_broker():
    """A server that accepts connections and never says a word."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0", accepted
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def timed_report(cast, *, urgent: bool):
    """Commit a new case and its notifications: (the incident, seconds the commit took)."""
    from django.db import transaction

    from notifications import services

    started = time.monotonic()
    with transaction.atomic():
        incident = make_incident(cast)
        services.notify_new_case(
            school=incident.school,
            incident_id=incident.pk,
            reference=incident.reference,
            urgent=urgent,
        )
    return incident, time.monotonic() - started
