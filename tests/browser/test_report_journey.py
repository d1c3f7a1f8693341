"""A teacher reports an incident in the browser, on a desktop and on a phone, using only the
keyboard: Tab to each control, arrow keys and space to choose, typing to write, Enter to send.
Every step is screenshotted to test-artifacts/ and checked with axe-core."""

import re

import pytest

from incidents.models import Incident, Pupil
from incidents.services import add_new_pupil, start_draft
from tests.browser.conftest import check_accessibility, screenshot, sign_in_in_browser
from tests.incidents.conftest import checklist_answers, pupils  # noqa: F401 - a fixture

VIEWPORTS = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 375, "height": 740},
}
MAX_TABS = 150


def tab_to(page, selector: str, text: str | None = None) -> None:
    """Press Tab until the focused element matches `selector` (and shows `text`, if given):
    the way a keyboard user moves through the page."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(
            """([s, t]) => {
                const el = document.activeElement;
                return el.matches(s) && (t === null || el.textContent.trim().startsWith(t));
            }""",
            [selector, text],
        ):
            return
    pytest.fail(f"Tab never reached {selector} {text or ''}")


def choose_radio(page, name: str, value: str) -> None:
    values = page.eval_on_selector_all(f"input[name='{name}']", "els => els.map(e => e.value)")
    tab_to(page, f"input[name='{name}']")
    # Tab lands on the first radio of an unanswered group; arrows move and select.
    index = values.index(value)
    if index == 0:
        page.keyboard.press("Space")
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    assert page.locator(f"input[name='{name}'][value='{value}']").is_checked()


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def press_button(page, name: str) -> None:
    tab_to(page, "button, a.govuk-button", name)
    page.keyboard.press("Enter")


def step(page, name: str, viewport: str, heading: str) -> None:
    page.get_by_role("heading", name=heading, exact=False).first.wait_for()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: the page is wider than the screen"
    check_accessibility(page, f"{name} ({viewport})")
    screenshot(page, f"report-{viewport}-{name}")


@pytest.mark.usefixtures("pupils")
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_teacher_reports_with_the_keyboard(page, cast, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    sign_in_in_browser(page, cast.teacher)
    page.get_by_role("heading", name="Hello, Tom").wait_for()

    page.goto("/s/oakwood/report/")
    step(page, "1-before-you-start", viewport, "Before you start")
    tab_to(page, "input[name='acknowledged']")
    page.keyboard.press("Space")
    press_button(page, "Start a new report")

    page.wait_for_url(re.compile(r"/what-happened/(#.*)?$"))
    step(page, "2-what-happened", viewport, "What happened")
    # Sending it empty: the errors are summarised at the top, focused, and each links to its field.
    press_button(page, "Save and continue")
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    step(page, "2b-what-happened-errors", viewport, "What happened")
    choose_radio(page, "image_nature", "nudified")
    choose_radio(page, "threats_or_demands", "no")
    choose_radio(page, "came_to_light", "child_told")
    type_into(page, "input[name='happened_on_0']", "3")
    page.keyboard.press("Tab")
    page.keyboard.type("11")
    page.keyboard.press("Tab")
    page.keyboard.type("2026")
    choose_radio(page, "location", "online")
    type_into(page, "input[name='platform']", "Snapchat")
    type_into(page, "textarea[name='account']", 'Maya said "Jake put my photo in an app".')
    press_button(page, "Save and continue")

    page.wait_for_url(re.compile(r"/who/(#.*)?$"))
    step(page, "3-who", viewport, "Who was involved")
    # With JavaScript the list narrows as you type (without it, the Search button does).
    type_into(page, "input[name='q']", "okaf")
    page.get_by_text("1 pupil matches").wait_for()
    tab_to(page, "select[name='choose-pupil']")
    page.keyboard.type("Okafor")
    choose_radio(page, "choose-role", "pictured")
    press_button(page, "Add this pupil")
    page.wait_for_url(re.compile(r"/who/(#pupils-added)?$"))
    page.locator("dt", has_text="Maya Okafor").wait_for()
    press_button(page, "Continue")

    page.wait_for_url(re.compile(r"/questions/(#.*)?$"))
    step(page, "4-questions", viewport, "Questions to decide what happens next")
    # Only the questions that apply are shown: a question that depends on another answer
    # appears once that answer calls for it.
    answers = checklist_answers(coercion_or_capacity="yes")
    answered = set()
    while True:
        shown = page.eval_on_selector_all(
            "form input[type=radio]",
            "els => [...new Set(els.filter(e => e.checkVisibility()).map(e => e.name))]",
        )
        unanswered = [name for name in shown if name not in answered]
        if not unanswered:
            break
        choose_radio(page, unanswered[0], answers[unanswered[0]])
        answered.add(unanswered[0])
    press_button(page, "Save and continue")

    page.wait_for_url(re.compile(r"/check/(#.*)?$"))
    step(page, "5-check-your-answers", viewport, "Check your answers")
    assert page.get_by_text("Snapchat").is_visible()
    assert page.get_by_text("Tell the DSL", exact=False).first.is_visible()
    press_button(page, "Send report")

    page.wait_for_url(re.compile(r"/sent/SG-[0-9A-Z]{4}-[0-9A-Z]{4}/(#.*)?$"))
    step(page, "6-report-sent", viewport, "Report sent")
    incident = Incident.objects.get()
    assert page.get_by_text(incident.reference).first.is_visible()
    assert incident.reporter == cast.teacher and incident.kind == "nudified"

    page.goto("/my-reports/")
    step(page, "7-my-reports", viewport, "Your reports")
    assert page.get_by_role("link", name=incident.reference).is_visible()
    tab_to(page, "a", incident.reference)
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(rf"/my-reports/{incident.reference}/(#.*)?$"))
    type_into(page, "textarea[name='text']", "Her friend says it is on TikTok now.")
    press_button(page, "Add further information")
    page.get_by_text("Her friend says it is on TikTok now.").wait_for()
    step(
        page, "8-my-report-with-further-information", viewport, f"Your report {incident.reference}"
    )
    assert incident.follow_ups.get().text == "Her friend says it is on TikTok now."
    assert page.script_errors == []


def test_a_school_admin_pastes_the_pupil_list(page, cast):
    """The list the journey's pupil picker uses: pasted as text, bad rows reported by line."""
    sign_in_in_browser(page, cast.admin)
    page.goto("/s/oakwood/pupils/import/")
    step(page, "pupils-1-import", "desktop", "Import the pupil list")
    page.get_by_label("Paste the pupil list").fill(
        "first_name,last_name,year_group,date_of_birth,mis_id\n"
        "Amira,Khan,9,2011-05-14,A1\n"
        "Ben,Lee,15,2011-05-14,A2\n"
    )
    press_button(page, "Import")
    page.get_by_text("1 added, 0 updated").wait_for()
    assert page.locator("#import-errors").get_by_text("Year group", exact=False).is_visible()
    step(page, "pupils-2-import-result", "desktop", "Import the pupil list")
    page.goto("/s/oakwood/pupils/")
    step(page, "pupils-3-list", "desktop", "Pupils")
    assert page.get_by_text("Khan, Amira").is_visible()
    assert page.script_errors == []


# Where each word is drawn inside an element, whatever the markup around it.
LEFT_OF_EACH_WORD = """(element, words) => words.map((word) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(word);
        if (at >= 0) {
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + word.length);
            return range.getBoundingClientRect().left;
        }
    }
    return null;
})"""


def test_right_to_left_names_keep_their_order_among_english(page, cast):
    """Unisolated, "علي, محمد" is drawn with the first name on the left, where every other row
    of the pupil list has the last name; and "محمد Smith" as one piece is drawn "Smith محمد"."""
    Pupil.objects.create(school=cast.school_a, first_name="محمد", last_name="علي", year_group="10")
    sign_in_in_browser(page, cast.dsl)
    page.goto("/s/oakwood/pupils/")
    left_of = page.locator("td", has_text="محمد").evaluate(LEFT_OF_EACH_WORD, ["علي", "محمد"])
    assert left_of[0] < left_of[1], left_of

    draft = start_draft(actor=cast.dsl, school=cast.school_a)
    add_new_pupil(draft=draft, first_name="محمد", last_name="Smith", year_group="9", role="sharer")
    page.goto(f"/s/oakwood/report/{draft.pk}/who/")
    row = page.locator("dt", has_text="Smith")
    left_of = row.evaluate(LEFT_OF_EACH_WORD, ["محمد", "Smith"])
    assert left_of[0] < left_of[1], left_of
    assert page.script_errors == []


def test_the_pupil_import_page_fits_a_phone(page, cast):
    """The heading row written out whole is wider than a phone: it must wrap, with its errors."""
    page.set_viewport_size(VIEWPORTS["phone"])
    sign_in_in_browser(page, cast.admin)
    page.goto("/s/oakwood/pupils/import/")
    page.get_by_label("Paste the pupil list").fill("Name,Class\nAmira Khan,9B\n")
    press_button(page, "Import")
    page.get_by_text("Nothing was imported").wait_for()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the page is wider than the screen"
    check_accessibility(page, "pupil import errors (phone)")
    screenshot(page, "pupils-import-phone")


@pytest.mark.usefixtures("pupils")
def test_the_pupil_filter_finds_a_name_typed_as_the_list_shows_it(page, cast):
    sign_in_in_browser(page, cast.teacher)
    draft = start_draft(actor=cast.teacher, school=cast.school_a)
    page.goto(f"/s/oakwood/report/{draft.pk}/who/")
    page.locator("input[name='q']").fill("Okafor, Maya")
    page.get_by_text("1 pupil matches").wait_for()
    assert page.script_errors == []


@pytest.mark.usefixtures("pupils")
def test_mistakes_on_the_who_page_are_named_on_a_phone_and_nothing_typed_is_lost(page, cast):
    page.set_viewport_size(VIEWPORTS["phone"])
    sign_in_in_browser(page, cast.teacher)
    page.get_by_role("heading", name="Hello, Tom").wait_for()
    draft = start_draft(actor=cast.teacher, school=cast.school_a)
    page.goto(f"/s/oakwood/report/{draft.pk}/who/")
    # A part chosen but no pupil: "Continue" does not go on without saying why.
    page.locator("input[name='choose-role'][value='pictured']").check()
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert page.get_by_role("link", name="Select a pupil from the list").is_visible()
    step(page, "3c-who-errors", "phone", "Who was involved")

    page.get_by_text("The pupil is not on the list").click()
    page.locator("input[name='new-first_name']").fill("Ava")
    page.keyboard.press("Enter")  # adds what is typed, as "Add this pupil" does
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert page.locator("input[name='new-first_name']").input_value() == "Ava"
    assert page.get_by_role("link", name="Enter the pupil's last name, or 'Not known'").is_visible()
    step(page, "3d-who-new-pupil-errors", "phone", "Who was involved")
    assert page.script_errors == []


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_pages_off_the_main_path_are_accessible(page, cast, viewport):
    """ "What happens next" in full (linked from "Check your answers"), and "Before you start"
    offering an unfinished report."""
    from incidents import services

    page.set_viewport_size(VIEWPORTS[viewport])
    sign_in_in_browser(page, cast.teacher)
    page.get_by_role("heading", name="Hello, Tom").wait_for()
    draft = start_draft(actor=cast.teacher, school=cast.school_a)
    what = {
        "came_to_light": "child_told",
        "happened_on": "",
        "location": "online",
        "platform": "",
        "account": "He said someone online wants money.",
    }
    services.save_what_happened(
        draft=draft, data=what, answers={"image_nature": "not_known", "threats_or_demands": "yes"}
    )
    services.finish_who(draft=draft)
    answers = dict.fromkeys(services.journey.FOLLOW_UPS, "not_known")
    answers.update(
        coercion_or_capacity="yes",
        unusual_or_violent="no",
        sexual_acts_under_13="no",
        immediate_risk="no",
    )
    services.save_questions(draft=draft, answers=answers, details={})
    page.goto(f"/s/oakwood/report/{draft.pk}/what-happens-next/")
    step(page, "what-happens-next-in-full", viewport, "What happens next")
    page.goto("/s/oakwood/report/")
    step(page, "before-you-start-with-a-draft", viewport, "Before you start")
    assert page.get_by_text("Sextortion threat or demand", exact=True).is_visible()
    assert page.script_errors == []
