"""Seen as its users see it: an alert the mail server refused, from the DSL's banner to telling
the person in person; the trust lead's banner; the reporter's 'My reports'. axe finds nothing."""

import pytest

from notifications.models import Failure, Kind, Outbox, OutboxStatus
from tests.browser.conftest import check_accessibility, screenshot, sign_in_in_browser
from tests.notifications.conftest import make_incident

BANNER = "email alert about concerns at Oakwood Academy has not been delivered"


@pytest.fixture
def refused(cast):
    incident = make_incident(cast, urgent=True)
    sent = Outbox.objects.create(
        recipient=cast.dsl,
        kind=Kind.NEW_CASE,
        school=cast.school_a,
        incident_id=incident.pk,
        reference=incident.reference,
        urgent=True,
        status=OutboxStatus.FAILED,
        failure=Failure.REFUSED,
        attempts=1,
        idempotency_key="refused-dsl",
    )
    Outbox.objects.create(
        recipient=cast.deputy,
        kind=Kind.NEW_CASE,
        school=cast.school_a,
        incident_id=incident.pk,
        reference=incident.reference,
        urgent=True,
        status=OutboxStatus.FAILED,
        failure=Failure.REFUSED,
        attempts=1,
        idempotency_key="refused-deputy",
    )
    return sent


def test_a_dsl_follows_the_banner_and_says_they_told_the_person(page, cast, refused):
    sign_in_in_browser(page, cast.deputy)
    page.wait_for_url("**/")
    assert "2 email alerts about concerns at Oakwood Academy have not been delivered" in (
        page.locator(".app-delivery-warning").inner_text()
    )
    check_accessibility(page, "home with the banner")
    screenshot(page, "alerts-deputy-home-banner")
    page.get_by_role("link", name="See who was not told, and tell them in person").click()
    page.wait_for_url("**/s/oakwood/alerts-not-delivered/")
    assert page.locator(".app-delivery-warning").count() == 0  # no banner pointing at itself
    check_accessibility(page, "alerts not delivered")
    screenshot(page, "alerts-not-delivered-page")
    row = page.get_by_role("row").filter(has_text=cast.dsl.email)
    row.get_by_role("button", name="I have told them").click()
    page.wait_for_url("**/s/oakwood/alerts-not-delivered/")
    assert "Marked as dealt with." in page.content()
    assert cast.dsl.email not in page.locator("main table").inner_text()
    assert cast.deputy.email in page.locator("main table").inner_text()
    check_accessibility(page, "after dealing with one")
    screenshot(page, "alerts-not-delivered-after-one")
    assert page.script_errors == []


def test_the_trust_lead_sees_the_school_and_a_count_only(page, cast, refused):
    sign_in_in_browser(page, cast.trust_lead)
    page.wait_for_url("**/")
    banner = page.locator(".app-delivery-warning").inner_text()
    assert "2 email alerts about concerns at Oakwood Academy have not been delivered" in banner
    assert refused.reference not in page.content()
    check_accessibility(page, "trust lead home with the banner")
    screenshot(page, "alerts-trust-lead-banner")


def test_the_reporter_is_told_to_tell_the_dsl_in_person(page, cast, refused):
    sign_in_in_browser(page, cast.teacher)
    page.wait_for_url("**/")
    page.goto("/my-reports/")
    assert "Tell them in person now" in page.content()
    assert "the email has not been delivered." in page.content()
    check_accessibility(page, "my reports, not alerted")
    screenshot(page, "alerts-my-reports-not-alerted")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "alerts-my-reports-not-alerted-phone")
