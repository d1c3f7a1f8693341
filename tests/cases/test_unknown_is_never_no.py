"""Property: whatever the reporter answered, for every checklist version, a case with a reason
to refer that is not known shows no "No" for immediate referral on the case page, the inbox or
the PDF, and each such factor is "To find out" among the reporter's answers."""

import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.referral_pdf import render_referral_pdf
from guidance.checklist import NOT_KNOWN, load_checklist, versions

from .conftest import make_reported
from .test_referral_line import pdf_words, referral_row

NO_WORDS = re.compile(r"\b(No|not indicated|not required)\b")


def answers_with_an_unknown_factor(version: str):
    checklist = load_checklist(version)
    factors = [q.id for q in checklist.referral_factors]

    @st.composite
    def build(draw):
        answers = {}
        for question in checklist.questions:
            value = draw(st.sampled_from([*question.choice_values(), None]))
            if value is not None:
                answers[question.id] = value
        # At least one reason to refer is "not known" (or was never answered).
        open_factor = draw(st.sampled_from(factors))
        if draw(st.booleans()):
            answers[open_factor] = NOT_KNOWN
        else:
            answers.pop(open_factor, None)
        return answers

    return build()


@pytest.mark.parametrize("version", versions())
def test_an_unknown_reason_to_refer_never_shows_no(cast, client_for, version):
    client = client_for(cast.dsl)
    inbox_url = reverse("cases:inbox", kwargs={"school": cast.school_a.slug})
    checklist = load_checklist(version)

    @settings(
        max_examples=8,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(answers=answers_with_an_unknown_factor(version))
    def check(answers):
        incident = make_reported(cast.school_a, cast.teacher, answers, version=version)
        assert incident.referral in ("yes", "not_known")

        html = client.get(
            reverse("cases:detail", kwargs={"reference": incident.reference})
        ).content.decode()
        row = referral_row(html)
        assert not NO_WORDS.match(row), row
        assert 'data-current="no"' not in html.split('data-part="urgency"')[0]
        for factor in checklist.referral_factors:
            if answers.get(factor.id, NOT_KNOWN) == NOT_KNOWN and factor.is_asked(answers):
                answered = re.search(
                    rf'data-question="{factor.id}">.*?<dd[^>]*>(.*?)</dd>', html, re.S
                ).group(1)
                assert "to find out" in answered.lower() and not NO_WORDS.search(answered)

        inbox = client.get(inbox_url, {"status": "all"}).content.decode()
        entry = inbox[inbox.index(incident.reference) :].split("</tr>")[0]
        assert 'data-referral="no"' not in entry
        assert "No immediate referral" not in entry

        text = pdf_words(render_referral_pdf(incident, generated_by=cast.dsl))
        line = text.split("Immediate referral: ", 1)[1].split(" Urgency: ")[0]
        assert not NO_WORDS.match(line), line
        assert "not indicated" not in text

    check()
