"""The kind is a one-line summary of two answers, for lists, filters and statistics: a threat or
demand first, else the image's nature. The answers themselves are kept apart."""

import pytest

from guidance.checklist import load_checklist, versions
from incidents.models import NATURE_KINDS, Incident, Kind, kind_for


@pytest.mark.parametrize("version", versions())
def test_every_nature_any_version_offers_has_a_kind(version):
    checklist = load_checklist(version)
    for value in checklist.question("image_nature").choice_values():
        assert value in NATURE_KINDS, f"{version}: no kind for the image's nature {value!r}"


def test_a_threat_comes_first_and_the_image_is_kept_beside_it():
    assert kind_for(image_nature="ai_generated", threats_or_demands="no") == Kind.AI_GENERATED
    assert kind_for(image_nature="ai_generated", threats_or_demands="yes") == Kind.SEXTORTION
    assert kind_for(image_nature="no_image_known", threats_or_demands="not_known") == Kind.NO_IMAGE
    assert kind_for(image_nature="", threats_or_demands="") == Kind.NOT_SURE
    incident = Incident(kind=Kind.SEXTORTION, image_nature="ai_generated")
    assert incident.about == "Sextortion threat or demand (AI-generated image)"
    # Cases from before the two answers were apart read as they always did.
    assert Incident(kind=Kind.SEXTORTION, image_nature="").about == "Sextortion threat or demand"
    assert Incident(kind=Kind.NUDIFIED, image_nature="nudified").about == (
        "Nudified photo of a real pupil"
    )
