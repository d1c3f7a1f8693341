"""With a real worker and the mail server down: the failure is on the row, and the relay sends
it once the backoff is over and the server is back."""

from aiosmtpd.controller import Controller
from django.db import transaction

from notifications import services
from notifications.models import Failure, Outbox, OutboxStatus
from notifications.tasks import relay_pending
from safeguarding.celery import app as celery_app

from .conftest import (
    Sink,
    free_port,
    make_incident,
    start_worker,
    stop_worker,
    tally,
    use_broker,
    wait_until,
)


def test_a_failed_send_is_recorded_then_sent_by_the_relay(
    postgres, transactional_db, cast, clean_redis, tmp_path
):
    port = free_port()  # nothing listens there yet: the mail server is down
    worker = start_worker(broker_url=clean_redis, smtp_port=port, log_path=tmp_path / "w.log")
    try:
        with use_broker(clean_redis), transaction.atomic():
            incident = make_incident(cast)
            services.notify_new_case(
                school=incident.school,
                incident_id=incident.pk,
                reference=incident.reference,
                urgent=False,
            )
        rows = Outbox.objects.filter(incident_id=incident.pk)
        assert wait_until(lambda: all(r.attempts == 1 for r in rows.all()), timeout=30)
        for row in rows.all():
            assert (row.status, row.failure) == (OutboxStatus.PENDING, Failure.TEMPORARY)
            assert "ConnectionRefusedError" in row.last_error
            # An alert is tried again within seconds, not minutes.
            assert (row.next_attempt_at - row.created_at).total_seconds() < 10

        sink = Sink(host="127.0.0.1", port=port)
        controller = Controller(sink, hostname=sink.host, port=port)
        controller.start()
        try:
            with use_broker(clean_redis):
                relay_pending.apply_async(countdown=5)  # as beat would, once the backoff is over
            assert wait_until(lambda: len(sink.messages) == 2, timeout=30)
            assert wait_until(lambda: not rows.exclude(status=OutboxStatus.SENT).exists())
            assert tally(rows.all(), sink) == {
                "rows": 2,
                "sent": 2,
                "delivered": 2,
                "duplicated": 0,
                "lost": 0,
            }
        finally:
            controller.stop()
    finally:
        stop_worker(worker)


def test_every_scheduled_job_is_a_real_task():
    celery_app.loader.import_default_modules()
    for name, entry in celery_app.conf.beat_schedule.items():
        assert entry["task"] in celery_app.tasks, name
    scheduled = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert {
        "notifications.tasks.relay_pending",
        "notifications.tasks.escalate_unacknowledged",
        "notifications.tasks.remind_tasks",
        "notifications.tasks.send_daily_digests",
    } <= scheduled


def test_alerts_and_the_relay_have_their_own_queue():
    routes = celery_app.conf.task_routes
    assert routes["notifications.tasks.relay_pending"]["queue"] == "alerts"
    assert routes["notifications.tasks.escalate_unacknowledged"]["queue"] == "alerts"
    assert Outbox(kind="new_case").queue == "alerts"
    assert Outbox(kind="escalation").queue == "alerts"
    assert Outbox(kind="digest").queue == "celery"
    assert Outbox(kind="task_due").queue == "celery"


def test_no_task_outlives_the_brokers_visibility_timeout():
    # Redis hands an unacknowledged task to another worker after the visibility timeout: it
    # must be longer than any task may run, plus the longest countdown a task is given.
    visibility = celery_app.conf.broker_transport_options["visibility_timeout"]
    longest = celery_app.conf.task_time_limit + services.LEASE.total_seconds() + 1
    assert visibility > longest
    assert services.LEASE.total_seconds() > services.SEND_DEADLINE
    assert celery_app.conf.task_reject_on_worker_lost and celery_app.conf.task_acks_late
