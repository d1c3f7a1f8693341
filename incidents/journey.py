"""The shape of the reporting journey: which checklist questions the reporter answers, on which
page, and which of them apply to the answers so far. Pure: no database, no requests.

The reporter answers the checklist's staff part only: staff report what they know, at once, and
finding out more is the DSL's job at the initial review (UKCIS 2024). The image's nature and
whether anyone made threats are asked on "What happened"; the rest of the staff part on
"Questions". A question is asked only when its `ask_if` holds for the answers given so far: no
"was the device switched off?" without a device.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from guidance.checklist import STAFF, YES, Checklist, Question, load_checklist

# The steps after "Before you start", in order; "checklist" is the Questions page.
STEPS = ("what", "who", "checklist")
WHAT_QUESTION_IDS = ("image_nature", "threats_or_demands")

# What the reporter says in words after a "yes": who the adult is; what the device is and where
# it is now; who saw the image and roughly when (never what it showed).
FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "adult_involved": ("adults_description",),
    "device_involved": ("device_details",),
    "imagery_viewed": ("imagery_viewed_by", "imagery_viewed_when"),
}
REQUIRED_FOLLOW_UPS = frozenset({"adults_description", "device_details", "imagery_viewed_by"})
FOLLOW_UP_FIELDS = tuple(name for names in FOLLOW_UPS.values() for name in names)

# Drafts begun before the journey kept the version they started under were all begun under
# this one (drafts live 7 days, and it was the current version then).
UNPINNED_DRAFT_VERSION = "2026-09"
# Those drafts said what the report was about in one answer, the "kind".
LEGACY_KIND_TO_IMAGE_NATURE = {
    "ai_generated": "ai_generated",
    "nudified": "nudified",
    "sextortion": "sextortion",
    "real_nudes": "real_nudes",
    "not_sure": "not_known",
}


def staff_questions(checklist: Checklist) -> tuple[Question, ...]:
    return checklist.questions_for(STAFF)


def what_questions(checklist: Checklist) -> tuple[Question, ...]:
    """Asked on "What happened": what the image is, and whether anyone made threats."""
    return tuple(q for q in staff_questions(checklist) if q.id in WHAT_QUESTION_IDS)


def page_questions(checklist: Checklist) -> tuple[Question, ...]:
    """Asked on "Questions": the rest of the staff part."""
    return tuple(q for q in staff_questions(checklist) if q.id not in WHAT_QUESTION_IDS)


def asked_answers(checklist: Checklist, answers: Mapping[str, str]) -> dict[str, str]:
    """The answers to staff questions that are asked, given each other: an answer to a question
    whose `ask_if` no longer holds (the device was changed to "no") is dropped, and so is any
    answer that depended on it."""
    questions = {q.id: q for q in staff_questions(checklist)}
    kept = {qid: value for qid, value in answers.items() if qid in questions and value}
    while True:
        still = {qid: value for qid, value in kept.items() if questions[qid].is_asked(kept)}
        if still == kept:
            return kept
        kept = still


def is_asked(question: Question, checklist: Checklist, answers: Mapping[str, str]) -> bool:
    return question.is_asked(asked_answers(checklist, answers))


def follow_ups_asked(answers: Mapping[str, str]) -> tuple[str, ...]:
    """The words asked for after the "yes" answers among `answers` (already `asked_answers`)."""
    return tuple(
        name
        for question_id, names in FOLLOW_UPS.items()
        if answers.get(question_id) == YES
        for name in names
    )


def unanswered_step(
    checklist: Checklist, answers: Mapping[str, str], details: Mapping[str, str]
) -> str | None:
    """The first step ("what" or "checklist") with a question asked but not answered, or words
    needed after a "yes" and not given; None when every step is answered."""
    asked = asked_answers(checklist, answers)
    for step, questions in (("what", what_questions), ("checklist", page_questions)):
        for question in questions(checklist):
            if question.is_asked(asked) and question.id not in asked:
                return step
            for name in FOLLOW_UPS.get(question.id, ()):
                if (
                    asked.get(question.id) == YES
                    and name in REQUIRED_FOLLOW_UPS
                    and not details.get(name)
                ):
                    return step
    return None


def has_questions_step(checklist: Checklist, answers: Mapping[str, str]) -> bool:
    """Whether the Questions page has anything to ask, given the answers so far."""
    asked = asked_answers(checklist, answers)
    return any(question.is_asked(asked) for question in page_questions(checklist))


def steps(checklist: Checklist, answers: Mapping[str, str]) -> list[str]:
    """Every step the reporter sees, numbered in this order: a step with nothing to ask is left
    out, so "step 3 of 5" is never shown twice and never skips a number."""
    shown = ["start", "what", "who"]
    if has_questions_step(checklist, answers):
        shown.append("checklist")
    return [*shown, "check"]


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def upgrade_legacy_draft(data: dict[str, Any]) -> dict[str, Any]:
    """A draft begun before the image's nature and threats were asked apart, and before the
    adults question joined the other questions, in today's shape. It keeps the checklist
    version it was begun under; nothing it holds is lost. Drafts in today's shape are returned
    as they are."""
    if "version" in data:
        return data
    data = {**data}
    checklist_part = data.pop("checklist", {}) or {}
    version = checklist_part.get("version") or UNPINNED_DRAFT_VERSION
    checklist = load_checklist(version)
    answers: dict[str, str] = dict(checklist_part.get("answers", {}))
    what = dict(data.get("what", {}))
    kind = what.pop("kind", None)
    offered = (
        checklist.question("image_nature").choice_values()
        if checklist.has_question("image_nature")
        else ()
    )
    nature = LEGACY_KIND_TO_IMAGE_NATURE.get(kind or "")
    if nature in offered:
        answers.setdefault("image_nature", nature)
    if kind == "sextortion":
        answers["threats_or_demands"] = YES
    who = dict(data.get("who", {}))
    adults = who.pop("adults_involved", None)
    description = who.pop("adults_description", "")
    if adults:
        answers.setdefault("adult_involved", adults)
    data.update(
        version=version,
        answers=answers,
        details={"adults_description": description} if description else {},
        who=who,
    )
    if "what" in data:
        data["what"] = what
    return data
