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
