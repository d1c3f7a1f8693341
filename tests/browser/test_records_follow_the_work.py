"""Records follow the work, in the browser on a desktop and a phone: a decision to manage a case
in school offers the matching status move, and only the click makes it. axe-clean."""

import re

import pytest

from incidents.models import Status
from tests.browser.conftest import check_accessibility, screenshot, sign_in_in_browser
from tests.cases.conftest import make_incident

PHONE = {"width": 390, "height": 844}


def look(page, name: str, heading: str) -> None:
    page.get_by_role("heading", name=heading, exact=False).first.wait_for()
    check_accessibility(page, name)
    screenshot(page, f"follow-the-work-{name}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name} is {width}px wide"


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_decision_to_manage_in_school_then_no_further_action_moves_and_closes(page, cast, device):
    if device == "phone":
        page.set_viewport_size(PHONE)
    incident = make_incident(cast.school_a, cast.teacher, status=Status.UNDER_REVIEW)
    sign_in_in_browser(page, cast.dsl)

    page.goto(f"/cases/{incident.reference}/decision/")
    page.get_by_label("Do not refer: manage it in school").check()
    page.get_by_label("Reasons").fill("No factor applies; the head of year will support her.")
    page.get_by_role("button", name="Save the decision").click()
    look(page, f"{device}-1-offer-managed", "Move the case to managed in school?")
    incident.refresh_from_db()
    assert incident.status == Status.UNDER_REVIEW
    page.get_by_role("button", name="Move the case to managed in school").click()
    page.get_by_text("The case is now managed in school.").wait_for()
    incident.refresh_from_db()
    assert incident.status == Status.MANAGED_IN_SCHOOL

    page.goto(f"/cases/{incident.reference}/decision/")
    page.get_by_label("No further action").check()
    page.get_by_label("Reasons").fill("Support is in place and working.")
    page.get_by_role("button", name="Save the decision").click()
    look(page, f"{device}-2-offer-close", "Close the case: no further action?")
    reason = page.get_by_label("Why the case can be closed")
    assert reason.input_value() == "Support is in place and working."
    page.get_by_role("button", name="Close the case").click()
    page.get_by_text("The case is now closed.").wait_for()
    page.wait_for_url(re.compile(rf"/cases/{incident.reference}/$"))
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    assert not page.script_errors
