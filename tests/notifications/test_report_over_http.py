"""A report sent through the website reaches the DSLs, whatever state the broker is in."""

import time

from incidents.models import Incident
from notifications.models import Kind, Outbox, OutboxStatus
from tests.incidents.conftest import Journey

from .conftest import CANARY, free_port, use_broker


def send_report(client_for, cast):
    journey = Journey(client_for(cast.teacher), cast.school_a)
    journey.start()
    assert journey.what(account=f"Maya said {CANARY}").status_code == 302
    assert journey.adults().status_code == 302
    assert journey.checklist().status_code == 302
    started = time.monotonic()
    response = journey.submit()
    took = time.monotonic() - started
    assert response.status_code == 302, response.content
    return Incident.objects.get(reporter=cast.teacher), took


def test_a_report_over_http_emails_the_dsls_through_a_real_worker(
    worker, cast, client_for, smtp_server
):
    incident, _ = send_report(client_for, cast)

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


def test_broker_refused_the_report_is_saved_quickly_and_waits(
    transactional_db, cast, client_for, smtp_email
):
    with use_broker(f"redis://127.0.0.1:{free_port()}/0"):
        incident, took = send_report(client_for, cast)
    assert took < 3
    rows = Outbox.objects.filter(incident_id=incident.pk, kind=Kind.NEW_CASE)
    assert sorted(rows.values_list("recipient__email", "status")) == [
        ("deputy@oakwood.test", OutboxStatus.PENDING),
        ("dsl@oakwood.test", OutboxStatus.PENDING),
    ]


def test_broker_silent_the_report_returns_in_under_5_seconds(
    transactional_db,
    cast,
    client_for,
    smtp_email,
    blackhole_broker,
):
    url, _ = blackhole_broker
    with use_broker(url):
        incident, took = send_report(client_for, cast)
    assert took < 5
    # The leads' alerts and the reporter's receipt.
    assert Outbox.objects.filter(incident_id=incident.pk, status=OutboxStatus.PENDING).count() == 3
