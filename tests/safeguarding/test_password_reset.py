"""Password reset: our pages, a plain email, no automatic sign-in, two-factor still applies."""

import re
from datetime import timedelta

from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from safeguarding.models import AuditEvent
from safeguarding.two_factor import current_code
from tests.conftest import PASSWORD, post_form

RESET = reverse("safeguarding:password_reset")
DONE = reverse("safeguarding:password_reset_done")
LOGIN = reverse("safeguarding:login")
CHECK = reverse("safeguarding:two_factor_verify")
NEW_PASSWORD = "a brand new long passphrase"


def reset_link(message) -> str:
    url = re.search(r"https?://\S+/password-reset/\S+/", message.body).group(0)
    return "/" + url.split("/", 3)[3]


def set_new_password(client, message, password=NEW_PASSWORD):
    form_page = client.get(reset_link(message), follow=True)
    assert form_page.status_code == 200
    assert "Choose a new password" in form_page.content.decode()
    return post_form(
        client,
        form_page.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
    )


def test_the_same_answer_whether_or_not_the_address_has_an_account(client, cast):
    known = post_form(client, RESET, {"email": "dsl@oakwood.test"})
    unknown = post_form(client, RESET, {"email": "nobody@oakwood.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == DONE
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dsl@oakwood.test"]


def test_the_email_is_plain_and_names_no_school_or_person(client, cast):
    post_form(client, RESET, {"email": "dsl@oakwood.test"})
    message = mail.outbox[0]
    assert not getattr(message, "alternatives", [])  # plain text only
    text = message.subject + message.body
    for name in ("Oakwood", "oakwood", "Northfield", "Dana", "Lee"):
        assert name not in text.replace("dsl@oakwood.test", "")
    assert "http://127.0.0.1:8000/password-reset/" in message.body or "/password-reset/" in text


def test_reset_does_not_sign_in_and_two_factor_still_applies(client, cast):
    post_form(client, RESET, {"email": "dsl@oakwood.test"})
    response = set_new_password(client, mail.outbox[0])
    assert response.status_code == 302
    assert response["Location"] == reverse("safeguarding:password_reset_complete")
    assert SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(action="password.reset", target_id=str(cast.dsl.pk)).exists()

    # The old password no longer works; the new one gets as far as the two-factor step.
    post_form(client, LOGIN, {"username": "dsl@oakwood.test", "password": PASSWORD})
    assert SESSION_KEY not in client.session
    response = post_form(client, LOGIN, {"username": "dsl@oakwood.test", "password": NEW_PASSWORD})
    assert response["Location"] == CHECK
    for page in (reverse("safeguarding:home"), reverse("safeguarding:account"), "/admin/"):
        assert client.get(page)["Location"] == CHECK
    from django_otp.plugins.otp_totp.models import TOTPDevice

    post_form(client, CHECK, {"code": current_code(TOTPDevice.objects.get(user=cast.dsl))})
    assert client.get(reverse("safeguarding:home")).status_code == 200


def test_a_reset_link_works_once(client, cast):
    post_form(client, RESET, {"email": "teacher@oakwood.test"})
    message = mail.outbox[0]
    set_new_password(client, message)
    again = client.get(reset_link(message), follow=True)
    assert "This link does not work" in again.content.decode()


def test_weak_passwords_are_refused_with_a_message(client, cast):
    post_form(client, RESET, {"email": "teacher@oakwood.test"})
    response = set_new_password(client, mail.outbox[0], password="password1")
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "at least 12 characters" in body


def test_changing_a_password_from_the_account_page_is_audited(client, cast, client_for):
    signed_in = client_for(cast.teacher)
    response = post_form(
        signed_in,
        reverse("safeguarding:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("safeguarding:account")
    assert AuditEvent.objects.filter(action="password.changed", actor=cast.teacher).count() == 1
    cast.teacher.refresh_from_db()
    assert cast.teacher.check_password(NEW_PASSWORD)

    wrong = post_form(
        signed_in,
        reverse("safeguarding:password_change"),
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert "govuk-error-summary" in wrong.content.decode()


def test_changing_a_password_signs_you_out_everywhere_else(cast, client_for):
    here, elsewhere = client_for(cast.teacher), client_for(cast.teacher)
    home = reverse("safeguarding:home")
    assert elsewhere.get(home).status_code == 200
    post_form(
        here,
        reverse("safeguarding:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert here.get(home).status_code == 200
    assert elsewhere.get(home)["Location"].startswith(LOGIN)


# Issue 13, point 7: 15 requests sent 15 emails.


def test_resets_are_limited_per_address_with_the_same_page_either_way(client, cast, settings):
    answers = [post_form(Client(), RESET, {"email": "dsl@oakwood.test"}) for _ in range(15)]
    assert {(r.status_code, r["Location"]) for r in answers} == {(302, DONE)}
    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT_PER_ADDRESS == 3
    # However the address is spelt.
    post_form(Client(), RESET, {"email": "DSL@Oakwood.TEST"})
    assert len(mail.outbox) == 3
    # Someone else's reset still goes.
    post_form(Client(), RESET, {"email": "teacher@oakwood.test"})
    assert len(mail.outbox) == 4
    over = AuditEvent.objects.filter(action="password_reset.requested", data__over_limit=True)
    assert over.count() == 13
    assert "oakwood" not in str(over.first().data)


def test_resets_are_limited_per_client(client, cast, settings):
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 3
    addresses = ["dsl@oakwood.test", "deputy@oakwood.test", "teacher@oakwood.test"]
    addresses += ["admin@oakwood.test", "dsl@elmpark.test"]
    answers = [post_form(client, RESET, {"email": email}) for email in addresses]
    assert {r["Location"] for r in answers} == {DONE}
    assert len(mail.outbox) == 3
    # Another computer is not held back by this one.
    post_form(Client(REMOTE_ADDR="10.2.3.4"), RESET, {"email": "teacher@elmpark.test"})
    assert len(mail.outbox) == 4


def test_the_limit_passes(client, cast, settings):
    for _ in range(3):
        post_form(Client(), RESET, {"email": "dsl@oakwood.test"})
    settings.PASSWORD_RESET_WINDOW = timedelta(0)  # as if an hour had passed
    post_form(Client(), RESET, {"email": "dsl@oakwood.test"})
    assert len(mail.outbox) == 4
