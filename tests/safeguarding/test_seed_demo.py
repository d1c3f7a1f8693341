"""`manage.py seed_demo`: every role present, safe to run twice, refused outside DEBUG.

Seeding hashes a dozen Argon2 passwords, so each test seeds once and checks several things.
"""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.management.commands import seed_demo
from safeguarding.models import Membership, Role, School, Trust, User


def run_seed(settings) -> str:
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def signs_in(email: str, password: str):
    request = RequestFactory().post("/sign-in/")
    return authenticate(request, username=email, password=password)


def snapshot() -> dict:
    return {
        "trusts": sorted(Trust.objects.values_list("slug", flat=True)),
        "schools": sorted(School.objects.values_list("slug", "trust__slug")),
        "users": sorted(User.objects.values_list("email", "password")),
        "memberships": sorted(
            Membership.objects.values_list("user__email", "role", "school__slug", "trust__slug")
        ),
        "devices": sorted(TOTPDevice.objects.values_list("user__email", "key", "confirmed")),
    }


@pytest.mark.django_db
def test_seed_demo_makes_the_organisations_and_a_person_in_every_role(settings):
    output = run_seed(settings)

    trust = Trust.objects.get()
    assert trust.schools.count() == 3
    standalone = School.objects.get(trust__isnull=True)
    trust_school = trust.schools.order_by("slug").first()
    for school in (trust_school, standalone):
        held = set(Membership.objects.filter(school=school).values_list("role", flat=True))
        assert held == set(Role.school_roles()), school.slug
    assert Membership.objects.filter(role=Role.TRUST_LEAD, trust=trust).exists()

    # One printed password works for everyone.
    assert f"password: {seed_demo.DEMO_PASSWORD}" in output
    for user in User.objects.all():
        assert user.email in output
        assert signs_in(user.email, seed_demo.DEMO_PASSWORD) == user

    # Two-factor roles can sign in at once: a confirmed device, and the hint to get a code.
    needing = User.objects.filter(memberships__role__in=Role.needing_two_factor()).distinct()
    assert needing.count() >= 7
    for user in needing:
        assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1, user.email
    staff_only = User.objects.exclude(pk__in=needing)
    assert staff_only.exists()
    assert not TOTPDevice.objects.filter(user__in=staff_only).exists()
    assert "run `.venv/bin/python manage.py demo_totp_code <email>`" in output

    # Each app's demo/seed_demo_data ran, in INSTALLED_APPS order.
    names = [module.__name__ for module in seed_demo._demo_modules()]
    announced = [
        line.removeprefix("Demo data from ").rstrip(":")
        for line in output.splitlines()
        if line.startswith("Demo data from ")
    ]
    assert announced == names


@pytest.mark.django_db
def test_running_it_again_changes_nothing_but_a_changed_demo_password(settings):
    run_seed(settings)
    first = snapshot()
    run_seed(settings)
    assert snapshot() == first

    user = User.objects.get(email="dsl@ashgrove.example")
    user.set_password("something else entirely 42")
    user.save()
    run_seed(settings)
    assert signs_in(user.email, seed_demo.DEMO_PASSWORD) == user


@pytest.mark.django_db
def test_seed_demo_is_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()
    assert not School.objects.exists()
