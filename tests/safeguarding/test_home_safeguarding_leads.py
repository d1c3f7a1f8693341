"""A DSL, deputy or school admin sees who holds the lead roles at their school on their home page;
nobody else does, and nobody sees another school's."""

import pytest
from django.urls import reverse

from safeguarding.models import Membership, Role, School
from tests.conftest import make_user

HOME = reverse("safeguarding:home")
HEADING = "Safeguarding leads at Oakwood Academy"


@pytest.mark.parametrize("who", ["dsl", "deputy", "admin"])
def test_leads_and_the_school_admin_see_the_dsl_and_deputies(cast, client_for, who):
    body = client_for(getattr(cast, who)).get(HOME).content.decode()
    assert HEADING in body
    leads = body[body.index(HEADING) :]
    dsl_at = leads.index("Dana Lee")
    deputy_at = leads.index("Dev Patel")
    assert dsl_at < deputy_at  # the DSL first
    assert (
        "Designated safeguarding lead" in leads and "Deputy designated safeguarding lead" in leads
    )
    assert cast.dsl.email in leads and cast.deputy.email in leads
    for not_a_lead in ("Tom Hart", "Ada Price"):
        assert not_a_lead not in leads
    # Never another school's leads.
    assert "Dina Shah" not in body and "Elm Park" not in body


def test_staff_and_trust_leads_do_not_see_the_list(cast, client_for):
    for who in (cast.teacher, cast.trust_lead, cast.outsider):
        assert "Safeguarding leads at" not in client_for(who).get(HOME).content.decode()


def test_a_switched_off_or_removed_lead_is_not_listed(cast, client_for):
    gone = make_user("old@oakwood.test", "Olive Gone", school=cast.school_a, roles=[Role.DSL])
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    Membership.objects.filter(user=cast.deputy, role=Role.DEPUTY_DSL).delete()
    body = client_for(cast.admin).get(HOME).content.decode()
    assert "Olive Gone" not in body and "Dev Patel" not in body
    assert "Dana Lee" in body


def test_someone_at_two_schools_sees_each_schools_own_leads(cast, client_for):
    Membership.objects.create(user=cast.dsl, school=cast.school_b, role=Role.DEPUTY_DSL)
    body = client_for(cast.dsl).get(HOME).content.decode()
    sections = body.split("<section")[1:]
    (elm_park,) = [s for s in sections if "Safeguarding leads at Elm Park School" in s]
    (oakwood,) = [s for s in sections if HEADING in s]
    assert "Dina Shah" in elm_park and "Dev Patel" not in elm_park
    assert "Dev Patel" in oakwood and "Dina Shah" not in oakwood


def test_a_new_schools_admin_is_told_it_has_no_lead_yet(cast, client_for):
    """A school set up with only its admin: reports would reach nobody until a DSL joins."""
    new_school = School.objects.create(name="Birch Row School", slug="birch-row")
    admin = make_user(
        "admin@birchrow.test", "Bea Admin", school=new_school, roles=[Role.SCHOOL_ADMIN]
    )
    body = client_for(admin).get(HOME).content.decode()
    assert "Birch Row School has no designated safeguarding lead or deputy yet" in body
    assert 'href="/s/birch-row/people/invite/">Invite your designated safeguarding lead' in body
    # Oakwood has leads: no warning there.
    assert (
        "has no designated safeguarding lead"
        not in client_for(cast.admin).get(HOME).content.decode()
    )
