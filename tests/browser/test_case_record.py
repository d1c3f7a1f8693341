"""The case record in a real browser, as a DSL works it: the reporter's answers with what is
still to find out, the initial review, and the DSL's decision beside the checklist's, at desktop
and phone width, with axe finding nothing."""

import pytest
from django.urls import reverse

from cases.models import ReviewMeeting, TriageOverride
from incidents.models import PupilRole
from tests.cases.conftest import ALL_NOT_KNOWN, make_pupil, make_reported

from .conftest import check_accessibility, screenshot, sign_in_in_browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def reported(cast):
    amy = make_pupil(cast.school_a, "Amy", "Jones")
    ben = make_pupil(cast.school_a, "Ben", "Carter")
    return make_reported(
        cast.school_a,
        cast.teacher,
        ALL_NOT_KNOWN,
        pupils=[(amy, PupilRole.PICTURED), (ben, PupilRole.ALLEGED_CREATOR)],
        kind="ai_generated",
        account="Amy said Ben made a picture of her with an app and put it in the year group chat.",
    )


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_dsl_reviews_a_case_nobody_could_answer_and_decides(page, cast, reported):
    sign_in_in_browser(page, cast.dsl)
    case_url = reverse("cases:detail", kwargs={"reference": reported.reference})
    page.goto(case_url)

    referral = page.locator('[data-part="referral"] dd')
    assert referral.inner_text().startswith("To find out Not known yet: the DSL decides today")
    answers = page.locator("#answers ~ dl.app-answers").first
    assert "To find out" in answers.inner_text()
    check_accessibility(page, "case page, as reported")
    screenshot(page, "case-record-1-as-reported")

    page.get_by_role("link", name="Start the initial review").click()
    page.get_by_role("heading", name="Initial review").wait_for()
    check_accessibility(page, "initial review form")
    # The reporter could not say whether an adult is involved: the DSL found out.
    page.get_by_role("group", name="Is an adult involved in any way?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("group", name="Is any child at risk of harm right now").get_by_label(
        "No", exact=True
    ).check()
    screenshot(page, "case-record-2-initial-review-form")
    page.get_by_label("Who took part (optional)").fill("Dana Lee (DSL), Dev Patel (deputy DSL)")
    page.get_by_label("Whether any child is at immediate risk").check()
    page.get_by_role("button", name="Save the initial review").click()
    page.get_by_text("Saved.").wait_for()

    review = ReviewMeeting.objects.get(incident=reported)
    assert review.answers["adult_involved"] == "yes"
    reported.refresh_from_db()
    assert reported.answers == ALL_NOT_KNOWN  # the reporter's answers are never changed
    assert page.locator('[data-part="referral"] dd').inner_text().startswith("Yes: refer today")
    screenshot(page, "case-record-3-reviewed")

    page.get_by_role("link", name="Record your decision").click()
    page.get_by_role("heading", name="Your decision on the triage outcome").wait_for()
    check_accessibility(page, "decision form")
    page.get_by_role("group", name="Urgency").get_by_label("Tell the DSL now").check()
    page.get_by_label("Your reason about the urgency").fill("The police want to see her today.")
    page.get_by_role("button", name="Save the decision").click()
    page.get_by_text("Saved.").wait_for()

    decision = TriageOverride.objects.get(incident=reported)
    assert (decision.referral, decision.urgency) == ("yes", "tell_dsl_now")
    urgency = page.locator('[data-part="urgency"] dd').inner_text()
    # The DSL's words once acknowledged or decided, never the reporter's "Tell the DSL now".
    assert urgency.startswith("Urgent")
    assert "Dana Lee decided: Urgent" in urgency
    assert "Tell the DSL now" not in urgency
    assert "because: The police want to see her today." in urgency
    check_accessibility(page, "case page, reviewed and decided")
    screenshot(page, "case-record-4-decided")

    page.set_viewport_size(PHONE)
    page.goto(case_url)
    assert no_sideways_scroll(page)
    check_accessibility(page, "case page on a phone")
    screenshot(page, "case-record-5-phone")
    page.goto(reverse("cases:inbox", kwargs={"school": cast.school_a.slug}))
    assert no_sideways_scroll(page)
    check_accessibility(page, "inbox on a phone")
    screenshot(page, "case-record-6-inbox-phone")
    assert not page.script_errors


def test_the_initial_review_asks_a_question_only_once_it_applies(page, cast):
    from tests.cases.test_initial_review import REPORTED

    incident = make_reported(cast.school_a, cast.teacher, REPORTED, version="2026-12")
    sign_in_in_browser(page, cast.dsl)
    page.goto(reverse("cases:review_meeting", kwargs={"reference": incident.reference}))
    how_many = page.get_by_role("group", name="Roughly how many people have the image")
    assert not how_many.is_visible()
    page.get_by_role("group", name="How far has the image been shared?").get_by_label(
        "Not shared with anyone"
    ).check()
    assert not how_many.is_visible()
    page.get_by_role("group", name="How far has the image been shared?").get_by_label(
        "In a group chat"
    ).check()
    assert how_many.is_visible()
    check_accessibility(page, "initial review, 2026-12")
    screenshot(page, "case-record-7-initial-review-2026-12")
    how_many.get_by_label("2 to 10 people").check()
    page.get_by_role("button", name="Save the initial review").click()
    page.get_by_text("Saved.").wait_for()
    review = ReviewMeeting.objects.get(incident=incident)
    assert review.answers == {"spread_platforms": "group_chat", "spread_recipients": "few"}
    assert not page.script_errors
