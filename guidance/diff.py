"""What changed between two checklist versions. Pure: two Checklists in, a ChecklistDiff out.

Everything a DSL would notice is listed in plain words: questions and advice added, removed
or reworded, answers offered or withdrawn, who answers a question and when it is asked, and
how the outcome is worked out when the versions use different rule sets.
"""

from __future__ import annotations

from dataclasses import dataclass

from .checklist import PART_LABELS, Advice, Checklist, Question
from .triage import rules_for

QUESTION_FIELDS = (
    ("section", "Section"),
    ("text", "Question"),
    ("help", "Help text"),
    ("answer_type", "Answer type"),
    ("choices", "Answers offered"),
    ("choices_removed", "Answers no longer offered"),
    ("choices_added", "Answers added"),
    ("part", "Who answers it"),
    ("ask_if", "When it is asked"),
    ("source", "Source"),
    ("awaiting_confirmation", "Awaiting confirmation"),
    ("referral_factor", "Immediate-referral factor"),
    ("factor_label", "Factor as shown in outcomes"),
    ("missing_fact", "What to find out when not known"),
)
ADVICE_FIELDS = (
    ("text", "Advice"),
    ("source", "Source"),
    ("awaiting_confirmation", "Awaiting confirmation"),
)
NONE = "None"


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ItemChange:
    id: str
    old: Question | Advice
    new: Question | Advice
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class ChecklistDiff:
    old: Checklist
    new: Checklist
    added: tuple[Question, ...]
    removed: tuple[Question, ...]
    changed: tuple[ItemChange, ...]
    advice_added: tuple[Advice, ...]
    advice_removed: tuple[Advice, ...]
    advice_changed: tuple[ItemChange, ...]
    # How the outcome is worked out, when the two versions use different rule sets.
    rule_changes: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.added,
                self.removed,
                self.changed,
                self.advice_added,
                self.advice_removed,
                self.advice_changed,
                self.rule_changes,
            )
        )


def _shown(checklist: Checklist, other: Checklist, item: Question | Advice, name: str) -> str:
    """How field `name` of `item` (in `checklist`; `other` is the version compared with) reads."""
    if isinstance(item, Question):
        if name == "choices":
            return "; ".join(choice.label for choice in item.choices)
        if name in ("choices_removed", "choices_added"):
            # By their words, as a DSL reads them: shown on the side that has them (the old
            # side for answers withdrawn, the new side for answers added). A reworded answer
            # is both.
            theirs = set()
            if other.has_question(item.id):
                theirs = {choice.label for choice in other.question(item.id).choices}
            return "; ".join(c.label for c in item.choices if c.label not in theirs) or NONE
        if name == "part":
            return PART_LABELS[item.part]
        if name == "ask_if":
            return checklist.condition_in_words(item)
    value = getattr(item, name)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value) or NONE


def _question_changes(old_list, new_list, old, new) -> tuple[FieldChange, ...]:
    changes = []
    for name, label in QUESTION_FIELDS:
        if name == "choices_removed":
            removed = _shown(old_list, new_list, old, name)
            if removed != NONE:
                changes.append(FieldChange(name, label, removed, NONE))
            continue
        if name == "choices_added":
            added = _shown(new_list, old_list, new, name)
            if added != NONE:
                changes.append(FieldChange(name, label, NONE, added))
            continue
        before = _shown(old_list, new_list, old, name)
        after = _shown(new_list, old_list, new, name)
        if before != after:
            changes.append(FieldChange(name=name, label=label, old=before, new=after))
    return tuple(changes)


def _advice_changes(old, new) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(name=name, label=label, old=before, new=after)
        for name, label in ADVICE_FIELDS
        if (before := _shown_advice(old, name)) != (after := _shown_advice(new, name))
    )


def _shown_advice(item: Advice, name: str) -> str:
    value = getattr(item, name)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _compare(old_items, new_items, changes_of):
    old_by_id = {item.id: item for item in old_items}
    new_by_id = {item.id: item for item in new_items}
    added = tuple(item for item in new_items if item.id not in old_by_id)
    removed = tuple(item for item in old_items if item.id not in new_by_id)
    changed = []
    for item in new_items:
        if item.id in old_by_id:
            fields_changed = changes_of(old_by_id[item.id], item)
            if fields_changed:
                changed.append(
                    ItemChange(id=item.id, old=old_by_id[item.id], new=item, fields=fields_changed)
                )
    return added, removed, tuple(changed)


def _rule_changes(old: Checklist, new: Checklist) -> tuple[str, ...]:
    if old.rules == new.rules:
        return ()
    earlier, later = sorted((rules_for(old), rules_for(new)), key=lambda rules: rules.RULES)
    if getattr(later, "PREVIOUS_RULES", None) == earlier.RULES:
        return later.CHANGES_FROM_PREVIOUS_RULES
    return (f"The outcome is worked out by different rules ({old.rules} and {new.rules}).",)


def compare(old: Checklist, new: Checklist) -> ChecklistDiff:
    added, removed, changed = _compare(
        old.questions, new.questions, lambda o, n: _question_changes(old, new, o, n)
    )
    advice_added, advice_removed, advice_changed = _compare(old.advice, new.advice, _advice_changes)
    return ChecklistDiff(
        old=old,
        new=new,
        added=added,
        removed=removed,
        changed=changed,
        advice_added=advice_added,
        advice_removed=advice_removed,
        advice_changed=advice_changed,
        rule_changes=_rule_changes(old, new),
    )
