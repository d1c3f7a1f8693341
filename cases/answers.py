"""The checklist answers on a case, question by question, for the version the incident was
answered against: what the reporter said, and what the DSL found out at the initial review.

"Not known" (or a question asked and left unanswered) reads "To find out", flagged so the case
page and the PDF highlight it: it is never hidden and never shown as "No".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from guidance.checklist import NOT_KNOWN, REVIEW, STAFF, Checklist, Question, load_checklist

TO_FIND_OUT = "To find out"
NOT_ANSWERED = "Not answered: to find out"
OTHER_SECTION = "Other answers"


@dataclass(frozen=True)
class AnswerRow:
    question_id: str
    question: str
    answer: str
    to_find_out: bool
    # What the DSL's initial review found out, for an answer that was not known.
    found_out: str = ""

    @property
    def still_to_find_out(self) -> bool:
        return self.to_find_out and not self.found_out


@dataclass(frozen=True)
class AnswerSection:
    title: str
    rows: tuple[AnswerRow, ...]


def checklist_of(version: str) -> Checklist | None:
    """The checklist `version`, or None for a version this service no longer has."""
    try:
        return load_checklist(version)
    except LookupError:
        return None


def _humanise(question_id: str) -> str:
    return question_id.replace("_", " ").strip().capitalize()


def _row(question: Question, value: str | None) -> AnswerRow:
    if value is None or value == "":
        return AnswerRow(question.id, question.text, NOT_ANSWERED, True)
    if value == NOT_KNOWN:
        return AnswerRow(question.id, question.text, TO_FIND_OUT, True)
    return AnswerRow(question.id, question.text, question.label_for(value), False)


def _sections(rows: list[tuple[str, AnswerRow]]) -> list[AnswerSection]:
    grouped: dict[str, list[AnswerRow]] = {}
    for section, row in rows:
        grouped.setdefault(section, []).append(row)
    return [AnswerSection(title, tuple(section_rows)) for title, section_rows in grouped.items()]


def _others(checklist: Checklist | None, answers: Mapping[str, str], shown: set[str]) -> list:
    """Answers to questions the version does not have (kept, never dropped), by their id."""
    rows = []
    for question_id, value in answers.items():
        if question_id in shown or (checklist and checklist.has_question(question_id)):
            continue
        open_ = value in (None, "", NOT_KNOWN)
        answer = TO_FIND_OUT if open_ else _humanise(str(value))
        rows.append((OTHER_SECTION, AnswerRow(question_id, _humanise(question_id), answer, open_)))
    return rows


def reporter_answers(incident, found_out: Mapping[str, str] | None = None) -> list[AnswerSection]:
    """Every question the reporter was asked, in checklist order, with their answer, and for
    one they could not answer, what the initial review found out (`found_out`: the reviews'
    answers), if anything.

    Questions the checklist asks at the DSL's initial review are left to `review_questions`,
    unless the reporter answered them (older versions asked the reporter everything).
    Questions not asked because of an earlier answer (`ask_if`) are left out."""
    answers = incident.answers or {}
    found_out = found_out or {}
    checklist = checklist_of(incident.checklist_version)
    rows: list[tuple[str, AnswerRow]] = []
    shown: set[str] = set()
    if checklist is not None:
        for question in checklist.questions:
            answered = question.id in answers
            if question.part == REVIEW and not answered:
                continue
            if not answered and not question.is_asked(answers):
                continue
            row = _row(question, answers.get(question.id))
            found = found_out.get(question.id)
            if row.to_find_out and found not in (None, "", NOT_KNOWN):
                row = replace(row, found_out=question.label_for(found))
            rows.append((question.section, row))
            shown.add(question.id)
    rows += _others(checklist, answers, shown)
    return _sections(rows)


def unknowns_count(sections: list[AnswerSection]) -> int:
    """Answers still to find out: not known when reported, and not found out since."""
    return sum(row.still_to_find_out for section in sections for row in section.rows)


def merged_review_answers(reviews) -> dict[str, str]:
    """The DSL's answers over every initial review recorded, the latest winning."""
    merged: dict[str, str] = {}
    for review in reviews:
        merged.update(review.answers or {})
    return merged


def review_questions(
    checklist: Checklist, reporter: Mapping[str, str], reviewed: Mapping[str, str]
) -> list[Question]:
    """The questions of the DSL's initial review, in checklist order: the checklist's review
    questions, and the reporter's questions they could not answer ("not known" or left out).

    A question whose `ask_if` rests on answers already given is left out when they rule it out;
    one resting on another question of the review stays (it is settled when the review is
    saved, see `asked_answers`)."""
    known = {**reporter, **reviewed}
    in_review: set[str] = set()
    questions = []
    for question in checklist.questions:
        if question.part == STAFF and reporter.get(question.id, NOT_KNOWN) != NOT_KNOWN:
            continue
        depends_on_review = any(qid in in_review for qid, _ in question.ask_if)
        if not depends_on_review and not question.is_asked(known):
            continue
        questions.append(question)
        in_review.add(question.id)
    return questions


def asked_answers(
    checklist: Checklist, reporter: Mapping[str, str], review: Mapping[str, str]
) -> dict[str, str]:
    """The review's answers without those to questions that, given every other answer, are not
    asked (say, whether a device was secured once the DSL found there is none)."""
    kept = dict(review)
    changed = True
    while changed:  # dropping one answer may rule out a question that depended on it
        changed = False
        for question in checklist.questions:
            if question.id in kept and not question.is_asked({**reporter, **kept}):
                del kept[question.id]
                changed = True
    return kept


def review_answer_rows(checklist: Checklist | None, answers: Mapping[str, str]) -> list:
    """The DSL's answers at one review, question by question."""
    rows: list[tuple[str, AnswerRow]] = []
    if checklist is not None:
        for question in checklist.questions:
            if question.id in answers:
                rows.append((question.section, _row(question, answers[question.id])))
    rows += _others(checklist, answers, {row.question_id for _, row in rows})
    return _sections(rows)
