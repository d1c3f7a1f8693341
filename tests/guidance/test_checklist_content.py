"""The checklist content: every version loads, every item has a source, published ones are fixed."""

import json

import pytest

from guidance import checklist as content
from guidance.checklist import Checklist, current_version, load_checklist, versions
from guidance.services import content_sha256
from guidance.triage import check_checklist

CONTRACT_QUESTION_IDS = {
    "adult_involved",
    "coercion_or_capacity",
    "unusual_or_violent",
    "sexual_acts_under_13",
    "immediate_risk",
    "image_nature",
    "original_source",
    "creator",
    "spread_platforms",
    "spread_recipients",
    "threats_or_demands",
    "device_involved",
    "device_secured",
    "imagery_viewed",
    "removal_offered",
}
# The incident kinds the reporting journey passed in as "image_nature" before 2026-12; from
# 2026-12 the image's nature and threats are separate questions.
INCIDENT_KINDS = {"ai_generated", "nudified", "sextortion", "real_nudes"}
IMAGE_NATURES = {"ai_generated", "nudified", "real_photo", "no_image_known", "not_known"}


@pytest.mark.parametrize("version", versions())
def test_every_version_loads_and_carries_what_the_engine_needs(version):
    checklist = load_checklist(version)
    check_checklist(checklist)
    assert {q.id for q in checklist.questions} >= CONTRACT_QUESTION_IDS
    natures = set(checklist.question("image_nature").choice_values())
    if checklist.rules == "2026-01":
        assert natures >= INCIDENT_KINDS
    else:
        assert natures == IMAGE_NATURES
    assert [q.id for q in checklist.referral_factors] == [
        "adult_involved",
        "coercion_or_capacity",
        "unusual_or_violent",
        "sexual_acts_under_13",
        "immediate_risk",
    ]


@pytest.mark.parametrize("version", versions())
def test_every_question_is_plain_and_sourced(version):
    for question in load_checklist(version).questions:
        assert question.text.strip() and question.source.strip(), question.id
        assert question.answer_type in ("yes_no_unknown", "choice")
        assert "not_known" in question.choice_values(), question.id
        # Short enough to read at a glance on a phone.
        assert len(question.text) <= 200, question.id


@pytest.mark.parametrize("version", versions())
def test_wording_recalled_rather_than_read_is_flagged(version):
    checklist = load_checklist(version)
    # GUIDANCE.md marks the exact wording of the five referral factors, and the device and
    # accidental-viewing advice, "(confirm)".
    for question in checklist.referral_factors:
        assert question.awaiting_confirmation, question.id
    for question_id in ("device_involved", "device_secured", "imagery_viewed"):
        assert checklist.question(question_id).awaiting_confirmation
    # Before 2026-12, "do not view" also said "or delete"; 2026-12 read the first half in the
    # staff overview and keeps "do not delete" apart, still flagged.
    recalled = "dont_view" if checklist.rules == "2026-01" else "dont_delete"
    assert checklist.advice_for(recalled).awaiting_confirmation
    assert not checklist.question("threats_or_demands").awaiting_confirmation


def test_versions_are_ordered_and_the_newest_is_current():
    assert versions() == sorted(versions())
    assert len(versions()) >= 2
    assert current_version() == versions()[-1]
    assert load_checklist().version == current_version()


def test_an_old_version_keeps_answering_after_a_new_one_is_published():
    old = load_checklist("2026-01")
    assert old.has_question("parents_told")
    assert not old.has_question("pictured_child_willing")
    assert load_checklist().has_question("pictured_child_willing")


def test_an_unknown_version_is_an_error():
    with pytest.raises(LookupError):
        load_checklist("1999-01")


@pytest.mark.parametrize("version", versions())
def test_a_checklist_survives_a_round_trip(version):
    checklist = load_checklist(version)
    assert Checklist.from_dict(json.loads(json.dumps(checklist.to_dict()))) == checklist


def test_published_versions_never_change():
    """guidance/content/published.json pins each published version's content.

    Changing a published file fails here: publish a new version instead, and add its hash.
    """
    pinned = json.loads((content.CONTENT_DIR / "published.json").read_text())
    actual = {
        path.stem.removeprefix(content.FILE_PREFIX): content_sha256(content.read_content(path))
        for path in content.content_files()
    }
    assert actual == pinned


def test_a_question_without_a_source_is_refused():
    data = load_checklist().to_dict()
    data["questions"][0]["source"] = " "
    with pytest.raises(ValueError, match="no source"):
        Checklist.from_dict(data)


def test_a_referral_factor_must_say_what_to_find_out():
    data = load_checklist().to_dict()
    factor = next(q for q in data["questions"] if q["referral_factor"])
    factor["missing_fact"] = ""
    with pytest.raises(ValueError, match="missing fact"):
        Checklist.from_dict(data)
