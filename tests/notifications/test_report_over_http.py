"""A report sent through the website reaches the DSLs, whatever state the broker is in.

The "Send report" request never waits for the broker: the alerts are saved with the case and
published from another thread after the commit.
"""

import threading

import redis

from incidents.models import Incident
from notifications.models import Kind, Outbox, OutboxStatus
from tests.incidents.conftest import Journey

from .conftest import (
    CANARY,
    PUBLISHED_BY_THE_REQUEST,
    WAITED_FOR_THE_BROKER,
    free_port,
    frozen_for_good,
    publishing_threads,
    use_broker,
)


def send_report(client_for, cast):
    journey = Journey(client_for(cast.teacher), cast.school_a)
    journey.start()
    assert journey.what(account=f"Maya said {CANARY}").status_code == 302
    assert journey.adults().status_code == 302
    assert journey.checklist().status_code == 302
    response = journey.submit()
    assert response.status_code == 302, response.content
    return Incident.objects.get(reporter=cast.teacher)


def test_a_report_over_http_emails_the_dsls_through_a_real_worker(
    worker, cast, client_for, smtp_server
):
    incident = send_report(client_for, cast)

    # The two safeguarding leads' alerts, and the reporter's receipt.
    messages = smtp_server.wait_for(3)
    assert smtp_server.recipients() == [
        "deputy@oakwood.test",
        "dsl@oakwood.test",
        "teacher@oakwood.test",
    ]
    for message in messages:
        assert incident.reference in message["msg"]["Subject"]
        assert CANARY.encode() not in message["raw"]
    assert CANARY not in worker.log()


def test_broker_refused_the_report_is_saved_and_its_alerts_wait(
    transactional_db, cast, client_for, smtp_email
):
    with publishing_threads() as publishers, use_broker(f"redis://127.0.0.1:{free_port()}/0"):
        incident = send_report(client_for, cast)
    # The publish was tried (and refused) from another thread, never the request's.
    assert publishers, "nothing tried to publish the alerts"
    assert threading.current_thread() not in publishers, PUBLISHED_BY_THE_REQUEST
    rows = Outbox.objects.filter(incident_id=incident.pk, kind=Kind.NEW_CASE)
    assert sorted(rows.values_list("recipient__email", "status")) == [
        ("deputy@oakwood.test", OutboxStatus.PENDING),
        ("dsl@oakwood.test", OutboxStatus.PENDING),
    ]


def test_broker_frozen_the_report_is_answered_before_the_broker_is(
    transactional_db, cast, client_for, smtp_email, own_redis
):
    # Redis frozen (it takes connections and never answers), and nothing here gives up on it:
    # a request that waited for it would wait until the hang guard thaws it.
    with publishing_threads() as publishers, frozen_for_good(own_redis) as broker:
        incident = send_report(client_for, cast)
        assert broker.still_frozen(), WAITED_FOR_THE_BROKER
        # The leads' alerts and the reporter's receipt, saved and not yet published.
        rows = Outbox.objects.filter(incident_id=incident.pk)
        assert list(rows.values_list("status", "queued_at")) == [(OutboxStatus.PENDING, None)] * 3

    # Thawed: the publishes waiting for the broker, on another thread, go through.
    assert publishers, "nothing tried to publish the alerts"
    assert threading.current_thread() not in publishers, PUBLISHED_BY_THE_REQUEST
    assert None not in set(rows.values_list("queued_at", flat=True))
    queued = redis.Redis.from_url(own_redis.url)
    assert queued.llen("alerts") + queued.llen("celery") == 3
