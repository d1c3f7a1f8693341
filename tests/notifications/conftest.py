"""Real services for the notification tests: an SMTP server, a broker switch, workers and beat.

- `smtp_server`: aiosmtpd on a free port, collecting every message it takes. It can be told to
  answer 451 or 550, to be slow, or to hold a message (after taking it, or before) until
  released: the faults a real mail server has.
- `smtp_email`: Django in this process sends to that server.
- `use_broker(url)`: this process publishes to `url` instead of running tasks in-process.
- `worker`: `celery -A safeguarding worker` as a subprocess on the test Redis (both queues),
  reading the test database (needs PostgreSQL: the worker is another process) and sending to
  the SMTP server. `start_worker` / `start_beat` for other shapes.
- `own_redis`: a redis-server of the test's own, on a free port, which the test may freeze
  (SIGSTOP), thaw and kill without touching anyone else's Redis. `frozen_for_good(own_redis)`:
  frozen, with nothing in this process giving up on it, to show a request never waits for it.
- `publishing_threads()`: which threads of this process published tasks (the request's own
  thread never should).
- `silent_server`: accepts connections and never says a word (a mail server that hangs).
- `tally(rows, sink)`: sent, delivered, duplicated and lost, by Message-ID.
"""

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

import kombu.pools
import pytest
import redis
from aiosmtpd.controller import Controller
from celery.signals import before_task_publish
from django.db import connection

from incidents.models import Incident, Urgency
from notifications.publisher import publisher
from safeguarding.celery import app as celery_app
from tests.conftest import require

BASE_DIR = Path(__file__).resolve().parents[2]
CANARY = "CANARY-7f3e-Zebra-Lighthouse"

# How long a test lets something wait on a server that never answers before it gives in (thaws
# the broker, hangs up) so that the test fails instead of hanging. A guard, not a speed target:
# speed is measured in benchmarks/.
HANG_GUARD = 60
WAITED_FOR_THE_BROKER = (
    f"the report waited for the frozen broker: it finished only after {HANG_GUARD} s, when the"
    " test thawed the broker"
)
PUBLISHED_BY_THE_REQUEST = "the report's own thread published to the broker"


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
    """What the SMTP server took: one entry per message, with its envelope recipients.

    A message counts as delivered once the server has its content, before it answers: a sender
    that dies before reading the answer has still delivered it.
    """

    host: str
    port: int
    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Faults: an SMTP reply for DATA (e.g. "451 4.3.0 Try again later"), per-recipient RCPT
    # replies, seconds to wait before answering DATA, and where to hold a conversation.
    data_reply: str = ""
    refuse: dict = field(default_factory=dict)
    slow: float = 0.0
    hold_at: str = ""  # "rcpt" (before taking the message) or "data" (after)
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    refused: list = field(default_factory=list)

    async def _hold(self, stage: str) -> None:
        if self.hold_at == stage:
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await self._hold("rcpt")
        if address in self.refuse:
            with self.lock:
                self.refused.append(address)
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            with self.lock:
                self.refused.append(self.data_reply)
            return self.data_reply
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append(
                {"to": list(envelope.rcpt_tos), "raw": envelope.original_content, "msg": parsed}
            )
        await self._hold("data")
        if self.slow:
            await asyncio.sleep(self.slow)
        return "250 OK"

    def recipients(self) -> list[str]:
        with self.lock:
            return sorted(r for m in self.messages for r in m["to"])

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(m["msg"]["Message-ID"] for m in self.messages)

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
    sink.release.set()
    controller.stop()


def tally(rows, sink: Sink) -> dict[str, int]:
    """Sent (rows marked sent), delivered (rows the server has at least once), duplicated
    (copies beyond the first) and lost (rows the server never got), by Message-ID."""
    from notifications.models import OutboxStatus

    rows = list(rows)
    received = sink.message_ids()
    ours = {row.message_id for row in rows}
    return {
        "rows": len(rows),
        "sent": sum(1 for row in rows if row.status == OutboxStatus.SENT),
        "delivered": sum(1 for row in rows if received[row.message_id]),
        "duplicated": sum(count - 1 for mid, count in received.items() if mid in ours),
        "lost": sum(1 for row in rows if not received[row.message_id]),
    }


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
        # What was committed inside is published (or given up) before the broker changes.
        publisher.flush()
        conf.broker_url, conf.task_always_eager = saved
        _reset_broker_pools()


@contextlib.contextmanager
def publishing_threads():
    """The threads of this process that publish a task while inside: Celery sends
    `before_task_publish` from the publishing thread before it reaches for the broker (refused,
    frozen or answering alike)."""
    threads: list[threading.Thread] = []

    def record(**kwargs):
        threads.append(threading.current_thread())

    before_task_publish.connect(record, weak=False)
    try:
        yield threads
    finally:
        before_task_publish.disconnect(record)


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
class Service:
    """A worker or beat running as a subprocess, with its log."""

    process: subprocess.Popen
    log_path: Path
    name: str = ""

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 30, count: int = 1) -> bool:
        return wait_until(lambda: self.log().count(text) >= count, timeout)

    def pool_pids(self) -> list[int]:
        """The worker's pool processes (prefork): the ones that run tasks."""
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]


Worker = Service


def service_env(*, broker_url: str, smtp_port: int, var_dir: Path, **extra: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "safeguarding.settings",
        "PYTHONPATH": str(BASE_DIR),
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "LOG_LEVEL": "INFO",
        "VAR_DIR": str(var_dir),
        **extra,
    }
    env.pop("PRODUCTION", None)
    return env


def _spawn(command: list[str], env: dict, log_path: Path, ready: str, name: str) -> Service:
    log = log_path.open("ab")
    process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    service = Service(process=process, log_path=log_path, name=name)
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited early:\n{service.log()}")
        if ready in service.log():
            return service
        time.sleep(0.1)
    stop_worker(service)
    raise RuntimeError(f"{name} did not start:\n{service.log()}")


def start_worker(
    *,
    broker_url: str,
    smtp_port: int,
    log_path: Path,
    queues: str = "alerts,celery",
    pool: str = "threads",
    concurrency: int = 4,
    **extra_env: str,
) -> Service:
    """A worker on `queues`, as `docker compose` runs them (alerts and the rest apart)."""
    name = f"test-{uuid.uuid4().hex[:8]}@%h"
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "safeguarding",
        "worker",
        f"--hostname={name}",
        f"--queues={queues}",
        f"--pool={pool}",
        f"--concurrency={concurrency}",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
    ]
    env = service_env(
        broker_url=broker_url, smtp_port=smtp_port, var_dir=log_path.parent, **extra_env
    )
    return _spawn(command, env, log_path, " ready.", f"worker {queues}")


def start_beat(*, broker_url: str, smtp_port: int, log_path: Path, **extra_env: str) -> Service:
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "safeguarding",
        "beat",
        "--loglevel=INFO",
        f"--pidfile={log_path.with_suffix('.pid')}",
    ]
    env = service_env(
        broker_url=broker_url, smtp_port=smtp_port, var_dir=log_path.parent, **extra_env
    )
    return _spawn(command, env, log_path, "beat: Starting...", "beat")


def stop_worker(worker: Service) -> None:
    if worker.process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(worker.process.pid, signal.SIGCONT)
    worker.process.terminate()
    try:
        worker.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.process.kill()
        worker.process.wait()


stop = stop_worker


@dataclass
class OwnRedis:
    """A redis-server of this test's own (no persistence), to freeze, thaw, kill and restart."""

    port: int
    directory: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=1, socket_connect_timeout=1)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        assert wait_until(answers, timeout=10), "redis-server did not start"

    def freeze(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def frozen(self) -> bool:
        # The process state in /proc/PID/stat, after the parenthesised name: T when stopped.
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] == "T"

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.thaw()
            self.kill()


class FrozenBroker:
    def __init__(self, server: OwnRedis) -> None:
        self.server = server
        self.thawed_by_guard = threading.Event()

    def still_frozen(self) -> bool:
        """Frozen since the test froze it: the hang guard has not had to thaw it."""
        return not self.thawed_by_guard.is_set() and self.server.frozen()


@contextlib.contextmanager
def frozen_for_good(server: OwnRedis):
    """This process publishes to `server`, frozen, and would wait on it for as long as it stays so.

    With the broker timeouts in settings (2 s), anything that talked to a frozen broker would
    give up and carry on, so a request that waited on it would still finish while it is frozen.
    Here they are far longer than HANG_GUARD: anything that waits on the broker is still waiting
    while it is frozen, and only the guard, after HANG_GUARD seconds, thaws it. So a report that
    finishes while `still_frozen()` did not wait on the broker, however busy the machine (short
    of taking HANG_GUARD seconds). On leaving, the server is thawed and what was waiting for it
    is published.
    """
    conf = celery_app.conf
    saved = conf.broker_transport_options, conf.broker_connection_timeout
    patient = 10 * HANG_GUARD
    conf.broker_transport_options = {
        **saved[0],
        "socket_timeout": patient,
        "socket_connect_timeout": patient,
    }
    conf.broker_connection_timeout = patient
    frozen = FrozenBroker(server)
    left = threading.Event()

    def guard():
        if not left.wait(HANG_GUARD):
            frozen.thawed_by_guard.set()
            server.thaw()

    try:
        with use_broker(server.url):
            server.freeze()
            threading.Thread(target=guard, daemon=True).start()
            try:
                yield frozen
            finally:
                left.set()
                server.thaw()
    finally:
        conf.broker_transport_options, conf.broker_connection_timeout = saved
        _reset_broker_pools()


@pytest.fixture
def own_redis(tmp_path):
    require(shutil.which("redis-server") is not None, "redis-server (apt-get install redis-server)")
    server = OwnRedis(port=free_port(), directory=tmp_path)
    server.start()
    yield server
    server.stop()


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
def silent_server():
    """A server that accepts connections and never says a word: (its port, the connections).

    After HANG_GUARD seconds it hangs up on them, so that a client with no timeout fails rather
    than hanging the test.
    """
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

    def hang_up():
        for conn in list(accepted):
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    guard = threading.Timer(HANG_GUARD, hang_up)
    guard.start()
    yield server.getsockname()[1], accepted
    guard.cancel()
    stop.set()
    thread.join()
    hang_up()
    server.close()


def commit_report(cast, *, urgent: bool) -> Incident:
    """Commit a new case and its notifications, as the "Send report" request does."""
    from django.db import transaction

    from notifications import services

    with transaction.atomic():
        incident = make_incident(cast)
        services.notify_new_case(
            school=incident.school,
            incident_id=incident.pk,
            reference=incident.reference,
            urgent=urgent,
        )
    return incident
