"""The staff briefing is the checklist's own words: never a second copy of them."""

import dataclasses

import pytest

from guidance import briefing
from guidance.checklist import current_version, load_checklist

from .test_plain_english import grade

# About 150 words a minute on a phone; the briefing must take five minutes at most.
WORDS_IN_FIVE_MINUTES = 750


def checklist_words(checklist) -> set[str]:
    texts = {advice.text for advice in checklist.advice}
    texts |= {question.text for question in checklist.questions}
    texts |= {question.help for question in checklist.questions}
    texts |= {choice.label for question in checklist.questions for choice in question.choices}
    return texts


def test_every_point_is_a_checklist_item_shown_with_its_words_and_source():
    checklist = load_checklist()
    built = briefing.briefing_for()
    assert built.version == current_version()
    words = checklist_words(checklist)
    sources = {a.source for a in checklist.advice} | {q.source for q in checklist.questions}
    for point in built.points:
        assert point.source in sources, point.key
        if point.key.startswith("kinds:"):
            assert point.items and set(point.items) <= words
        else:
            assert point.text in words, point.key
        if point.detail:
            assert point.detail in words


def test_nothing_the_briefing_names_is_missing_from_the_current_version():
    built = briefing.briefing_for()
    named = {ref.key for _, _, refs in briefing.SECTIONS for ref in refs}
    assert {point.key for point in built.points} == named
    explained = {ref.key for *_, refs in briefing.QUESTIONS for ref in refs}
    assert explained <= named  # every explanation is something the briefing already said


def test_it_covers_what_every_member_of_staff_must_know():
    built = briefing.briefing_for()
    text = " ".join(
        [p.text for p in built.points]
        + [p.detail for p in built.points]
        + [i for p in built.points for i in p.items]
    )
    for words in (
        "illegal",
        "made with AI",
        "nudified",
        "A real nude or semi-nude photo",
        "Pupils who make these images may think it is a joke. It is still illegal.",
        "Do not look at, copy, print, share, store or save the image",
        "Do not delete the image",
        "Tell the DSL or a deputy now",
        "call 999",
        "Tell the child they were right to tell you",
        "not to pay",
        "threatened to share an image",
        "block them",
        "Send this report now",
    ):
        assert words in text, words


def test_a_changed_guidance_item_changes_the_briefing():
    checklist = load_checklist()
    new_words = "Do not delete anything, and never ask the child to."
    changed = dataclasses.replace(
        checklist,
        version="2027-01",
        advice=tuple(
            dataclasses.replace(a, text=new_words) if a.id == "dont_delete" else a
            for a in checklist.advice
        ),
    )
    before = briefing.build_briefing(checklist)
    after = briefing.build_briefing(changed)
    assert new_words in [p.text for p in after.points]
    assert new_words not in [p.text for p in before.points]
    # The understanding question about deleting explains itself with the new words too.
    delete = next(q for q in after.questions if q.id == "delete")
    assert [p.text for p in delete.explanation] == [new_words]
    assert briefing.wording_digest(before) != briefing.wording_digest(after)
    changes = briefing.changes_between(before, after)
    assert [(c.old.key, c.new.text) for c in changes.reworded] == [
        ("advice:dont_delete", new_words)
    ]
    assert not changes.added and not changes.removed


def test_a_new_source_alone_is_not_a_change_staff_must_read():
    checklist = load_checklist()
    changed = dataclasses.replace(
        checklist,
        advice=tuple(
            dataclasses.replace(a, source=a.source + " (reprinted)", awaiting_confirmation=False)
            for a in checklist.advice
        ),
    )
    before, after = briefing.build_briefing(checklist), briefing.build_briefing(changed)
    assert briefing.changes_between(before, after).is_empty
    assert briefing.wording_digest(before) == briefing.wording_digest(after)


def test_an_item_a_version_drops_leaves_the_briefing_and_shows_as_removed():
    checklist = load_checklist()
    dropped = dataclasses.replace(
        checklist, advice=tuple(a for a in checklist.advice if a.id != "stay_with_child")
    )
    changes = briefing.changes_between(
        briefing.build_briefing(checklist), briefing.build_briefing(dropped)
    )
    assert [p.key for p in changes.removed] == ["advice:stay_with_child"]


def test_it_reads_in_five_minutes_with_three_to_five_questions():
    built = briefing.briefing_for()
    assert built.words <= WORDS_IN_FIVE_MINUTES
    assert 3 <= len(built.questions) <= 5
    for question in built.questions:
        assert question.right in [c.value for c in question.choices]
        assert len(question.choices) >= 3
        assert question.explanation


@pytest.mark.parametrize("question", briefing.briefing_for().questions, ids=lambda q: q.id)
def test_the_questions_are_plain(question):
    assert grade(question.text) <= 8
    for choice in question.choices:
        assert grade(choice.label) <= 10
