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


def notify(incident):
    return services.notify_new_case(
        school=incident.school,
        incident_id=incident.pk,
        reference=incident.reference,
        urgent=services.is_urgent(incident),
    )


def test_escalation_skips_people_already_alerted(transactional_db, cast, smtp_email):
    submitted = timezone.now()
    incident = make_incident(cast, urgent=True, submitted_at=submitted)
    notify(incident)  # the DSL and the deputy are told at once

    # 30 minutes on, every safeguarding lead has been told: it goes straight to the trust.
    assert services.escalate_unacknowledged(now=submitted + timedelta(minutes=31)) == 1
    assert kinds_to(cast.dsl) == kinds_to(cast.deputy) == [Kind.NEW_CASE]
    assert kinds_to(cast.trust_lead) == [Kind.TRUST_ESCALATION]
    assert kinds_to(cast.admin) == []
    # Escalated as far as it goes: it is not looked at again.
    assert services.escalate_unacknowledged(now=submitted + timedelta(hours=3)) == 0
    assert not services.stranded_cases().exists()


def make_small_school(*, admin: bool):
    """A school with one DSL, no deputy and no trust (and maybe a school admin)."""
    from safeguarding.models import Role, School
    from tests.conftest import make_user

    school = School.objects.create(name="Hilltop Primary", slug="hilltop")
    dsl = make_user("dsl@hilltop.test", "Hana Moss", school=school, roles=[Role.DSL])
    head = (
        make_user("head@hilltop.test", "Hugo Dean", school=school, roles=[Role.SCHOOL_ADMIN])
        if admin
        else None
    )
    teacher = make_user("teacher@hilltop.test", "Tess Hay", school=school, roles=[Role.STAFF])
    return school, dsl, head, teacher


def test_one_dsl_no_deputy_no_trust_flags_the_admin_then_strands_and_stops_rechecking(
    transactional_db, cast, smtp_email, caplog
):
    school, dsl, head, teacher = make_small_school(admin=True)
    submitted = timezone.now()
    incident = make_incident(
        cast, school=school, reporter=teacher, urgent=True, submitted_at=submitted
    )
    notify(incident)
    assert kinds_to(dsl) == [Kind.NEW_CASE]

    # Stage 1: nobody new among the leads; the school has no deputy, so its admin is told that.
    assert services.escalate_unacknowledged(now=submitted + timedelta(minutes=31)) == 1
    assert kinds_to(dsl) == [Kind.NEW_CASE]  # never the same DSL again
    assert kinds_to(head) == [Kind.NO_DEPUTY]
    message = next(m for m in smtp_email.wait_for(2) if m["to"] == ["head@hilltop.test"])
    assert "Hilltop Primary" in message["msg"]["Subject"]
    assert "no deputy" in message["msg"]["Subject"]
    assert incident.reference not in message["raw"].decode()

    # Stage 2: no trust, and the admin has been told: nobody is left. The operator sees it.
    assert services.escalate_unacknowledged(now=submitted + timedelta(minutes=61)) == 0
    stranded = services.stranded_cases()
    assert [e.incident_id for e in stranded] == [incident.pk]
    assert AuditEvent.objects.filter(action=services.STRANDED, target_id=str(incident.pk)).exists()
    assert any(
        r.levelname == "ERROR" and incident.reference in r.getMessage() for r in caplog.records
    )
    # It is not looked at every minute any more...
    checked = stranded.get().checked_at
    services.escalate_unacknowledged(now=submitted + timedelta(minutes=62))
    services.escalate_unacknowledged(now=submitted + timedelta(minutes=100))
    assert services.stranded_cases().get().checked_at == checked
    assert Outbox.objects.filter(incident_id=incident.pk).count() == 2

    # ...but hourly, and a deputy given the role since is told.
    from safeguarding.models import Membership, Role
    from tests.conftest import make_user

    deputy = make_user("deputy@hilltop.test", "Dan Ives")
    Membership.objects.create(user=deputy, school=school, role=Role.DEPUTY_DSL)
    assert services.escalate_unacknowledged(now=submitted + timedelta(minutes=122)) == 1
    assert kinds_to(deputy) == [Kind.ESCALATION]
    assert not services.stranded_cases().exists()


def test_a_school_with_nobody_but_its_dsl_is_stranded_at_the_first_deadline(transactional_db, cast):
    school, dsl, _, teacher = make_small_school(admin=False)
    submitted = timezone.now()
    incident = make_incident(
        cast, school=school, reporter=teacher, urgent=True, submitted_at=submitted
    )
    notify(incident)
    assert services.escalate_unacknowledged(now=submitted + timedelta(minutes=31)) == 0
    assert [e.incident_id for e in services.stranded_cases()] == [incident.pk]
    assert kinds_to(dsl) == [Kind.NEW_CASE]


def test_an_acknowledged_stranded_case_leaves_the_operators_list(transactional_db, cast):
    school, _, _, teacher = make_small_school(admin=False)
    submitted = timezone.now()
    incident = make_incident(
        cast, school=school, reporter=teacher, urgent=True, submitted_at=submitted
    )
    notify(incident)
    services.escalate_unacknowledged(now=submitted + timedelta(minutes=31))
    assert services.stranded_cases().exists()
    incident.status = "acknowledged"
    incident.acknowledged_at = timezone.now()
    incident.save()
    assert not services.stranded_cases().exists()


def test_a_school_without_a_deputy_is_flagged_on_the_home_page_of_its_admin_and_trust(
    cast, client_for
):
    from safeguarding.models import Membership

    flag = "Oakwood Academy has no deputy safeguarding lead."
    assert flag not in client_for(cast.admin).get("/").content.decode()
    Membership.objects.filter(user=cast.deputy).delete()
    for person in (cast.admin, cast.trust_lead):
        assert flag in client_for(person).get("/").content.decode()
    for person in (cast.teacher, cast.other_trust_lead, cast.dsl_b):
        assert flag not in client_for(person).get("/").content.decode()
