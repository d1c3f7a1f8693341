"""Signing in with an email address and password."""

import hashlib

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse

from safeguarding.audit import keyed_digest
from safeguarding.forms import SIGN_IN_FAILED
from safeguarding.models import AuditEvent
from tests.conftest import PASSWORD, post_form

LOGIN = reverse("safeguarding:login")
HOME = reverse("safeguarding:home")


def post_sign_in(client, email, password=PASSWORD, **extra):
    return post_form(client, LOGIN, {"username": email, "password": password, **extra})


def test_the_page_asks_for_an_email_address_and_password(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Email address" in body
    assert 'type="password"' in body
    assert 'autocomplete="current-password"' in body


def test_a_teacher_signs_in_and_reaches_home(client, cast):
    response = post_sign_in(client, "teacher@oakwood.test")
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert client.get(HOME).status_code == 200


def test_the_email_address_is_not_case_sensitive(client, cast):
    response = post_sign_in(client, "  Teacher@Oakwood.TEST ")
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(cast.teacher.pk)


def test_every_failure_gets_the_same_message_and_keeps_the_email(client, cast):
    cast.deputy.is_active = False
    cast.deputy.save()
    cases = {
        "wrong password": ("teacher@oakwood.test", "not the password at all"),
        "no such account": ("nobody@oakwood.test", PASSWORD),
        "inactive account": ("deputy@oakwood.test", PASSWORD),
    }
    for what, (email, password) in cases.items():
        response = post_sign_in(client, email, password)
        body = response.content.decode()
        assert response.status_code == 200, what
        assert SIGN_IN_FAILED in body, what
        assert "govuk-error-summary" in body, what
        assert f'value="{email}"' in body, what
        assert password not in body, what
        assert SESSION_KEY not in client.session, what


def test_the_session_key_changes_at_sign_in(client, cast):
    session = client.session
    session["before_sign_in"] = True
    session.save()
    old_key = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = old_key

    post_sign_in(client, "teacher@oakwood.test")

    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert Session.objects.filter(session_key=new_key).exists()


def test_a_safe_next_address_is_followed_and_another_site_is_not(client, cast):
    account = reverse("safeguarding:account")
    response = post_sign_in(client, "teacher@oakwood.test", next=account)
    assert response["Location"] == account

    post_form(client, reverse("safeguarding:logout"))
    response = post_sign_in(client, "teacher@oakwood.test", next="https://evil.example/")
    assert response["Location"] == HOME


def test_a_person_who_needs_two_factor_goes_to_the_check_with_next_kept(client, cast):
    account = reverse("safeguarding:account")
    response = post_sign_in(client, "dsl@oakwood.test", next=account)
    assert response.status_code == 302
    assert response["Location"] == reverse("safeguarding:two_factor_verify") + "?next=%2Faccount%2F"
    # Signed in with a password only: nothing else opens yet.
    response = client.get(account)
    assert response["Location"] == reverse("safeguarding:two_factor_verify")


def test_success_and_failure_are_audited_without_the_typed_text(client, cast):
    post_sign_in(client, "Teacher@Oakwood.test", "wrong password typed here")
    post_sign_in(client, "ghost@nowhere.test", "another wrong one")
    post_sign_in(client, "teacher@oakwood.test")

    failed = list(AuditEvent.objects.filter(action="sign_in.failed").order_by("id"))
    assert len(failed) == 2
    # A keyed hash: without AUDIT_HMAC_KEY nobody can test guesses against it.
    assert failed[0].data == {"email_hmac": keyed_digest("teacher@oakwood.test", purpose="email")}
    assert failed[0].data["email_hmac"] != hashlib.sha256(b"teacher@oakwood.test").hexdigest()
    assert failed[0].target_id == str(cast.teacher.pk)
    assert failed[1].target_id == ""
    assert failed[1].actor is None
    for event in failed:
        text = str(event.data)
        assert "oakwood" not in text.lower()
        assert "nowhere" not in text
        assert "wrong" not in text
        assert event.ip_address == "127.0.0.1"

    succeeded = AuditEvent.objects.get(action="sign_in.succeeded")
    assert succeeded.actor == cast.teacher


NASTY = [
    "a\x00b@oakwood.test",
    "\u202eteacher@oakwood.test\u202c",
    "teacher@oakwood.test\u200b",
    "<script>alert(1)</script>",
    "x" * 100_000,
    "' OR 1=1 --",
    "\r\n\t",
    "😀@😀.test",
]


def test_strange_input_gets_a_polite_refusal_and_is_shown_escaped(client, cast):
    for text in NASTY:
        for data in (
            {"username": text, "password": "x"},
            {"username": "t@x.test", "password": text},
        ):
            response = post_sign_in(client, data["username"], data["password"])
            assert response.status_code in (200, 429), (text[:20], response.status_code)
            body = response.content.decode()
            assert "<script>alert(1)</script>" not in body
            assert SESSION_KEY not in client.session
    assert (
        "&lt;script&gt;" in post_sign_in(client, "<script>alert(1)</script>", "x").content.decode()
    )
