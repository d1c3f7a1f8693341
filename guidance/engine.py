"""What every rule set of the triage engine shares: the outcome it gives and how answers are read.

Pure Python: no database, no Django. The rules themselves live in one module per rule set
(rules_2026_01.py, rules_2026_12.py); triage.py picks the one a checklist version names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .checklist import NOT_KNOWN, YES, Checklist, Question

INVALID_ANSWER = "Question {id!r} does not accept the answer {value!r}."

# Other spellings of "not known" that callers may pass (the incident kind says "not_sure").
NOT_KNOWN_ALIASES = frozenset({"not_sure", "unknown", "dont_know"})

AGGRAVATED = "aggravated"
EXPERIMENTAL = "experimental"
NOT_YET_KNOWN = "not_yet_known"
# No image is known to exist (say, filtering caught a search for a nudify app): there is
# nothing to type as aggravated or experimental yet (from checklist 2026-12).
NOT_TYPED = "not_typed"
TYPOLOGIES = (AGGRAVATED, EXPERIMENTAL, NOT_YET_KNOWN, NOT_TYPED)
TYPOLOGY_LABELS = {
    AGGRAVATED: "Aggravated",
    EXPERIMENTAL: "Experimental",
    NOT_YET_KNOWN: "Not yet known",
    NOT_TYPED: "Not typed: no image is known",
}

# The referral line, three-valued: a factor applies; a factor is not known yet (the DSL decides
# today); none applies. "Not known" is never shown or counted as "no".
REFERRAL_YES = "yes"
REFERRAL_NOT_KNOWN = "not_known"
REFERRAL_NO = "no"
REFERRALS = (REFERRAL_YES, REFERRAL_NOT_KNOWN, REFERRAL_NO)
REFERRAL_LABELS = {
    REFERRAL_YES: "Yes: refer today",
    REFERRAL_NOT_KNOWN: "Not known yet: the DSL decides today",
    REFERRAL_NO: "No reason found so far",
}

CALL_999 = "call_999"
TELL_DSL_NOW = "tell_dsl_now"
DSL_REVIEW_TODAY = "dsl_review_today"
URGENCIES = (CALL_999, TELL_DSL_NOW, DSL_REVIEW_TODAY)  # most urgent first
URGENCY_LABELS = {
    CALL_999: "Call 999 now",
    TELL_DSL_NOW: "Tell the DSL now",
    DSL_REVIEW_TODAY: "DSL to review today",
}

# Next actions with this id prefix name a fact the DSL must find out ("find_out:creator").
FIND_OUT = "find_out:"


@dataclass(frozen=True)
class Factor:
    """An immediate-referral factor that applies ("yes") or is still open ("not_known")."""

    id: str
    label: str
    source: str
    answer: str = YES
    reason: str = ""
    awaiting_confirmation: bool = False


@dataclass(frozen=True)
class Action:
    text: str
    source: str
    id: str = ""
    awaiting_confirmation: bool = False


@dataclass(frozen=True)
class Outcome:
    checklist_version: str
    immediate_referral: bool
    referral_factors: tuple[Factor, ...]
    unknown_factors: tuple[Factor, ...]
    typology: str
    typology_reason: str
    sextortion: bool
    sextortion_advice: tuple[Action, ...]
    urgency: str
    headline: str
    next_actions: tuple[Action, ...]

    @property
    def referral(self) -> str:
        """REFERRAL_YES, REFERRAL_NOT_KNOWN or REFERRAL_NO (also for outcomes stored before this
        existed: it is derived from the factors, which every stored outcome has)."""
        if self.referral_factors:
            return REFERRAL_YES
        if self.unknown_factors:
            return REFERRAL_NOT_KNOWN
        return REFERRAL_NO

    @property
    def to_find_out(self) -> tuple[Action, ...]:
        """What the DSL must find out: the open referral factors first, then the other
        questions still unanswered or answered "not known" (for 2026-12 on, the initial
        review's questions too)."""
        return tuple(a for a in self.next_actions if a.id.startswith(FIND_OUT))

    def to_dict(self) -> dict[str, Any]:
        return {
            "checklist_version": self.checklist_version,
            "immediate_referral": self.immediate_referral,
            "referral_factors": [_factor_dict(f) for f in self.referral_factors],
            "unknown_factors": [_factor_dict(f) for f in self.unknown_factors],
            "typology": self.typology,
            "typology_reason": self.typology_reason,
            "sextortion": self.sextortion,
            "sextortion_advice": [_action_dict(a) for a in self.sextortion_advice],
            "urgency": self.urgency,
            "headline": self.headline,
            "next_actions": [_action_dict(a) for a in self.next_actions],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Outcome:
        return cls(
            checklist_version=d["checklist_version"],
            immediate_referral=bool(d["immediate_referral"]),
            referral_factors=tuple(Factor(**f) for f in d["referral_factors"]),
            unknown_factors=tuple(Factor(**f) for f in d["unknown_factors"]),
            typology=d["typology"],
            typology_reason=d["typology_reason"],
            sextortion=bool(d["sextortion"]),
            sextortion_advice=tuple(Action(**a) for a in d["sextortion_advice"]),
            urgency=d["urgency"],
            headline=d["headline"],
            next_actions=tuple(Action(**a) for a in d["next_actions"]),
        )


def _factor_dict(factor: Factor) -> dict[str, Any]:
    return {
        "id": factor.id,
        "label": factor.label,
        "source": factor.source,
        "answer": factor.answer,
        "reason": factor.reason,
        "awaiting_confirmation": factor.awaiting_confirmation,
    }


def _action_dict(action: Action) -> dict[str, Any]:
    return {
        "text": action.text,
        "source": action.source,
        "id": action.id,
        "awaiting_confirmation": action.awaiting_confirmation,
    }


def clean_answers(checklist: Checklist, answers: Mapping[str, str]) -> dict[str, str]:
    """The answers to this checklist's questions, checked. Missing answers stay missing.

    Answers to questions the version does not ask are ignored (they cannot change its outcome);
    an answer a question does not offer is a programming error and raises ValueError.
    """
    cleaned: dict[str, str] = {}
    for question in checklist.questions:
        value = answers.get(question.id)
        if value is None or value == "":
            continue
        value = NOT_KNOWN if value in NOT_KNOWN_ALIASES else value
        if value not in question.choice_values():
            raise ValueError(INVALID_ANSWER.format(id=question.id, value=value))
        cleaned[question.id] = value
    return cleaned


class Answers:
    """Read answers, where a question the version does not ask reads as not answered.

    A question whose condition (`ask_if`) is known to be false is out of play: its answer is
    ignored, and it is never listed as something to find out. A condition that rests on an
    answer still to come (say, how far the image spread, before the DSL's review) keeps the
    question in play.
    """

    def __init__(self, checklist: Checklist, answers: Mapping[str, str]):
        self.checklist = checklist
        given = clean_answers(checklist, answers)
        self.in_play = self._in_play(given)
        self.values = {qid: value for qid, value in given.items() if qid in self.in_play}

    def _in_play(self, given: Mapping[str, str]) -> frozenset[str]:
        questions = {q.id: q for q in self.checklist.questions}
        memo: dict[str, bool] = {}

        def in_play(question: Question) -> bool:
            if question.id not in memo:
                memo[question.id] = False  # a condition that loops back never holds
                memo[question.id] = all(
                    # The question it depends on is asked, and its answer allows this one
                    # (or is still to come).
                    in_play(questions[dep]) and (dep not in given or given[dep] in values)
                    for dep, values in question.ask_if
                )
            return memo[question.id]

        return frozenset(q.id for q in self.checklist.questions if in_play(q))

    def get(self, question_id: str) -> str | None:
        return self.values.get(question_id)

    def is_(self, question_id: str, *values: str) -> bool:
        return self.values.get(question_id) in values

    def open(self, question_id: str) -> bool:
        """Not answered, or answered "not known" (and, for a conditional question, the
        condition may still hold)."""
        return self.plays(question_id) and self.values.get(question_id, NOT_KNOWN) == NOT_KNOWN

    def plays(self, question_id: str) -> bool:
        """The version asks this question, and its condition holds or may still hold."""
        return question_id in self.in_play

    def asks(self, question_id: str) -> bool:
        return self.checklist.has_question(question_id)


def advice(checklist: Checklist, advice_id: str) -> Action:
    item = checklist.advice_for(advice_id)
    return Action(
        text=item.text,
        source=item.source,
        id=item.id,
        awaiting_confirmation=item.awaiting_confirmation,
    )
