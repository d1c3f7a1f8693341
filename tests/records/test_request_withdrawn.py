"""A subject access request can be withdrawn by the requester, or closed without a disclosure,
with a reason; it is audited and leaves the lists of what is due (home, reminders, summary)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from notifications.models import Outbox
from records import services, work
from records.models import SubjectAccessRequest
from safeguarding.models import AuditEvent
from tests.conftest import post_form

LONDON = ZoneInfo("Europe/London")
OVERDUE_DAY = date(2026, 8, 18)


def log(cast, pupil):
    return services.log_request(
        school=cast.school_a,
        pupil=pupil,
        actor=cast.dsl,
        requester_name="Mrs Ada Quillfeather",
        relationship="parent",
        how_received="spoken",
        received_on=date(2026, 7, 16),
        today=date(2026, 7, 20),
    )


def end(sar, actor, **changes):
    values = {
        "outcome": SubjectAccessRequest.Status.WITHDRAWN,
        "reason": "She phoned to say she no longer needs it.",
        "ended_on": date(2026, 7, 30),
        "today": date(2026, 8, 1),
    }
    return services.end_without_disclosure(sar=sar, actor=actor, **(values | changes))


def test_withdrawn_with_a_reason_leaves_the_due_lists(cast, pupil):
    sar = log(cast, pupil)
    assert work.due_work(cast.school_a, today=OVERDUE_DAY).requests_overdue == 1
    with pytest.raises(services.RecordsError, match="Write why"):
        end(sar, cast.dsl, reason="  ")
    with pytest.raises(services.RecordsError, match="withdrawn or is closed"):
        end(sar, cast.dsl, outcome=SubjectAccessRequest.Status.ANSWERED)
    with pytest.raises(services.RecordsError, match="cannot be before"):
        end(sar, cast.dsl, ended_on=date(2026, 7, 1))
    with pytest.raises(services.RecordsError, match="today or in the past"):
        end(sar, cast.dsl, ended_on=date(2026, 8, 2))
    sar = end(sar, cast.deputy)
    assert (sar.status, sar.closed_on, sar.closed_by) == (
        SubjectAccessRequest.Status.WITHDRAWN,
        date(2026, 7, 30),
        cast.deputy,
    )
    due = work.due_work(cast.school_a, today=OVERDUE_DAY)
    assert due.requests == [] and due.requests_overdue == 0
    assert work.chase(now=datetime(2026, 8, 18, 9, 0, tzinfo=LONDON)) == []
    assert not Outbox.objects.filter(reference=sar.reference).exists()
    event = AuditEvent.objects.get(action="subject_access.withdrawn")
    assert event.actor == cast.deputy
    assert event.data == {
        "reference": sar.reference,
        "outcome": "withdrawn",
        "ended_on": "2026-07-30",
    }
    # Once ended it takes nothing more, and cannot be ended twice.
    with pytest.raises(services.RecordsError, match="answered or withdrawn"):
        end(sar, cast.dsl)
    with pytest.raises(services.RecordsError, match="answered or withdrawn"):
        services.mark_answered(sar=sar, actor=cast.dsl, answered_on=date(2026, 7, 31))


def test_closed_without_disclosure_is_audited_as_such(cast, pupil):
    sar = end(
        log(cast, pupil),
        cast.dsl,
        outcome=SubjectAccessRequest.Status.CLOSED,
        reason="Could not confirm who was asking after two letters.",
    )
    assert sar.get_status_display() == "Closed without disclosure"
    assert AuditEvent.objects.filter(action="subject_access.closed").count() == 1
    # The file can be disposed of now: no request is open.
    assert services.REQUEST_OPEN not in services.disposal_blockers(pupil, cast.school_a)


def test_through_the_page_what_was_typed_is_kept_on_a_mistake(cast, pupil, client_for):
    sar = log(cast, pupil)
    url = f"/s/oakwood/subject-access/{sar.reference}/close/"
    oak = client_for(cast.dsl)
    assert url in oak.get(f"/s/oakwood/subject-access/{sar.reference}/").content.decode()
    response = post_form(oak, url, {"outcome": "withdrawn", "reason": "She rang (kept words)."})
    assert response.status_code == 200
    assert "Enter the date" in response.content.decode()
    assert "She rang (kept words)." in response.content.decode()
    response = post_form(
        oak,
        url,
        {"outcome": "withdrawn", "reason": "She rang (kept words).", "ended_on": "2026-07-30"},
    )
    assert response.status_code == 302
    page = oak.get(response["Location"]).content.decode()
    assert "The request is marked as withdrawn." in page
    assert "Withdrawn by the requester" in page and "She rang (kept words)." in page
    assert url not in page
    listed = oak.get("/s/oakwood/subject-access/").content.decode()
    assert "Overdue" not in listed
