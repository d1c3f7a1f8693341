"""A child's file for life in the browser, on the demo schools (`seed_demo`): Ashgrove's DSL
sends a leaver's file to Willow Lane (another trust), whose DSL accepts it and reads it;
Ashgrove's DSL disposes of a former pupil's file due for review, and builds a subject access
disclosure. Every page is checked with axe-core and screenshotted."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from incidents.models import Pupil
from records.models import DisposedFile, ReceivedFile, SubjectAccessRequest, Transfer
from safeguarding.management.commands.seed_demo import DEMO_PASSWORD
from safeguarding.models import User
from tests.browser.conftest import check_accessibility, screenshot, sign_in_in_browser


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False
    return {
        "ashgrove": User.objects.get(email="dsl@ashgrove.example"),
        "willow": User.objects.get(email="dsl@willow-lane.example"),
    }


def look(page, name: str, heading: str) -> None:
    page.get_by_role("heading", name=heading, exact=False).first.wait_for()
    check_accessibility(page, name)
    screenshot(page, f"file-for-life-{name}")


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in/"))


def test_a_leavers_file_is_sent_and_accepted_between_two_demo_schools(page, demo):
    zac = Pupil.objects.get(school__slug="ashgrove", first_name="Zac")
    sign_in_in_browser(page, demo["ashgrove"], password=DEMO_PASSWORD)
    look(page, "1-home", "Hello, Priya")
    page.get_by_role("link", name=re.compile(r"files? to send")).click()
    look(page, "2-files", "Child protection files and requests")
    page.get_by_role("link", name="Zac Demo-Mills").click()
    look(page, "3-pupil", "Zac Demo-Mills")
    page.get_by_role("link", name="Send to a school using this service").click()
    look(page, "4-send", "Send the file to the new school")
    page.get_by_role("link", name="Read the file as it will be sent").click()
    look(page, "5-preview", "The file as it will be sent")
    assert "Another pupil" in page.content()
    page.go_back()
    page.get_by_label("The pupil's new school").select_option(
        label="Willow Lane School (URN 900004)"
    )
    page.get_by_role("button", name="Send the file").click()
    page.get_by_text("File sent to Willow Lane School.").wait_for()
    look(page, "6-sent", "File sent to Willow Lane School")
    transfer = Transfer.objects.get(pupil=zac)
    assert transfer.status == Transfer.Status.PENDING
    sign_out(page)

    sign_in_in_browser(page, demo["willow"], password=DEMO_PASSWORD)
    look(page, "7-willow-home", "Hello, Ben")
    page.get_by_role("link", name=re.compile(r"files? sent to you to accept")).click()
    page.get_by_role("link", name=re.compile(rf"File {transfer.reference}")).click()
    look(page, "8-waiting", "File from Ashgrove Academy")
    assert "Zac" in page.content() and "Snapchat" not in page.content()
    page.get_by_role("link", name="Accept the file").click()
    look(page, "9-accept", "Accept the file")
    page.get_by_label("Not on our list yet: add them from the file").check()
    page.get_by_role("button", name="Accept the file").click()
    page.get_by_text("File accepted.").wait_for()
    look(page, "10-received", "File received from Ashgrove Academy")
    assert "Snapchat" in page.content() and "Another pupil" in page.content()
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.ACCEPTED
    assert ReceivedFile.objects.get(transfer=transfer).school.slug == "willow-lane"
    sign_out(page)

    # Back at Ashgrove the file is marked transferred, with the receipt, and kept read-only.
    sign_in_in_browser(page, demo["ashgrove"], password=DEMO_PASSWORD)
    page.goto(f"/s/ashgrove/pupils/{zac.pk}/file/")
    look(page, "10a-transferred", "Zac Demo-Mills")
    assert "Accepted by Willow Lane School" in page.content()
    page.get_by_role("link", name="The pupil's cases").click()
    look(page, "10b-old-file", "Zac Demo-Mills")
    assert "Transferred." in page.content()
    assert "Change the details for a referral" not in page.content()
    page.locator("#main-content h3 a").first.click()
    look(page, "10c-old-case", "Case")
    assert "Transferred." in page.content()
    assert page.script_errors == []


def test_a_former_pupils_file_is_disposed_of_at_its_review(page, demo):
    sign_in_in_browser(page, demo["ashgrove"], password=DEMO_PASSWORD)
    page.get_by_role("link", name=re.compile(r"due for retention review")).click()
    look(page, "11-retention", "Retention reviews")
    page.get_by_role("link", name="Rhiannon Demo-Price").click()
    look(page, "12-due", "Rhiannon Demo-Price")
    page.get_by_role("link", name="Dispose of the file").click()
    look(page, "13-dispose", "Dispose of the file")
    page.get_by_role("button", name="Dispose of the file").click()
    page.get_by_text("Tick the box to confirm.").first.wait_for()
    check_accessibility(page, "dispose with a mistake")
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Dispose of the file").click()
    page.get_by_text("The file was disposed of.").wait_for()
    look(page, "14-disposed", "Retention reviews")
    assert "Rhiannon" not in page.content()
    disposed = DisposedFile.objects.get()
    assert disposed.pupil.first_name == "" and disposed.cases_erased == 1
    assert page.script_errors == []


def test_a_subject_access_disclosure_is_built_and_downloaded(page, demo):
    sar = SubjectAccessRequest.objects.get(school__slug="ashgrove", status="open")
    sign_in_in_browser(page, demo["ashgrove"], password=DEMO_PASSWORD)
    page.get_by_role("link", name=re.compile(r"subject access request")).click()
    page.get_by_role("link", name=sar.reference).click()
    look(page, "15-request", "Subject access request about")
    page.get_by_role("link", name=re.compile(r"Change what is disclosed")).first.click()
    look(page, "16-item", "Disclose or withhold")
    page.get_by_label("Withhold").check()
    page.get_by_label("Exemption (if withheld)").select_option("serious_harm")
    page.get_by_label("Why", exact=True).fill("Would put the pupil at risk at home.")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    look(page, "17-withheld", "Subject access request about")
    assert "Would put the pupil at risk at home." in page.content()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the disclosure (PDF)").click()
    assert download.value.suggested_filename == f"disclosure-{sar.reference}.pdf"

    # A request logged by hand, from the requests page.
    page.goto("/s/ashgrove/subject-access/")
    look(page, "18-requests", "Subject access requests")
    page.get_by_label("Find the pupil it is about").fill("Maya")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name=re.compile(r"Log a request about Maya")).click()
    look(page, "19-log", "Log a subject access request")
    page.get_by_label("Who asked").fill("Maya's father")
    page.get_by_label("A parent or carer with parental responsibility").check()
    page.get_by_label("Spoken (in person or by phone)").check()
    page.get_by_label("Date the school received it").fill(
        (timezone.localdate() - timedelta(days=7)).isoformat()
    )
    page.get_by_role("button", name="Log the request").click()
    page.get_by_text("Request logged.").wait_for()
    look(page, "20-logged", "Subject access request about")
    assert SubjectAccessRequest.objects.filter(status="open").count() == 2
    # Maya's father rings to withdraw it.
    page.get_by_role("link", name="Withdrawn, or closed without disclosure").click()
    look(page, "20a-withdraw", "Withdrawn, or closed without disclosure")
    page.get_by_label("The requester withdrew it").check()
    page.get_by_label("Why", exact=True).fill("He rang: the family has what it needed.")
    page.get_by_role("button", name="Close the request").click()
    page.get_by_text("Enter the date.").first.wait_for()
    check_accessibility(page, "withdraw with a mistake")
    assert "He rang: the family has what it needed." in page.content()
    page.get_by_label("Date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Close the request").click()
    page.get_by_text("The request is marked as withdrawn.").wait_for()
    look(page, "20b-withdrawn", "Subject access request about")
    assert SubjectAccessRequest.objects.filter(status="open").count() == 1
    assert page.script_errors == []


def test_the_other_file_pages_have_no_accessibility_violations(page, demo):
    zac = Pupil.objects.get(school__slug="ashgrove", first_name="Zac")
    sign_in_in_browser(page, demo["ashgrove"], password=DEMO_PASSWORD)
    page.wait_for_url("**/")
    for path in (
        "/s/ashgrove/term-dates/",
        "/s/ashgrove/retention/rule/",
        f"/s/ashgrove/pupils/{zac.pk}/leaving/",
        f"/s/ashgrove/pupils/{zac.pk}/legal-hold/",
        f"/s/ashgrove/pupils/{zac.pk}/export/",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        check_accessibility(page, path)
    page.get_by_role("button", name="Make the encrypted file").click()
    look(page, "21-password", "The encrypted file is ready")
    page.get_by_role("link", name="Record how, when and to whom you sent it").click()
    look(page, "22-sent", "Record how the file was sent")
    page.get_by_label("Date sent").fill(timezone.localdate().isoformat())
    page.get_by_label("Secure (encrypted) email").check()
    page.get_by_label("Who it was sent to").fill("Ms Walsh, DSL")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    look(page, "23-export", "File exported for")
    assert page.script_errors == []
