"""The five-minute staff briefing, built from a checklist version's own items. Pure Python.

Nothing here rewords the guidance. Each point names a checklist item (an advice item, a
question, or the kinds of image a question offers) and shows that item's words and source as
the version publishes them, so a new version's wording reaches the briefing by itself. What the
briefing adds is its running order, its headings and its understanding questions, whose
explanations are again checklist items. An item a version lacks is left out of its briefing.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass

from .checklist import NOT_KNOWN, Checklist, load_checklist

ADVICE = "advice"
QUESTION = "question"  # the question's words and its help text
HELP = "help"  # a question's help text on its own
KINDS_OF_IMAGE = "kinds"  # the answers a question offers, as a list

# Answers that are not a kind of image.
NOT_A_KIND = (NOT_KNOWN, "no_image_known")


@dataclass(frozen=True)
class Ref:
    kind: str
    id: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class Point:
    key: str
    text: str
    source: str
    awaiting_confirmation: bool = False
    detail: str = ""  # a question's help text
    items: tuple[str, ...] = ()  # the kinds of image


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class UnderstandingQuestion:
    id: str
    text: str
    choices: tuple[Choice, ...]
    right: str
    explanation: tuple[Point, ...]


@dataclass(frozen=True)
class Briefing:
    version: str
    sections: tuple[Section, ...]
    questions: tuple[UnderstandingQuestion, ...]

    @property
    def points(self) -> tuple[Point, ...]:
        return tuple(point for section in self.sections for point in section.points)

    @property
    def words(self) -> int:
        texts = [p.text for p in self.points] + [p.detail for p in self.points]
        texts += [item for p in self.points for item in p.items]
        texts += [q.text for q in self.questions]
        texts += [c.label for q in self.questions for c in q.choices]
        return sum(len(text.split()) for text in texts)


SECTIONS: tuple[tuple[str, str, tuple[Ref, ...]], ...] = (
    (
        "law",
        "What the law says",
        (
            Ref(ADVICE, "offence_for_pupils"),
            Ref(ADVICE, "treat_as_csam"),
            Ref(KINDS_OF_IMAGE, "image_nature"),
            Ref(HELP, "creator"),
        ),
    ),
    (
        "never-the-image",
        "Never look at, keep or delete the image",
        (Ref(ADVICE, "dont_view"), Ref(ADVICE, "dont_delete"), Ref(ADVICE, "viewed_support")),
    ),
    (
        "tell-the-dsl",
        "Tell the DSL at once",
        (
            Ref(ADVICE, "tell_dsl_now"),
            Ref(ADVICE, "danger_not_known"),
            Ref(ADVICE, "stay_with_child"),
        ),
    ),
    (
        "what-to-say",
        "What to say to the child",
        (Ref(ADVICE, "reassure_child"), Ref(ADVICE, "record_words")),
    ),
    (
        "sextortion",
        "Sextortion: the signs and what to do",
        (
            Ref(QUESTION, "threats_or_demands"),
            Ref(ADVICE, "sx_dont_pay"),
            Ref(ADVICE, "sx_block"),
            Ref(ADVICE, "sx_keep_evidence"),
            Ref(ADVICE, "sx_not_to_blame"),
            Ref(ADVICE, "sx_report"),
            Ref(ADVICE, "sx_remove"),
        ),
    ),
    ("device", "A phone or computer with the image on it", (Ref(ADVICE, "secure_device"),)),
    ("report-here", "How to report here", (Ref(ADVICE, "report_to_dsl"),)),
)

# (id, question, ((value, answer), ...), the right answer, the items that explain it)
QUESTIONS: tuple[tuple[str, str, tuple[tuple[str, str], ...], str, tuple[Ref, ...]], ...] = (
    (
        "fake",
        "A pupil says a nude picture of her is fake: someone made it with an app. Is it "
        "still illegal?",
        (
            ("no", "No, because it is not a real photo"),
            ("yes", "Yes, it is treated just like a real photo"),
            ("looks_real", "Only if it looks real"),
        ),
        "yes",
        (Ref(ADVICE, "treat_as_csam"),),
    ),
    (
        "joke",
        "A pupil made a nude picture of a classmate with an app, as a joke. Is that against "
        "the law?",
        (
            ("no", "No, it was only a joke"),
            ("shared", "Only if he sends it to someone"),
            ("yes", "Yes, it is still illegal"),
        ),
        "yes",
        # Making one is already the offence, not only sending it on.
        (Ref(HELP, "creator"), Ref(ADVICE, "offence_for_pupils"), Ref(ADVICE, "treat_as_csam")),
    ),
    (
        "shown",
        "A pupil holds out a phone and says: look, this picture of my friend is going round. "
        "What do you do?",
        (
            ("look", "Look, so you can tell the DSL what it shows"),
            ("send", "Ask the pupil to send it to you, to keep as evidence"),
            ("dont_look", "Do not look at it, and tell the DSL straight away"),
        ),
        "dont_look",
        (Ref(ADVICE, "dont_view"), Ref(ADVICE, "tell_dsl_now")),
    ),
    (
        "delete",
        "The pupil asks you to delete the picture from their phone. What do you do?",
        (
            ("delete", "Delete it, to protect them"),
            ("ask_them", "Ask them to delete it themselves"),
            ("keep", "Delete nothing, and tell the DSL"),
        ),
        "keep",
        (Ref(ADVICE, "dont_delete"),),
    ),
    (
        "threat",
        "A boy says someone online wants money, or they will share a nude picture of him. "
        "What do you tell him?",
        (
            ("pay", "Pay once, so that it stops"),
            ("dont_pay", "Do not pay, stop replying, block them and delete nothing"),
            ("delete_chat", "Delete the chat and the picture straight away"),
        ),
        "dont_pay",
        (Ref(ADVICE, "sx_dont_pay"), Ref(ADVICE, "sx_block"), Ref(ADVICE, "sx_keep_evidence")),
    ),
)


def _point(checklist: Checklist, ref: Ref) -> Point | None:
    if ref.kind == ADVICE:
        if not any(a.id == ref.id for a in checklist.advice):
            return None
        advice = checklist.advice_for(ref.id)
        return Point(ref.key, advice.text, advice.source, advice.awaiting_confirmation)
    if not checklist.has_question(ref.id):
        return None
    question = checklist.question(ref.id)
    if ref.kind == HELP:
        if not question.help:
            return None
        return Point(ref.key, question.help, question.source, question.awaiting_confirmation)
    if ref.kind == QUESTION:
        return Point(
            ref.key,
            question.text,
            question.source,
            question.awaiting_confirmation,
            detail=question.help,
        )
    kinds = tuple(c.label for c in question.choices if c.value not in NOT_A_KIND)
    return Point(
        ref.key,
        "It is the same for every kind of image:",
        question.source,
        question.awaiting_confirmation,
        items=kinds,
    )


def build_briefing(checklist: Checklist) -> Briefing:
    sections = []
    for section_id, heading, refs in SECTIONS:
        points = tuple(p for p in (_point(checklist, ref) for ref in refs) if p is not None)
        if points:
            sections.append(Section(section_id, heading, points))
    questions = []
    for question_id, text, choices, right, refs in QUESTIONS:
        explanation = tuple(p for p in (_point(checklist, ref) for ref in refs) if p)
        if explanation:
            questions.append(
                UnderstandingQuestion(
                    question_id,
                    text,
                    tuple(Choice(value, label) for value, label in choices),
                    right,
                    explanation,
                )
            )
    return Briefing(checklist.version, tuple(sections), tuple(questions))


def briefing_for(version: str | None = None) -> Briefing:
    """The briefing of checklist `version` (None: the current one)."""
    return build_briefing(load_checklist(version))


def wording_digest(briefing: Briefing) -> str:
    """What staff read, and nothing else: a new version changes it only when the words do."""
    words = [
        (s.heading, [(p.key, p.text, p.detail, list(p.items)) for p in s.points])
        for s in briefing.sections
    ]
    return hashlib.sha256(json.dumps(words, ensure_ascii=False).encode()).hexdigest()


@functools.cache
def _digest_of(version: str) -> str:
    return wording_digest(briefing_for(version))


def same_briefing_as_current(version: str) -> bool:
    try:
        return _digest_of(version) == _digest_of(load_checklist().version)
    except LookupError:  # a version this copy of the service does not have
        return False


@dataclass(frozen=True)
class Reworded:
    old: Point
    new: Point


@dataclass(frozen=True)
class BriefingChanges:
    old_version: str
    new_version: str
    added: tuple[Point, ...]
    removed: tuple[Point, ...]
    reworded: tuple[Reworded, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.reworded)


def changes_between(old: Briefing, new: Briefing) -> BriefingChanges:
    """What a member of staff who read `old` must read again: points added, removed or
    reworded. A new source or confirmation flag alone changes nothing they were told."""
    old_points = {p.key: p for p in old.points}
    new_points = {p.key: p for p in new.points}
    reworded = tuple(
        Reworded(old_points[p.key], p)
        for p in new.points
        if p.key in old_points
        and (old_points[p.key].text, old_points[p.key].detail, old_points[p.key].items)
        != (p.text, p.detail, p.items)
    )
    return BriefingChanges(
        old_version=old.version,
        new_version=new.version,
        added=tuple(p for p in new.points if p.key not in old_points),
        removed=tuple(p for p in old.points if p.key not in new_points),
        reworded=reworded,
    )
