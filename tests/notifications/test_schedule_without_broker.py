"""With no broker (`make run`), the development server runs the periodic jobs itself: a case
nobody acknowledged is escalated and the outbox relay runs, with no worker, beat or cron. One
server at a time runs them; another takes over when it stops."""

import sys
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from notifications.models import Heartbeat, Kind, Outbox, OutboxStatus
from notifications.schedule import runs_here

from .conftest import (
    BASE_DIR,
    CANARY,
    Service,
    _spawn,
    free_port,
    make_incident,
    service_env,
    stop,
    wait_until,
)

RUNS = "schedule: this server runs the periodic jobs"
WAITS = "schedule: another server runs the periodic jobs"


def start_server(var_dir: Path, smtp_port: int, name: str) -> Service:
    """`manage.py runserver` as `make run` starts it, with no broker, on the test database."""
    env = service_env(
        broker_url="", smtp_port=smtp_port, var_dir=var_dir, PYTHONUNBUFFERED="1", DEBUG="true"
    )
    command = [
        sys.executable,
        str(BASE_DIR / "manage.py"),
        "runserver",
        "--noreload",
        f"127.0.0.1:{free_port()}",
    ]
    return _spawn(command, env, var_dir / f"{name}.log", "schedule: ", name)


def test_the_server_escalates_and_sends_with_no_broker(
    postgres, transactional_db, cast, smtp_server, tmp_path
):
    waiting = make_incident(
        cast, account=CANARY, submitted_at=timezone.now() - timedelta(days=4), urgent=True
    )
    server = start_server(tmp_path, smtp_server.port, "server")
    try:
        assert server.wait_for_log(RUNS)
        escalations = Outbox.objects.filter(kind=Kind.ESCALATION, incident_id=waiting.pk)
        assert wait_until(
            lambda: escalations.filter(status=OutboxStatus.SENT).count() == 2, timeout=60
        ), server.log()
        assert wait_until(lambda: Heartbeat.age("escalation") is not None)
        assert wait_until(lambda: Heartbeat.age("relay") is not None)
        # Four days waiting: the school's leads, then the trust's lead, each emailed.
        assert wait_until(lambda: len(smtp_server.recipients()) >= 3)
        assert smtp_server.recipients() == [
            "deputy@oakwood.test",
            "dsl@oakwood.test",
            "lead@northfield.test",
        ]
        assert CANARY not in server.log()
    finally:
        stop(server)


def test_one_server_at_a_time_runs_the_jobs_and_another_takes_over(
    postgres, transactional_db, smtp_server, tmp_path
):
    first = start_server(tmp_path, smtp_server.port, "first")
    second = None
    try:
        assert first.wait_for_log(RUNS)
        second = start_server(tmp_path, smtp_server.port, "second")
        assert second.wait_for_log(WAITS)
        assert RUNS not in second.log()
        stop(first)  # the jobs stop with their server...
        assert second.wait_for_log(RUNS), second.log()  # ...and the other one takes them on
    finally:
        stop(first)
        if second is not None:
            stop(second)


def test_only_a_serving_development_server_without_a_broker_runs_them(settings):
    settings.CELERY_BROKER_URL = ""
    assert runs_here(["manage.py", "runserver", "--noreload"], environ={})
    assert runs_here(["manage.py", "runserver"], environ={"RUN_MAIN": "true"})
    # The autoreloader's parent only watches files; its child serves.
    assert not runs_here(["manage.py", "runserver"], environ={})
    assert not runs_here(["manage.py", "migrate"], environ={"RUN_MAIN": "true"})
    assert not runs_here(["gunicorn", "safeguarding.wsgi"], environ={})
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"  # beat runs them
    assert not runs_here(["manage.py", "runserver", "--noreload"], environ={})
