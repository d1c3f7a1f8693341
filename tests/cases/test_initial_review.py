"""The DSL's initial review: the checklist's review questions (each only when it applies) and
what the reporter did not know, answered by the DSL and kept as the DSL's record; the reporter's
answers are never changed, and the checklist is run again over both, beside the original."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import ReviewMeeting
from tests.conftest import post_form

from .conftest import make_reported

# Checklist 2026-12, as a member of staff answers its staff part: an AI image, no threats, and
# nobody knows whether an adult is involved.
REPORTED = {
    "image_nature": "ai_generated",
    "threats_or_demands": "no",
    "adult_involved": "not_known",
    "coercion_or_capacity": "no",
    "unusual_or_violent": "no",
    "sexual_acts_under_13": "no",
    "immediate_risk": "no",
    "device_involved": "no",
    "imagery_viewed": "no",
}


@pytest.fixture
def reported(cast):
    return make_reported(cast.school_a, cast.teacher, REPORTED, version="2026-12")


def test_the_review_asks_the_review_questions_and_what_the_reporter_did_not_know(reported):
    asked = [q.id for q in services.review_questions(reported)]
    assert asked == [
        "adult_involved",  # the reporter did not know
        "creator",
        "original_source",
        "pictured_child_willing",
        "spread_platforms",
        "spread_recipients",  # asked only given how far it spread: settled on saving
        "removal_offered",
    ]


def test_a_review_keeps_the_dsls_answers_and_reruns_the_checklist(cast, reported):
    before = services.case_events(reported).count()
    review = services.record_initial_review(
        incident=reported,
        actor=cast.dsl,
        held_on=timezone.localdate(),
        answers={
            "adult_involved": "yes",
            "creator": "adult",
            "spread_platforms": "not_shared",
            "spread_recipients": "many",  # not asked when it was not shared: dropped
        },
    )
    reported.refresh_from_db()
    assert reported.answers == REPORTED  # never changed
    assert review.answers == {
        "adult_involved": "yes",
        "creator": "adult",
        "spread_platforms": "not_shared",
    }
    assert review.checklist_version == "2026-12"
    assert review.outcome["referral_factors"]  # an adult is involved: refer
    assert reported.referral == "not_known"  # the checklist's when reported, unchanged

    assessment = services.current_assessment(reported)
    assert assessment.referral.reported.value == "not_known"
    assert assessment.referral.reviewed.value == "yes"
    assert assessment.referral.current.value == "yes"
    assert not assessment.referral.decided

    events = services.case_events(reported)
    assert events.count() == before + 1
    event = events.last()
    assert event.data["record"] == "review_meeting"
    assert event.data["referral"] == "yes"
    assert event.data["answered"] == ["adult_involved", "creator", "spread_platforms"]


def test_a_review_never_answers_for_the_reporter(cast, reported):
    with pytest.raises(services.CaseError):
        services.record_initial_review(
            incident=reported,
            actor=cast.dsl,
            held_on=timezone.localdate(),
            answers={"threats_or_demands": "yes"},  # the reporter said no
        )
    assert not ReviewMeeting.objects.exists()


def test_the_case_page_shows_the_review_beside_what_was_reported(cast, reported, client_for):
    client = client_for(cast.deputy)
    url = reverse("cases:review_meeting", kwargs={"reference": reported.reference})
    form = client.get(url).content.decode()
    assert "What the reporter did not know" in form
    assert "The checklist&#x27;s questions for the initial review" in form
    # How many have it is asked only given how far it spread, which is on the same page.
    assert 'data-ask-if="{&quot;answer_spread_platforms&quot;' in form
    response = post_form(
        client,
        url,
        {
            "held_on": timezone.localdate().isoformat(),
            "answer_adult_involved": "yes",
            "answer_creator": "adult",
            "answer_spread_platforms": "group_chat",
            "answer_spread_recipients": "few",
            "considered": ["immediate_risk"],
        },
    )
    assert response.status_code == 302
    html = client.get(
        reverse("cases:detail", kwargs={"reference": reported.reference})
    ).content.decode()
    assert "Checklist after the initial review: Yes: refer today" not in html  # no decision yet
    assert "The checklist's, after the initial review (when reported: Not known yet" in html
    assert "Not known when reported. Found out at the initial review: <strong>Yes</strong>" in html
    assert "The checklist after this review" in html
    assert "What the DSL found out" in html


def test_a_second_review_starts_from_the_first(cast, reported, client_for):
    services.record_initial_review(
        incident=reported,
        actor=cast.dsl,
        held_on=timezone.localdate(),
        answers={"creator": "pupil_here"},
    )
    form = client_for(cast.dsl).get(
        reverse("cases:review_meeting", kwargs={"reference": reported.reference})
    )
    assert form.context["form"].initial["answer_creator"] == "pupil_here"
    second = services.record_initial_review(
        incident=reported,
        actor=cast.dsl,
        held_on=timezone.localdate(),
        answers={"spread_platforms": "private_message"},
    )
    assert second.answers == {"creator": "pupil_here", "spread_platforms": "private_message"}
