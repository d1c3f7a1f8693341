"""A long, messy case on a phone: long references, email addresses and made-up words, and
names in Arabic and Hebrew, all inside a 390-pixel screen, with no accessibility violations."""

from datetime import date

from django.utils import timezone

from cases import services
from incidents.models import PupilRole
from tests.browser.conftest import check_accessibility, screenshot, sign_in_in_browser
from tests.cases.conftest import make_incident, make_pupil

PHONE = {"width": 390, "height": 844}
WORD = "Supercalifragilisticexpialidocious" * 3
EMAIL = "duty.social.worker.multi.agency.hub@a-very-long-county-council-childrens-services.gov.uk"


def test_a_long_case_fits_a_phone_screen(page, cast):
    cast.teacher.full_name = "שרה כהן"
    cast.teacher.save()
    pupil = make_pupil(cast.school_a, "مريم", "الحسيني")
    incident = make_incident(
        cast.school_a,
        cast.teacher,
        pupils=[(pupil, PupilRole.PICTURED)],
        platform=WORD[:100],
        account=f"She said the chat is called {WORD}.",
    )
    dsl, today = cast.dsl, date.today()
    services.acknowledge(incident=incident, actor=dsl)
    services.record_referral(
        incident=incident,
        actor=dsl,
        agency="other",
        agency_other=WORD,
        referred_on=today,
        their_reference="MASH" + "2026112100012345" * 5,
        contact=EMAIL,
        outcome=WORD,
    )
    services.record_device_secured(
        incident=incident,
        actor=dsl,
        device=WORD,
        secured_on=today,
        where_kept=WORD,
        handed_to=EMAIL,
    )
    services.record_initial_review(
        incident=incident,
        actor=dsl,
        held_on=today,
        attendees=EMAIL,
        considered=["parents"],
        notes=WORD,
    )
    services.record_decision(incident=incident, actor=dsl, decision="other", reasons=WORD)
    services.add_task(
        incident=incident, actor=dsl, title=WORD[:200], owner=dsl, due_on=timezone.localdate()
    )
    services.add_note(incident=incident, actor=dsl, text=f"{WORD} {EMAIL}")

    sign_in_in_browser(page, dsl)
    page.wait_for_url("**/")
    page.set_viewport_size(PHONE)
    for path in (f"/cases/{incident.reference}/", f"/s/oakwood/pupils/{pupil.pk}/"):
        page.goto(path)
        page.locator("h1").wait_for()
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        screenshot(page, f"case-on-a-phone-{path.strip('/').replace('/', '-')}")
        assert widths[0] <= widths[1], (path, widths)
        check_accessibility(page, path)
    assert page.script_errors == []
