"""Pupils with child protection files, made as the reporting journey and the DSL would leave
them. Names and words are distinctive so tests can look for them anywhere."""

from datetime import date

import pytest

from cases import services as case_services
from incidents.models import Pupil, PupilRole
from tests.cases.conftest import make_incident

ACCOUNT = "Zorbulon said the quagmirefox account threatened to post the picture."
DECISION_REASONS = "Refer because the threats to Zorbulon continue (vexillum)."


def make_pupil(school, first="Zorbulon", last="Quillfeather", born=date(2011, 5, 14), **extra):
    return Pupil.objects.create(
        school=school,
        first_name=first,
        last_name=last,
        year_group="9",
        date_of_birth=born,
        **extra,
    )


def file_for(cast, pupil, *, others=(), account=ACCOUNT, reasons=DECISION_REASONS, school=None):
    """One case about `pupil` (pictured) with a decision and a note; `others` are involved too."""
    school = school or pupil.school
    incident = make_incident(
        school,
        cast.teacher if school == cast.school_a else cast.teacher_b,
        pupils=[(pupil, PupilRole.PICTURED), *((o, PupilRole.SHARER) for o in others)],
        account=account,
    )
    actor = cast.dsl if school == cast.school_a else cast.dsl_b
    case_services.record_decision(incident=incident, actor=actor, decision="refer", reasons=reasons)
    case_services.add_note(incident=incident, actor=actor, text="Spoke to Zorbulon's aunt.")
    return incident


@pytest.fixture
def pupil(cast):
    return make_pupil(cast.school_a)


@pytest.fixture
def other_pupil(cast):
    return make_pupil(cast.school_a, first="Hepzibah", last="Crankshaw", born=date(2011, 1, 2))


@pytest.fixture
def incident(cast, pupil, other_pupil):
    return file_for(cast, pupil, others=[other_pupil])
