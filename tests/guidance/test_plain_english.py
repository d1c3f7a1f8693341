"""Staff-facing wording reads at about age 12 (Flesch-Kincaid grade 7; US grade + 5 = age).

A rough, dependency-free measure: it catches long sentences and long words, not meaning.
"""

import re

import pytest

from guidance import staff_guidance
from guidance.checklist import load_checklist, versions


def syllables(word: str) -> int:
    word = re.sub(r"[^a-z]", "", word.lower())
    if not word:
        return 0
    count = len(re.findall(r"[aeiouy]+", word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


def grade(text: str) -> float:
    sentences = max(1, len(re.findall(r"[.!?]+", text)))
    words = re.findall(r"[A-Za-z']+", text)
    return 0.39 * len(words) / sentences + 11.8 * sum(map(syllables, words)) / len(words) - 15.59


def test_the_measure_tells_plain_from_dense():
    assert grade("Tell the DSL now. Do not look at it.") < 3
    assert grade("Consideration of contextual safeguarding vulnerabilities is required.") > 15


def test_what_to_do_right_now_is_plain():
    grades = [grade(point.text) for point in staff_guidance.all_points()]
    assert max(grades) <= 10
    assert sum(grades) / len(grades) <= 6


@pytest.mark.parametrize("version", versions())
def test_the_questions_staff_answer_are_plain(version):
    checklist = load_checklist(version)
    texts = [q.text for q in checklist.questions] + [q.help for q in checklist.questions if q.help]
    grades = [grade(text) for text in texts]
    assert max(grades) <= 10
    assert sum(grades) / len(grades) <= 7
