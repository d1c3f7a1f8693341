"""axe-core over the everyday pages each role opens, at desktop width, signed in for real, and
the pages someone signed out opens: password reset, the guidance, an invitation."""

import re

import pytest

from safeguarding import people
from safeguarding.models import Role
from tests.browser.conftest import check_accessibility, screenshot, sign_in_in_browser

PAGES = {
    "dsl": [
        "/",
        "/guidance/right-now/",
        "/account/",
        "/my-reports/",
        "/notifications/",
        "/s/oakwood/cases/",
        "/s/oakwood/pupils/",
        "/s/oakwood/report/",
        "/s/oakwood/statistics/",
        "/s/oakwood/notification-settings/",
        "/guidance/briefing/",
        "/s/oakwood/staff-briefing/",
    ],
    "admin": ["/", "/s/oakwood/people/", "/s/oakwood/people/invite/"],
    "trust_lead": ["/t/northfield/statistics/", "/t/northfield/staff-briefing/"],
}


@pytest.mark.parametrize("who", list(PAGES))
def test_everyday_pages_have_no_accessibility_violations(page, cast, who):
    sign_in_in_browser(page, getattr(cast, who))
    page.wait_for_url("**/")
    for path in PAGES[who]:
        response = page.goto(path)
        assert response is not None and response.status == 200, (who, path)
        check_accessibility(page, f"{path} as {who}")
        screenshot(page, f"a11y-{who}-{path.strip('/').replace('/', '-') or 'home'}")
    assert page.script_errors == []


def test_the_person_and_two_factor_reset_pages_have_no_accessibility_violations(page, cast):
    sign_in_in_browser(page, cast.admin)
    page.wait_for_url("**/")
    person = f"/s/oakwood/people/{cast.dsl.pk}/"
    for path in (person, f"{person}two-factor/reset/"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        check_accessibility(page, path)
    screenshot(page, "a11y-admin-two-factor-reset")
    assert page.script_errors == []


def test_the_checklist_pages_a_dsl_reaches_from_home_have_no_accessibility_violations(page, cast):
    sign_in_in_browser(page, cast.dsl)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Triage checklist").click()
    page.wait_for_url("**/guidance/checklists/")
    check_accessibility(page, "checklist versions")
    page.get_by_role("button", name="Show what changed").click()
    page.wait_for_url("**/guidance/checklists/compare/**")
    check_accessibility(page, "checklist compare")
    page.get_by_role("link", name="All versions").click()
    page.locator("main table a").first.click()
    page.wait_for_url("**/guidance/checklists/*/")
    check_accessibility(page, "checklist version")
    screenshot(page, "a11y-dsl-checklist-version")
    assert page.script_errors == []


def test_the_signed_out_pages_have_no_accessibility_violations(page, cast, mailoutbox):
    people.invite(
        actor=cast.admin, school=cast.school_a, email="new@oakwood.test", roles=[Role.DSL]
    )
    join = re.search(r"(/s/oakwood/people/join/\S+/)", mailoutbox[-1].body).group(1)
    for path in ("/password-reset/", "/password-reset/sent/", "/guidance/right-now/", join):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        check_accessibility(page, path)
    screenshot(page, "a11y-join")
    assert page.script_errors == []
