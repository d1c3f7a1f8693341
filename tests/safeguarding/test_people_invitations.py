"""A school admin invites someone; they get an email, accept once, and sign in."""

import json
import re
import socket
from datetime import timedelta
from html import escape
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from safeguarding import people
from safeguarding.models import AuditEvent, Invitation, LeadRoleRequest, Role, User
from safeguarding.people_views import CHOOSE_A_ROLE, ENTER_AN_EMAIL, MAIL_FAILED, PASSWORDS_DIFFER
from tests.conftest import PASSWORD

FORM = "application/x-www-form-urlencoded"
NEW_EMAIL = "new.lead@oakwood.test"
NEW_PASSWORD = "violet kettle orbit 42"


def post(client, url, data=None):
    """A form post as a browser sends it (the test client's default, multipart, is refused)."""
    return client.post(url, urlencode(data or {}, doseq=True), content_type=FORM)


def invite_url(cast):
    return reverse("people:invite", kwargs={"school": cast.school_a.slug})


def link_in(message) -> str:
    """The path of the one-time link in an invitation email."""
    match = re.search(re.escape(settings.SITE_URL) + r"(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def send_invitation(client, cast, email=NEW_EMAIL, roles=("dsl",)):
    response = post(client, invite_url(cast), {"email": email, "roles": list(roles)})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("people:list", kwargs={"school": cast.school_a.slug})


def test_invite_email_accept_then_sign_in_with_two_factor_set_up(
    cast, client_for, client, mailoutbox
):
    admin = client_for(cast.admin)
    send_invitation(admin, cast)

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [NEW_EMAIL]
    assert "Oakwood Academy" in message.subject
    assert "Designated safeguarding lead" in message.body
    path = link_in(message)
    assert path.startswith("/s/oakwood/people/join/")
    token = path.rstrip("/").rsplit("/", 1)[1]

    invitation = Invitation.objects.get()
    assert invitation.email == NEW_EMAIL
    assert invitation.roles == [Role.DSL]
    assert invitation.token_hash == Invitation.hash_token(token)
    assert token not in json.dumps(list(Invitation.objects.values()), default=str)
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)
    assert (
        NEW_EMAIL
        in admin.get(reverse("people:list", kwargs={"school": "oakwood"})).content.decode()
    )

    page = client.get(path)
    assert page.status_code == 200
    assert "Join Oakwood Academy" in page.content.decode()

    accepted = post(
        client,
        path,
        {"full_name": "Nia Okafor", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert accepted.status_code == 302
    assert accepted["Location"] == reverse("safeguarding:login")
    user = User.objects.get(email=NEW_EMAIL)
    assert user.full_name == "Nia Okafor"
    assert user.is_active
    assert user.check_password(NEW_PASSWORD)
    # The DSL role waits for a second person (issue 13, point 9): the school's DSL confirms.
    assert not user.memberships.exists()
    people.confirm_lead_role(actor=cast.dsl, lead_request=LeadRoleRequest.objects.get(person=user))
    assert list(user.memberships.values_list("school__slug", "role")) == [("oakwood", Role.DSL)]

    signed_in = post(
        client, reverse("safeguarding:login"), {"username": NEW_EMAIL, "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    home = client.get(reverse("safeguarding:home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("safeguarding:two_factor_setup"))

    actions = list(
        AuditEvent.objects.filter(school=cast.school_a)
        .exclude(action__startswith="access.")
        .values_list("action", "actor_id")
    )
    assert ("user.invited", cast.admin.pk) in actions
    # Put forward by the admin who invited them; given by the DSL who confirmed it.
    assert ("role.requested", cast.admin.pk) in actions
    assert ("role.added", cast.dsl.pk) in actions
    assert ("invitation.accepted", user.pk) in actions
    # The audit trail holds references, never the address itself.
    assert NEW_EMAIL not in json.dumps(list(AuditEvent.objects.values("data")))


def test_a_used_link_cannot_be_used_again(cast, client_for, client, mailoutbox):
    send_invitation(client_for(cast.admin), cast, roles=["staff"])
    path = link_in(mailoutbox[0])
    form = {"full_name": "Nia Okafor", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert post(client, path, form).status_code == 302

    again = client.get(path)
    assert again.status_code == 404
    assert escape(people.INVITATION_NOT_USABLE) in again.content.decode()
    replay = post(
        client,
        path,
        {**form, "password1": "another long passphrase", "password2": "another long passphrase"},
    )
    assert replay.status_code == 404
    assert User.objects.get(email=NEW_EMAIL).check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="invitation.accepted").count() == 1


def test_an_expired_link_is_refused(cast, client_for, client, mailoutbox):
    send_invitation(client_for(cast.admin), cast)
    path = link_in(mailoutbox[0])
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert client.get(path).status_code == 404
    form = {"full_name": "Nia Okafor", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    response = post(client, path, form)
    assert response.status_code == 404
    assert escape(people.INVITATION_NOT_USABLE) in response.content.decode()
    assert not User.objects.filter(email=NEW_EMAIL).exists()


def test_unknown_tokens_and_other_schools_links_are_refused(cast, client_for, client, mailoutbox):
    send_invitation(client_for(cast.admin), cast)
    path = link_in(mailoutbox[0])
    assert client.get(path.replace("/oakwood/", "/elm-park/")).status_code == 404
    assert client.get(path[:-5] + "abcd/").status_code == 404
    assert (
        client.get(reverse("people:join", kwargs={"school": "oakwood", "token": "x"})).status_code
        == 404
    )


def test_a_withdrawn_invitation_stops_working(cast, client_for, client, mailoutbox):
    admin = client_for(cast.admin)
    send_invitation(admin, cast)
    invitation = Invitation.objects.get()
    url = reverse(
        "people:withdraw_invitation", kwargs={"school": "oakwood", "invitation_id": invitation.pk}
    )
    assert post(admin, url).status_code == 302
    assert client.get(link_in(mailoutbox[0])).status_code == 404
    event = AuditEvent.objects.get(action="invitation.withdrawn")
    assert (event.actor_id, event.school_id) == (cast.admin.pk, cast.school_a.pk)


def test_inviting_the_same_address_again_replaces_the_first_link(
    cast, client_for, client, mailoutbox
):
    admin = client_for(cast.admin)
    send_invitation(admin, cast, roles=["staff"])
    listing = admin.get(reverse("people:list", kwargs={"school": "oakwood"})).content.decode()
    assert "earlier invitation" not in listing
    send_invitation(admin, cast, email=NEW_EMAIL.upper(), roles=["staff", "deputy_dsl"])
    first, second = (link_in(message) for message in mailoutbox)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    # The admin is told the first link stopped working, in the confirmation.
    listing = admin.get(reverse("people:list", kwargs={"school": "oakwood"})).content.decode()
    assert (
        f"Invitation sent to {NEW_EMAIL}. The link in the earlier invitation to this address "
        "no longer works"
    ) in listing


def test_an_existing_account_just_gains_the_roles(cast, client_for, client, mailoutbox):
    send_invitation(client_for(cast.admin), cast, email="TEACHER@elmpark.test", roles=["staff"])
    path = link_in(mailoutbox[0])
    page = client.get(path)
    assert "You already have an account" in page.content.decode()
    assert 'name="password1"' not in page.content.decode()

    response = post(client, path, {})
    assert response.status_code == 302
    cast.teacher_b.refresh_from_db()
    assert cast.teacher_b.check_password(PASSWORD)
    assert set(cast.teacher_b.memberships.values_list("school__slug", "role")) == {
        ("elm-park", Role.STAFF),
        ("oakwood", Role.STAFF),
    }
    assert User.objects.filter(email__iexact="teacher@elmpark.test").count() == 1
    assert AuditEvent.objects.get(action="invitation.accepted").data == {
        "new_account": False,
        "reactivated": False,
    }


def test_inviting_someone_to_roles_they_already_hold_is_refused(cast, client_for, mailoutbox):
    response = post(
        client_for(cast.admin), invite_url(cast), {"email": cast.teacher.email, "roles": ["staff"]}
    )
    assert response.status_code == 200
    assert escape(people.ALREADY_HOLDS_ROLES) in response.content.decode()
    assert mailoutbox == []
    assert not Invitation.objects.exists()


def test_the_invite_form_shows_errors_and_keeps_values(cast, client_for, mailoutbox):
    admin = client_for(cast.admin)
    response = post(admin, invite_url(cast), {"email": "not-an-email", "roles": []})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert escape(ENTER_AN_EMAIL) in body
    assert escape(CHOOSE_A_ROLE) in body
    assert 'value="not-an-email"' in body

    response = post(admin, invite_url(cast), {"email": "a@b.test", "roles": ["trust_lead"]})
    assert "govuk-error-summary" in response.content.decode()
    assert mailoutbox == []


def test_weak_or_mismatched_passwords_are_refused_and_the_name_kept(
    cast, client_for, client, mailoutbox
):
    send_invitation(client_for(cast.admin), cast)
    path = link_in(mailoutbox[0])
    for password1, password2, expected in (
        ("short", "short", "at least 12 characters"),
        ("password1234", "password1234", "too common"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", PASSWORDS_DIFFER),
    ):
        response = post(
            client,
            path,
            {"full_name": "Nia Okafor", "password1": password1, "password2": password2},
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert "govuk-error-summary" in body
        assert expected in body
        assert 'value="Nia Okafor"' in body
        assert f'value="{password1}' not in body
    assert not User.objects.filter(email=NEW_EMAIL).exists()
    assert Invitation.objects.get().accepted_at is None


def test_nothing_is_saved_when_the_email_cannot_be_sent(cast, client_for, settings):
    with socket.socket() as probe:  # a local port with nothing listening on it
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False

    response = post(
        client_for(cast.admin), invite_url(cast), {"email": NEW_EMAIL, "roles": ["staff"]}
    )
    assert response.status_code == 200
    assert escape(MAIL_FAILED) in response.content.decode()
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(action="user.invited").exists()


def test_a_link_opened_while_someone_else_is_signed_in_says_so(cast, client_for, mailoutbox):
    """A shared staffroom computer still signed in as a colleague: the page says whose session
    it is before accepting signs them out."""
    send_invitation(client_for(cast.admin), cast, email="New.Teacher@Oakwood.test", roles=["staff"])
    path = link_in(mailoutbox[0])
    colleague = client_for(cast.teacher)
    body = colleague.get(path).content.decode()
    assert "This computer is signed in as teacher@oakwood.test" in body
    assert "this invitation is for new.teacher@oakwood.test" in body

    response = post(
        colleague,
        path,
        {"full_name": "Nia Teacher", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("safeguarding:login")
    assert colleague.get(reverse("safeguarding:home")).status_code == 302  # signed out
    assert User.objects.get(email="new.teacher@oakwood.test").full_name == "Nia Teacher"


def test_the_invitees_own_session_gets_no_warning(cast, client_for, mailoutbox):
    send_invitation(client_for(cast.admin), cast, email="Teacher@ElmPark.test", roles=["staff"])
    body = client_for(cast.teacher_b).get(link_in(mailoutbox[0])).content.decode()
    assert "This computer is signed in as" not in body


def test_on_a_phone_the_people_tables_scroll_in_their_own_regions(cast, client_for, mailoutbox):
    """A long email address pushed the People page wider than a phone's screen."""
    admin = client_for(cast.admin)
    send_invitation(admin, cast, email="a.very.long.address.for.testing@long-school-name.sch.uk")
    body = admin.get(reverse("people:list", kwargs={"school": "oakwood"})).content.decode()
    assert body.count('<div class="app-table-scroll" role="region"') == body.count("<table") == 2
    assert 'class="govuk-notification-banner__heading govuk-!-text-break-word"' in body
