"""seed_demo's cases: a few per demo school, in different states, made once."""

import io
from datetime import timedelta

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

    # A case worked today was reported before it was acknowledged, and not days before: the
    # demo's timelines and the trust's time-to-acknowledge figures must look like real ones.
    for case in demo_cases.exclude(acknowledged_at=None):
        assert timedelta(0) < case.acknowledged_at - case.submitted_at < timedelta(hours=8)
        assert case.happened_on <= case.submitted_at.date()

    call_command("seed_demo", stdout=io.StringIO())
    assert Incident.objects.filter(reference__startswith="SG-DEM").count() == made
    assert audit.first_broken_event() is None
