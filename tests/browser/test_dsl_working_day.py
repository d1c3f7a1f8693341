"""A DSL's working day in the browser, on a desktop and on a phone: the home says what needs
them -> the oldest unacknowledged case -> the earlier case of the same pupil -> search for the
pupil -> close the new report as a duplicate of the earlier one. axe-clean on every page."""

import re
from datetime import timedelta

import pytest

from incidents.models import Incident, PupilRole, Status
from tests.browser.conftest import check_accessibility, screenshot, sign_in_in_browser
from tests.cases.conftest import make_incident, make_pupil

PHONE = {"width": 390, "height": 844}


def look(page, name: str, heading: str) -> None:
    page.get_by_role("heading", name=heading, exact=False).first.wait_for()
    check_accessibility(page, name)
    screenshot(page, f"dsl-day-{name}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name} is {width}px wide"


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_dsl_goes_from_the_home_to_an_earlier_case_and_closes_a_duplicate(page, cast, device):
    if device == "phone":
        page.set_viewport_size(PHONE)
    amy = make_pupil(cast.school_a, "Siân", "O’Brien")
    amy.child_protection_plan = True
    amy.save()
    earlier = make_incident(
        cast.school_a,
        cast.teacher,
        age=timedelta(days=3),
        status=Status.UNDER_REVIEW,
        pupils=[(amy, PupilRole.PICTURED)],
    )
    newest = make_incident(
        cast.school_a, cast.teacher, age=timedelta(hours=5), pupils=[(amy, PupilRole.PICTURED)]
    )

    sign_in_in_browser(page, cast.dsl)
    look(page, f"{device}-1-home", "Hello, Dana")
    needs = page.locator("#cases-due-oakwood")
    assert "1 case not acknowledged" in needs.inner_text()
    needs.get_by_role("link", name=newest.reference).click()

    page.wait_for_url(re.compile(rf"/cases/{newest.reference}/$"))
    look(page, f"{device}-2-case", f"Case {newest.reference}")
    pupils = page.locator("#pupils + ul")
    assert "Also in 1 earlier case" in pupils.inner_text()
    assert "Child protection plan" in pupils.inner_text()
    pupils.get_by_role("link", name=earlier.reference).click()
    look(page, f"{device}-3-earlier-case", f"Case {earlier.reference}")

    page.goto("/")
    page.get_by_role("link", name="Search cases").click()
    look(page, f"{device}-4-search", "Search cases")
    page.get_by_role("textbox", name="Search cases").fill("sian obrien")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/cases/search/\?search="))
    assert "obrien" not in page.url.lower()
    look(page, f"{device}-5-results", "2 cases found")

    page.get_by_role("link", name=newest.reference).click()
    page.get_by_role("link", name="Close as a duplicate of another case").click()
    look(page, f"{device}-6-duplicate", "Close as a duplicate")
    page.get_by_label("The case this one duplicates").fill(earlier.reference.lower())
    page.get_by_role("button", name="Close as a duplicate").click()
    page.get_by_text("Write why this case is a duplicate").first.wait_for()
    check_accessibility(page, f"{device}-6-duplicate-error")
    page.get_by_label("Why is this case a duplicate?").fill("Reported again by her form tutor.")
    page.get_by_role("button", name="Close as a duplicate").click()

    page.get_by_text(f"Closed as a duplicate of {earlier.reference}.").first.wait_for()
    look(page, f"{device}-7-closed", f"Case {newest.reference}")
    newest.refresh_from_db()
    assert newest.status == Status.CLOSED and newest.duplicate_of == earlier
    page.locator("#duplicate-of").get_by_role("link", name=earlier.reference).click()
    page.get_by_text(f"{newest.reference} was closed as a duplicate of this case").wait_for()
    look(page, f"{device}-8-original", f"Case {earlier.reference}")
    assert Incident.objects.not_duplicates().count() == 1
    assert not page.script_errors
