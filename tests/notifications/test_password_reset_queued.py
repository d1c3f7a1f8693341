"""Password reset emails go through the worker, carrying a user id only (real Redis)."""

import base64
import json
from urllib.parse import urlencode

import redis
from django.core import mail
from django.urls import reverse

from tests.notifications.conftest import use_broker

RESET = reverse("safeguarding:password_reset")
FORM = "application/x-www-form-urlencoded"


def ask_for_reset(client, email):
    return client.post(RESET, urlencode({"email": email}), content_type=FORM)


def test_the_request_only_queues_a_user_id(client, cast, clean_redis):
    with use_broker(clean_redis):
        response = ask_for_reset(client, cast.dsl.email)
        assert response.status_code == 302
        unknown = ask_for_reset(client, "nobody@oakwood.test")
        assert unknown.status_code == 302 and unknown["Location"] == response["Location"]
    assert mail.outbox == []  # not sent during the request
    queued = redis.Redis.from_url(clean_redis).lrange("celery", 0, -1)
    assert len(queued) == 1  # the unknown address queued nothing
    message = json.loads(queued[0])
    assert message["headers"]["task"] == "safeguarding.tasks.send_password_reset"
    args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
    assert args == [str(cast.dsl.pk)] and kwargs == {}
    assert cast.dsl.email.encode() not in queued[0]


def test_with_the_broker_down_the_email_is_still_sent(client, cast):
    with use_broker("redis://127.0.0.1:1/0"):
        response = ask_for_reset(client, cast.dsl.email)
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[cast.dsl.email]]
    assert "/password-reset/" in mail.outbox[0].body
