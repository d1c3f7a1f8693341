"""The DSL adds a pupil to a case by finding them by name, in the browser, with and without
JavaScript: the page is accessible (axe) and the name searched for never reaches the URL."""

import re

import pytest
from django.urls import reverse

from incidents.models import IncidentPupil
from tests.browser.conftest import check_accessibility, screenshot, sign_in_in_browser
from tests.cases.conftest import make_incident, make_pupil


@pytest.fixture(params=["with-js", "without-js"])
def any_page(request, page, browser, live_server):
    """The page as most browse it, and with JavaScript switched off (no enhancement needed)."""
    if request.param == "with-js":
        yield page
        return
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1024, "height": 768}, java_script_enabled=False
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_the_dsl_finds_a_pupil_by_name_and_adds_them(any_page, cast, request):
    page = any_page
    javascript = "with-js" in request.node.name
    check = check_accessibility if javascript else (lambda page, name: None)
    siobhan = make_pupil(cast.school_a, "Siân", "O’Brien", "8")
    for n in range(40):
        make_pupil(cast.school_a, f"Pupil{n}", "Smith")
    incident = make_incident(cast.school_a, cast.teacher)
    sign_in_in_browser(page, cast.dsl)
    page.goto(reverse("cases:add_pupil", kwargs={"reference": incident.reference}))
    page.get_by_role("heading", name="Add a pupil to the case").wait_for()
    check(page, "add a pupil: search")

    page.get_by_label("Find the pupil").fill("o'brien sian")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("Pupils matching").wait_for()
    assert "brien" not in page.url.lower() and "sian" not in page.url.lower()
    check(page, "add a pupil: found")
    screenshot(page, f"add-pupil-found-{'js' if javascript else 'no-js'}")

    page.get_by_label("O’Brien, Siân (Year 8)").check()
    page.get_by_role("button", name="Add the pupil").click()
    page.get_by_text("There is a problem").wait_for()  # no part, no reason
    check(page, "add a pupil: mistakes")
    assert page.get_by_label("O’Brien, Siân (Year 8)").is_checked()
    page.get_by_label("Shared it").check()
    page.get_by_label("Why are you adding them?").fill("Named at the review meeting.")
    page.get_by_role("button", name="Add the pupil").click()
    page.wait_for_url(re.compile(rf"/cases/{incident.reference}/"))
    assert IncidentPupil.objects.filter(incident=incident, pupil=siobhan).exists()
