"""Task owners are reminded on the due day and once when overdue; DSLs get a daily summary."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from cases.models import Task
from notifications import services
from notifications.models import Kind, Outbox

from .conftest import CANARY, make_incident

LONDON = ZoneInfo("Europe/London")
TUESDAY_8AM = datetime(2026, 11, 17, 8, 0, tzinfo=LONDON)


def task(cast, incident, *, due_on, owner=None, done=False):
    return Task.objects.create(
        incident=incident,
        recorded_by=cast.dsl,
        title=f"Call {CANARY}'s parents",
        owner=owner or cast.dsl,
        due_on=due_on,
        done_at=TUESDAY_8AM if done else None,
    )


def sent(kind) -> list[tuple]:
    return sorted(Outbox.objects.filter(kind=kind).values_list("recipient__email", "reference"))


def test_owners_hear_on_the_due_day_and_once_when_overdue(transactional_db, cast, smtp_email):
    incident = make_incident(cast)
    task(cast, incident, due_on=date(2026, 11, 17))
    task(cast, incident, due_on=date(2026, 11, 16), owner=cast.deputy)
    task(cast, incident, due_on=date(2026, 11, 18))  # not yet
    task(cast, incident, due_on=date(2026, 11, 10), done=True)  # done

    assert services.remind_tasks(now=TUESDAY_8AM.replace(hour=6)) == []  # not before 07:00
    assert len(services.remind_tasks(now=TUESDAY_8AM)) == 2
    assert len(services.remind_tasks(now=TUESDAY_8AM + timedelta(hours=2))) == 0

    assert sent(Kind.TASK_DUE) == [("dsl@oakwood.test", incident.reference)]
    assert sent(Kind.TASK_OVERDUE) == [("deputy@oakwood.test", incident.reference)]
    messages = smtp_email.wait_for(2)
    assert len(messages) == 2
    for message in messages:
        assert incident.reference in message["msg"]["Subject"]
        # A task's title is the DSL's own words: it never leaves the case.
        assert CANARY.encode() not in message["raw"]


def test_closed_cases_send_no_reminders(transactional_db, cast):
    incident = make_incident(cast, status="closed")
    task(cast, incident, due_on=date(2026, 11, 16))
    assert services.remind_tasks(now=TUESDAY_8AM) == []


def test_the_daily_summary_counts_open_items_once_a_school_day(transactional_db, cast, smtp_email):
    incident = make_incident(cast, account=CANARY)
    make_incident(cast, status="acknowledged")
    # Counted when the summary is sent: relative to the real today.
    task(cast, incident, due_on=timezone.localdate())
    task(cast, incident, due_on=timezone.localdate() - timedelta(days=10))
    # A closed case's task can no longer be done: it is not counted as overdue.
    closed = make_incident(cast, status="closed")
    task(cast, closed, due_on=timezone.localdate() - timedelta(days=3))

    saturday = datetime(2026, 11, 21, 9, 0, tzinfo=LONDON)
    assert services.send_daily_digests(now=saturday) == []
    assert services.send_daily_digests(now=TUESDAY_8AM.replace(hour=6, minute=59)) == []
    assert len(services.send_daily_digests(now=TUESDAY_8AM)) == 2
    assert services.send_daily_digests(now=TUESDAY_8AM + timedelta(hours=3)) == []

    # Elm Park has nothing open: its DSL gets nothing.
    assert sent(Kind.DIGEST) == [("deputy@oakwood.test", ""), ("dsl@oakwood.test", "")]
    by_recipient = {m["to"][0]: m for m in smtp_email.wait_for(2)}
    dsl_text = by_recipient["dsl@oakwood.test"]["msg"].get_body(("plain",)).get_content()
    assert "concerns waiting to be acknowledged: 1" in dsl_text
    assert "open concerns: 2" in dsl_text
    assert "your tasks due today: 1" in dsl_text
    assert "your overdue tasks: 1" in dsl_text
    assert "/s/oakwood/cases/" in dsl_text
    deputy_text = by_recipient["deputy@oakwood.test"]["msg"].get_body(("plain",)).get_content()
    assert "your overdue tasks: 0" in deputy_text
    for message in by_recipient.values():
        assert CANARY.encode() not in message["raw"]
        assert incident.reference.encode() not in message["raw"]


def test_no_daily_summary_in_the_schools_holidays(transactional_db, cast):
    from terms.models import TermDate

    make_incident(cast)
    TermDate.objects.create(
        school=cast.school_a,
        kind="closed",
        name="Autumn half term",
        starts_on=date(2026, 11, 16),
        ends_on=date(2026, 11, 20),
    )
    assert services.send_daily_digests(now=TUESDAY_8AM) == []
    assert len(services.send_daily_digests(now=TUESDAY_8AM + timedelta(days=7))) == 2
