"""Each outbox row becomes exactly one email: tasks run twice, relays racing, rollbacks."""

import threading
import time

import redis
from django.db import connection, transaction

from notifications import services
from notifications.models import Outbox, OutboxStatus
from notifications.tasks import send_outbox_message

from .conftest import make_incident, use_broker


def queue_case(cast, **kwargs):
    incident = make_incident(cast)
    return incident, services.notify_new_case(
        school=incident.school, incident_id=incident.pk, reference=incident.reference, urgent=False
    )


def run_together(target, times: int) -> list:
    barrier = threading.Barrier(times)
    results: list = []
    errors: list = []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def test_the_send_task_run_twice_sends_once(transactional_db, cast, smtp_email):
    # Written outside any transaction's commit hook: nothing is sent until the task runs.
    with use_broker("redis://127.0.0.1:1/0"), transaction.atomic():
        incident = make_incident(cast)
        ids = services.notify_new_case(
            school=incident.school,
            incident_id=incident.pk,
            reference=incident.reference,
            urgent=False,
        )
    assert smtp_email.messages == []

    for outbox_id in ids:
        send_outbox_message.apply(args=[outbox_id])
        send_outbox_message.apply(args=[outbox_id])

    time.sleep(0.3)
    assert len(smtp_email.messages) == 2
    assert smtp_email.recipients() == ["deputy@oakwood.test", "dsl@oakwood.test"]


def test_two_relays_at_once_send_each_row_once(postgres, transactional_db, cast, smtp_email):
    with use_broker("redis://127.0.0.1:1/0"):
        for _ in range(25):
            queue_case(cast)
    assert Outbox.objects.filter(status=OutboxStatus.PENDING).count() == 50

    run_together(services.relay_pending, times=2)

    smtp_email.wait_for(50)
    time.sleep(0.5)
    assert len(smtp_email.messages) == 50
    assert Outbox.objects.filter(status=OutboxStatus.SENT).count() == 50


def test_the_same_row_delivered_from_two_threads_sends_once(
    postgres, transactional_db, cast, smtp_email
):
    with use_broker("redis://127.0.0.1:1/0"):
        _, ids = queue_case(cast)

    results = run_together(lambda: services.deliver(ids[0]), times=4)

    # One claims it; the others find it being sent (their task would look again once the
    # claim's lease is over) or already sent.
    assert results.count("sent") == 1
    assert set(results) - {"sent"} <= {"held", "skipped"}
    time.sleep(0.3)
    assert len(smtp_email.messages) == 1


def test_a_rolled_back_case_sends_nothing(transactional_db, cast, smtp_email, clean_redis):
    broker = redis.Redis.from_url(clean_redis)
    with use_broker(clean_redis):
        try:
            with transaction.atomic():
                queue_case(cast)
                raise RuntimeError("the report failed to save")
        except RuntimeError:
            pass
        services.relay_pending()

    assert Outbox.objects.count() == 0
    assert broker.llen("celery") == broker.llen("alerts") == 0
    time.sleep(0.3)
    assert smtp_email.messages == []


def test_writing_the_same_notification_twice_keeps_one_row(transactional_db, cast, smtp_email):
    incident = make_incident(cast)
    for _ in range(2):
        services.notify_new_case(
            school=incident.school,
            incident_id=incident.pk,
            reference=incident.reference,
            urgent=False,
        )
    assert Outbox.objects.count() == 2
    smtp_email.wait_for(2)
    time.sleep(0.3)
    assert len(smtp_email.messages) == 2
