"""Alerts through real faults: a real worker, beat, Redis and mail server, each broken on purpose.

Every test counts, by Message-ID, what was sent (rows marked sent), delivered (rows the mail
server has), duplicated (copies beyond the first) and lost (rows the server never got), and
asserts nothing is lost and nothing is duplicated beyond the one unavoidable copy per lost SMTP
acknowledgement (the server took the message and its sender died before hearing so).

The lease, backoff and relay timings are the production ones, so some tests wait out a
30-second lease: that wait is what they prove.
"""

import os
import re
import signal
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from notifications import services
from notifications.models import Failure, Heartbeat, Kind, Outbox, OutboxStatus
from tests.conftest import post_form

from .conftest import (
    PUBLISHED_BY_THE_REQUEST,
    commit_report,
    make_incident,
    publishing_threads,
    start_beat,
    start_worker,
    stop,
    tally,
    use_broker,
    wait_until,
)

NOTHING_LOST = {"lost": 0}


def all_sent(rows) -> bool:
    return not rows.exclude(status=OutboxStatus.SENT).exists()


@pytest.fixture
def services_started(tmp_path):
    """Start workers and beat for a test; all are stopped at its end, whatever happened."""
    started = []

    def start(kind: str, **kwargs):
        log = tmp_path / f"{kind}-{len(started)}.log"
        service = (start_beat if kind == "beat" else start_worker)(log_path=log, **kwargs)
        started.append(service)
        return service

    yield start
    for service in started:
        stop(service)


def test_a_sender_killed_after_the_server_took_the_message_sends_it_again_once(
    postgres, transactional_db, cast, clean_redis, smtp_server, services_started
):
    # One pool process, killed with SIGKILL while the mail server holds the conversation after
    # taking the message. No beat runs: only the task Celery gives back when its process dies
    # (CELERY_TASK_REJECT_ON_WORKER_LOST) can send the row again.
    smtp_server.hold_at = "data"
    worker = services_started(
        "worker",
        broker_url=clean_redis,
        smtp_port=smtp_server.port,
        queues="alerts",
        pool="prefork",
        concurrency=1,
    )
    with use_broker(clean_redis):
        incident = commit_report(cast, urgent=True)
    assert smtp_server.held.wait(30), worker.log()
    (pool_process,) = worker.pool_pids()
    os.kill(pool_process, signal.SIGKILL)
    smtp_server.hold_at = ""
    smtp_server.release.set()

    rows = Outbox.objects.filter(incident_id=incident.pk)
    assert wait_until(lambda: all_sent(rows), timeout=90), worker.log()
    time.sleep(0.5)
    assert tally(rows.all(), smtp_server) == {
        "rows": 2,
        "sent": 2,
        "delivered": 2,
        "duplicated": 1,  # the message whose acknowledgement died with the process
        "lost": 0,
    }
    # The copy carries the same Message-ID, so a mail system can tell it is one.
    assert sorted(smtp_server.message_ids().values()) == [1, 2]
    assert "WorkerLostError" in worker.log()


def test_a_worker_killed_before_the_server_took_the_message_sends_it_once(
    postgres, transactional_db, cast, clean_redis, smtp_server, services_started
):
    smtp_server.hold_at = "rcpt"
    env = {"broker_url": clean_redis, "smtp_port": smtp_server.port}
    worker = services_started("worker", **env)
    services_started("beat", **env)
    with use_broker(clean_redis):
        incident = commit_report(cast, urgent=True)
    assert smtp_server.held.wait(30), worker.log()
    worker.process.kill()  # the whole worker, mid-conversation
    worker.process.wait()
    smtp_server.hold_at = ""
    smtp_server.release.set()
    rows = Outbox.objects.filter(incident_id=incident.pk)
    assert rows.filter(status=OutboxStatus.SENDING).exists()

    # A new worker starts (the restart policy); the relay sends the rows once their dead
    # sender's lease is over. The broker still holds the killed worker's unacknowledged tasks.
    services_started("worker", **env)
    assert wait_until(lambda: all_sent(rows), timeout=90)
    time.sleep(0.5)
    assert tally(rows.all(), smtp_server) == {
        "rows": 2,
        "sent": 2,
        "delivered": 2,
        "duplicated": 0,
        "lost": 0,
    }


def test_a_database_blip_after_the_server_took_the_message_does_not_send_it_twice(
    postgres, transactional_db, cast, clean_redis, smtp_server, services_started
):
    smtp_server.hold_at = "data"
    worker = services_started(
        "worker",
        broker_url=clean_redis,
        smtp_port=smtp_server.port,
        queues="alerts",
        concurrency=1,
    )
    with use_broker(clean_redis):
        incident = commit_report(cast, urgent=True)
    assert smtp_server.held.wait(30), worker.log()
    # While the mail server holds its answer, every database connection the worker has is cut:
    # marking the row sent fails once, and is tried again on a new connection.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] >= 1
    smtp_server.hold_at = ""
    smtp_server.release.set()
    rows = Outbox.objects.filter(incident_id=incident.pk)
    assert wait_until(lambda: all_sent(rows), timeout=60), worker.log()
    time.sleep(0.5)
    assert tally(rows.all(), smtp_server) == {
        "rows": 2,
        "sent": 2,
        "delivered": 2,
        "duplicated": 0,
        "lost": 0,
    }


def test_redis_frozen_the_reporter_does_not_wait_and_alerts_follow_within_a_minute(
    postgres, transactional_db, cast, own_redis, smtp_server, services_started
):
    env = {"broker_url": own_redis.url, "smtp_port": smtp_server.port}
    services_started("worker", **env)
    services_started("beat", **env)
    with publishing_threads() as publishers, use_broker(own_redis.url):
        commit_report(cast, urgent=True)  # warm: the publisher's connection is open
        own_redis.freeze()
        for _ in range(3):
            commit_report(cast, urgent=True)
        time.sleep(3)
        thawed = time.monotonic()
        own_redis.thaw()
        rows = Outbox.objects.all()
        assert wait_until(lambda: all_sent(rows), timeout=60)
        assert time.monotonic() - thawed < 60
    # Each report was saved with its alerts in the outbox and published by another thread,
    # which waited for the frozen broker (test_broker_faults shows the report does not wait).
    assert publishers, "nothing tried to publish the alerts"
    assert threading.current_thread() not in publishers, PUBLISHED_BY_THE_REQUEST
    time.sleep(0.5)
    counts = tally(rows.all(), smtp_server)
    assert counts == {"rows": 8, "sent": 8, "delivered": 8, "duplicated": 0, "lost": 0}


def test_redis_killed_and_restarted_empty_alerts_follow_within_a_minute(
    postgres, transactional_db, cast, own_redis, smtp_server, services_started
):
    env = {"broker_url": own_redis.url, "smtp_port": smtp_server.port}
    worker = services_started("worker", **env)
    services_started("beat", **env)
    with publishing_threads() as publishers, use_broker(own_redis.url):
        own_redis.kill()
        for _ in range(3):
            commit_report(cast, urgent=True)
        time.sleep(2)
        own_redis.start()  # empty: whatever it held is gone
        restarted = time.monotonic()
        rows = Outbox.objects.all()
        assert wait_until(lambda: all_sent(rows), timeout=60), worker.log()
        assert time.monotonic() - restarted < 60
    # Publishing to the dead broker was tried by another thread, never the report's.
    assert publishers, "nothing tried to publish the alerts"
    assert threading.current_thread() not in publishers, PUBLISHED_BY_THE_REQUEST
    time.sleep(0.5)
    counts = tally(rows.all(), smtp_server)
    assert counts == {"rows": 6, "sent": 6, "delivered": 6, "duplicated": 0, "lost": 0}


def test_451_from_the_mail_server_is_retried_and_delivered_within_a_minute_of_recovery(
    postgres, transactional_db, cast, clean_redis, smtp_server, services_started
):
    smtp_server.data_reply = "451 4.3.0 Try again later"
    env = {"broker_url": clean_redis, "smtp_port": smtp_server.port}
    services_started("worker", **env)
    services_started("beat", **env)
    with use_broker(clean_redis):
        incident = commit_report(cast, urgent=True)
    rows = Outbox.objects.filter(incident_id=incident.pk)
    assert wait_until(lambda: all(r.attempts >= 2 for r in rows.all()), timeout=60)
    assert {(r.status, r.failure) for r in rows.all()} <= {
        (OutboxStatus.PENDING, Failure.TEMPORARY),
        (OutboxStatus.SENDING, Failure.TEMPORARY),
    }
    recovered = time.monotonic()
    smtp_server.data_reply = ""
    assert wait_until(lambda: all_sent(rows), timeout=60)
    assert time.monotonic() - recovered < 60
    time.sleep(0.5)
    assert tally(rows.all(), smtp_server) == {
        "rows": 2,
        "sent": 2,
        "delivered": 2,
        "duplicated": 0,
        "lost": 0,
    }
    assert all(r.failure == "" and r.attempts >= 3 for r in rows.all())


def test_550_is_final_shown_to_the_school_and_the_operator_and_can_be_resent(
    postgres, transactional_db, cast, clean_redis, smtp_server, services_started, client_for
):
    smtp_server.refuse = {"deputy@oakwood.test": "550 5.1.1 No such mailbox"}
    worker = services_started("worker", broker_url=clean_redis, smtp_port=smtp_server.port)
    with use_broker(clean_redis):
        incident = commit_report(cast, urgent=True)
        rows = Outbox.objects.filter(incident_id=incident.pk)
        refused = rows.get(recipient=cast.deputy)
        assert wait_until(
            lambda: Outbox.objects.get(pk=refused.pk).status == OutboxStatus.FAILED, timeout=30
        )
        refused.refresh_from_db()
        # Refused once: not tried again for hours, and flagged at once.
        assert (refused.failure, refused.attempts) == (Failure.REFUSED, 1)
        assert refused.flagged_at is not None
        assert wait_until(lambda: rows.get(recipient=cast.dsl).status == OutboxStatus.SENT)

        # The operator: an ERROR line with the reference (never a name or address), and a red
        # health endpoint.
        error = next(line for line in worker.log().splitlines() if "alert not delivered" in line)
        assert "ERROR" in error and incident.reference in error
        assert "deputy" not in error and cast.deputy.full_name not in error
        health = client_for(cast.outsider).get("/health/")
        assert health.status_code == 503
        assert health.json()["checks"]["undelivered_alerts"]["count"] == 1

        # The school: every DSL, deputy and trust lead sees a banner; the trust lead without
        # a reference or a link to the case. Staff do not.
        for person in (cast.dsl, cast.deputy, cast.trust_lead):
            home = client_for(person).get("/").content.decode()
            assert "1 email alert about concerns at Oakwood Academy has not been" in home
        lead_home = client_for(cast.trust_lead).get("/").content.decode()
        assert incident.reference not in lead_home and "alerts-not-delivered" not in lead_home
        assert "has not been delivered" not in client_for(cast.teacher).get("/").content.decode()
        page = client_for(cast.dsl).get("/s/oakwood/alerts-not-delivered/").content.decode()
        assert "deputy@oakwood.test" in page and incident.reference in page

        # The address is put right; the DSL sends it again.
        smtp_server.refuse = {}
        response = post_form(
            client_for(cast.dsl), f"/s/oakwood/alerts-not-delivered/{refused.pk}/resend/"
        )
        assert response.status_code == 302
        active = rows.filter(resolved_at__isnull=True)
        assert wait_until(lambda: all_sent(active), timeout=30)
    time.sleep(0.5)
    assert tally(active.all(), smtp_server) == {
        "rows": 2,
        "sent": 2,
        "delivered": 2,
        "duplicated": 0,
        "lost": 0,
    }
    assert smtp_server.recipients() == ["deputy@oakwood.test", "dsl@oakwood.test"]
    assert "has not been delivered" not in client_for(cast.dsl).get("/").content.decode()
    assert client_for(cast.outsider).get("/health/").json()["checks"]["undelivered_alerts"]["ok"]


def test_a_long_batch_sends_each_message_once_and_an_urgent_alert_does_not_wait_for_it(
    postgres, transactional_db, cast, clean_redis, smtp_server, services_started
):
    # 35 reminders at one second each, one at a time: longer than a claim's lease, so a batch
    # claimed whole (as before) would have been sent again before it finished.
    smtp_server.slow = 1.0
    env = {"broker_url": clean_redis, "smtp_port": smtp_server.port, "concurrency": 1}
    services_started("worker", queues="celery", **env)
    services_started("worker", queues="alerts", **env)
    incident = make_incident(cast)
    with use_broker(clean_redis):
        with transaction.atomic():
            for number in range(35):
                services._queue(
                    kind=Kind.TASK_DUE,
                    key=f"batch-{number}",
                    recipients=[cast.dsl],
                    school=cast.school_a,
                    incident_id=incident.pk,
                    reference=incident.reference,
                    urgent=False,
                )
        batch = Outbox.objects.filter(kind=Kind.TASK_DUE)
        assert wait_until(lambda: len(smtp_server.messages) >= 3, timeout=30)
        urgent = commit_report(cast, urgent=True)
        alerts = Outbox.objects.filter(incident_id=urgent.pk)
        assert wait_until(lambda: all_sent(alerts), timeout=30)
        # The urgent alerts went out while the batch was still being sent.
        assert batch.filter(status=OutboxStatus.SENT).count() < 35
        assert wait_until(lambda: all_sent(batch), timeout=120)
    time.sleep(0.5)
    assert tally(batch.all(), smtp_server) == {
        "rows": 35,
        "sent": 35,
        "delivered": 35,
        "duplicated": 0,
        "lost": 0,
    }
    assert tally(alerts.all(), smtp_server)["duplicated"] == 0


def relay_tasks_queued(url: str) -> int:
    import json

    import redis

    client = redis.Redis.from_url(url)
    return sum(
        1
        for raw in client.lrange("alerts", 0, -1)
        if json.loads(raw)["headers"]["task"] == "notifications.tasks.relay_pending"
    )


def test_two_beats_schedule_once_and_the_second_takes_over_when_the_first_dies(
    postgres, transactional_db, own_redis, smtp_server, services_started
):
    env = {"broker_url": own_redis.url, "smtp_port": smtp_server.port}
    first = services_started("beat", **env)
    assert first.wait_for_log("this beat now schedules")
    second = services_started("beat", **env)
    # Over 21 seconds with both running, one beat sends the relay every 10 s: 2 or 3 runs.
    # Two beats each scheduling would send 4 to 6.
    before = relay_tasks_queued(own_redis.url)
    time.sleep(21)
    assert 2 <= relay_tasks_queued(own_redis.url) - before <= 3
    assert "this beat now schedules" not in second.log()
    assert Heartbeat.age("beat") < timezone.timedelta(seconds=15)

    first.process.kill()
    first.process.wait()
    before = relay_tasks_queued(own_redis.url)
    assert second.wait_for_log("this beat now schedules", timeout=45)
    # It catches up at once, then keeps the relay's turns.
    assert wait_until(lambda: relay_tasks_queued(own_redis.url) >= before + 2, timeout=20)


def test_after_beat_is_paused_missed_escalations_and_relays_are_caught_up(
    postgres, transactional_db, cast, own_redis, smtp_server, services_started
):
    env = {"broker_url": own_redis.url, "smtp_port": smtp_server.port}
    worker = services_started("worker", **env)
    beat = services_started("beat", **env)
    assert beat.wait_for_log("this beat now schedules")
    started = time.monotonic()  # the escalation check is sent now; its next turn is in a minute
    # On a busy machine the worker may run that first check late: wait for it, so the case
    # below can only be escalated by catching up.
    first_check_ran = re.compile(
        r"notifications\.tasks\.escalate_unacknowledged\[[^]]*\] succeeded"
    )
    assert wait_until(lambda: first_check_ran.search(worker.log()), timeout=40), worker.log()
    beat.process.send_signal(signal.SIGSTOP)
    # While beat is stopped: an urgent case nobody has acknowledged for 31 minutes.
    incident = make_incident(
        cast, urgent=True, submitted_at=timezone.now() - timezone.timedelta(minutes=31)
    )
    time.sleep(20)
    beat.process.send_signal(signal.SIGCONT)
    escalations = Outbox.objects.filter(incident_id=incident.pk, kind=Kind.ESCALATION)
    assert wait_until(lambda: escalations.count() == 2 and all_sent(escalations), timeout=20)
    assert time.monotonic() - started < 55  # before the check's next regular turn
    assert beat.wait_for_log("catching up", timeout=5)
    time.sleep(0.5)
    assert tally(escalations.all(), smtp_server) == {
        "rows": 2,
        "sent": 2,
        "delivered": 2,
        "duplicated": 0,
        "lost": 0,
    }


def test_a_worker_that_stops_taking_tasks_exits_so_it_is_restarted(
    postgres, transactional_db, own_redis, smtp_server, services_started
):
    worker = services_started(
        "worker",
        broker_url=own_redis.url,
        smtp_port=smtp_server.port,
        WORKER_STALL_SECONDS="6",
    )
    # Healthy, it keeps itself alive well past its limit: its pings arrive and run.
    time.sleep(14)
    assert worker.process.poll() is None, worker.log()
    assert worker.log().count("notifications.tasks.worker_alive") >= 4
    own_redis.freeze()  # the connection stays open; nothing comes through it
    assert worker.process.wait(timeout=40) == 70
    assert "has run no task for" in worker.log()
