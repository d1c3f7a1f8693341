"""Sessions: 30 minutes idle, 12 hours absolute, and sign-out kills the session."""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.middleware import AbsoluteSessionLimitMiddleware
from safeguarding.models import AuditEvent
from tests.conftest import PASSWORD, post_form

LOGIN = reverse("safeguarding:login")
LOGOUT = reverse("safeguarding:logout")
HOME = reverse("safeguarding:home")


def signed_in_teacher(cast) -> Client:
    client = Client()
    response = post_form(client, LOGIN, {"username": cast.teacher.email, "password": PASSWORD})
    assert response["Location"] == HOME
    assert client.get(HOME).status_code == 200
    return client


def sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_sign_out_needs_a_post(cast):
    client = signed_in_teacher(cast)
    assert client.get(LOGOUT).status_code == 405
    assert client.get(HOME).status_code == 200


def test_sign_out_flushes_the_session_and_the_old_cookie_is_useless(cast):
    client = signed_in_teacher(cast)
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    response = post_form(client, LOGOUT)
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not Session.objects.filter(session_key=old_key).exists()
    assert AuditEvent.objects.filter(action="sign_out", actor=cast.teacher).count() == 1

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert sent_to_sign_in(replay.get(HOME))


def test_thirty_one_minutes_idle_sends_you_to_sign_in(cast):
    client = signed_in_teacher(cast)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session = Session.objects.get(session_key=key)
    # Every request pushes the expiry 30 minutes on.
    assert abs((session.expire_date - timezone.now()) - timedelta(minutes=30)) < timedelta(
        seconds=30
    )
    # 31 minutes later, with nothing in between:
    Session.objects.filter(session_key=key).update(
        expire_date=session.expire_date - timedelta(minutes=31)
    )
    assert sent_to_sign_in(client.get(HOME))


def test_twenty_nine_minutes_idle_is_fine(cast):
    client = signed_in_teacher(cast)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session = Session.objects.get(session_key=key)
    Session.objects.filter(session_key=key).update(
        expire_date=session.expire_date - timedelta(minutes=29)
    )
    assert client.get(HOME).status_code == 200


def test_the_idle_time_is_written_again_once_it_would_move_a_minute_or_more(cast):
    """Each page slides the 30 minutes on, but an unchanged session is written only when that
    moves its stored expiry by a minute or more: not on every page."""
    client = signed_in_teacher(cast)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    stored = Session.objects.get(session_key=key).expire_date
    assert client.get(HOME).status_code == 200
    assert Session.objects.get(session_key=key).expire_date == stored

    two_minutes_ago = stored - timedelta(minutes=2)
    Session.objects.filter(session_key=key).update(expire_date=two_minutes_ago)
    assert client.get(HOME).status_code == 200
    slid = Session.objects.get(session_key=key).expire_date
    assert abs((slid - timezone.now()) - timedelta(minutes=30)) < timedelta(seconds=30)


def test_a_changed_session_is_written_at_once(cast):
    client = signed_in_teacher(cast)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session = client.session
    del session[AbsoluteSessionLimitMiddleware.SESSION_KEY]
    session.save()
    # The next page stamps the sign-in time again (a change), seconds after the last write.
    assert client.get(HOME).status_code == 200
    stored = Session.objects.get(session_key=key).get_decoded()
    assert abs(stored[AbsoluteSessionLimitMiddleware.SESSION_KEY] - time.time()) < 60
    # Signing out is a change too: the old key stops working at once.
    post_form(client, LOGOUT)
    assert not Session.objects.filter(session_key=key).exists()


def test_twelve_hours_after_sign_in_you_sign_in_again_however_active(cast):
    client = signed_in_teacher(cast)
    session = client.session
    signed_in_at = session[AbsoluteSessionLimitMiddleware.SESSION_KEY]
    assert abs(signed_in_at - time.time()) < 60  # stamped at sign-in

    session[AbsoluteSessionLimitMiddleware.SESSION_KEY] = time.time() - (12 * 60 * 60 + 60)
    session.save()
    assert sent_to_sign_in(client.get(HOME))
    assert SESSION_KEY not in client.session
    assert sent_to_sign_in(client.get(HOME))


def test_eleven_hours_after_sign_in_is_fine(cast):
    client = signed_in_teacher(cast)
    session = client.session
    session[AbsoluteSessionLimitMiddleware.SESSION_KEY] = time.time() - 11 * 60 * 60
    session.save()
    assert client.get(HOME).status_code == 200


def test_signing_in_again_restarts_the_twelve_hours(cast):
    client = signed_in_teacher(cast)
    session = client.session
    session[AbsoluteSessionLimitMiddleware.SESSION_KEY] = time.time() - 11 * 60 * 60
    session.save()
    post_form(client, LOGIN, {"username": cast.teacher.email, "password": PASSWORD})
    assert abs(client.session[AbsoluteSessionLimitMiddleware.SESSION_KEY] - time.time()) < 60


def test_expired_sessions_are_deleted_every_hour_and_live_ones_kept(cast):
    """Django never deletes an expired session; one may hold a form's text rescued at a
    timeout, so a job does, hourly (beat, or the in-process schedule under `make run`)."""
    from safeguarding.tasks import clear_expired_sessions

    live = signed_in_teacher(cast).session.session_key
    expired = signed_in_teacher(cast).session.session_key
    Session.objects.filter(session_key=expired).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    assert clear_expired_sessions() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    job = settings.CELERY_BEAT_SCHEDULE["safeguarding-clear-expired-sessions"]
    assert (job["task"], job["schedule"]) == ("safeguarding.tasks.clear_expired_sessions", 3600)
