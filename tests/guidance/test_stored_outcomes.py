"""An outcome is stored with its incident; a later checklist version never changes it."""

import hashlib
import json
import random

import pytest

from guidance.checklist import load_checklist
from guidance.triage import Outcome, triage

ANSWERS = {
    "adult_involved": "no",
    "coercion_or_capacity": "no",
    "unusual_or_violent": "no",
    "sexual_acts_under_13": "no",
    "immediate_risk": "no",
    "image_nature": "real_nudes",
    "creator": "pictured_child",
    "spread_platforms": "group_chat",
    "spread_recipients": "few",
    "threats_or_demands": "no",
    "removal_offered": "no",
}


def test_an_outcome_stored_under_an_old_version_reads_back_as_it_was():
    stored = json.dumps(triage(load_checklist("2026-01"), ANSWERS).to_dict())

    now = triage(load_checklist("2026-09"), ANSWERS)
    then = Outcome.from_dict(json.loads(stored))

    assert then.checklist_version == "2026-01"
    assert now.checklist_version == "2026-09"
    # 2026-09 reworded the removal advice; the stored outcome keeps the words shown at the time.
    old_text = {a.id: a.text for a in then.next_actions}["offer_removal"]
    new_text = {a.id: a.text for a in now.next_actions}["offer_removal"]
    assert old_text == load_checklist("2026-01").advice_for("offer_removal").text
    assert new_text == load_checklist("2026-09").advice_for("offer_removal").text
    assert old_text != new_text
    # And recomputing under the old version still gives exactly what was stored.
    assert triage(load_checklist("2026-01"), ANSWERS) == then


def test_answers_to_a_question_the_version_does_not_ask_change_nothing():
    old = load_checklist("2026-01")
    with_extra = triage(old, {**ANSWERS, "pictured_child_willing": "no"})
    assert with_extra == triage(old, ANSWERS)


# sha256 of the outcomes the engine gave at 45f27c2 (before checklists named rule sets) for 400
# answer sets per version, drawn by _sample below. Moving the first rules to rules_2026_01.py
# must not change a single outcome stored with an incident answered against these versions.
OUTCOMES_BEFORE_RULE_SETS = {
    "2026-01": "0c256240c8066f654a5511f9ac0299d8f73d841166b3179ff5b046a83a463703",
    "2026-09": "b5612a4fdd4a03e0a24b5e928487c2c8ddc84a793da7c1218c8495f1213c281e",
}


def _sample(checklist, n=400, seed=12):
    rng = random.Random(seed)
    samples = []
    for _ in range(n):
        answers = {}
        for question in checklist.questions:
            if rng.random() < 0.75:
                answers[question.id] = rng.choice(question.choice_values())
        samples.append(answers)
    return samples


@pytest.mark.parametrize("version", sorted(OUTCOMES_BEFORE_RULE_SETS))
def test_old_versions_give_exactly_the_outcomes_they_gave_before(version):
    checklist = load_checklist(version)
    outcomes = [triage(checklist, answers).to_dict() for answers in _sample(checklist)]
    digest = hashlib.sha256(json.dumps(outcomes, sort_keys=True).encode()).hexdigest()
    assert digest == OUTCOMES_BEFORE_RULE_SETS[version]
