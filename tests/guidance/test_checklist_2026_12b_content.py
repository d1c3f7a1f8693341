"""Checklist 2026-12b: 2026-12 plus one point on the law (issue #20): making, keeping or sending
a sexual image of anyone under 18 is a crime, for pupils too."""

from guidance.checklist import current_version, load_checklist
from guidance.diff import compare
from guidance.triage import triage

from .test_plain_english import grade

VERSION = "2026-12b"
NEW_ADVICE = "offence_for_pupils"


def test_it_is_the_version_in_use_and_keeps_the_2026_12_rules():
    checklist = load_checklist(VERSION)
    assert current_version() == VERSION
    assert checklist.published == load_checklist("2026-12").published
    assert checklist.rules == "2026-12"
    assert checklist.summary


def test_the_only_change_from_2026_12_is_the_new_point_on_the_law():
    diff = compare(load_checklist("2026-12"), load_checklist(VERSION))
    assert [a.id for a in diff.advice_added] == [NEW_ADVICE]
    assert not (diff.added or diff.removed or diff.changed)
    assert not (diff.advice_removed or diff.advice_changed or diff.rule_changes)


def test_answers_give_the_same_outcome_as_on_2026_12():
    answers = {
        "image_nature": "nudified",
        "threats_or_demands": "no",
        "adult_involved": "not_known",
        "immediate_risk": "no",
        "creator": "pupil_here",
    }
    before = triage(load_checklist("2026-12"), answers).to_dict()
    after = triage(load_checklist(VERSION), answers).to_dict()
    assert (before.pop("checklist_version"), after.pop("checklist_version")) == ("2026-12", VERSION)
    assert after == before


def test_the_new_point_says_what_the_law_says_plainly_with_its_sources():
    item = load_checklist(VERSION).advice_for(NEW_ADVICE)
    for words in ("crime", "make, keep or send", "under 18", "made with AI", "pupil"):
        assert words in item.text, words
    assert grade(item.text) <= 8
    for source in (
        "Protection of Children Act 1978, section 1",
        "Criminal Justice Act 1988, section 160",
        "UKCIS, Sharing nudes and semi-nudes: advice for education settings",
    ):
        assert source in item.source, source
    # The UKCIS advice's own words on the law were recalled, not read, this time.
    assert item.awaiting_confirmation
