"""The staff briefing in a real browser on a phone: a member of staff is reminded, reads it,
checks their understanding and confirms; the DSL and trust lead see who has."""

import pytest

from guidance.checklist import current_version
from guidance.models import BriefingConfirmation
from tests.browser import conftest as browser_tests
from tests.browser.conftest import check_accessibility, screenshot, sign_in_in_browser

pytestmark = pytest.mark.browser

browser = browser_tests.browser
page = browser_tests.page

PHONE = {"width": 360, "height": 740}


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_a_teacher_reads_checks_and_confirms_the_briefing_on_a_phone(page, cast):
    page.set_viewport_size(PHONE)
    sign_in_in_browser(page, cast.teacher)
    page.get_by_role("heading", name="Hello, Tom").wait_for()
    reminder = page.locator("#briefing-reminder")
    assert reminder.is_visible()
    # Reporting comes first: the report link is still there, above nothing that hides it.
    assert page.get_by_role("link", name="Report a concern").is_visible()
    check_accessibility(page, "home with the briefing reminder on a phone")
    screenshot(page, "briefing-home-reminder-phone")

    reminder.get_by_role("link", name="Please read the staff briefing").click()
    page.get_by_role(
        "heading", name="Nude images of children, including ones made with AI"
    ).wait_for()
    no_sideways_scroll(page)
    check_accessibility(page, "staff briefing on a phone")
    assert page.get_by_role("heading", name="1. What the law says").is_visible()

    page.get_by_role("group", name="A pupil says a nude picture of her is fake").get_by_label(
        "Only if it looks real"
    ).check()
    page.get_by_role("group", name="A pupil holds out a phone").get_by_label(
        "Do not look at it, and tell the DSL straight away"
    ).check()
    page.get_by_role("button", name="Check my answers").click()
    page.get_by_text(
        "Not quite. The answer is: Yes, it is treated just like a real photo."
    ).wait_for()
    assert page.get_by_text(
        "Right: Do not look at it, and tell the DSL straight away."
    ).is_visible()
    assert page.get_by_label("Only if it looks real").is_checked()  # nothing typed is lost
    no_sideways_scroll(page)
    check_accessibility(page, "staff briefing with answers explained on a phone")
    screenshot(page, "briefing-answers-phone")

    page.get_by_role("button", name="I have read and understood this briefing").click()
    page.get_by_text("You have confirmed that you read the briefing").wait_for()
    assert page.locator("#briefing-reminder").count() == 0
    check_accessibility(page, "home after confirming")
    confirmation = BriefingConfirmation.objects.get(user=cast.teacher)
    assert confirmation.version == current_version()
    assert page.script_errors == []


def test_the_dsl_sees_who_has_read_it_on_a_phone(page, cast):
    BriefingConfirmation.objects.create(user=cast.deputy, version=current_version())
    page.set_viewport_size(PHONE)
    sign_in_in_browser(page, cast.dsl)
    page.get_by_role("heading", name="Hello, Dana").wait_for()
    page.get_by_role("link", name="Who has read the staff briefing").click()
    page.get_by_role("heading", name="Staff briefing at Oakwood Academy").wait_for()
    assert page.get_by_text("1 of 4 people have read the current version.").is_visible()
    no_sideways_scroll(page)
    check_accessibility(page, "who has read the briefing")
    screenshot(page, "briefing-dsl-list-phone")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the list (CSV)").click()
    assert download.value.suggested_filename.startswith("staff-briefing-oakwood-")


def test_the_trust_lead_sees_the_share_briefed(page, cast):
    BriefingConfirmation.objects.create(user=cast.deputy, version=current_version())
    page.set_viewport_size(PHONE)
    sign_in_in_browser(page, cast.trust_lead)
    page.get_by_role("heading", name="Hello, Lena").wait_for()
    page.get_by_role("link", name="Staff briefed at each school").click()
    page.get_by_role("heading", name="Staff briefing across Northfield Learning Trust").wait_for()
    assert page.get_by_role("cell", name="25% 1 of 4").is_visible()
    no_sideways_scroll(page)
    check_accessibility(page, "staff briefed across the trust")
    screenshot(page, "briefing-trust-phone")


def test_a_teacher_who_read_2026_12_reads_what_changed_on_a_phone(page, cast):
    BriefingConfirmation.objects.create(user=cast.teacher, version="2026-12")
    page.set_viewport_size(PHONE)
    sign_in_in_browser(page, cast.teacher)
    page.get_by_role("heading", name="Hello, Tom").wait_for()
    page.get_by_role("link", name="The staff briefing has changed: read what changed").click()
    page.get_by_role("heading", name="What changed since you last read it").wait_for()
    changes = page.locator(".app-briefing-changes")
    assert changes.get_by_text("You read version 2026-12 on").is_visible()
    assert changes.get_by_role("heading", name="New").is_visible()
    assert changes.get_by_text("It is a crime to make, keep or send a sexual image").is_visible()
    law = page.get_by_role("heading", name="1. What the law says")
    assert law.is_visible()
    no_sideways_scroll(page)
    check_accessibility(page, "what changed in the staff briefing on a phone")
    screenshot(page, "briefing-what-changed-phone")

    page.get_by_role("link", name="Confirm you have read what changed").click()
    page.get_by_role("button", name="I have read and understood this briefing").click()
    page.get_by_text("You have confirmed that you read the briefing").wait_for()
    assert BriefingConfirmation.objects.filter(
        user=cast.teacher, version=current_version()
    ).exists()
    assert page.script_errors == []
