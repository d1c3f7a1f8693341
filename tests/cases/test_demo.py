"""seed_demo's cases: a few per demo school, in different states, made once."""

import io

from django.core.management import call_command

from cases import demo
from incidents.models import Incident, Status
from safeguarding import audit


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

    call_command("seed_demo", stdout=io.StringIO())
    assert Incident.objects.filter(reference__startswith="SG-DEM").count() == made
    assert audit.first_broken_event() is None
