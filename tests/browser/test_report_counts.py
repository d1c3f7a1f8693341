"""How long reporting takes, counted: a practised member of staff sends a typical report with the
mouse in at most 8 page loads and 25 clicks, from "Report a concern" to "Report sent". Typing
(and Tab between the boxes of a date) counts as no clicks; every page that loads counts, the
pages a form is sent back to included.

A report that uses every conditional question is counted too, on a phone, with a mistake on the
way: its questions appear only when an answer calls for them, and nothing typed is lost."""

import re

import pytest

from incidents.models import Incident
from tests.browser.conftest import check_accessibility, screenshot, sign_in_in_browser
from tests.incidents.conftest import pupils  # noqa: F401 - a fixture

MAX_PAGE_LOADS = 8
MAX_CLICKS = 25
PHONE = {"width": 375, "height": 740}


class Counted:
    """The page loads and clicks of one report."""

    def __init__(self, page):
        self.page = page
        self.loads = 0
        self.clicks = 0
        page.on("load", self._loaded)

    def _loaded(self, _page) -> None:
        self.loads += 1

    def click(self, selector: str) -> None:
        self.page.locator(selector).click()
        self.clicks += 1

    def choose(self, name: str, value: str) -> None:
        self.click(f"input[name='{name}'][value='{value}']")

    def type_into(self, selector: str, text: str) -> None:
        self.click(selector)
        self.page.keyboard.type(text)

    def button(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).filter(visible=True).first.click()
        self.clicks += 1


def shown_questions(page) -> list[str]:
    return page.eval_on_selector_all(
        "form input[type=radio]",
        "els => [...new Set(els.filter(e => e.checkVisibility()).map(e => e.name))]",
    )


def what_happened(c: Counted, *, threats: str = "no") -> None:
    c.choose("image_nature", "nudified")
    c.choose("threats_or_demands", threats)
    c.choose("came_to_light", "child_told")
    # A date is typed: Tab moves from the day to the month and the year.
    c.type_into("input[name='happened_on_0']", "3")
    c.page.keyboard.press("Tab")
    c.page.keyboard.type("11")
    c.page.keyboard.press("Tab")
    c.page.keyboard.type("2026")
    c.choose("location", "online")
    c.type_into("input[name='platform']", "Snapchat")
    c.type_into("textarea[name='account']", 'Maya said "Jake put my photo in an app".')
    c.button("Save and continue")


@pytest.mark.usefixtures("pupils")
def test_a_typical_report_takes_at_most_8_page_loads_and_25_clicks(page, cast):
    sign_in_in_browser(page, cast.teacher)
    page.get_by_role("heading", name="Hello, Tom").wait_for()
    c = Counted(page)

    page.goto("/s/oakwood/report/")
    c.click("input[name='acknowledged']")
    c.button("Start a new report")

    page.wait_for_url(re.compile(r"/what-happened/$"))
    what_happened(c)

    page.wait_for_url(re.compile(r"/who/$"))
    c.type_into("input[name='q']", "okaf")
    page.get_by_text("1 pupil matches, and is chosen").wait_for()
    c.choose("choose-role", "pictured")
    c.button("Continue")

    page.wait_for_url(re.compile(r"/questions/$"))
    answers = {"unusual_or_violent": "not_known"}
    for name in shown_questions(page):
        c.choose(name, answers.get(name, "no"))
    assert shown_questions(page) == [
        "adult_involved",
        "coercion_or_capacity",
        "unusual_or_violent",
        "sexual_acts_under_13",
        "immediate_risk",
        "device_involved",
        "imagery_viewed",
    ]
    c.button("Save and continue")

    page.wait_for_url(re.compile(r"/check/$"))
    assert page.get_by_text("Maya Okafor").first.is_visible()
    c.button("Send report")

    page.wait_for_url(re.compile(r"/sent/SG-[0-9A-Z]{4}-[0-9A-Z]{4}/$"))
    page.get_by_role("heading", name="Report sent").wait_for()
    incident = Incident.objects.get()
    assert incident.image_nature == "nudified" and incident.platform == "Snapchat"
    assert incident.involvements.get().pupil.first_name == "Maya"

    print(f"typical report: {c.loads} page loads, {c.clicks} clicks")
    assert c.loads <= MAX_PAGE_LOADS, f"{c.loads} page loads"
    assert c.clicks <= MAX_CLICKS, f"{c.clicks} clicks"
    assert page.script_errors == []


@pytest.mark.usefixtures("pupils")
def test_every_conditional_question_on_a_phone_with_a_mistake_on_the_way(page, cast):
    """Two pupils, a child who may be at risk, a phone in school and a teacher who saw the image:
    each follow-up question appears when its answer calls for it, a missing answer is asked for
    with everything else kept, and the case holds what was said."""
    page.set_viewport_size(PHONE)
    sign_in_in_browser(page, cast.teacher)
    page.get_by_role("heading", name="Hello, Tom").wait_for()
    c = Counted(page)

    page.goto("/s/oakwood/report/")
    c.click("input[name='acknowledged']")
    c.button("Start a new report")
    page.wait_for_url(re.compile(r"/what-happened/$"))
    what_happened(c, threats="yes")

    page.wait_for_url(re.compile(r"/who/$"))
    c.type_into("input[name='q']", "okaf")
    page.get_by_text("1 pupil matches, and is chosen").wait_for()
    c.choose("choose-role", "pictured")
    c.button("Add this pupil")
    page.wait_for_url(re.compile(r"/who/(#pupils-added)?$"))
    c.type_into("input[name='q']", "turner")
    page.get_by_text("1 pupil matches, and is chosen").wait_for()
    c.choose("choose-role", "alleged_creator")
    c.button("Continue")

    page.wait_for_url(re.compile(r"/questions/$"))
    assert "danger_now" not in shown_questions(page)
    assert "device_secured" not in shown_questions(page)
    assert not page.locator("input[name='device_details']").is_visible()
    for name in ("adult_involved", "coercion_or_capacity", "unusual_or_violent"):
        c.choose(name, "not_known")
    c.choose("sexual_acts_under_13", "no")
    c.choose("immediate_risk", "not_known")
    assert "danger_now" in shown_questions(page)
    c.choose("danger_now", "no")
    c.choose("device_involved", "yes")
    assert "device_secured" in shown_questions(page)
    c.choose("device_secured", "no")
    c.choose("imagery_viewed", "yes")
    c.type_into("input[name='imagery_viewed_by']", "I did, by accident")
    check_accessibility(page, "questions, every follow-up shown (phone)")
    screenshot(page, "report-counts-phone-questions-all-shown")
    # The device's words are left out: asked for, with every answer and word kept.
    c.button("Save and continue")
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert page.locator("input[name='imagery_viewed_by']").input_value() == "I did, by accident"
    assert page.locator("input[name='device_secured'][value='no']").is_checked()
    assert page.locator("input[name='device_details']").is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the questions page is wider than the phone"
    check_accessibility(page, "questions with a mistake (phone)")
    screenshot(page, "report-counts-phone-questions-error")
    c.type_into("input[name='device_details']", "Maya's phone: she still has it")
    c.button("Save and continue")

    page.wait_for_url(re.compile(r"/check/$"))
    check_accessibility(page, "check your answers, every follow-up (phone)")
    screenshot(page, "report-counts-phone-check")
    c.button("Send report")
    page.wait_for_url(re.compile(r"/sent/SG-[0-9A-Z]{4}-[0-9A-Z]{4}/$"))

    incident = Incident.objects.get()
    assert incident.kind == "sextortion" and incident.image_nature == "nudified"
    assert incident.answers["danger_now"] == "no"
    assert (incident.device_involved, incident.device_secured) == ("yes", "no")
    assert incident.device_details == "Maya's phone: she still has it"
    assert incident.imagery_viewed_by == "I did, by accident"
    assert incident.involvements.count() == 2
    print(f"report with every follow-up and one mistake: {c.loads} page loads, {c.clicks} clicks")
    assert c.loads <= MAX_PAGE_LOADS + 1  # the page sent back with the mistake
    assert page.script_errors == []
