"""Demo pupils for each demo school, made idempotently."""

import io

from incidents.demo import DEMO_SCHOOLS, seed_demo_data
from incidents.models import Pupil
from safeguarding.models import Membership, Role, School, User


def test_demo_pupils_are_made_once_per_demo_school(db):
    for slug in DEMO_SCHOOLS[:2]:
        school = School.objects.create(name=slug.title(), slug=slug)
        admin = User.objects.create_user(f"admin@{slug}.test", None, full_name="Admin")
        Membership.objects.create(user=admin, role=Role.SCHOOL_ADMIN, school=school)
    out = io.StringIO()
    seed_demo_data(out)
    first = Pupil.objects.count()
    assert first > 20
    assert set(Pupil.objects.values_list("school__slug", flat=True)) == set(DEMO_SCHOOLS[:2])
    assert all("Demo" in name for name in Pupil.objects.values_list("last_name", flat=True))
    seed_demo_data(out)
    assert Pupil.objects.count() == first
    assert "added" in out.getvalue()


def test_demo_pupils_bring_their_details_for_a_referral_through_the_import(db):
    school = School.objects.create(name="Ashgrove", slug=DEMO_SCHOOLS[0])
    admin = User.objects.create_user("admin@ashgrove.test", None, full_name="Admin")
    Membership.objects.create(user=admin, role=Role.SCHOOL_ADMIN, school=school)
    seed_demo_data(io.StringIO())
    amira = Pupil.objects.get(first_name="Amira")
    assert (amira.sex, amira.upn, amira.sen, amira.child_in_need) == (
        "F",
        "D010000000001",
        "K",
        True,
    )
    assert amira.address == "1 Demo Street, Demoton DE1 1AB"
    assert [(c.name, c.phone) for c in amira.carers.all()] == [
        (f"Sam {amira.last_name}", "07700 900001")
    ]
    assert [a.agency for a in amira.agencies.all()] == ["Early Help"]
    # The rest have their sex and UPN; what the MIS does not send stays "not recorded".
    jay = Pupil.objects.get(first_name="Jay")
    assert (jay.sex, jay.address, jay.child_protection_plan, jay.carers.count()) == (
        "M",
        "",
        None,
        0,
    )
    # Seeding again changes nothing, and keeps what a DSL entered since.
    jay.address = "Entered by the DSL"
    jay.save()
    seed_demo_data(io.StringIO())
    assert Pupil.objects.get(pk=jay.pk).address == "Entered by the DSL"
