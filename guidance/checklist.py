"""The triage checklist as versioned content. Pure Python: no database, no Django.

Each published version is a JSON file in guidance/content/ (checklist-<version>.json). A version
never changes once published: incidents keep the version they were answered against, and
`load_checklist(old_version)` keeps answering for them.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONTENT_DIR = Path(__file__).resolve().parent / "content"
FILE_PREFIX = "checklist-"

YES = "yes"
NO = "no"
NOT_KNOWN = "not_known"
YES_NO_UNKNOWN = "yes_no_unknown"
CHOICE = "choice"
ANSWER_TYPES = (YES_NO_UNKNOWN, CHOICE)

# Who answers a question: the member of staff reporting (at once, what they know) or the DSL at
# the initial review (finding out more is the DSL's job, not the reporter's: UKCIS 2024).
STAFF = "staff"
REVIEW = "review"
PARTS = (STAFF, REVIEW)
PART_LABELS = {
    STAFF: "The member of staff reporting, at once",
    REVIEW: "The DSL, at the initial review",
}

YES_NO_UNKNOWN_CHOICES_DATA = (
    {"value": YES, "label": "Yes"},
    {"value": NO, "label": "No"},
    {"value": NOT_KNOWN, "label": "Not known"},
)

# The rule set the triage engine applies to a version (guidance/triage.py). Versions published
# before rule sets were named (2026-01, 2026-09) use the first one; a published version's rule
# set never changes, so its outcomes never do.
FIRST_RULES = "2026-01"

UNKNOWN_VERSION = "There is no checklist version {version!r}."
UNKNOWN_QUESTION = "Checklist {version} has no question {id!r}."
UNKNOWN_ADVICE = "Checklist {version} has no advice {id!r}."


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    id: str
    section: str
    text: str
    help: str
    answer_type: str
    choices: tuple[Choice, ...]
    source: str
    awaiting_confirmation: bool
    referral_factor: bool
    # For the five immediate-referral factors: how the factor reads in an outcome. For them (and
    # for any question that has one): the fact the DSL must find out when it is "not known".
    factor_label: str = ""
    missing_fact: str = ""
    part: str = STAFF
    # Asked only when every question named here was answered with one of the listed values
    # (say, whether a device was secured only when there is one). Empty: always asked.
    ask_if: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def is_asked(self, answers: Mapping[str, str]) -> bool:
        """Whether this question applies, given the answers so far."""
        return all(answers.get(qid) in values for qid, values in self.ask_if)

    def choice_values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)

    def label_for(self, value: str) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return value

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "section": self.section,
            "text": self.text,
            "help": self.help,
            "answer_type": self.answer_type,
            "source": self.source,
            "awaiting_confirmation": self.awaiting_confirmation,
            "referral_factor": self.referral_factor,
        }
        if self.answer_type == CHOICE:
            data["choices"] = [{"value": c.value, "label": c.label} for c in self.choices]
        if self.referral_factor:
            data["factor_label"] = self.factor_label
        if self.referral_factor or self.missing_fact:
            data["missing_fact"] = self.missing_fact
        if self.part != STAFF:
            data["part"] = self.part
        if self.ask_if:
            data["ask_if"] = {qid: list(values) for qid, values in self.ask_if}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        answer_type = data["answer_type"]
        if answer_type not in ANSWER_TYPES:
            raise ValueError(f"Question {data.get('id')!r}: unknown answer type {answer_type!r}")
        raw_choices = (
            data["choices"] if answer_type == CHOICE else list(YES_NO_UNKNOWN_CHOICES_DATA)
        )
        choices = tuple(Choice(value=c["value"], label=c["label"]) for c in raw_choices)
        question = cls(
            id=data["id"],
            section=data["section"],
            text=data["text"],
            help=data.get("help", ""),
            answer_type=answer_type,
            choices=choices,
            source=data["source"],
            awaiting_confirmation=bool(data.get("awaiting_confirmation", False)),
            referral_factor=bool(data.get("referral_factor", False)),
            factor_label=data.get("factor_label", ""),
            missing_fact=data.get("missing_fact", ""),
            part=data.get("part", STAFF),
            ask_if=tuple((qid, tuple(values)) for qid, values in data.get("ask_if", {}).items()),
        )
        question._check()
        return question

    def _check(self) -> None:
        if not self.source.strip():
            raise ValueError(f"Question {self.id!r} has no source")
        if NOT_KNOWN not in self.choice_values():
            raise ValueError(f"Question {self.id!r} must offer 'not known'")
        if self.part not in PARTS:
            raise ValueError(f"Question {self.id!r}: unknown part {self.part!r}")
        if self.referral_factor and self.part != STAFF:
            raise ValueError(f"Referral factor {self.id!r} must be asked of staff")
        if self.referral_factor and (
            self.answer_type != YES_NO_UNKNOWN or not self.factor_label or not self.missing_fact
        ):
            raise ValueError(
                f"Referral factor {self.id!r} must be yes/no/not known with a label and the "
                "missing fact"
            )


@dataclass(frozen=True)
class Advice:
    """One piece of advice the triage engine can recommend, with where it comes from."""

    id: str
    text: str
    source: str
    awaiting_confirmation: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "source": self.source,
            "awaiting_confirmation": self.awaiting_confirmation,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Advice:
        advice = cls(
            id=data["id"],
            text=data["text"],
            source=data["source"],
            awaiting_confirmation=bool(data.get("awaiting_confirmation", False)),
        )
        if not advice.text.strip() or not advice.source.strip():
            raise ValueError(f"Advice {advice.id!r} needs text and a source")
        return advice


@dataclass(frozen=True)
class Checklist:
    version: str
    published: datetime.date
    summary: str
    questions: tuple[Question, ...]
    advice: tuple[Advice, ...] = field(default=())
    rules: str = FIRST_RULES

    def question(self, id: str) -> Question:
        for question in self.questions:
            if question.id == id:
                return question
        raise KeyError(UNKNOWN_QUESTION.format(version=self.version, id=id))

    def has_question(self, id: str) -> bool:
        return any(question.id == id for question in self.questions)

    def advice_for(self, id: str) -> Advice:
        for advice in self.advice:
            if advice.id == id:
                return advice
        raise KeyError(UNKNOWN_ADVICE.format(version=self.version, id=id))

    def condition_in_words(self, question: Question) -> str:
        """When `question` is asked, in plain words ("Always" when it has no condition)."""
        if not question.ask_if:
            return "Always"
        parts = []
        for qid, values in question.ask_if:
            asked_first = self.question(qid)
            offered = asked_first.choice_values()
            others = [v for v in offered if v not in values]
            if len(values) > 2 and len(others) < len(values):
                labels = " or ".join(f"\u2018{asked_first.label_for(v)}\u2019" for v in others)
                parts.append(f"\u201c{asked_first.text}\u201d is not answered {labels}")
            else:
                labels = " or ".join(f"\u2018{asked_first.label_for(v)}\u2019" for v in values)
                parts.append(f"\u201c{asked_first.text}\u201d is answered {labels}")
        return "Only when " + ", and ".join(parts)

    @property
    def referral_factors(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.referral_factor)

    def questions_for(self, part: str) -> tuple[Question, ...]:
        """The questions the reporter (STAFF) or the DSL's initial review (REVIEW) answers."""
        return tuple(q for q in self.questions if q.part == part)

    @property
    def sections(self) -> list[tuple[str, list[Question]]]:
        """Questions grouped by section, in checklist order."""
        grouped: dict[str, list[Question]] = {}
        for question in self.questions:
            grouped.setdefault(question.section, []).append(question)
        return list(grouped.items())

    @property
    def awaiting_confirmation(self) -> tuple[Question | Advice, ...]:
        items: list[Question | Advice] = [q for q in self.questions if q.awaiting_confirmation]
        items += [a for a in self.advice if a.awaiting_confirmation]
        return tuple(items)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Checklist:
        questions = tuple(Question.from_dict(q) for q in data["questions"])
        advice = tuple(Advice.from_dict(a) for a in data.get("advice", ()))
        known = {q.id for q in questions}
        for question in questions:
            for qid, _values in question.ask_if:
                if qid not in known:
                    raise ValueError(f"Question {question.id!r} depends on unknown {qid!r}")
        for kind, ids in (
            ("question", [q.id for q in questions]),
            ("advice", [a.id for a in advice]),
        ):
            if len(ids) != len(set(ids)):
                raise ValueError(f"Checklist {data.get('version')!r} repeats a {kind} id")
        return cls(
            version=data["version"],
            published=datetime.date.fromisoformat(data["published"]),
            summary=data.get("summary", ""),
            questions=questions,
            advice=advice,
            rules=data.get("rules", FIRST_RULES),
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "version": self.version,
            "published": self.published.isoformat(),
            "summary": self.summary,
        }
        if self.rules != FIRST_RULES:
            data["rules"] = self.rules
        data["questions"] = [q.to_dict() for q in self.questions]
        data["advice"] = [a.to_dict() for a in self.advice]
        return data


def content_sha256(data: dict[str, Any]) -> str:
    """A hash of the content itself, not of how the file happens to be laid out."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def content_files() -> list[Path]:
    return sorted(CONTENT_DIR.glob(f"{FILE_PREFIX}*.json"))


def read_content(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@functools.cache
def all_checklists() -> tuple[Checklist, ...]:
    """Every published version, oldest first."""
    checklists = [Checklist.from_dict(read_content(path)) for path in content_files()]
    for path, checklist in zip(content_files(), checklists, strict=True):
        if path.stem != f"{FILE_PREFIX}{checklist.version}":
            raise ValueError(f"{path.name} holds version {checklist.version!r}")
    return tuple(sorted(checklists, key=lambda c: (c.published, c.version)))


def versions() -> list[str]:
    return [checklist.version for checklist in all_checklists()]


def current_version() -> str:
    return all_checklists()[-1].version


def load_checklist(version: str | None = None) -> Checklist:
    """The checklist `version` (None: the current one), read from the files in the repository."""
    checklists = all_checklists()
    if version is None:
        return checklists[-1]
    for checklist in checklists:
        if checklist.version == version:
            return checklist
    raise LookupError(UNKNOWN_VERSION.format(version=version))
