"""The referral summary carries every answer the reporter gave, question by question, for the
checklist version they answered ("not known" as "To find out"), the initial review's answers and
the checklist's outcome after it, and the DSL's decision beside the checklist's."""

from django.utils import timezone

from cases import services
from cases.referral_pdf import render_referral_pdf
from tests.cases.conftest import ALL_NOT_KNOWN, make_reported
from tests.cases.test_initial_review import REPORTED
from tests.cases.test_referral_line import pdf_words


def test_every_answer_of_an_older_version_is_in_the_summary(cast):
    incident = make_reported(cast.school_a, cast.teacher, ALL_NOT_KNOWN, version="2026-09")
    text = pdf_words(render_referral_pdf(incident, generated_by=cast.dsl))
    section = text.split("What the reporter answered", 1)[1].split("Referrals made", 1)[0]
    assert "Is an adult involved in any way? To find out" in section
    assert "Who made the image? Another pupil at this school" in section
    assert "Roughly how many people have the image? 11 to 50 people" in section
    assert "Has that device been switched off and given to the DSL? No" in section
    assert "8 still to find out" in section
    # A question the reporter was never asked is said so, not left out or made "No".
    assert "Has the child been told how to get the image taken down" in section


def test_the_review_and_the_decision_are_in_the_summary(cast):
    incident = make_reported(cast.school_a, cast.teacher, REPORTED, version="2026-12")
    services.record_initial_review(
        incident=incident,
        actor=cast.dsl,
        held_on=timezone.localdate(),
        answers={"adult_involved": "yes", "creator": "adult"},
    )
    services.override_triage(
        incident=incident,
        actor=cast.dsl,
        referral="yes",
        urgency="tell_dsl_now",
        typology="aggravated",
        sextortion="no",
    )
    text = pdf_words(render_referral_pdf(incident, generated_by=cast.dsl))
    assert (
        "Immediate referral: Yes: refer Checklist after the initial review: Yes: refer today "
        "(when reported: Not known yet: the DSL decides today); DSL decided: Yes: refer"
    ) in text
    assert "agreeing with the checklist" in text
    answered = text.split("What the reporter answered", 1)[1]
    assert (
        "Is an adult involved in any way? Not known when reported. Found out at the initial "
        "review: Yes"
    ) in answered
    assert (
        "What the DSL found out: Is an adult involved in any way? Yes Who made the image? An adult"
        in text
    )
    assert "The checklist after this review: immediate referral: Yes: refer today" in text
