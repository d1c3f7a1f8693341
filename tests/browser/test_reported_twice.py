"""A second report about the same pupil within a day, in the browser on a desktop and a phone:
the member of staff who sends it is told the DSL may already have a report about this (and
nothing about it); the DSL sees the two together in the inbox and on the case, and links them
in one click. axe-clean on each page."""

import re
from datetime import timedelta

import pytest

from cases.models import CaseLink
from incidents import services
from incidents.models import Incident, PupilRole
from safeguarding.models import Role
from tests.browser.conftest import check_accessibility, screenshot, sign_in_in_browser
from tests.cases.conftest import make_incident, make_pupil
from tests.conftest import make_user

PHONE = {"width": 390, "height": 844}


def look(page, name: str, heading: str) -> None:
    page.get_by_role("heading", name=heading, exact=False).first.wait_for()
    check_accessibility(page, name)
    screenshot(page, f"reported-twice-{name}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name} is {width}px wide"


def ready_to_send(reporter, school, pupil):
    draft = services.start_draft(actor=reporter, school=school)
    what = {
        "came_to_light": "child_told",
        "happened_on": "",
        "location": "online",
        "platform": "",
        "account": "Her friend said a picture of her is going round.",
    }
    services.save_what_happened(
        draft=draft, data=what, answers={"image_nature": "not_known", "threats_or_demands": "no"}
    )
    services.add_listed_pupil(draft=draft, pupil=pupil, role=PupilRole.PICTURED)
    services.finish_who(draft=draft)
    answers = dict.fromkeys(services.journey.FOLLOW_UPS, "not_known")
    answers.update(
        coercion_or_capacity="no",
        unusual_or_violent="no",
        sexual_acts_under_13="no",
        immediate_risk="no",
    )
    services.save_questions(draft=draft, answers=answers, details={})
    return draft


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_second_report_is_seen_with_the_first(page, browser, live_server, cast, device):
    amy = make_pupil(cast.school_a, "Amy", "Jones")
    first = make_incident(
        cast.school_a,
        cast.teacher,
        age=timedelta(hours=2),
        pupils=[(amy, PupilRole.PICTURED)],
        account="Amy showed me messages from a boy in Year 10.",
    )
    colleague = make_user(
        "sam.roy@oakwood.example", "Sam Roy", school=cast.school_a, roles=[Role.STAFF]
    )
    draft = ready_to_send(colleague, cast.school_a, amy)
    if device == "phone":
        page.set_viewport_size(PHONE)

    sign_in_in_browser(page, colleague)
    page.goto(f"/s/oakwood/report/{draft.pk}/check/")
    page.get_by_role("button", name=re.compile("Send")).click()
    look(page, f"{device}-1-sent", "Report sent")
    told = page.locator("#reported-already").inner_text()
    assert "The DSL may already have a report about this" in told
    body = page.locator("main").inner_text()
    for leak in (first.reference, cast.teacher.full_name, "Year 10", "2 hours"):
        assert leak not in body
    second = Incident.objects.exclude(pk=first.pk).get()

    dsl_context = browser.new_context(base_url=live_server.url, viewport=page.viewport_size)
    dsl_page = dsl_context.new_page()
    sign_in_in_browser(dsl_page, cast.dsl)
    dsl_page.goto("/s/oakwood/cases/")
    look(dsl_page, f"{device}-2-inbox", "Cases")
    rows = dsl_page.locator("[data-possibly-same]")
    assert rows.count() == 2
    dsl_page.locator("[data-possibly-same]").get_by_role("link", name=first.reference).click()
    dsl_page.wait_for_url(re.compile(rf"/cases/{first.reference}/$"))
    dsl_page.goto(f"/cases/{second.reference}/")
    look(dsl_page, f"{device}-3-case", f"Case {second.reference}")
    banner = dsl_page.locator("#possibly-same")
    assert f"Possibly the same incident as {first.reference}" in banner.inner_text()
    banner.get_by_role("button", name=f"Link to {first.reference} as the same incident").click()
    dsl_page.get_by_text(f"Linked to {first.reference}.").wait_for()
    look(dsl_page, f"{device}-4-linked", f"Case {second.reference}")
    assert dsl_page.locator("#possibly-same").count() == 0
    assert CaseLink.objects.get().reason == CaseLink.Reason.SAME_INCIDENT
    assert not page.script_errors
    dsl_context.close()
