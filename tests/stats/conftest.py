"""Cases for statistics tests, written straight to the tables the dashboard counts."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from incidents.models import Incident, IncidentPupil, Pupil, TriggeredFactor

LONDON = ZoneInfo("Europe/London")


def at(year, month, day, hour=12, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def make_case(cast):
    """make_case(school, submitted_at, **fields) -> Incident, with factors and pupils."""

    def make(
        school,
        submitted_at,
        *,
        kind="nudified",
        status="new",
        referral="no",
        acknowledged_after=None,
        factors=(),
        year_groups=(),
        account="What the child said.",
        reporter=None,
        **extra,
    ):
        incident = Incident.objects.create(
            school=school,
            reporter=reporter or (cast.teacher_b if school == cast.school_b else cast.teacher),
            kind=kind,
            came_to_light="child_told",
            location="online",
            account=account,
            adults_involved="no",
            checklist_version="2026-09",
            urgency="dsl_review_today",
            referral=referral,
            status=status,
            submitted_at=submitted_at,
            acknowledged_at=submitted_at + acknowledged_after if acknowledged_after else None,
            **extra,
        )
        TriggeredFactor.objects.bulk_create(
            TriggeredFactor(incident=incident, factor=factor, answer=answer)
            for factor, answer in factors
        )
        for index, year_group in enumerate(year_groups):
            pupil = Pupil.objects.create(
                school=school, first_name="Pupil", last_name=str(index), year_group=year_group
            )
            IncidentPupil.objects.create(incident=incident, pupil=pupil, role="pictured")
        return incident

    return make
