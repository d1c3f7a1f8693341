"""A DSL's morning in the browser: sign in with two-factor, open the oldest urgent case,
acknowledge it, record the review meeting, a referral and a decision, and close it.
Each page is screenshotted to test-artifacts/ and checked with axe-core."""

import re
from datetime import timedelta

from django.utils import timezone

from cases.models import Decision, Referral, ReviewMeeting, StatusChange
from incidents.models import Incident, PupilRole, Status, Urgency
from tests.browser.conftest import check_accessibility, screenshot, sign_in_in_browser
from tests.cases.conftest import make_incident, make_pupil


def look(page, name: str, heading: str) -> None:
    page.get_by_role("heading", name=heading, exact=False).first.wait_for()
    check_accessibility(page, name)
    screenshot(page, f"dsl-morning-{name}")


def test_a_dsl_works_through_the_oldest_urgent_case(page, cast):
    amy = make_pupil(cast.school_a, "Amy", "Jones")
    make_incident(
        cast.school_a, cast.teacher, urgency=Urgency.DSL_REVIEW_TODAY, age=timedelta(days=2)
    )
    make_incident(cast.school_a, cast.teacher, urgency=Urgency.TELL_DSL_NOW, age=timedelta(hours=1))
    oldest_urgent = make_incident(
        cast.school_a,
        cast.teacher,
        urgency=Urgency.TELL_DSL_NOW,
        age=timedelta(hours=9),
        pupils=[(amy, PupilRole.PICTURED)],
    )
    today = timezone.localdate().isoformat()

    sign_in_in_browser(page, cast.dsl)
    page.get_by_role("heading", name="Hello, Dana").wait_for()

    page.goto("/cases/")
    page.wait_for_url(re.compile(r"/s/oakwood/cases/$"))
    look(page, "1-inbox", "Cases")
    first_case = page.locator("table.app-inbox tbody tr").first
    assert "Not acknowledged" in first_case.inner_text()
    first_case.get_by_role("link").first.click()

    page.wait_for_url(re.compile(rf"/cases/{oldest_urgent.reference}/$"))
    look(page, "2-case", f"Case {oldest_urgent.reference}")
    page.get_by_role("button", name="Acknowledge this case").click()
    page.get_by_text("You have acknowledged this case.").wait_for()
    look(page, "3-acknowledged", f"Case {oldest_urgent.reference}")

    page.get_by_role("link", name="Change the status").click()
    look(page, "4-status", "Change the status")
    page.get_by_label("Start the review").check()
    page.get_by_role("button", name="Change status").click()
    page.get_by_text("The case is now under review.").wait_for()

    page.get_by_role("link", name="Initial review", exact=True).click()
    look(page, "5-initial-review", "Initial review")
    page.get_by_label("Date of the review").fill(today)
    page.get_by_label("Who took part (optional)").fill(
        "Dana Lee (DSL), Dev Patel (deputy DSL), head of year"
    )
    page.get_by_label("Whether any child is at immediate risk").check()
    page.get_by_label(
        "Whether a referral to the police or children's social care is needed"
    ).check()
    page.get_by_label("Whether and how to tell parents or carers").check()
    page.get_by_label("What was discussed and agreed (optional)").fill("Refer to the police today.")
    page.get_by_role("button", name="Save the initial review").click()
    page.get_by_text("Saved.").wait_for()

    page.get_by_role("link", name="Referral", exact=True).click()
    look(page, "6-referral", "Record a referral")
    page.get_by_label("Police").check()
    page.get_by_label("Date of the referral").fill(today)
    page.get_by_label("Their reference").fill("CAD-4471")
    page.get_by_label("Who you spoke to").fill("PC Shah, 101")
    page.get_by_role("button", name="Save the referral").click()
    page.get_by_text("Saved.").wait_for()

    page.get_by_role("link", name="Decision", exact=True).click()
    look(page, "7-decision", "Record a decision")
    page.get_by_label("Refer to the police or children's social care").check()
    page.get_by_label("Reasons").fill("Threats were made: a child may be being blackmailed.")
    page.get_by_role("button", name="Save the decision").click()
    page.get_by_text("Saved.").wait_for()

    page.get_by_role("link", name="Change the status").click()
    page.get_by_label("Referred to another agency").check()
    page.get_by_role("button", name="Change status").click()
    page.get_by_text("The case is now referred.").wait_for()

    page.get_by_role("link", name="Change the status").click()
    page.get_by_label("Close the case").check()
    page.get_by_label("Referred: another agency is leading").check()
    page.get_by_role("button", name="Change status").click()
    page.get_by_text("Write why the case can be closed.").first.wait_for()
    look(page, "8-close-needs-a-reason", "Change the status")
    page.get_by_label("Reason").fill("Police are leading; support plan in place for the pupil.")
    page.get_by_role("button", name="Change status").click()
    page.get_by_text("The case is now closed.").wait_for()
    look(page, "9-closed", f"Case {oldest_urgent.reference}")

    oldest_urgent.refresh_from_db()
    assert oldest_urgent.status == Status.CLOSED
    assert oldest_urgent.assigned_to == cast.dsl
    assert ReviewMeeting.objects.get(incident=oldest_urgent).considered == [
        "immediate_risk",
        "referral_needed",
        "parents",
    ]
    assert Referral.objects.get(incident=oldest_urgent).their_reference == "CAD-4471"
    assert Decision.objects.get(incident=oldest_urgent).decision == Decision.Choice.REFER
    closing = StatusChange.objects.filter(incident=oldest_urgent).last()
    assert closing.closing_outcome == StatusChange.ClosingOutcome.AGENCY_LEADING
    assert Incident.objects.filter(status=Status.NEW).count() == 2
    assert not page.script_errors
