"""A DSL signs in with email, password and a two-factor code and reaches the home page; axe-core
finds nothing wrong with any page on the way."""

import re

from tests.browser.conftest import (
    check_accessibility,
    current_totp_code,
    screenshot,
)
from tests.conftest import PASSWORD


def test_a_dsl_signs_in_with_a_code_and_reaches_home(page, cast):
    page.goto("/sign-in/")
    page.get_by_role("heading", name="Sign in").wait_for()
    check_accessibility(page, "sign-in")
    screenshot(page, "sign-in")

    page.get_by_label("Email address").fill(cast.dsl.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(re.compile(r"/two-factor/check/"))
    page.get_by_role("heading", name="Enter your code").wait_for()
    check_accessibility(page, "two-factor check")
    screenshot(page, "two-factor-check")

    page.locator("input[autocomplete=one-time-code]").fill(current_totp_code(cast.dsl))
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(re.compile(r"/$"))
    page.get_by_role("heading", name="Hello, Dana").wait_for()
    assert page.get_by_role("link", name="Case inbox").get_attribute("href") == "/s/oakwood/cases/"
    assert page.get_by_role("link", name="What to do right now").is_visible()
    check_accessibility(page, "home")
    screenshot(page, "home-dsl")
    assert page.script_errors == []


def test_home_reads_on_a_phone(page, cast):
    from tests.browser.conftest import sign_in_in_browser

    page.set_viewport_size({"width": 360, "height": 740})
    sign_in_in_browser(page, cast.teacher)
    page.get_by_role("heading", name="Hello, Tom").wait_for()
    # Nothing wider than the screen: no sideways scrolling on a phone.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert page.get_by_role("link", name="What to do right now").is_visible()
    # The menu folds away behind a button on a phone.
    sign_out = page.get_by_role("button", name="Sign out")
    assert not sign_out.is_visible()
    page.get_by_role("button", name="Menu").click()
    assert sign_out.is_visible()
    check_accessibility(page, "home on a phone, menu open")
    screenshot(page, "home-teacher-phone")
    assert page.script_errors == []
