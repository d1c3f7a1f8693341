"""GET /health/ tells the operator's monitor whether alerts are getting through; the technical
admin's page names what is not."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import CaseEscalation, Failure, Heartbeat, Kind, Outbox, OutboxStatus
from safeguarding.celery import app as celery_app

from .conftest import make_incident


@pytest.fixture
def with_broker():
    """Health as a deployment with a broker (worker and beat) sees it."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = saved


def all_running(now=None):
    now = now or timezone.now()
    for name in ("beat", "relay", "escalation"):
        Heartbeat.objects.update_or_create(name=name, defaults={"at": now})


def test_all_well_is_200(db, client, with_broker):
    all_running()
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {
        "database",
        "beat",
        "relay",
        "escalation",
        "undelivered_alerts",
        "stranded_cases",
    }
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize("silent", ["beat", "relay", "escalation"])
def test_a_part_that_stopped_turns_it_red(db, client, with_broker, silent):
    all_running()
    Heartbeat.objects.filter(name=silent).update(at=timezone.now() - timedelta(minutes=4))
    response = client.get("/health/")
    assert response.status_code == 503
    check = response.json()["checks"][silent]
    assert check["ok"] is False
    assert "ago" in check["detail"]


def test_beat_that_never_ran_turns_it_red(db, client, with_broker):
    response = client.get("/health/")
    assert response.status_code == 503
    assert "never run" in response.json()["checks"]["beat"]["detail"]


def test_an_undelivered_alert_turns_it_red_with_a_count_and_no_names(db, client, cast, with_broker):
    all_running()
    incident = make_incident(cast)
    Outbox.objects.create(
        recipient=cast.dsl,
        kind=Kind.NEW_CASE,
        school=cast.school_a,
        incident_id=incident.pk,
        reference=incident.reference,
        status=OutboxStatus.FAILED,
        failure=Failure.REFUSED,
        idempotency_key="refused",
    )
    # Late: still pending five minutes after it was written.
    Outbox.objects.create(
        recipient=cast.deputy,
        kind=Kind.NEW_CASE,
        school=cast.school_a,
        incident_id=incident.pk,
        reference=incident.reference,
        created_at=timezone.now() - timedelta(minutes=6),
        idempotency_key="late",
    )
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["undelivered_alerts"]["count"] == 2
    text = response.content.decode()
    for leak in (incident.reference, "Oakwood", "dsl@oakwood.test", cast.dsl.full_name):
        assert leak not in text


def test_a_stranded_case_turns_it_red(db, client, cast, with_broker):
    all_running()
    incident = make_incident(cast)
    CaseEscalation.objects.create(
        incident_id=incident.pk, school=cast.school_a, stage=2, stranded_at=timezone.now()
    )
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["stranded_cases"]["count"] == 1


def test_without_a_broker_there_is_no_beat_to_watch_but_the_cron_relay_is(db, client):
    # `make run` and cron installs: no beat; `send_notifications` every minute is the relay.
    Heartbeat.objects.create(name="relay", at=timezone.now())
    response = client.get("/health/")
    assert response.status_code == 200
    assert "beat" not in response.json()["checks"]


def test_live_answers_when_the_database_does(db, client):
    response = client.get("/health/live/")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_the_operators_page_names_the_cases_and_messages(db, client, cast):
    from safeguarding.models import User
    from tests.conftest import sign_in

    incident = make_incident(cast)
    CaseEscalation.objects.create(
        incident_id=incident.pk, school=cast.school_a, stage=2, stranded_at=timezone.now()
    )
    Outbox.objects.create(
        recipient=cast.dsl,
        kind=Kind.NEW_CASE,
        school=cast.school_a,
        incident_id=incident.pk,
        reference="SG-REFU-SED1",
        status=OutboxStatus.FAILED,
        failure=Failure.REFUSED,
        idempotency_key="refused",
    )
    operator = User.objects.create_superuser("ops@service.test", "a-long-password-1")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=operator, name="Phone", confirmed=True)
    page = sign_in(client, operator).get("/admin/notifications/outbox/health/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cases with nobody left to escalate to" in html
    assert incident.reference in html
    assert "SG-REFU-SED1" in html
    # Nobody else reaches it.
    for person in (cast.dsl, cast.trust_lead):
        other = sign_in(client.__class__(), person).get("/admin/notifications/outbox/health/")
        assert other.status_code in (302, 403)


def test_the_containers_health_checks_read_liveness_files(tmp_path, monkeypatch):
    import os
    import time

    from notifications import liveness

    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    assert liveness.main(["beat", "60"]) == 1  # never alive
    liveness.touch("beat")
    assert liveness.main(["beat", "60"]) == 0
    stale = time.time() - 120
    os.utime(tmp_path / "alive" / "beat", (stale, stale))
    assert liveness.main(["beat", "60"]) == 1
    liveness.touch(liveness.worker_name("alerts@host-1"))
    assert liveness.main(["worker", "alerts@host-1", "60"]) == 0
    assert liveness.main(["worker", "default@host-1", "60"]) == 1
    assert liveness.main(["nonsense"]) == 2


def test_the_web_servers_health_check_asks_it_over_http(live_server):
    from notifications import liveness

    assert liveness.main(["web", f"{live_server.url}/health/live/"]) == 0
    assert liveness.main(["web", f"{live_server.url}/no-such-page/"]) == 1
    assert liveness.main(["web", "file:///etc/passwd"]) == 1
