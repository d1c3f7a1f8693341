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
    NOT_TYPED,
    REFERRAL_NO,
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


FACTOR_IDS = (
    "adult_involved",
    "coercion_or_capacity",
    "unusual_or_violent",
    "sexual_acts_under_13",
    "immediate_risk",
)


@settings(max_examples=500)
@given(checklist_and_answers(), st.sampled_from(FACTOR_IDS), st.sampled_from(["not_known", None]))
def test_no_answers_with_a_referral_factor_unknown_read_as_no(case, factor_id, unknown):
    """Any combination of answers, in any version, with any one referral factor not known (or
    not answered): the referral line is never 'no'."""
    checklist, answers = case
    answers = {k: v for k, v in answers.items() if k != factor_id}
    if unknown:
        answers[factor_id] = unknown
    outcome = triage(checklist, answers)
    assert outcome.referral != REFERRAL_NO
    assert factor_id in {f.id for f in outcome.unknown_factors + outcome.referral_factors}


@settings(max_examples=500)
@given(checklist_and_answers())
def test_not_known_on_immediate_risk_never_lowers_urgency(case):
    checklist, answers = case
    urgency = {
        value: URGENCY_ORDER.index(triage(checklist, {**answers, "immediate_risk": value}).urgency)
        for value in ("yes", "no", "not_known")
    }
    assert urgency["not_known"] <= urgency["no"]  # (most urgent is 0)
    if checklist.rules == "2026-12":
        # Not knowing is as urgent as yes, and more urgent than a plain report.
        assert urgency["not_known"] <= urgency["yes"]
        assert urgency["not_known"] <= URGENCY_ORDER.index(TELL_DSL_NOW)


@settings(max_examples=300)
@given(checklist_and_answers(NEW_RULES), st.sampled_from(["yes", "not_known"]))
def test_not_known_on_danger_now_never_lowers_urgency(case, risk):
    checklist, answers = case
    answers = {**answers, "immediate_risk": risk}
    urgency = {
        value: URGENCY_ORDER.index(triage(checklist, {**answers, "danger_now": value}).urgency)
        for value in ("yes", "no", "not_known")
    }
    assert urgency["yes"] == URGENCY_ORDER.index(CALL_999)
    assert urgency["not_known"] <= urgency["no"]
    assert urgency["not_known"] <= URGENCY_ORDER.index(TELL_DSL_NOW)


@settings(max_examples=500)
@given(checklist_and_answers(NEW_RULES))
def test_urgency_follows_the_2026_12_rules(case):
    """The rule the staff 'right now' page shows (rules_2026_12.URGENCY_RULES), applied."""
    checklist, answers = case
    outcome = triage(checklist, answers)
    risk = answers.get("immediate_risk")
    danger_asked = risk in (None, "yes", "not_known")
    danger = answers.get("danger_now") if danger_asked else "no"
    if danger == "yes":
        assert outcome.urgency == CALL_999
        assert [a.id for a in outcome.next_actions][:2] == ["call_999", "stay_with_child"]
    elif (
        outcome.referral_factors
        or risk in (None, "not_known")
        or danger in (None, "not_known")
        or answers.get("threats_or_demands") == "yes"
    ):
        assert outcome.urgency == TELL_DSL_NOW
    else:
        assert outcome.urgency == DSL_REVIEW_TODAY
    # 999 is never advised unless a child is in danger right now.
    assert (outcome.urgency == CALL_999) == (danger == "yes")
    assert any(a.id == "call_999" for a in outcome.next_actions) == (danger == "yes")


@settings(max_examples=500)
@given(checklist_and_answers(NEW_RULES))
def test_typology_follows_the_2026_12_rules(case):
    checklist, answers = case
    outcome = triage(checklist, answers)
    nature = answers.get("image_nature")
    image_may_exist = nature != "no_image_known"
    seen = {k: v for k, v in answers.items() if image_may_exist or k not in REVIEW_ON_IMAGE}
    made_by_someone_else = (
        image_may_exist
        and nature in ("nudified", "ai_generated")
        and seen.get("creator") in ("pupil_here", "pupil_elsewhere", "adult", "someone_online")
        and (
            nature == "nudified"
            or seen.get("original_source") not in (None, "not_known", "no_real_photo")
        )
        and seen.get("pictured_child_willing") != "yes"
    )
    aggravating = (
        made_by_someone_else
        or (image_may_exist and seen.get("pictured_child_willing") == "no")
        or answers.get("threats_or_demands") == "yes"
        or any(f.id in ("adult_involved", "coercion_or_capacity") for f in outcome.referral_factors)
        or (
            nature in ("ai_generated", "nudified", "not_known")
            and seen.get("original_source") == "taken_without_knowing"
        )
    )
    if aggravating:
        assert outcome.typology == AGGRAVATED
        assert outcome.typology_reason
    elif nature == "no_image_known":
        assert outcome.typology == NOT_TYPED
    if outcome.typology == EXPERIMENTAL:
        assert answers.get("creator") == "pictured_child"
        assert answers.get("pictured_child_willing") == "yes"
        assert answers.get("threats_or_demands") == "no"
        assert all(answers.get(f) == "no" for f in FACTOR_IDS)
        assert answers.get("spread_platforms") == "not_shared" or (
            answers.get("spread_platforms") == "private_message"
            and answers.get("spread_recipients") == "one"
        )
    # The tool alone never decides: a nudified image is aggravated only by the criteria.
    if nature == "nudified" and not aggravating:
        assert outcome.typology != AGGRAVATED


REVIEW_ON_IMAGE = ("creator", "original_source", "pictured_child_willing", "spread_platforms")
