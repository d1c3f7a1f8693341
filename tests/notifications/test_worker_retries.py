"""With a real worker and the mail server down: the failure is on the row and the task retries."""

from django.db import transaction

from notifications import services
from notifications.models import Outbox, OutboxStatus
from safeguarding.celery import app as celery_app

from .conftest import free_port, make_incident, start_worker, stop_worker, use_broker, wait_until


def test_a_failed_send_is_recorded_and_retried_later(
    postgres, transactional_db, cast, clean_redis, tmp_path
):
    worker = start_worker(
        broker_url=clean_redis, smtp_port=free_port(), log_path=tmp_path / "worker.log"
    )
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
            assert row.status == OutboxStatus.PENDING
            assert "ConnectionRefusedError" in row.last_error
        assert wait_until(lambda: worker.log().count("retry: Retry in 60") == 2)
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
