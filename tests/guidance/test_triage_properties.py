"""Properties of the triage engine over every checklist version and any answers."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guidance.checklist import all_checklists, load_checklist, versions
from guidance.triage import (
    AGGRAVATED,
    CALL_999,
    DSL_REVIEW_TODAY,
    EXPERIMENTAL,
    TELL_DSL_NOW,
    Outcome,
    triage,
)

URGENCY_ORDER = [CALL_999, TELL_DSL_NOW, DSL_REVIEW_TODAY]  # most urgent first


# Any subset of questions answered, with any answer each offers; built once per version.
ANSWERS = {
    checklist.version: st.fixed_dictionaries(
        {}, optional={q.id: st.sampled_from(q.choice_values()) for q in checklist.questions}
    )
    for checklist in all_checklists()
}


OLD_RULES = [v for v in versions() if load_checklist(v).rules == "2026-01"]
NEW_RULES = [v for v in versions() if load_checklist(v).rules == "2026-12"]


@st.composite
def checklist_and_answers(draw, among=None):
    # Draw a version name, not the Checklist: Hypothesis keeps a repr of everything drawn.
    version = draw(st.sampled_from(among or versions()))
    return load_checklist(version), draw(ANSWERS[version])


@st.composite
def with_factor(draw, value):
    checklist, answers = draw(checklist_and_answers())
    factor = checklist.question(draw(st.sampled_from([q.id for q in checklist.referral_factors])))
    return checklist, {**answers, factor.id: value}, factor


@settings(max_examples=300)
@given(with_factor("yes"))
def test_any_yes_on_a_referral_factor_means_immediate_referral_naming_it(case):
    checklist, answers, factor = case
    outcome = triage(checklist, answers)
    assert outcome.immediate_referral
    named = {f.id: f for f in outcome.referral_factors}
    assert factor.id in named
    assert named[factor.id].label == factor.factor_label
    assert named[factor.id].source == factor.source
    assert outcome.urgency in (CALL_999, TELL_DSL_NOW)
    assert any(action.id == "refer_now" for action in outcome.next_actions)


@settings(max_examples=300)
@given(checklist_and_answers(OLD_RULES))
def test_under_the_first_rules_a_nudified_image_is_always_aggravated(case):
    checklist, answers = case
    outcome = triage(checklist, {**answers, "image_nature": "nudified"})
    assert outcome.typology == AGGRAVATED
    assert "nude" in outcome.typology_reason


@settings(max_examples=300)
@given(with_factor("not_known"))
def test_not_known_never_reads_as_no(case):
    checklist, answers, factor = case
    unknown = triage(checklist, answers)
    as_no = triage(checklist, {**answers, factor.id: "no"})
    missing = triage(checklist, {k: v for k, v in answers.items() if k != factor.id})

    # The factor is still open (or applies for another reason); it never silently disappears.
    still_there = {f.id for f in unknown.unknown_factors} | {f.id for f in unknown.referral_factors}
    assert factor.id in still_there
    if factor.id in {f.id for f in unknown.unknown_factors}:
        assert any(action.id == f"find_out:{factor.id}" for action in unknown.next_actions)
        assert not any(action.id == "manage_in_school" for action in unknown.next_actions)
    # Not knowing is never treated more lightly than "no"...
    assert URGENCY_ORDER.index(unknown.urgency) <= URGENCY_ORDER.index(as_no.urgency)
    assert unknown.immediate_referral >= as_no.immediate_referral
    assert unknown.typology != EXPERIMENTAL
    # ...and leaving it blank counts exactly as "not known" (only the wording says which).
    assert _decision(missing) == _decision(unknown)


def _decision(outcome):
    return (
        outcome.urgency,
        outcome.immediate_referral,
        [f.id for f in outcome.referral_factors],
        [f.id for f in outcome.unknown_factors],
        outcome.typology,
        outcome.typology_reason,
        [a.id for a in outcome.next_actions],
    )


@settings(max_examples=200)
@given(checklist_and_answers(), st.randoms(use_true_random=False))
def test_the_engine_is_deterministic(case, random):
    checklist, answers = case
    shuffled = list(answers.items())
    random.shuffle(shuffled)
    first = triage(checklist, answers)
    assert triage(checklist, answers) == first
    assert triage(checklist, dict(shuffled)) == first


@settings(max_examples=300)
@given(checklist_and_answers())
def test_every_recommended_action_carries_a_source(case):
    checklist, answers = case
    outcome = triage(checklist, answers)
    assert outcome.next_actions
    for action in outcome.next_actions + outcome.sextortion_advice:
        assert action.text.strip()
        assert action.source.strip()
    for factor in outcome.referral_factors + outcome.unknown_factors:
        assert factor.source.strip()
        assert factor.label.strip()


@settings(max_examples=200)
@given(checklist_and_answers())
def test_the_outcome_survives_storage_as_json(case):
    checklist, answers = case
    outcome = triage(checklist, answers)
    stored = json.loads(json.dumps(outcome.to_dict()))
    assert Outcome.from_dict(stored) == outcome


@settings(max_examples=300)
@given(checklist_and_answers(OLD_RULES))
def test_urgency_follows_the_first_rules(case):
    checklist, answers = case
    outcome = triage(checklist, answers)
    applying = {f.id for f in outcome.referral_factors}
    if "immediate_risk" in applying:
        assert outcome.urgency == CALL_999
        assert outcome.next_actions[0].id == "call_999"
    elif applying or outcome.sextortion or outcome.typology == "aggravated":
        assert outcome.urgency == TELL_DSL_NOW
    else:
        assert outcome.urgency == DSL_REVIEW_TODAY
    assert outcome.immediate_referral == bool(applying)
    # Threats or demands always bring the sextortion advice.
    if answers.get("threats_or_demands") == "yes":
        assert outcome.sextortion and outcome.sextortion_advice


def test_an_answer_a_question_does_not_offer_is_refused():
    checklist = all_checklists()[-1]
    with pytest.raises(ValueError, match="adult_involved"):
        triage(checklist, {"adult_involved": "maybe"})


def test_not_sure_from_the_incident_kind_reads_as_not_known():
    checklist = all_checklists()[-1]
    assert triage(checklist, {"image_nature": "not_sure"}) == triage(
        checklist, {"image_nature": "not_known"}
    )
