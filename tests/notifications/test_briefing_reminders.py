"""Staff who have not read the current briefing get one line by email, once a week."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from guidance.checklist import current_version
from guidance.models import BriefingConfirmation
from notifications import services
from notifications.models import Kind, Outbox

LONDON = ZoneInfo("Europe/London")
MONDAY_8AM = datetime(2026, 11, 16, 8, 0, tzinfo=LONDON)


def reminded() -> list[str]:
    return sorted(
        Outbox.objects.filter(kind=Kind.BRIEFING_REMINDER).values_list(
            "recipient__email", flat=True
        )
    )


def test_those_still_to_read_it_get_one_line_a_week(transactional_db, cast, smtp_email):
    BriefingConfirmation.objects.create(user=cast.dsl, version=current_version())
    BriefingConfirmation.objects.create(user=cast.deputy, version="2026-09")  # old words
    cast.admin.is_active = False
    cast.admin.save()

    assert services.send_briefing_reminders(now=MONDAY_8AM.replace(hour=6)) == []
    assert services.send_briefing_reminders(now=MONDAY_8AM - timedelta(days=1)) == []  # Sunday
    queued = services.send_briefing_reminders(now=MONDAY_8AM)
    assert len(queued) == 4
    # Not the DSL (read it), the school admin (account closed), trust leads or outsiders.
    assert reminded() == [
        "deputy@oakwood.test",
        "dsl@elmpark.test",
        "teacher@elmpark.test",
        "teacher@oakwood.test",
    ]
    # Again later that week: nothing more. The next week: again, for those still to read it.
    assert services.send_briefing_reminders(now=MONDAY_8AM + timedelta(days=3)) == []
    BriefingConfirmation.objects.create(user=cast.teacher, version=current_version())
    assert len(services.send_briefing_reminders(now=MONDAY_8AM + timedelta(days=7))) == 3

    messages = smtp_email.wait_for(7)
    first = next(m for m in messages if m["to"] == ["teacher@oakwood.test"])
    assert first["msg"]["Subject"] == "Please read the staff briefing"
    text = first["msg"].get_body(("plain",)).get_content()
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[1] == "--"  # one line, then the footer every message has
    assert lines[0].startswith("Please read the five-minute staff briefing")
    assert lines[0].endswith("/guidance/briefing/")


def test_no_reminder_in_the_schools_holidays(transactional_db, cast):
    from terms.models import TermDate

    TermDate.objects.create(
        school=cast.school_a,
        kind="closed",
        name="Autumn half term",
        starts_on=date(2026, 11, 16),
        ends_on=date(2026, 11, 20),
    )
    services.send_briefing_reminders(now=MONDAY_8AM)
    assert "teacher@oakwood.test" not in reminded()
    assert "teacher@elmpark.test" in reminded()
    services.send_briefing_reminders(now=MONDAY_8AM + timedelta(days=7))
    assert "teacher@oakwood.test" in reminded()


def test_the_reminder_points_at_the_briefing_in_the_app(transactional_db, cast):
    services.send_briefing_reminders(now=MONDAY_8AM)
    row = Outbox.objects.get(kind=Kind.BRIEFING_REMINDER, recipient=cast.teacher)
    assert row.case_path == "/guidance/briefing/"
    assert row.reference == "" and row.incident_id is None


def test_the_cron_command_sends_them_where_there_is_no_beat(transactional_db, cast, smtp_email):
    """An installation without a broker runs `send_notifications` from cron: it must send the
    weekly reminder too, or staff there are never reminded."""
    from django.core.management import call_command
    from django.utils import timezone

    from terms.school_days import calendar_for

    now = timezone.localtime()
    due = (
        now.weekday() < 5
        and now.time() >= services.DIGEST_FROM
        and calendar_for(cast.school_a).is_school_day(now.date())
    )
    call_command("send_notifications", stdout=io.StringIO())
    if due:
        assert "teacher@oakwood.test" in reminded()
    else:
        assert reminded() == []
