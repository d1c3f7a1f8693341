"""A school admin cannot give themselves access to cases."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from safeguarding import people
from safeguarding.models import Membership, Role

FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("role", [Role.DSL, Role.DEPUTY_DSL])
def test_an_admin_cannot_make_themselves_a_case_reviewer(cast, client_for, role):
    url = reverse("people:add_role", kwargs={"school": "oakwood", "person_id": cast.admin.pk})
    response = client_for(cast.admin).post(url, urlencode({"role": role}), content_type=FORM)
    assert response.status_code == 409
    assert "You cannot make yourself a DSL or deputy DSL" in response.content.decode()
    assert not Membership.objects.filter(user=cast.admin, school=cast.school_a, role=role)


def test_an_admin_can_still_make_someone_else_a_deputy(cast):
    assert people.add_role(
        actor=cast.admin, school=cast.school_a, person=cast.teacher, role=Role.DEPUTY_DSL
    )


def test_an_admin_can_give_themselves_the_staff_role(cast):
    assert people.add_role(
        actor=cast.admin, school=cast.school_a, person=cast.admin, role=Role.STAFF
    )


@pytest.mark.parametrize("role", [Role.DSL, Role.DEPUTY_DSL])
def test_an_admin_cannot_invite_themselves_into_a_case_reviewer_role(
    cast, client_for, mailoutbox, role
):
    url = reverse("people:invite", kwargs={"school": "oakwood"})
    data = {"email": cast.admin.email.upper(), "roles": [Role.STAFF, role]}
    response = client_for(cast.admin).post(url, urlencode(data, doseq=True), content_type=FORM)
    assert response.status_code == 200
    assert "You cannot make yourself a DSL or deputy DSL" in response.content.decode()
    assert mailoutbox == []
    assert not Membership.objects.filter(user=cast.admin, school=cast.school_a, role=role)


def test_an_invitation_an_admin_sent_themselves_cannot_make_them_a_reviewer(cast, mailoutbox):
    """An invitation written before this rule (or by any other route) is refused on use too."""
    from django.utils import timezone

    from safeguarding.models import Invitation

    now = timezone.now()
    invitation = Invitation.objects.create(
        school=cast.school_a,
        email=cast.admin.email,
        roles=[Role.DSL],
        token_hash=Invitation.hash_token("t" * 40),
        invited_by=cast.admin,
        expires_at=now + Invitation.LIFETIME,
    )
    with pytest.raises(people.PeopleError):
        people.accept_invitation(invitation=invitation)
    assert not Membership.objects.filter(user=cast.admin, role=Role.DSL)


def test_an_admin_may_still_invite_themselves_as_staff(cast, mailoutbox):
    people.invite(actor=cast.admin, school=cast.school_a, email=cast.admin.email, roles=["staff"])
    assert len(mailoutbox) == 1
