"""Deactivating someone removes their roles here; with none left anywhere, their account and
every session end."""

from html import escape
from urllib.parse import urlencode

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse

from safeguarding import people
from safeguarding.models import AuditEvent, Membership, Role

FORM = "application/x-www-form-urlencoded"


def post(client, url, data=None):
    """A form post as a browser sends it (the test client's default, multipart, is refused)."""
    return client.post(url, urlencode(data or {}, doseq=True), content_type=FORM)


def deactivate_url(person):
    return reverse("people:deactivate", kwargs={"school": "oakwood", "person_id": person.pk})


def sessions_of(user) -> int:
    return sum(
        1
        for session in Session.objects.all()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    )


def test_the_confirmation_page_says_what_will_happen(cast, client_for):
    page = client_for(cast.admin).get(deactivate_url(cast.teacher))
    assert page.status_code == 200
    assert "signed out everywhere" in page.content.decode()


def test_someone_with_no_other_roles_is_switched_off_and_signed_out(cast, client_for):
    teacher = client_for(cast.teacher)
    assert teacher.get(reverse("safeguarding:home")).status_code == 200
    assert sessions_of(cast.teacher) == 1

    response = post(client_for(cast.admin), deactivate_url(cast.teacher))
    assert response.status_code == 302
    assert response["Location"] == reverse("people:list", kwargs={"school": "oakwood"})

    cast.teacher.refresh_from_db()
    assert not cast.teacher.is_active
    assert not Membership.objects.filter(user=cast.teacher).exists()
    assert sessions_of(cast.teacher) == 0
    home = teacher.get(reverse("safeguarding:home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("safeguarding:login"))

    event = AuditEvent.objects.get(action="user.deactivated")
    assert (event.actor_id, event.school_id, event.target_id) == (
        cast.admin.pk,
        cast.school_a.pk,
        str(cast.teacher.pk),
    )
    assert event.data == {
        "roles_removed": [Role.STAFF],
        "account_disabled": True,
        "sessions_ended": 1,
    }
    removed = AuditEvent.objects.get(action="role.removed")
    assert removed.data == {"role": Role.STAFF, "reason": "deactivated"}


def test_someone_with_roles_elsewhere_keeps_their_account(cast, client_for):
    Membership.objects.create(user=cast.dsl_b, school=cast.school_a, role=Role.STAFF)
    dsl_b = client_for(cast.dsl_b)
    post(client_for(cast.admin), deactivate_url(cast.dsl_b))

    cast.dsl_b.refresh_from_db()
    assert cast.dsl_b.is_active
    assert list(cast.dsl_b.memberships.values_list("school__slug", "role")) == [
        ("elm-park", Role.DSL)
    ]
    assert sessions_of(cast.dsl_b) == 1
    assert dsl_b.get(reverse("safeguarding:home")).status_code == 200
    event = AuditEvent.objects.get(action="user.deactivated")
    assert event.data["account_disabled"] is False


def test_admins_cannot_deactivate_themselves(cast, client_for):
    Membership.objects.create(user=cast.dsl, school=cast.school_a, role=Role.SCHOOL_ADMIN)
    response = post(client_for(cast.admin), deactivate_url(cast.admin))
    assert response.status_code == 409
    assert escape(people.DEACTIVATE_SELF) in response.content.decode()
    cast.admin.refresh_from_db()
    assert cast.admin.is_active


def test_the_last_dsl_cannot_be_deactivated(cast, client_for):
    response = post(client_for(cast.admin), deactivate_url(cast.dsl))
    assert response.status_code == 409
    assert escape(people.LAST_DSL) in response.content.decode()
    cast.dsl.refresh_from_db()
    assert cast.dsl.is_active
    assert Membership.objects.filter(user=cast.dsl, school=cast.school_a, role=Role.DSL).exists()
    assert not AuditEvent.objects.filter(action__in=["user.deactivated", "role.removed"]).exists()


def test_the_last_school_admin_cannot_be_deactivated(cast, client_for):
    Membership.objects.create(user=cast.dsl, school=cast.school_a, role=Role.SCHOOL_ADMIN)
    Membership.objects.filter(user=cast.admin).delete()
    response = post(client_for(cast.dsl), deactivate_url(cast.teacher))
    assert response.status_code == 302  # an ordinary member is fine
    # dsl is now the only admin (and only DSL); another admin trying to remove them is refused.
    Membership.objects.create(user=cast.admin, school=cast.school_a, role=Role.STAFF)
    with pytest.raises(people.PeopleError, match=people.LAST_DSL):
        people.deactivate(actor=cast.admin, school=cast.school_a, person=cast.dsl)
    Membership.objects.create(user=cast.deputy, school=cast.school_a, role=Role.DSL)
    with pytest.raises(people.PeopleError, match=people.LAST_SCHOOL_ADMIN):
        people.deactivate(actor=cast.admin, school=cast.school_a, person=cast.dsl)


def test_a_deactivated_person_can_be_invited_back(cast, client_for, client, mailoutbox):
    post(client_for(cast.admin), deactivate_url(cast.teacher))
    people.invite(actor=cast.admin, school=cast.school_a, email=cast.teacher.email, roles=["staff"])
    path = mailoutbox[0].body.split("http://", 1)[1].split("/", 1)[1].split()[0]
    assert post(client, "/" + path).status_code == 302
    cast.teacher.refresh_from_db()
    assert cast.teacher.is_active
    assert AuditEvent.objects.get(action="invitation.accepted").data["reactivated"] is True


def test_cancel_goes_back_to_the_person(cast, client_for):
    # The link's address was set in another template block, so Cancel reloaded this page.
    body = client_for(cast.admin).get(deactivate_url(cast.teacher)).content.decode()
    person_url = reverse(
        "people:person", kwargs={"school": "oakwood", "person_id": cast.teacher.pk}
    )
    assert f'<a class="govuk-link" href="{person_url}">Cancel</a>' in body
