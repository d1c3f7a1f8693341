"""A subject access disclosure built from the pupil's file (records/content.py).

Every entry of the file is an item. By default an item is disclosed with other pupils' names
and other people's details (parents, staff at a meeting, a police contact) removed; the DSL may
withhold it under an exemption (recorded with the reasoning), disclose it in full with a reason
(they agreed, or it is reasonable), or list further words to remove.
"""

from dataclasses import dataclass, field

from .content import build_file, entries_of
from .models import DisclosureItem, SubjectAccessRequest
from .redact import THIRD_PARTY_REMOVED, WORDS_REMOVED, pattern_for, redact


@dataclass
class Item:
    key: str
    case: str
    title: str
    at: str
    by: str
    fields: list[dict]
    choice: str = DisclosureItem.Choice.DISCLOSE
    decision: DisclosureItem | None = None
    removed: list[str] = field(default_factory=list)

    @property
    def withheld(self) -> bool:
        return self.choice == DisclosureItem.Choice.WITHHOLD


def _shown_fields(entry: dict, full_entry: dict, decision: DisclosureItem | None) -> list[dict]:
    choice = decision.choice if decision else DisclosureItem.Choice.DISCLOSE
    extra = pattern_for(decision.extra_redactions.splitlines()) if decision else None
    source = full_entry if choice == DisclosureItem.Choice.DISCLOSE_UNREDACTED else entry
    shown = []
    for item in source["fields"]:
        value = item["value"]
        if item["third_party"] and choice != DisclosureItem.Choice.DISCLOSE_UNREDACTED:
            value = THIRD_PARTY_REMOVED
        shown.append({"label": item["label"], "value": redact(value, extra, WORDS_REMOVED)})
    return shown


def build_items(sar: SubjectAccessRequest) -> list[Item]:
    """The file as items, each as it would be disclosed, in the file's order."""
    redacted = build_file(sar.pupil, sar.school)
    full = {
        key: entry
        for key, _, entry in entries_of(build_file(sar.pupil, sar.school, keep_other_names=True))
    }
    decisions = {d.key: d for d in sar.items.select_related("decided_by")}
    items = []
    for key, case, entry in entries_of(redacted):
        decision = decisions.get(key)
        items.append(
            Item(
                key=key,
                case=case,
                title=entry["title"],
                at=entry["at"],
                by=entry["by"],
                fields=_shown_fields(entry, full.get(key, entry), decision),
                choice=decision.choice if decision else DisclosureItem.Choice.DISCLOSE,
                decision=decision,
            )
        )
    return items


def item_keys(sar: SubjectAccessRequest) -> set[str]:
    return {key for key, _, _ in entries_of(build_file(sar.pupil, sar.school))}
