"""The guidance pages in a real browser: one click from home, fits a phone, prints cleanly."""

import pytest

from tests.browser import conftest as browser_tests
from tests.browser.conftest import check_accessibility, screenshot, sign_in_in_browser

pytestmark = pytest.mark.browser

# The browser tests' fixtures, shared rather than copied.
browser = browser_tests.browser
page = browser_tests.page


def test_a_teacher_reaches_what_to_do_right_now_in_one_click_on_a_phone(page, cast):
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in_in_browser(page, cast.teacher)
    page.get_by_role("heading", name="Hello, Tom").wait_for()
    page.get_by_role("link", name="What to do right now").click()
    page.get_by_role("heading", name="What to do right now", level=1).wait_for()
    assert page.url.endswith("/guidance/right-now/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    check_accessibility(page, "what to do right now on a phone")
    screenshot(page, "guidance-right-now-phone")
    assert page.script_errors == []


def test_the_printed_page_is_just_the_advice(page, db):
    page.goto("/guidance/right-now/")
    header_link = page.locator(".app-header__urgent")
    assert header_link.is_visible()
    page.emulate_media(media="print")
    assert not header_link.is_visible()
    assert not page.locator("footer").is_visible()
    assert page.get_by_role("heading", name="Do not").is_visible()
    assert page.get_by_text("call 999 and stay with them").is_visible()
    assert page.get_by_role("heading", name="How quickly to tell the DSL").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_a_dsl_reads_the_checklist_versions_and_what_changed(page, cast):
    sign_in_in_browser(page, cast.dsl)
    page.get_by_role("heading", name="Hello, Dana").wait_for()
    page.goto("/guidance/checklists/")
    check_accessibility(page, "checklist versions")
    page.get_by_role("button", name="Show what changed").click()
    # The newest two by default: 2026-12b added one point on the law and changed nothing else.
    page.get_by_role("heading", name="What changed from 2026-12 to 2026-12b").wait_for()
    assert page.get_by_role("heading", name="Questions added (0)").is_visible()
    assert page.get_by_role("heading", name="Advice changed").is_visible()
    assert page.get_by_text("Added: It is a crime to make, keep or send").is_visible()
    assert page.get_by_role("heading", name="How the outcome is worked out").count() == 0
    check_accessibility(page, "checklist compare")
    screenshot(page, "guidance-checklist-compare")
    page.get_by_role("link", name="All versions").click()
    page.get_by_role("link", name="2026-12b", exact=True).click()
    page.get_by_role("heading", name="Version 2026-12b").wait_for()
    check_accessibility(page, "checklist version")
    screenshot(page, "guidance-checklist-version")
    assert page.script_errors == []
