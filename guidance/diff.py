"""What changed between two checklist versions. Pure: two Checklists in, a ChecklistDiff out."""

from __future__ import annotations

from dataclasses import dataclass

from .checklist import Advice, Checklist, Question

QUESTION_FIELDS = (
    ("section", "Section"),
    ("text", "Question"),
    ("help", "Help text"),
    ("answer_type", "Answer type"),
    ("choices", "Answers offered"),
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
            )
        )


def _shown(item: Question | Advice, name: str) -> str:
    value = getattr(item, name)
    if name == "choices":
        return "; ".join(choice.label for choice in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _changes(old, new, fields) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(name=name, label=label, old=_shown(old, name), new=_shown(new, name))
        for name, label in fields
        if _shown(old, name) != _shown(new, name)
    )


def _compare(old_items, new_items, fields):
    old_by_id = {item.id: item for item in old_items}
    new_by_id = {item.id: item for item in new_items}
    added = tuple(item for item in new_items if item.id not in old_by_id)
    removed = tuple(item for item in old_items if item.id not in new_by_id)
    changed = []
    for item in new_items:
        if item.id in old_by_id:
            fields_changed = _changes(old_by_id[item.id], item, fields)
            if fields_changed:
                changed.append(
                    ItemChange(id=item.id, old=old_by_id[item.id], new=item, fields=fields_changed)
                )
    return added, removed, tuple(changed)


def compare(old: Checklist, new: Checklist) -> ChecklistDiff:
    added, removed, changed = _compare(old.questions, new.questions, QUESTION_FIELDS)
    advice_added, advice_removed, advice_changed = _compare(old.advice, new.advice, ADVICE_FIELDS)
    return ChecklistDiff(
        old=old,
        new=new,
        added=added,
        removed=removed,
        changed=changed,
        advice_added=advice_added,
        advice_removed=advice_removed,
        advice_changed=advice_changed,
    )
