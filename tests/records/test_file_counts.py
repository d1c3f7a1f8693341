"""The numbers on the DSL's home page and in their daily summary (records.work.file_counts_at,
counted by the database) are the ones the files page lists pupil by pupil (records.work.due_work,
file by file in Python), in every state a file can be in, on every day around its deadlines."""

from datetime import date, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import PupilRole
from records import work
from records.models import (
    ReceivedFile,
    RetentionPolicy,
    RetentionReview,
    SecureExport,
    SubjectAccessRequest,
    Transfer,
)
from terms.models import TermDate
from tests.cases.conftest import make_incident
from tests.records.conftest import make_pupil

# Summer term ends on Friday 17 July 2026; the autumn term starts on Wednesday 2 September.
DAYS = [
    date(2026, 7, 10),
    date(2026, 7, 20),
    date(2026, 9, 8),
    date(2026, 9, 9),
    date(2026, 11, 30),
    # A birthday on 29 February is due on 28 February in a year without one.
    date(2036, 2, 27),
    date(2036, 2, 28),
    date(2037, 2, 27),
    date(2037, 2, 28),
    date(2037, 3, 1),
]


def numbers_from_due_work(school, today) -> dict:
    due = work.due_work(school, today=today)
    return {
        "to_send": len(due.to_send),
        "to_send_overdue": due.to_send_overdue,
        "waiting": len(due.waiting),
        "waiting_overdue": due.waiting_overdue,
        "incoming": len(due.incoming),
        "reviews_due": due.reviews_due,
        "requests": len(due.requests),
        "requests_overdue": due.requests_overdue,
        "requests_due_soon": due.requests_due_soon,
    }


def numbers_counted(school, today) -> dict:
    counts = work.file_counts_at(school, today=today)
    return {name: getattr(counts, name) for name in numbers_from_due_work(school, today)}


@pytest.fixture
def files_in_every_state(cast):
    school, elsewhere = cast.school_a, cast.school_b
    TermDate.objects.create(
        school=school, kind="term", starts_on=date(2026, 4, 13), ends_on=date(2026, 7, 17)
    )
    TermDate.objects.create(
        school=school, kind="term", starts_on=date(2026, 9, 2), ends_on=date(2026, 12, 18)
    )
    pupils = iter(range(1000))

    def pupil(*, leaving=None, born=date(2011, 5, 14), at=school, with_file=True):
        made = make_pupil(at, first=f"Pupil{next(pupils)}", born=born, leaving_date=leaving)
        if with_file:
            make_incident(at, cast.teacher, pupils=[(made, PupilRole.PICTURED)])
        return made

    def transfer(of, status, due_on, *, sent_days_ago=1, to=elsewhere):
        return Transfer.objects.create(
            pupil=of,
            from_school=of.school,
            to_school=to,
            status=status,
            sent_by=cast.dsl,
            sent_at=timezone.now() - timedelta(days=sent_days_ago),
            due_on=due_on,
        )

    def export(of, *, sent_on=None, due_on=None, confirmed_on=None, withdrawn=False):
        return SecureExport.objects.create(
            pupil=of,
            school=of.school,
            recipient_school="Far Away School",
            archive_sha256="0" * 64,
            created_by=cast.dsl,
            sent_on=sent_on,
            due_on=due_on,
            receipt_confirmed_on=confirmed_on,
            withdrawn_at=timezone.now() if withdrawn else None,
        )

    pupil()  # staying
    pupil(leaving=date(2026, 7, 8))  # to send: due five days later
    pupil(leaving=date(2026, 7, 17))  # to send: leaves at the end of term
    pupil(leaving=date(2026, 7, 30))  # to send: leaves in the holiday
    pupil(leaving=date(2026, 7, 8), with_file=False)  # a leaver with no file
    gone = pupil(leaving=date(2026, 7, 8))
    gone.details_removed_at = timezone.now()  # disposed of: no longer on the list
    gone.save()
    transfer(pupil(leaving=date(2026, 7, 8)), Transfer.Status.PENDING, date(2026, 7, 15))
    transfer(pupil(leaving=date(2026, 7, 8)), Transfer.Status.VIEWED, date(2026, 9, 8))
    transfer(pupil(), Transfer.Status.PENDING, date(2026, 9, 9))  # sent with no leaving date
    transfer(pupil(leaving=date(2026, 7, 8)), Transfer.Status.ACCEPTED, date(2026, 7, 15))
    rejected = pupil(leaving=date(2026, 7, 8))  # rejected: to send again
    transfer(rejected, Transfer.Status.REJECTED, date(2026, 7, 15), sent_days_ago=3)
    transfer(pupil(), Transfer.Status.WITHDRAWN, date(2026, 7, 15))
    # Sent to one school and accepted there after all: transferred, yet still listed as waiting.
    both = pupil(leaving=date(2026, 7, 8))
    transfer(both, Transfer.Status.PENDING, date(2026, 7, 15))
    export(both, sent_on=date(2026, 7, 9), due_on=date(2026, 7, 16), confirmed_on=date(2026, 7, 10))
    export(pupil(leaving=date(2026, 7, 8)))  # made, not sent: still to send
    export(pupil(leaving=date(2026, 7, 8)), sent_on=date(2026, 7, 9), due_on=date(2026, 7, 16))
    export(pupil(), sent_on=date(2026, 9, 1), due_on=date(2026, 9, 8))
    export(pupil(), sent_on=date(2026, 9, 1))  # sent, no day given for the receipt
    export(pupil(leaving=date(2026, 7, 8)), sent_on=date(2026, 7, 9), confirmed_on=date(2026, 7, 9))
    export(pupil(leaving=date(2026, 7, 8)), sent_on=date(2026, 7, 9), withdrawn=True)
    two_sent = pupil()
    export(two_sent, sent_on=date(2026, 7, 1), due_on=date(2026, 7, 8))
    export(two_sent, sent_on=date(2026, 9, 1), due_on=date(2026, 12, 1))

    # Files received from another school, one of a pupil with no case here.
    received = pupil(with_file=False, leaving=date(2026, 7, 8))
    ReceivedFile.objects.create(
        school=school,
        pupil=received,
        transfer=transfer(pupil(at=elsewhere), Transfer.Status.ACCEPTED, date(2026, 1, 1)),
        from_school_name="Elm Park",
        accepted_by=cast.dsl,
    )
    # Sent to this school, waiting for it to accept.
    transfer(pupil(at=elsewhere), Transfer.Status.PENDING, date(2026, 9, 9), to=school)
    transfer(pupil(at=elsewhere), Transfer.Status.ACCEPTED, date(2026, 9, 9), to=school)

    # Retention: born on 29 February; kept until a later review, or with none set; no birthday.
    pupil(born=date(2012, 2, 29))
    pupil(born=date(2011, 2, 28))
    pupil(born=None)
    pupil(born=date(1990, 3, 1))  # due long ago
    pupil(born=date(1991, 3, 1))
    for next_review_on in (date(2037, 1, 1), None):
        kept = pupil(born=date(2001, 1, 1))
        RetentionReview.objects.create(
            pupil=kept,
            school=school,
            decision=RetentionReview.Decision.KEEP,
            next_review_on=next_review_on,
            review_was_due_on=date(2026, 1, 1),
            policy_version=0,
            decided_by=cast.dsl,
        )
    pupil(born=date(2000, 7, 1), at=elsewhere)

    for received_on, due_on, extended_to, status in [
        (date(2026, 6, 1), date(2026, 7, 1), None, SubjectAccessRequest.Status.OPEN),
        (date(2026, 6, 1), date(2026, 7, 1), date(2026, 9, 1), SubjectAccessRequest.Status.OPEN),
        (date(2026, 8, 1), date(2026, 9, 14), None, SubjectAccessRequest.Status.OPEN),
        (date(2026, 6, 1), date(2026, 7, 1), None, SubjectAccessRequest.Status.ANSWERED),
    ]:
        SubjectAccessRequest.objects.create(
            school=school,
            pupil=rejected,
            requester_name="A parent",
            relationship="parent",
            how_received="email",
            received_on=received_on,
            due_on=due_on,
            extended_to=extended_to,
            status=status,
            logged_by=cast.dsl,
        )
    return school


@pytest.mark.parametrize("today", DAYS)
def test_the_numbers_are_due_works(cast, files_in_every_state, today):
    expected = numbers_from_due_work(files_in_every_state, today)
    assert numbers_counted(files_in_every_state, today) == expected
    assert numbers_counted(cast.school_b, today) == numbers_from_due_work(cast.school_b, today)


def test_every_state_is_counted(cast, files_in_every_state):
    """The data above reaches every number (so the comparison above compares something)."""
    seen = {}
    for today in DAYS:
        for name, value in numbers_counted(files_in_every_state, today).items():
            seen[name] = max(seen.get(name, 0), value)
    assert all(seen.values()), seen


def test_the_schools_own_rule_sets_the_review(cast, files_in_every_state):
    RetentionPolicy.objects.create(
        school=cast.school_a, version=1, years_after_birth=10, reason="Ours.", created_by=cast.dsl
    )
    today = date(2026, 11, 30)
    expected = numbers_from_due_work(cast.school_a, today)
    assert expected["reviews_due"] > numbers_from_due_work(cast.school_b, today)["reviews_due"]
    assert numbers_counted(cast.school_a, today) == expected


def test_the_dsls_home_shows_them(cast, client_for, files_in_every_state):
    today = timezone.localdate()
    expected = numbers_from_due_work(cast.school_a, today)
    page = unescape(client_for(cast.dsl).get(reverse("safeguarding:home")).content.decode())
    start = page.index('id="files-due-oakwood"')
    shown = " ".join(page[start : page.index("</div>", start)].split())

    assert f"{expected['to_send']} leavers' files to send" in shown
    assert f"{expected['to_send_overdue']} overdue" in shown
    assert f"{expected['waiting']} files sent, waiting for the new school" in shown
    assert f"{expected['waiting_overdue']} to chase" in shown
    assert f"{expected['incoming']} file sent to you to accept" in shown
    assert f"{expected['reviews_due']} files due for retention review" in shown
    assert f"{expected['requests']} subject access requests open" in shown
    assert f"{expected['requests_overdue']} overdue" in shown


def test_the_numbers_follow_each_change_the_same_day(cast, files_in_every_state):
    today = date(2026, 9, 9)
    before = numbers_counted(cast.school_a, today)
    SubjectAccessRequest.objects.filter(status=SubjectAccessRequest.Status.OPEN).update(
        status=SubjectAccessRequest.Status.ANSWERED
    )
    Transfer.objects.filter(to_school=cast.school_a).update(status=Transfer.Status.ACCEPTED)

    after = numbers_counted(cast.school_a, today)
    assert (before["requests"], before["incoming"]) == (3, 1)
    assert (after["requests"], after["incoming"]) == (0, 0)
    assert after == numbers_from_due_work(cast.school_a, today)
