"""Records follow the work, in the browser on a desktop and a phone: a decision to manage a case
in school offers the matching status move, and only the click makes it; a note says when what
it records happened, and the timeline puts it there, marked as recorded late. axe-clean."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

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


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_note_about_something_days_ago_goes_where_it_happened_marked_late(page, cast, device):
    if device == "phone":
        page.set_viewport_size(PHONE)
    incident = make_incident(
        cast.school_a, cast.teacher, status=Status.UNDER_REVIEW, age=timedelta(days=5)
    )
    three_days_ago = timezone.localdate() - timedelta(days=3)
    sign_in_in_browser(page, cast.dsl)

    page.goto(f"/cases/{incident.reference}/")
    page.get_by_role("link", name="Add a note").first.click()
    look(page, f"{device}-3-note-form", "Add a note")
    assert page.get_by_label("Date it happened").input_value() == timezone.localdate().isoformat()
    assert page.get_by_label("Time it happened (optional)").input_value()  # now, to the minute
    page.get_by_label("Note", exact=True).fill("Her mum rang to say the messages had stopped.")
    page.get_by_label("Date it happened").fill(three_days_ago.isoformat())
    page.get_by_label("Time it happened (optional)").fill("16:45")
    page.get_by_role("button", name="Add the note").click()

    page.get_by_text("Saved.").wait_for()
    look(page, f"{device}-4-timeline", f"Case {incident.reference}")
    entries = page.locator(".app-timeline__item")
    first = entries.first.inner_text()
    assert "Added a note" in first
    assert f"{three_days_ago:%-d %B %Y}, 16:45" in first
    assert f"Recorded 3 days later, on {timezone.localdate():%-d %B %Y}." in first
    page.locator(".app-timeline").scroll_into_view_if_needed()
    screenshot(page, f"follow-the-work-{device}-4-timeline-view")
    assert not page.script_errors
