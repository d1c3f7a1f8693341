"""seed_demo has staff in each state of the briefing, and stays idempotent."""

from io import StringIO

from django.core.management import call_command

from guidance import services
from guidance.models import BriefingConfirmation
from safeguarding.models import School, User


def test_the_demo_has_staff_in_each_state(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    states = {
        user.email: services.briefing_state(user).state
        for user in User.objects.filter(email__endswith=".example")
    }
    assert states["dsl@ashgrove.example"] == services.READ
    assert states["deputy@ashgrove.example"] == services.CHANGED
    assert states["staff@ashgrove.example"] == services.NOT_READ
    assert states["admin@ashgrove.example"] == services.NOT_READ
    ashgrove = {p.email for p in services.staff_of(School.objects.get(slug="ashgrove"))}
    assert {states[email] for email in ashgrove} == {
        services.READ,
        services.CHANGED,
        services.NOT_READ,
    }
    count = BriefingConfirmation.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert BriefingConfirmation.objects.count() == count
