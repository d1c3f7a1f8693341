"""The DSL fills in a child's details for a referral from the pupil's file, in the browser:
the form is accessible (axe), a mistake is named and nothing typed is lost, and what was saved
shows on the file."""

import re

from django.urls import reverse

from incidents.models import Pupil
from tests.browser.conftest import check_accessibility, screenshot, sign_in_in_browser
from tests.cases.conftest import make_pupil


def test_the_dsl_fills_in_a_childs_details_for_a_referral(page, cast):
    amy = make_pupil(cast.school_a, "Amy", "Jones", "9")
    sign_in_in_browser(page, cast.dsl)
    page.goto(reverse("cases:pupil_file", kwargs={"school": "oakwood", "pupil": amy.pk}))
    page.get_by_role("link", name="Change the details for a referral").click()
    page.get_by_role("heading", name="Details for a referral").wait_for()
    check_accessibility(page, "pupil details form")
    page.get_by_role("group", name="Sex").get_by_label("Female").check()
    page.get_by_label("UPN (unique pupil number)").fill("12345")
    page.get_by_label("Home address").fill("12 Tulgey Wood Road\nOakwood OK1 2AB")
    page.get_by_role("group", name="Child protection plan").get_by_label("Yes").check()
    page.get_by_label("Name").first.fill("Sarah Jones")
    page.get_by_label("Phone").first.fill("07700 900 461")
    page.get_by_role("button", name="Save").click()
    # The mistake is named; everything typed is still there.
    page.get_by_text("There is a problem").wait_for()
    check_accessibility(page, "pupil details form with a mistake")
    screenshot(page, "pupil-details-mistake")
    assert page.get_by_label("Home address").input_value().startswith("12 Tulgey Wood Road")
    assert page.get_by_label("Name").first.input_value() == "Sarah Jones"
    page.get_by_label("UPN (unique pupil number)").fill("A123456789012")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/pupils/.+/$"))
    details = page.locator("#referral-details")
    for shown in ("Female", "A123456789012", "Tulgey Wood Road", "Sarah Jones", "07700 900 461"):
        assert shown in details.inner_text(), shown
    check_accessibility(page, "pupil file with details")
    screenshot(page, "pupil-file-details")
    amy = Pupil.objects.get(pk=amy.pk)
    assert amy.child_protection_plan is True and amy.child_in_need is None


def test_the_school_admin_imports_each_childs_details_for_a_referral(page, cast):
    sign_in_in_browser(page, cast.admin)
    page.goto(reverse("incidents:pupils_import", kwargs={"school": "oakwood"}))
    page.get_by_text("Columns for each child's details for a referral").click()
    page.locator("#referral-column-list").wait_for()
    check_accessibility(page, "pupil import with the referral columns open")
    screenshot(page, "pupil-import-referral-columns")
    page.get_by_label("Paste the pupil list").fill(
        "First Name,Last Name,Year Group,Date of Birth,Sex,UPN,SEN Status,Looked After,"
        "Primary Contact,Primary Contact Mobile\n"
        "Amy,Jones,Year 9,2011-03-14,F,A123456789012,K,No,Sarah Jones,07700 900 461\n"
    )
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Import finished").wait_for()
    check_accessibility(page, "pupil import finished")
    amy = Pupil.objects.get(first_name="Amy")
    assert (amy.sex, amy.upn, amy.sen, amy.looked_after) == ("F", "A123456789012", "K", False)
    page.context.clear_cookies()
    sign_in_in_browser(page, cast.dsl)
    page.goto(reverse("cases:pupil_file", kwargs={"school": "oakwood", "pupil": amy.pk}))
    details = page.locator("#referral-details")
    for shown in ("Female", "A123456789012", "SEN support", "Sarah Jones", "07700 900 461"):
        assert shown in details.inner_text(), shown
