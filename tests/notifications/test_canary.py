"""What happened never leaves the case: not in emails, log lines, task arguments or the outbox."""

import logging
import time

import pytest
from celery.signals import before_task_publish
from django.core import serializers
from django.db import transaction
from django.utils import timezone

from incidents.models import FollowUp
from notifications import services
from notifications.models import Outbox

from .conftest import CANARY, make_incident


@pytest.fixture
def published():
    """Every task message this process publishes: headers and body as sent."""
    seen = []

    def record(sender=None, body=None, headers=None, **kwargs):
        seen.append(repr((sender, body, headers)))

    before_task_publish.connect(record, weak=False)
    yield seen
    before_task_publish.disconnect(record)


def report_and_follow_up(cast):
    with transaction.atomic():
        incident = make_incident(
            cast, account=f"The pupil said {CANARY}.", platform=CANARY, urgent=True
        )
        services.notify_new_case(
            school=incident.school,
            incident_id=incident.pk,
            reference=incident.reference,
            urgent=True,
        )
    with transaction.atomic():
        follow_up = FollowUp.objects.create(
            incident=incident, author=cast.teacher, text=f"Also {CANARY}"
        )
        services.notify_follow_up(
            school=incident.school,
            incident_id=incident.pk,
            reference=incident.reference,
            follow_up_id=follow_up.pk,
        )
    return incident


def assert_no_canary_in_outbox():
    dumped = serializers.serialize("json", Outbox.objects.all())
    assert CANARY not in dumped


def test_in_process_the_canary_is_nowhere(transactional_db, cast, smtp_email, caplog):
    caplog.set_level(logging.DEBUG)
    incident = report_and_follow_up(cast)
    # Then nobody acknowledges it: both leads were told, so it goes to the trust lead.
    services.escalate_unacknowledged(now=timezone.now() + timezone.timedelta(days=1))

    messages = smtp_email.wait_for(4)
    # new case x2 (dsl, deputy), follow-up x1 (dsl), trust lead x1
    assert len(messages) == 4
    for message in messages:
        assert CANARY.encode() not in message["raw"]
    assert CANARY not in caplog.text
    assert_no_canary_in_outbox()
    assert Outbox.objects.filter(incident_id=incident.pk).count() == 4


def test_with_a_real_worker_the_canary_is_in_no_task_or_log(
    worker, cast, smtp_server, caplog, published
):
    caplog.set_level(logging.DEBUG)
    report_and_follow_up(cast)

    messages = smtp_server.wait_for(3)
    time.sleep(0.5)
    assert len(messages) == 3
    assert published, "no task was published to the broker"
    for sent in published:
        assert CANARY not in sent
    for message in messages:
        assert CANARY.encode() not in message["raw"]
    assert CANARY not in caplog.text
    assert CANARY not in worker.log()
    assert "send_outbox_message" in worker.log()
    assert_no_canary_in_outbox()
