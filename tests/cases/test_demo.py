"""seed_demo's cases: a few per demo school, in different states, made once."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.urls import reverse

from cases import demo
from incidents.models import Incident, Status
from safeguarding import audit
from safeguarding.models import User


def test_demo_cases_are_made_once_in_every_state(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    made = Incident.objects.filter(reference__startswith="SG-DEM").count()
    assert made == len(demo.DEMO_SCHOOLS) * len(demo.SCENARIOS)
    demo_cases = Incident.objects.filter(reference__startswith="SG-DEM")
    assert set(demo_cases.values_list("status", flat=True)) == {
        Status.NEW,
        Status.UNDER_REVIEW,
        Status.REFERRED,
        Status.CLOSED,
    }

    # A case worked today was reported before it was acknowledged, and not days before: the
    # demo's timelines and the trust's time-to-acknowledge figures must look like real ones.
    for case in demo_cases.exclude(acknowledged_at=None):
        assert timedelta(0) < case.acknowledged_at - case.submitted_at < timedelta(hours=8)
        assert case.happened_on <= case.submitted_at.date()

    call_command("seed_demo", stdout=io.StringIO())
    assert Incident.objects.filter(reference__startswith="SG-DEM").count() == made
    assert audit.first_broken_event() is None


def test_the_demo_has_a_case_the_checklist_does_not_type(db, settings, client_for):
    """A filtering alert with no image known: 'Not typed' on the case page, never aggravated."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    not_typed = Incident.objects.filter(
        reference__startswith="SG-DEM", outcome__typology="not_typed"
    )
    assert not_typed.count() == len(demo.DEMO_SCHOOLS)
    case = not_typed.get(school__slug="ashgrove")
    assert case.kind == "no_image" and case.came_to_light == "monitoring"
    assert case.outcome["referral_factors"] == [] and case.outcome["unknown_factors"] == []
    dsl = User.objects.get(email="dsl@ashgrove.example")
    page = client_for(dsl).get(reverse("cases:detail", kwargs={"reference": case.reference}))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Not typed" in body and "No image is known to exist yet" in body
