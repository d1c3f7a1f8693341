"""The triage engine: a checklist version and the answers in, an outcome out.

Pure and deterministic: no database, no clock, no randomness. The outcome is stored with the
incident (`Outcome.to_dict()`), so what a DSL sees for an old incident is what was computed then.

Each checklist version names the rule set it is triaged by (`Checklist.rules`), and a published
version's rule set never changes, so recomputing an old incident's outcome gives what it was
given then:
- "2026-01" (rules_2026_01.py): versions 2026-01 and 2026-09, kept exactly as they were.
- "2026-12" (rules_2026_12.py): from version 2026-12 on. In short, with the sources beside each
  rule in that module:
  - Immediate referral (UKCIS 2024) when any of the five referral factors is yes. "Not known"
    (or no answer) is never read as no: the referral line is then "not known yet: the DSL
    decides today", and the outcome names the fact to find out.
  - Urgency: call 999 only when a child is in danger right now (NCA alert, April 2024); tell
    the DSL in person now when a referral factor is yes, when it is not known whether a child is
    at immediate risk or in danger now, or when there are threats or demands; otherwise the
    report tells the DSL at once and the DSL reviews it today (UKCIS 2024 staff overview).
  - Typology (Wolak and Finkelhor 2011, as UKCIS uses it): by what happened, not by the tool.
    Aggravated: an adult, threats or demands, pressure, or an image made, sent or shown without
    the knowledge or against the will of the child in it (someone else nudifying a child's photo
    is); experimental: the child's own image, kept or sent willingly to one person, nothing else
    of concern; not typed: no image known; otherwise not yet known, naming what to find out.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

from . import rules_2026_01, rules_2026_12
from .checklist import Checklist
from .engine import (
    AGGRAVATED,
    CALL_999,
    DSL_REVIEW_TODAY,
    EXPERIMENTAL,
    FIND_OUT,
    INVALID_ANSWER,
    NOT_KNOWN_ALIASES,
    NOT_TYPED,
    NOT_YET_KNOWN,
    REFERRAL_LABELS,
    REFERRAL_NO,
    REFERRAL_NOT_KNOWN,
    REFERRAL_YES,
    REFERRALS,
    TELL_DSL_NOW,
    TYPOLOGIES,
    TYPOLOGY_LABELS,
    URGENCIES,
    URGENCY_LABELS,
    Action,
    Factor,
    Outcome,
    clean_answers,
)

__all__ = [
    "AGGRAVATED",
    "CALL_999",
    "DSL_REVIEW_TODAY",
    "EXPERIMENTAL",
    "FIND_OUT",
    "HEADLINES",
    "INVALID_ANSWER",
    "NOT_KNOWN_ALIASES",
    "NOT_TYPED",
    "NOT_YET_KNOWN",
    "REFERRALS",
    "REFERRAL_FACTOR_IDS",
    "REFERRAL_LABELS",
    "REFERRAL_NO",
    "REFERRAL_NOT_KNOWN",
    "REFERRAL_YES",
    "REQUIRED_ADVICE_IDS",
    "SEXTORTION_ADVICE_IDS",
    "TELL_DSL_NOW",
    "TYPOLOGIES",
    "TYPOLOGY_LABELS",
    "URGENCIES",
    "URGENCY_LABELS",
    "Action",
    "Factor",
    "Outcome",
    "check_checklist",
    "clean_answers",
    "rules_for",
    "triage",
]

MISSING_CONTENT = "Checklist {version} lacks what the triage engine needs: {missing}."
UNKNOWN_RULES = "Checklist {version} names rules {rules!r}, which the triage engine does not know."

RULE_SETS: dict[str, ModuleType] = {
    rules_2026_01.RULES: rules_2026_01,
    rules_2026_12.RULES: rules_2026_12,
}
CURRENT_RULES = rules_2026_12

# The newest rule set's names, for callers that show or check them.
REFERRAL_FACTOR_IDS = CURRENT_RULES.REFERRAL_FACTOR_IDS
SEXTORTION_ADVICE_IDS = CURRENT_RULES.SEXTORTION_ADVICE_IDS
REQUIRED_ADVICE_IDS = CURRENT_RULES.REQUIRED_ADVICE_IDS
HEADLINES = CURRENT_RULES.HEADLINES


def rules_for(checklist: Checklist) -> ModuleType:
    try:
        return RULE_SETS[checklist.rules]
    except KeyError:
        raise ValueError(
            UNKNOWN_RULES.format(version=checklist.version, rules=checklist.rules)
        ) from None


def check_checklist(checklist: Checklist) -> None:
    """Raise ValueError if `checklist` lacks a question or advice its rule set uses."""
    rules = rules_for(checklist)
    factor_ids = {q.id for q in checklist.referral_factors}
    question_ids = {q.id for q in checklist.questions}
    advice_ids = {a.id for a in checklist.advice}
    missing = [i for i in rules.REFERRAL_FACTOR_IDS if i not in factor_ids]
    missing += [i for i in getattr(rules, "REQUIRED_QUESTION_IDS", ()) if i not in question_ids]
    missing += [i for i in rules.REQUIRED_ADVICE_IDS if i not in advice_ids]
    if missing:
        raise ValueError(
            MISSING_CONTENT.format(version=checklist.version, missing=", ".join(missing))
        )


def triage(checklist: Checklist, answers: Mapping[str, str]) -> Outcome:
    """The outcome of `answers` (question id -> "yes" | "no" | "not_known" | a choice value)."""
    return rules_for(checklist).triage(checklist, answers)
