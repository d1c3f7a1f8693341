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
