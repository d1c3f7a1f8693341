"""The periodic jobs where there is no broker (`make run`): beat's schedule, run in-process.

Without CELERY_BROKER_URL there is no worker and no beat. `manage.py runserver` then starts
one thread in the serving process that runs the jobs of CELERY_BEAT_SCHEDULE itself, each at
its own interval (the outbox relay every 10 s, escalations every minute, task reminders, daily
summaries and files to chase every 15 minutes...), and every one of them as soon as it starts.

- One at a time: the thread holds an exclusive lock on `VAR_DIR/schedule.lock`. A second
  server using the same folder (so the same SQLite database) waits, and takes over when the
  first stops. The operating system drops the lock when its process ends, however it ends.
- Stops with the server: a daemon thread of the server's process. The autoreloader's watching
  parent never starts one; its serving child does, afresh after each reload.
- A job that fails is logged (its name and the error's type, never content) and tried again
  at its next turn; the others go on.

Every job knows when it is due and sends nothing twice, so a job run at a handover, or by
`manage.py send_notifications` from cron as well, does no harm.
"""

import fcntl
import logging
import os
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

LOCK_NAME = "schedule.lock"
# How often the thread looks at what is due (and, without the lock, tries to take it).
TICK_SECONDS = 1.0

_started: "Scheduler | None" = None


class Scheduler(threading.Thread):
    def __init__(self, schedule: dict, *, lock_path: Path):
        super().__init__(name="in-process schedule", daemon=True)
        self.schedule = schedule
        self.lock_path = lock_path
        self.stopping = threading.Event()
        self.lock_file = None
        self.waiting_said = False

    def stop(self) -> None:
        self.stopping.set()

    def take_lock(self) -> bool:
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        lock_file = self.lock_path.open("a")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock_file.close()
            if not self.waiting_said:
                logger.info(
                    "schedule: another server runs the periodic jobs; this one waits to take over"
                )
                self.waiting_said = True
            return False
        self.lock_file = lock_file
        logger.info(
            "schedule: this server runs the periodic jobs (no broker): reminders, escalations,"
            " summaries and the outbox relay"
        )
        return True

    def run(self) -> None:
        from django.apps import apps

        from safeguarding.celery import app

        # Started while the apps load (NotificationsConfig.ready): no query before they have.
        while not apps.ready and not self.stopping.wait(0.1):
            pass
        app.loader.import_default_modules()
        due = dict.fromkeys(self.schedule, 0.0)
        try:
            while not self.stopping.is_set():
                if self.lock_file is None and not self.take_lock():
                    self.stopping.wait(TICK_SECONDS * 5)
                    continue
                for name, entry in self.schedule.items():
                    if self.stopping.is_set():
                        break
                    now = time.monotonic()
                    if now < due[name]:
                        continue
                    due[name] = now + float(entry["schedule"])
                    self.run_job(app, name, entry)
                self.stopping.wait(TICK_SECONDS)
        finally:
            if self.lock_file is not None:
                self.lock_file.close()  # releases the lock
                self.lock_file = None

    def run_job(self, app, name: str, entry: dict) -> None:
        try:
            # Called, not applied: the job runs here without a log line every ten seconds.
            app.tasks[entry["task"]](*entry.get("args", ()), **entry.get("kwargs", {}))
        except Exception as exc:
            logger.warning("schedule: %s failed (%s); tried again later", name, type(exc).__name__)
        finally:
            # This thread's own connection: a fresh one next time (the database may restart).
            connection.close()


def runs_here(argv: list[str] | None = None, environ=None) -> bool:
    """Whether this process is a development server that serves requests with no broker: the
    one place the periodic jobs would otherwise never run."""
    argv = sys.argv if argv is None else argv
    environ = os.environ if environ is None else environ
    if settings.CELERY_BROKER_URL or len(argv) < 2 or argv[1] != "runserver":
        return False
    if any(arg in ("-h", "--help") for arg in argv[2:]):
        return False
    # Under the autoreloader, the parent only watches files and restarts the child that serves.
    return "--noreload" in argv or environ.get("RUN_MAIN") == "true"


def start_if_serving() -> Scheduler | None:
    """Start the schedule's thread in a development server's serving process (once)."""
    global _started
    if _started is not None or not runs_here():
        return None
    _started = Scheduler(
        settings.CELERY_BEAT_SCHEDULE, lock_path=Path(settings.VAR_DIR) / LOCK_NAME
    )
    _started.start()
    return _started
