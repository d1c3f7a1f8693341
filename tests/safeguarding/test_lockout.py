"""Lockout after repeated failures, by email address, without revealing who has an account."""

import re
import statistics
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from safeguarding.forms import SIGN_IN_FAILED, locked_out_message
from safeguarding.models import AuditEvent
from tests.conftest import PASSWORD, post_form

LOGIN = reverse("safeguarding:login")
WRONG = "definitely not the password"


def attempt(client, email, password=WRONG):
    return post_form(client, LOGIN, {"username": email, "password": password})


def lock(client, email):
    responses = [attempt(client, email) for _ in range(settings.AXES_FAILURE_LIMIT)]
    return responses[-1]


def normalised(body: str, email: str) -> str:
    body = body.replace(email, "EMAIL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_five_failures_lock_the_account_even_for_the_right_password(client, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "teacher@oakwood.test").status_code == 200
    response = attempt(client, "teacher@oakwood.test")
    assert response.status_code == 429

    response = attempt(client, "teacher@oakwood.test", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert locked_out_message() in body
    assert "Wait 15 minutes and try again" in body
    assert "<h1" in body and "Sign in" in body  # the sign-in page again, not a bare error
    assert SESSION_KEY not in client.session


def test_the_lockout_message_says_how_long_the_service_is_set_to_wait(client, cast, settings):
    # AXES_COOLOFF_MINUTES is configurable: the page said "15 minutes" whatever it was set to.
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    body = lock(client, "teacher@oakwood.test").content.decode()
    assert "Wait 30 minutes and try again, or reset your password." in body
    settings.AXES_COOLOFF_TIME = timedelta(minutes=60)
    body = attempt(client, "teacher@oakwood.test").content.decode()
    assert "Wait 1 hour and try again" in body


def test_the_lock_follows_the_email_address_not_the_computer(client, cast):
    """A whole school shares one IP address: one person's lock must not stop their colleagues."""
    lock(client, "teacher@oakwood.test")
    assert attempt(client, "deputy@oakwood.test", PASSWORD).status_code == 302
    other_computer = Client(REMOTE_ADDR="10.9.8.7")
    assert attempt(other_computer, "teacher@oakwood.test", PASSWORD).status_code == 429


def test_changing_the_case_of_the_address_does_not_dodge_the_lock(client, cast):
    for email in ["teacher@oakwood.test", "Teacher@oakwood.test", "TEACHER@OAKWOOD.TEST"]:
        attempt(client, email)
    attempt(client, " teacher@Oakwood.test")
    attempt(client, "teacher@oakwood.TEST")
    assert attempt(client, "teacher@oakwood.test", PASSWORD).status_code == 429


def test_known_and_unknown_addresses_are_locked_with_the_same_page(client, cast):
    known, unknown = "teacher@oakwood.test", "nobody@oakwood.test"
    known_page = lock(client, known)
    unknown_page = lock(Client(), unknown)
    assert known_page.status_code == unknown_page.status_code == 429
    assert normalised(known_page.content.decode(), known) == normalised(
        unknown_page.content.decode(), unknown
    )
    # And after the lock the right password changes nothing about the answer.
    again = attempt(client, known, PASSWORD)
    assert normalised(again.content.decode(), known) == normalised(
        known_page.content.decode(), known
    )


def test_a_lockout_is_audited_once_with_a_digest_of_the_address(client, cast):
    lock(client, "teacher@oakwood.test")
    events = AuditEvent.objects.filter(action="sign_in.locked_out")
    assert events.count() == 1
    event = events.get()
    assert event.target_id == str(cast.teacher.pk)
    assert "oakwood" not in str(event.data)
    assert len(event.data["email_hmac"]) == 64


def test_resetting_the_password_ends_the_lockout(client, cast):
    lock(client, "teacher@oakwood.test")
    post_form(client, reverse("safeguarding:password_reset"), {"email": "teacher@oakwood.test"})
    link = re.search(r"https?://\S+/password-reset/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("/", 3)[3]
    form_page = client.get(path, follow=True)
    new_password = "a brand new long passphrase"
    post_form(
        client,
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert attempt(client, "teacher@oakwood.test", new_password).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=1000)
def test_failures_take_the_same_time_whether_or_not_the_account_exists(client, cast):
    """Medians within 25%: the password hash runs for unknown addresses too."""
    known, unknown = [], []
    attempt(client, "teacher@oakwood.test")  # warm up
    attempt(client, "warm@nowhere.test")
    for i in range(15):
        for email, times in (("teacher@oakwood.test", known), (f"n{i}@nowhere.test", unknown)):
            start = time.perf_counter()
            response = attempt(client, email)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200
            assert SIGN_IN_FAILED in response.content.decode()
    known_median, unknown_median = statistics.median(known), statistics.median(unknown)
    assert abs(known_median - unknown_median) <= 0.25 * max(known_median, unknown_median), (
        known_median,
        unknown_median,
    )


def test_a_password_typed_into_the_email_box_is_not_kept_by_the_lockout(client, cast):
    """Issue 13, point 6: axes stored the typed username (and the posted form) in clear."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    typed = "Tr0ub4dor&3-my-real-password"
    attempt(client, typed)
    lock(client, "teacher@oakwood.test")
    attempt(Client(), "teacher@oakwood.test", PASSWORD)
    attempt(Client(), "deputy@oakwood.test", PASSWORD)  # a success: axes' access log
    rows = [
        *AccessAttempt.objects.values(),
        *AccessFailureLog.objects.values(),
        *AccessLog.objects.values(),
    ]
    assert AccessAttempt.objects.exists()
    stored = " ".join(str(row) for row in rows).lower()
    for fragment in ("tr0ub4dor", "my-real-password", "teacher@", "oakwood", "deputy"):
        assert fragment not in stored
    audit_text = " ".join(str(e.data) for e in AuditEvent.objects.all()).lower()
    assert "tr0ub4dor" not in audit_text
