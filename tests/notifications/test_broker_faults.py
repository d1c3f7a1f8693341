"""A broker that refuses or never answers costs the member of staff seconds, never the case.

The outbox row is saved with the case; once the broker is back the relay sends it, once.
"""

import time

import redis

from notifications import services
from notifications.models import Outbox, OutboxStatus

from .conftest import free_port, timed_report, use_broker, wait_until


def test_broker_refused_then_the_relay_publishes_each_row_once(
    transactional_db, cast, smtp_email, clean_redis
):
    with use_broker(f"redis://127.0.0.1:{free_port()}/0"):
        incident, took = timed_report(cast, urgent=False)

    assert took < 2
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
    with use_broker(f"redis://127.0.0.1:{free_port()}/0"):
        incident, took = timed_report(cast, urgent=False)
    assert took < 2
    assert smtp_server.messages == []

    from notifications.tasks import relay_pending

    relay_pending.delay()
    relay_pending.delay()
    smtp_server.wait_for(2)
    time.sleep(1)
    assert smtp_server.recipients() == ["deputy@oakwood.test", "dsl@oakwood.test"]
    rows = Outbox.objects.filter(incident_id=incident.pk)
    assert wait_until(lambda: not rows.exclude(status=OutboxStatus.SENT).exists())


def test_a_broker_that_never_answers_holds_the_commit_under_5_seconds(
    transactional_db, cast, smtp_email, blackhole_broker
):
    url, accepted = blackhole_broker
    with use_broker(url):
        incident, took = timed_report(cast, urgent=False)

    assert accepted, "the publish never reached the silent broker"
    assert took < 5
    assert set(Outbox.objects.filter(incident_id=incident.pk).values_list("status", flat=True)) == {
        OutboxStatus.PENDING
    }
