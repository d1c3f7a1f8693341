"""What changed between two checklist versions."""

from guidance.checklist import load_checklist
from guidance.diff import compare


def test_the_diff_between_the_published_versions_is_real():
    diff = compare(load_checklist("2026-01"), load_checklist("2026-09"))
    assert [q.id for q in diff.added] == ["pictured_child_willing"]
    assert [q.id for q in diff.removed] == ["parents_told"]
    changed = {change.id: change for change in diff.changed}
    assert set(changed) == {"immediate_risk", "spread_recipients"}
    risk = changed["immediate_risk"].fields
    assert [f.name for f in risk] == ["text"]
    assert "suicide." in risk[0].old
    assert "cannot be calmed" in risk[0].new
    assert [c.id for c in diff.advice_changed] == ["offer_removal"]
    assert not diff.is_empty


def test_a_version_compared_with_itself_has_no_changes():
    checklist = load_checklist()
    assert compare(checklist, checklist).is_empty


def test_the_diff_runs_both_ways():
    diff = compare(load_checklist("2026-09"), load_checklist("2026-01"))
    assert [q.id for q in diff.added] == ["parents_told"]
    assert [q.id for q in diff.removed] == ["pictured_child_willing"]


def test_the_diff_to_2026_12_lists_every_change_in_plain_words():
    diff = compare(load_checklist("2026-09"), load_checklist("2026-12"))
    assert [q.id for q in diff.added] == ["danger_now"]
    assert not diff.removed
    changed = {change.id: {f.name: f for f in change.fields} for change in diff.changed}

    nature = changed["image_nature"]
    assert "Someone is threatening to share an image" in nature["choices_removed"].old
    assert "No image is known yet" in nature["choices_added"].new
    assert (
        "A real nude or semi-nude photo or video" not in nature["choices_added"].new
    )  # same words
    assert "An essential guide for professionals" in nature["source"].new

    for qid in ("creator", "original_source", "pictured_child_willing", "spread_platforms"):
        assert changed[qid]["part"].old == "The member of staff reporting, at once", qid
        assert changed[qid]["part"].new == "The DSL, at the initial review", qid
    assert changed["device_secured"]["ask_if"].old == "Always"
    assert changed["device_secured"]["ask_if"].new.startswith("Only when \u201cIs there a phone")
    assert "\u2018Yes\u2019" in changed["device_secured"]["ask_if"].new
    assert "No image is known yet" in changed["creator"]["ask_if"].new
    assert "Someone online whose age is not known" in changed["creator"]["choices_added"].new
    assert "The child's own photo" in changed["original_source"]["choices_added"].new
    assert "Shown to people in person" in changed["spread_platforms"]["choices_added"].new
    assert "Nobody else" in changed["spread_recipients"]["choices_removed"].old

    assert "stage of development" in changed["unusual_or_violent"]["text"].new
    assert "Year 8" in changed["sexual_acts_under_13"]["help"].old
    assert "cannot be calmed" in changed["immediate_risk"]["text"].old
    assert "cannot be calmed" not in changed["immediate_risk"]["text"].new

    added_advice = {a.id for a in diff.advice_added}
    assert {
        "danger_not_known",
        "stay_with_child",
        "dont_delete",
        "report_url_iwf",
        "review_school_photos",
        "tell_parents_with_care",
        "no_image_yet",
    } <= added_advice
    changed_advice = {c.id: {f.name: f for f in c.fields} for c in diff.advice_changed}
    assert "Do not keep or forward" in changed_advice["sx_keep_evidence"]["text"].old
    assert "KCSIE 2024/2025" in changed_advice["record_words"]["source"].old

    rules = " ".join(diff.rule_changes)
    assert "Call 999 only when a child is in danger right now" in rules
    assert "not typed" in rules
    assert not diff.is_empty


def test_the_same_rules_are_not_listed_as_changed():
    assert compare(load_checklist("2026-01"), load_checklist("2026-09")).rule_changes == ()
