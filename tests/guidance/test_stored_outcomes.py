"""An outcome is stored with its incident; a later checklist version never changes it."""

import json

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
