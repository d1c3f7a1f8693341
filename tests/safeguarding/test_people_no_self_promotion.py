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
