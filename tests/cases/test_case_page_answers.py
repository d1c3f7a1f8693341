"""The case page shows every answer the reporter gave, question by question, for the checklist
version they answered: 'not known' as a highlighted 'To find out', and how many are still open.
(The referral summary PDF is held to the same in tests/pdf/test_answers_in_summary.py.)"""

import re

from django.urls import reverse

from guidance.checklist import load_checklist

from .conftest import ALL_NOT_KNOWN, make_reported

TO_FIND_OUT = '<strong class="govuk-tag govuk-tag--yellow">To find out</strong>'


def answer_rows(html: str) -> dict[str, str]:
    """The reporter's answers section: question id -> the answer cell's HTML, in page order."""
    section = html.split('id="answers"', 1)[1].split("What the checklist advised", 1)[0]
    rows = re.findall(r'data-question="([a-z0-9_]+)">.*?<dd[^>]*>(.*?)</dd>', section, re.S)
    assert len({qid for qid, _ in rows}) == len(rows)  # no question shown twice
    return dict(rows)


def words(cell: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def case_page(client, incident) -> str:
    response = client.get(reverse("cases:detail", kwargs={"reference": incident.reference}))
    assert response.status_code == 200
    return response.content.decode()


def test_every_answer_of_an_older_version_is_on_the_case_page(cast, client_for):
    incident = make_reported(cast.school_a, cast.teacher, ALL_NOT_KNOWN, version="2026-09")
    html = case_page(client_for(cast.dsl), incident)
    rows = answer_rows(html)

    # Every question of the version is there, in the checklist's order, none left out.
    checklist = load_checklist("2026-09")
    assert list(rows) == [q.id for q in checklist.questions]
    assert words(rows["spread_recipients"]) == "11 to 50 people"
    assert words(rows["creator"]) == "Another pupil at this school"
    assert words(rows["device_involved"]) == "Yes"
    assert words(rows["device_secured"]) == "No"
    assert words(rows["threats_or_demands"]) == "No"
    # "Not known" is "To find out", highlighted, never "No".
    for factor in checklist.referral_factors:
        assert rows[factor.id] == TO_FIND_OUT, factor.id
    # A question the reporter was never asked is said to be open, not dropped or made "No".
    assert words(rows["removal_offered"]) == "Not answered: to find out"
    assert "8 things are still to find out" in words(html)


def test_the_staff_part_of_2026_12_is_on_the_case_page_with_threats_and_the_device(
    cast, client_for
):
    answers = {
        "image_nature": "ai_generated",
        "threats_or_demands": "yes",
        "adult_involved": "not_known",
        "coercion_or_capacity": "yes",
        "unusual_or_violent": "no",
        "sexual_acts_under_13": "no",
        "immediate_risk": "not_known",
        "danger_now": "no",
        "device_involved": "yes",
        "device_secured": "yes",
        "imagery_viewed": "yes",
    }
    incident = make_reported(cast.school_a, cast.teacher, answers, version="2026-12")
    html = case_page(client_for(cast.dsl), incident)
    rows = answer_rows(html)

    checklist = load_checklist("2026-12")
    staff_part = [q.id for q in checklist.questions if q.part == "staff"]
    assert list(rows) == staff_part  # the DSL's review questions are the review's, not here
    assert words(rows["image_nature"]) == checklist.question("image_nature").label_for(
        "ai_generated"
    )
    assert words(rows["threats_or_demands"]) == "Yes"  # the threat does not hide the AI image
    assert words(rows["device_secured"]) == "Yes"
    assert words(rows["imagery_viewed"]) == "Yes"
    assert rows["adult_involved"] == TO_FIND_OUT
    assert rows["immediate_risk"] == TO_FIND_OUT
    assert words(rows["danger_now"]) == "No"
    assert "2 things are still to find out" in words(html)
