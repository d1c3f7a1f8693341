"""Tasks for pastoral staff in the browser: the school admin turns them on from the People page,
the DSL gives a task to a head of year, who sees it on "Your tasks" (the case reference and what
to do, never the case) and marks it done. Each page checked with axe."""

from datetime import timedelta

from django.utils import timezone

from cases import services
from incidents.models import PupilRole
from safeguarding.models import Role
from tests.browser.conftest import check_accessibility, screenshot, sign_in_in_browser
from tests.cases.conftest import make_incident, make_pupil
from tests.conftest import make_user


def test_a_head_of_year_is_given_a_task_and_marks_it_done(page, browser, live_server, cast):
    pastoral = make_user(
        "pastoral@oakwood.test", "Nadia Hussain", school=cast.school_a, roles=[Role.PASTORAL]
    )
    amy = make_pupil(cast.school_a, "Amy", "Jones")
    case = make_incident(cast.school_a, cast.teacher, pupils=[(amy, PupilRole.PICTURED)])

    sign_in_in_browser(page, cast.admin)
    page.goto("/s/oakwood/people/")
    page.get_by_role("heading", name="Tasks for pastoral staff").wait_for()
    page.get_by_label("Safeguarding leads can give tasks to pastoral staff").check()
    page.locator("#pastoral-staff ~ form").get_by_role("button", name="Save").click()
    page.get_by_text("Tasks can now be given to pastoral staff.").wait_for()
    check_accessibility(page, "people page with tasks for pastoral staff on")

    cast.school_a.refresh_from_db()
    services.add_task(
        incident=case,
        actor=cast.dsl,
        title="Check in with her at morning registration",
        owner=pastoral,
        due_on=timezone.localdate() + timedelta(days=1),
    )
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 768})
    mine = context.new_page()
    sign_in_in_browser(mine, pastoral)
    mine.get_by_role("link", name="Your tasks").click()
    mine.get_by_role("heading", name="Your tasks").wait_for()
    check_accessibility(mine, "pastoral staff's tasks")
    screenshot(mine, "pastoral-tasks")
    text = mine.locator("main").inner_text()
    assert "Check in with her at morning registration" in text and case.reference in text
    assert "Amy" not in text and "Jones" not in text
    mine.get_by_role("button", name="Mark done").click()
    mine.get_by_text("Task marked as done").wait_for()
    check_accessibility(mine, "pastoral staff's tasks, one done")
    assert "You have no tasks to do." in mine.locator("main").inner_text()
    context.close()
