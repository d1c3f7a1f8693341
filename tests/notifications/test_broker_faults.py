"""A broker that refuses or never answers never holds the member of staff, nor loses the case.

The outbox row is saved with the case and published from another thread, not the request's;
once the broker is back the row is sent, once.
"""

import threading
import time

import redis

from notifications import services
from notifications.models import Outbox, OutboxStatus

from .conftest import (
    PUBLISHED_BY_THE_REQUEST,
    WAITED_FOR_THE_BROKER,
    commit_report,
    free_port,
    frozen_for_good,
    publishing_threads,
    use_broker,
    wait_until,
)


def test_broker_refused_then_the_relay_publishes_each_row_once(
    transactional_db, cast, smtp_email, clean_redis
):
    with publishing_threads() as publishers, use_broker(f"redis://127.0.0.1:{free_port()}/0"):
        incident = commit_report(cast, urgent=False)

    # The publish was tried (and refused) from another thread, never the one saving the report.
    assert publishers, "nothing tried to publish the alerts"
    assert threading.current_thread() not in publishers, PUBLISHED_BY_THE_REQUEST
    rows = Outbox.objects.filter(incident_id=incident.pk)
    assert rows.count() == 2
    assert set(rows.values_list("status", flat=True)) == {OutboxStatus.PENDING}
    assert set(rows.values_list("queued_at", flat=True)) == {None}  # nothing was published
    assert smtp_email.messages == []

    # The broker is back: beat runs the relay (here, directly), then runs it again. Each row
    # gets one send task, on the alerts queue; the second run finds them already on their way.
    broker = redis.Redis.from_url(clean_redis)
    with use_broker(clean_redis):
        assert services.relay_pending()["queued"] == 2
        assert services.relay_pending()["queued"] == 0
    assert broker.llen("alerts") == 2
    assert broker.llen("celery") == 0
    assert None not in set(rows.values_list("queued_at", flat=True))


def test_broker_refused_with_a_real_worker_the_relay_task_delivers(worker, cast, smtp_server):
    with publishing_threads() as publishers, use_broker(f"redis://127.0.0.1:{free_port()}/0"):
        incident = commit_report(cast, urgent=False)
    assert publishers, "nothing tried to publish the alerts"
    assert threading.current_thread() not in publishers, PUBLISHED_BY_THE_REQUEST
    assert smtp_server.messages == []

    from notifications.tasks import relay_pending

    relay_pending.delay()
    relay_pending.delay()
    smtp_server.wait_for(2)
    time.sleep(1)
    assert smtp_server.recipients() == ["deputy@oakwood.test", "dsl@oakwood.test"]
    rows = Outbox.objects.filter(incident_id=incident.pk)
    assert wait_until(lambda: not rows.exclude(status=OutboxStatus.SENT).exists())


def test_a_broker_that_never_answers_does_not_hold_the_report(
    transactional_db, cast, smtp_email, own_redis
):
    # Redis frozen (it takes connections and never answers), and nothing here gives up on it:
    # a report that waited for it would wait until the hang guard thaws it.
    with publishing_threads() as publishers, frozen_for_good(own_redis) as broker:
        incident = commit_report(cast, urgent=False)
        assert broker.still_frozen(), WAITED_FOR_THE_BROKER
        rows = Outbox.objects.filter(incident_id=incident.pk)
        assert sorted(rows.values_list("recipient__email", "status", "queued_at")) == [
            ("deputy@oakwood.test", OutboxStatus.PENDING, None),
            ("dsl@oakwood.test", OutboxStatus.PENDING, None),
        ]

    # Thawed: the publish that was waiting for the broker (on another thread) goes through.
    assert publishers, "nothing tried to publish the alerts"
    assert threading.current_thread() not in publishers, PUBLISHED_BY_THE_REQUEST
    assert None not in set(rows.values_list("queued_at", flat=True))
    assert redis.Redis.from_url(own_redis.url).llen("alerts") == 2
