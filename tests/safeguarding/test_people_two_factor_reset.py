"""A DSL who lost their phone and their backup codes: a school admin resets their two-factor
sign-in, audited, the person is emailed, and they set up a new phone when they next sign in."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from notifications.models import Kind, Outbox
from safeguarding import people
from safeguarding.models import AuditEvent, Membership, Role
from tests.conftest import PASSWORD, make_user, post_form

HOME = reverse("safeguarding:home")
SETUP = reverse("safeguarding:two_factor_setup")


def reset_url(person, school="oakwood"):
    return reverse("people:reset_two_factor", kwargs={"school": school, "person_id": person.pk})


def person_url(person):
    return reverse("people:person", kwargs={"school": "oakwood", "person_id": person.pk})


def give_backup_codes(user):
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=device, token="abcdefghij")


def test_the_admin_sees_the_dsls_two_factor_and_the_way_to_reset_it(cast, client_for):
    page = client_for(cast.admin).get(person_url(cast.dsl)).content.decode()
    assert "Two-factor sign-in" in page
    assert reset_url(cast.dsl) in page


def test_the_confirmation_page_asks_the_admin_to_check_who_is_asking(cast, client_for):
    page = client_for(cast.admin).get(reset_url(cast.dsl))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Check it is really them asking" in body
    assert TOTPDevice.objects.filter(user=cast.dsl).exists()  # a GET changes nothing


def test_a_reset_removes_app_and_codes_audits_emails_and_asks_for_a_new_phone(
    cast, client, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    give_backup_codes(cast.dsl)
    dsl_session = client_for(cast.dsl)
    assert dsl_session.get(HOME).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(client_for(cast.admin), reset_url(cast.dsl))
    assert response.status_code == 302
    assert response["Location"] == person_url(cast.dsl)

    assert not TOTPDevice.objects.filter(user=cast.dsl).exists()
    assert not StaticDevice.objects.filter(user=cast.dsl).exists()
    event = AuditEvent.objects.get(action="two_factor.removed")
    assert (event.actor_id, event.school_id, event.target_id) == (
        cast.admin.pk,
        cast.school_a.pk,
        str(cast.dsl.pk),
    )

    # The DSL is told, by email, naming the school only.
    assert Outbox.objects.get(kind=Kind.TWO_FACTOR_RESET).recipient == cast.dsl
    (message,) = mailoutbox
    assert message.to == [cast.dsl.email]
    assert "Oakwood Academy" in message.body
    assert "If you did not ask for this" in message.body
    for name in ("Ada", "Price", cast.admin.email):
        assert name not in message.body

    # The session that passed the old check (perhaps the lost phone's) is ended; signing in
    # again with the password goes to set-up.
    assert dsl_session.get(HOME)["Location"].startswith(reverse("safeguarding:login"))
    signed_in = post_form(
        client,
        reverse("safeguarding:login"),
        {
            "username": cast.dsl.email,
            "password": PASSWORD,
        },
    )
    assert signed_in["Location"] == SETUP


def test_an_admin_cannot_reset_their_own(cast, client_for):
    client = client_for(cast.admin)
    own_page = client.get(person_url(cast.admin)).content.decode()
    assert reset_url(cast.admin) not in own_page
    assert people.RESET_TWO_FACTOR_SELF in own_page
    response = post_form(client, reset_url(cast.admin))
    assert response.status_code == 409
    assert people.RESET_TWO_FACTOR_SELF in response.content.decode()
    assert TOTPDevice.objects.filter(user=cast.admin).exists()
    assert not AuditEvent.objects.filter(action="two_factor.removed").exists()


def test_someone_with_a_role_elsewhere_is_not_reset_from_here(cast, client_for):
    # Dina is Elm Park's DSL and teaches at Oakwood too: Oakwood's admin does not look after
    # her account at Elm Park. The person page says so instead of offering the reset.
    Membership.objects.create(user=cast.dsl_b, school=cast.school_a, role=Role.STAFF)
    page = client_for(cast.admin).get(person_url(cast.dsl_b)).content.decode()
    assert reset_url(cast.dsl_b) not in page
    assert people.RESET_TWO_FACTOR_ELSEWHERE in page
    response = post_form(client_for(cast.admin), reset_url(cast.dsl_b))
    assert response.status_code == 409
    assert people.RESET_TWO_FACTOR_ELSEWHERE in response.content.decode()
    assert TOTPDevice.objects.filter(user=cast.dsl_b).exists()


def test_an_admin_of_both_schools_may_reset_someone_at_both(cast, client_for):
    Membership.objects.create(user=cast.dsl_b, school=cast.school_a, role=Role.STAFF)
    Membership.objects.create(user=cast.admin, school=cast.school_b, role=Role.SCHOOL_ADMIN)
    response = post_form(client_for(cast.admin), reset_url(cast.dsl_b))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.dsl_b).exists()


def test_someone_without_two_factor_has_nothing_to_reset(cast, client_for):
    client = client_for(cast.admin)
    assert reset_url(cast.teacher) not in client.get(person_url(cast.teacher)).content.decode()
    assert people.RESET_TWO_FACTOR_NOTHING in client.get(reset_url(cast.teacher)).content.decode()
    # A second click of the button, after the first reset: back to the person, nothing recorded.
    response = post_form(client, reset_url(cast.teacher))
    assert response.status_code == 302
    assert people.RESET_TWO_FACTOR_NOTHING in client.get(response["Location"]).content.decode()
    assert not AuditEvent.objects.filter(action="two_factor.removed").exists()


@pytest.mark.parametrize("who", ["dsl", "deputy", "teacher"])
def test_only_school_admins_reset(cast, client_for, who):
    response = post_form(client_for(getattr(cast, who)), reset_url(cast.deputy))
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=cast.deputy).exists()


def test_another_schools_admin_gets_404(cast, client_for):
    other_admin = make_user(
        "admin@elmpark.test", "Eve Admin", school=cast.school_b, roles=[Role.SCHOOL_ADMIN]
    )
    client = client_for(other_admin)
    assert post_form(client, reset_url(cast.dsl, school="elm-park")).status_code == 404
    assert post_form(client, reset_url(cast.dsl)).status_code == 404
    assert TOTPDevice.objects.filter(user=cast.dsl).exists()


def test_the_code_page_tells_someone_without_their_phone_what_to_do(cast, client):
    post_form(
        client,
        reverse("safeguarding:login"),
        {"username": cast.dsl.email, "password": PASSWORD},
    )
    page = client.get(reverse("safeguarding:two_factor_verify")).content.decode()
    assert "ask a school admin at your school to reset your two-factor sign-in" in page


def test_cancel_goes_back_to_the_person(cast, client_for):
    body = client_for(cast.admin).get(reset_url(cast.dsl)).content.decode()
    assert f'<a class="govuk-link" href="{person_url(cast.dsl)}">Cancel</a>' in body


def test_a_trust_lead_with_a_role_here_is_not_reset_from_here(cast, client_for):
    Membership.objects.create(user=cast.trust_lead, school=cast.school_a, role=Role.STAFF)
    response = post_form(client_for(cast.admin), reset_url(cast.trust_lead))
    assert response.status_code == 409
    assert people.RESET_TWO_FACTOR_ELSEWHERE in response.content.decode()
    assert TOTPDevice.objects.filter(user=cast.trust_lead).exists()
