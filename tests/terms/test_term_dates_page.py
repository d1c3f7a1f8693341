"""The school admin (or DSL) and the trust lead enter term dates; changes are audited."""

from datetime import date

from safeguarding.models import AuditEvent
from terms.models import TermDate
from terms.school_days import calendar_for
from tests.conftest import post_form

TERMS = "Autumn term: 3 September 2025 to 19 December 2025\nHalf term: 27/10/2025 - 31/10/2025"


def test_the_school_admin_pastes_the_calendar(cast, client_for):
    client = client_for(cast.admin)
    response = post_form(client, "/s/oakwood/term-dates/", {"dates": TERMS})
    assert response.status_code == 302
    assert TermDate.objects.filter(school=cast.school_a).count() == 2
    event = AuditEvent.objects.get(action="term_dates.changed")
    assert event.data["terms"] == 1 and event.data["closed"] == 1
    assert event.school_id == cast.school_a.pk
    page = client.get("/s/oakwood/term-dates/").content.decode()
    assert "Half term" in page and "Mon 27 Oct 2025" in page
    assert not calendar_for(cast.school_a).is_school_day(date(2025, 10, 28))


def test_a_mistake_keeps_the_text_and_saves_nothing(cast, client_for):
    client = client_for(cast.dsl)
    text = TERMS + "\nSpring term: 31/02/2026 to 27/03/2026"
    response = post_form(client, "/s/oakwood/term-dates/", {"dates": text})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("Line 3:") >= 1 and "31/02/2026 is not a real date" in page
    assert "Spring term: 31/02/2026" in page  # what they typed is still there
    assert not TermDate.objects.exists()
    assert not AuditEvent.objects.filter(action="term_dates.changed").exists()


def test_the_trust_leads_dates_apply_until_a_school_enters_its_own(cast, client_for):
    post_form(client_for(cast.trust_lead), "/t/northfield/term-dates/", {"dates": TERMS})
    assert calendar_for(cast.school_a).source == "trust"
    page = client_for(cast.admin).get("/s/oakwood/term-dates/").content.decode()
    assert "uses the trust's term dates" in page
    admin = client_for(cast.admin)
    post_form(
        admin, "/s/oakwood/term-dates/", {"dates": "Autumn: 4 September 2025 to 18 December 2025"}
    )
    assert calendar_for(cast.school_a).source == "school"
    post_form(admin, "/s/oakwood/term-dates/", {"dates": ""})
    assert calendar_for(cast.school_a).source == "trust"
    assert TermDate.objects.filter(trust=cast.trust_a).count() == 2
