"""Cases nobody acknowledges in time go to the other DSLs, then to the trust lead."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from notifications import services
from notifications.models import Kind, NotificationSettings, Outbox
from safeguarding.models import AuditEvent

from .conftest import make_incident

LONDON = ZoneInfo("Europe/London")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("submitted", "deadline"),
    [
        (at(2026, 11, 16, 10, 0), at(2026, 11, 17, 17, 0)),  # Monday -> Tuesday 17:00
        (at(2026, 11, 16, 22, 30), at(2026, 11, 17, 17, 0)),  # Monday night -> Tuesday
        (at(2026, 11, 20, 9, 0), at(2026, 11, 23, 17, 0)),  # Friday -> Monday
        (at(2026, 11, 21, 12, 0), at(2026, 11, 23, 17, 0)),  # Saturday -> Monday
    ],
)
def test_routine_cases_are_due_by_the_end_of_the_next_school_day(submitted, deadline):
    rules = NotificationSettings()
    assert rules.deadline_after(submitted, urgent=False) == deadline


def test_urgent_cases_are_due_after_the_schools_minutes(db, cast):
    rules = NotificationSettings.objects.create(
        school=cast.school_a, urgent_acknowledge_minutes=10, school_day_ends_at=time(15, 30)
    )
    start = at(2026, 11, 16, 10, 0)
    assert rules.deadline_after(start, urgent=True) == start + timedelta(minutes=10)
    assert rules.deadline_after(start, urgent=False) == at(2026, 11, 17, 15, 30)
    assert NotificationSettings.for_school(cast.school_a) == rules
    assert NotificationSettings.for_school(cast.school_b).urgent_acknowledge_minutes == 30


def kinds_to(user) -> list[str]:
    return sorted(Outbox.objects.filter(recipient=user).values_list("kind", flat=True))


def test_an_unacknowledged_urgent_case_escalates_in_two_stages(transactional_db, cast, smtp_email):
    submitted = timezone.now()
    incident = make_incident(cast, urgent=True, submitted_at=submitted, assigned_to=cast.dsl)

    assert services.escalate_unacknowledged(now=submitted + timedelta(minutes=29)) == 0

    # 30 minutes: the other DSLs (not the one it is assigned to) hear about it.
    assert services.escalate_unacknowledged(now=submitted + timedelta(minutes=31)) == 1
    assert kinds_to(cast.deputy) == [Kind.ESCALATION]
    assert kinds_to(cast.dsl) == []
    assert kinds_to(cast.trust_lead) == []
    # Running again before the next stage adds nothing.
    assert services.escalate_unacknowledged(now=submitted + timedelta(minutes=45)) == 0

    # Another 30 minutes: the trust lead.
    assert services.escalate_unacknowledged(now=submitted + timedelta(minutes=61)) == 1
    assert kinds_to(cast.trust_lead) == [Kind.TRUST_ESCALATION]
    assert kinds_to(cast.other_trust_lead) == []
    assert kinds_to(cast.dsl_b) == []
    assert services.escalate_unacknowledged(now=submitted + timedelta(hours=5)) == 0

    stages = AuditEvent.objects.filter(action="case.escalated", target_id=str(incident.pk))
    assert [e.data["stage"] for e in stages] == [1, 2]

    messages = {m["to"][0]: m["msg"] for m in smtp_email.wait_for(2)}
    deputy = messages["deputy@oakwood.test"]
    assert incident.reference in deputy["Subject"]
    assert "Nobody has acknowledged" in deputy.get_body(("plain",)).get_content()
    lead = messages["lead@northfield.test"]
    lead_text = lead.get_body(("plain",)).get_content() + lead.get_body(("html",)).get_content()
    assert "Oakwood Academy" in lead["Subject"]
    assert "Oakwood Academy" in lead_text
    # The trust lead learns only the school and that a case waits: no reference, no case link.
    assert incident.reference not in lead_text + lead["Subject"]
    assert "/cases/" not in lead_text


def test_an_acknowledged_case_is_not_escalated(transactional_db, cast, smtp_email):
    submitted = timezone.now()
    make_incident(
        cast, urgent=True, submitted_at=submitted, status="acknowledged", acknowledged_at=submitted
    )
    make_incident(cast, urgent=True, submitted_at=submitted, acknowledged_at=submitted)
    assert services.escalate_unacknowledged(now=submitted + timedelta(days=3)) == 0
    assert Outbox.objects.count() == 0


def test_a_routine_case_waits_for_the_end_of_the_next_school_day(transactional_db, cast):
    submitted = at(2026, 11, 16, 10, 0)  # a Monday
    make_incident(cast, submitted_at=submitted)
    assert services.escalate_unacknowledged(now=at(2026, 11, 17, 16, 59)) == 0
    # Unassigned: every DSL and deputy is reminded.
    assert services.escalate_unacknowledged(now=at(2026, 11, 17, 17, 1)) == 2
    assert services.escalate_unacknowledged(now=at(2026, 11, 18, 16, 59)) == 0
    assert services.escalate_unacknowledged(now=at(2026, 11, 18, 17, 1)) == 1
    assert kinds_to(cast.trust_lead) == [Kind.TRUST_ESCALATION]


def test_a_school_name_is_not_html_escaped_in_a_subject(transactional_db, cast, smtp_email):
    cast.school_a.name = "St Mary's & St John's"
    cast.school_a.save()
    submitted = timezone.now()
    make_incident(cast, urgent=True, submitted_at=submitted)
    services.escalate_unacknowledged(now=submitted + timedelta(hours=2))
    lead = next(m for m in smtp_email.wait_for(3) if m["to"] == ["lead@northfield.test"])
    subject = "A concern at St Mary's & St John's is waiting to be acknowledged"
    assert lead["msg"]["Subject"] == subject
    assert "St Mary&#x27;s &amp; St John&#x27;s" in lead["msg"].get_body(("html",)).get_content()


def test_a_holiday_in_the_schools_term_dates_is_not_a_school_day(db, cast):
    """Half term (from the school's term dates) is skipped: Friday before it -> Monday after."""
    from datetime import date

    from terms.models import TermDate

    for kind, name, starts_on, ends_on in [
        ("term", "Autumn term", date(2026, 9, 2), date(2026, 12, 18)),
        ("closed", "Half term", date(2026, 10, 26), date(2026, 10, 30)),
    ]:
        TermDate.objects.create(
            school=cast.school_a, kind=kind, name=name, starts_on=starts_on, ends_on=ends_on
        )
    rules = NotificationSettings.for_school(cast.school_a)
    friday = at(2026, 10, 23, 11, 0)
    assert rules.deadline_after(friday, urgent=False) == at(2026, 11, 2, 17, 0)
    # Urgent cases count minutes, holiday or not.
    assert rules.deadline_after(friday, urgent=True) == friday + timedelta(minutes=30)
    # Elm Park has no term dates: the Monday of Oakwood's half term is a school day there.
    elm_park = NotificationSettings.for_school(cast.school_b)
    assert elm_park.deadline_after(friday, urgent=False) == at(2026, 10, 26, 17, 0)
