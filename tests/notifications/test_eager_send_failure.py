"""With no broker, a mail server that is down never breaks the request: the row waits."""

import io
import uuid

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from notifications import services
from notifications.models import Failure, Outbox, OutboxStatus

from .conftest import commit_report, free_port, make_incident, tally, use_broker


def test_smtp_down_in_process_leaves_rows_pending_then_the_relay_sends(
    transactional_db, cast, smtp_email, settings
):
    settings.EMAIL_PORT = free_port()  # nothing listens there

    incident = commit_report(cast, urgent=True)

    rows = Outbox.objects.filter(incident_id=incident.pk).order_by("pk")
    assert set(rows.values_list("status", flat=True)) == {OutboxStatus.PENDING}
    tried, untried = rows
    # The request paid for one failed attempt, recorded; the rest were left for the relay
    # rather than tried too.
    assert tried.attempts == 1
    assert "ConnectionRefusedError" in tried.last_error
    assert tried.next_attempt_at > timezone.now()
    assert untried.attempts == 0

    settings.EMAIL_PORT = smtp_email.port
    # The relay sends what is due; that send going through shows the mail server is back, so
    # the failed row's backoff is cut short and the next relay sends it too.
    assert services.relay_pending() == {"queued": 0, "sent": 1, "retry": 0, "failed": 0}
    assert tried.next_attempt_at > timezone.now()
    tried.refresh_from_db()
    assert tried.next_attempt_at <= timezone.now()
    assert services.relay_pending() == {"queued": 0, "sent": 1, "retry": 0, "failed": 0}
    assert services.relay_pending() == {"queued": 0, "sent": 0, "retry": 0, "failed": 0}

    smtp_email.wait_for(2)
    assert smtp_email.recipients() == ["deputy@oakwood.test", "dsl@oakwood.test"]
    assert [(r.status, r.attempts, r.last_error) for r in rows.all()] == [
        (OutboxStatus.SENT, 2, ""),
        (OutboxStatus.SENT, 1, ""),
    ]


def test_a_mail_server_that_never_answers_costs_one_timeout(
    transactional_db, cast, smtp_email, settings, silent_server
):
    port, accepted = silent_server
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2

    incident = commit_report(cast, urgent=True)

    # One connection, not one per recipient, and it ended by the timeout ("... timed out"): a
    # send with no timeout would be cut off by the server hanging up ("Connection unexpectedly
    # closed") after the hang guard.
    assert len(accepted) == 1
    rows = Outbox.objects.filter(incident_id=incident.pk).order_by("-attempts")
    assert set(rows.values_list("status", flat=True)) == {OutboxStatus.PENDING}
    tried, untried = rows
    assert (tried.attempts, untried.attempts) == (1, 0)
    assert tried.last_error.endswith("timed out"), tried.last_error


def test_a_temporary_failure_is_retried_for_a_day_then_given_up_and_flagged(
    transactional_db, cast, settings, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    incident = make_incident(cast)
    ids = services.notify_new_case(
        school=incident.school, incident_id=incident.pk, reference=incident.reference, urgent=False
    )
    Outbox.objects.exclude(pk=ids[0]).delete()  # one alert, to follow it
    rows = Outbox.objects.filter(pk=ids[0])
    for _ in range(12):
        rows.update(next_attempt_at=timezone.now())
        services.relay_pending()
    # Still waiting after a dozen attempts: temporary failures are not given up on in hours.
    assert {(r.status, r.failure) for r in rows} == {(OutboxStatus.PENDING, Failure.TEMPORARY)}
    # An alert's backoff stays short, so it goes out soon after the mail server recovers.
    row = rows.first()
    assert row.next_attempt_at - timezone.now() <= timezone.timedelta(seconds=20)

    rows.update(created_at=timezone.now() - services.GIVE_UP_AFTER, next_attempt_at=timezone.now())
    services.relay_pending()
    services.relay_pending()
    assert {(r.status, r.failure) for r in rows} == {(OutboxStatus.FAILED, Failure.GAVE_UP)}
    assert all(r.flagged_at for r in rows)
    given_up = [r for r in caplog.records if "given up" in r.getMessage()]
    assert [r.levelname for r in given_up] == ["ERROR"]
    assert incident.reference in given_up[0].getMessage()


def test_a_row_stuck_sending_after_a_worker_died_is_sent_again(transactional_db, cast, smtp_email):
    incident = make_incident(cast)
    # Written with the broker unreachable, so nothing is sent when they are committed.
    with use_broker("redis://127.0.0.1:1/0"), transaction.atomic():
        ids = services.notify_new_case(
            school=incident.school,
            incident_id=incident.pk,
            reference=incident.reference,
            urgent=False,
        )
        # A worker claimed these and died before sending: its lease has run out.
        Outbox.objects.filter(pk__in=ids).update(
            status=OutboxStatus.SENDING,
            claim_token=uuid.uuid4(),
            claimed_at=timezone.now() - services.LEASE,
            lease_until=timezone.now() - timezone.timedelta(seconds=1),
        )
    assert smtp_email.messages == []
    assert services.relay_pending()["sent"] == 2
    smtp_email.wait_for(2)
    assert smtp_email.recipients() == ["deputy@oakwood.test", "dsl@oakwood.test"]


def test_a_row_another_sender_holds_is_left_to_it_until_its_lease_is_over(
    transactional_db, cast, smtp_email
):
    incident = make_incident(cast)
    # Written with the broker unreachable, so nothing is sent when they are committed.
    with use_broker("redis://127.0.0.1:1/0"), transaction.atomic():
        ids = services.notify_new_case(
            school=incident.school,
            incident_id=incident.pk,
            reference=incident.reference,
            urgent=False,
        )
        Outbox.objects.filter(pk__in=ids).update(
            status=OutboxStatus.SENDING,
            claim_token=uuid.uuid4(),
            claimed_at=timezone.now(),
            lease_until=timezone.now() + services.LEASE,
        )
    assert services.deliver(ids[0]) == services.HELD
    assert 25 < services.lease_left(ids[0]) <= 30
    assert services.relay_pending()["sent"] == 0
    assert smtp_email.messages == []


def test_without_a_broker_the_command_sends_what_is_pending(
    transactional_db, cast, smtp_email, settings
):
    settings.EMAIL_PORT = free_port()  # the mail server is down when the case is saved
    incident = make_incident(cast)
    services.notify_new_case(
        school=incident.school, incident_id=incident.pk, reference=incident.reference, urgent=False
    )
    assert Outbox.objects.filter(status=OutboxStatus.PENDING).count() == 2

    settings.EMAIL_PORT = smtp_email.port
    Outbox.objects.update(next_attempt_at=timezone.now())
    out = io.StringIO()
    call_command("send_notifications", stdout=out)
    assert "sent 2" in out.getvalue()
    # After 7am on a school day the same run also sends the DSLs their daily summary (the case
    # is open), so the two case alerts are picked out by their Message-IDs.
    rows = Outbox.objects.filter(incident_id=incident.pk)
    smtp_email.wait_for(2)
    assert tally(rows, smtp_email) == {
        "rows": 2,
        "sent": 2,
        "delivered": 2,
        "duplicated": 0,
        "lost": 0,
    }
    assert sorted(rows.values_list("recipient__email", flat=True)) == [
        "deputy@oakwood.test",
        "dsl@oakwood.test",
    ]
