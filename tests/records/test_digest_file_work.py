"""The DSL's daily summary counts the school's file work too: leavers' files to send, files
waiting to be accepted (by them, or by the school they sent one to), reviews due, subject access
requests due or overdue. Counts and a link only: never a name, a reference or a word of a file."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from notifications import services as notifications
from notifications.models import Kind, Outbox
from records import services
from tests.records.conftest import file_for, make_pupil

TUESDAY_8AM = datetime(2026, 11, 17, 8, 0, tzinfo=ZoneInfo("Europe/London"))
NAMES = ("Zorbulon", "Quillfeather", "Hepzibah", "Crankshaw", "Ptolemy", "Marchbanks")


def test_the_summary_counts_file_work_with_no_names(cast, pupil, other_pupil, mailoutbox):
    today = timezone.localdate()
    # Oakwood: a leaver whose file is overdue to send; another's file sent to Elm Park (waiting
    # there); a former pupil's file due for review; a subject access request overdue.
    file_for(cast, pupil)
    services.record_leaving(
        pupil=pupil, school=cast.school_a, actor=cast.dsl, leaving_date=today - timedelta(days=20)
    )
    file_for(cast, other_pupil)
    transfer = services.send_transfer(
        pupil=other_pupil, school=cast.school_a, to_school=cast.school_b, actor=cast.dsl
    )
    former = make_pupil(cast.school_a, first="Ptolemy", last="Marchbanks", born=date(1990, 3, 1))
    file_for(cast, former)
    sar = services.log_request(
        school=cast.school_a,
        pupil=former,
        actor=cast.dsl,
        requester_name="Ptolemy Marchbanks",
        relationship="pupil",
        how_received="email",
        received_on=today - timedelta(days=40),
    )
    expected = {
        "files_to_send": 1,
        "files_to_send_overdue": 1,
        "files_not_acknowledged": 0,
        "files_to_accept": 0,
        "reviews_due": 1,
        "requests_due_soon": 0,
        "requests_overdue": 1,
    }
    counts = notifications.open_items(cast.dsl, cast.school_a)
    assert {key: counts[key] for key in expected} == expected
    # Elm Park has no case at all: the file waiting for it is enough for a summary.
    assert notifications.open_items(cast.dsl_b, cast.school_b)["files_to_accept"] == 1

    notifications.send_daily_digests(now=TUESDAY_8AM)
    for row in Outbox.objects.filter(kind=Kind.DIGEST):
        notifications.deliver(row.pk)
    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert {"dsl@oakwood.test", "deputy@oakwood.test", "dsl@elmpark.test"} <= set(by_recipient)
    oak = by_recipient["dsl@oakwood.test"]
    text = oak.body
    assert "leavers' files to send: 1 (overdue: 1)" in text
    assert "files due for review: 1" in text
    assert "subject access requests overdue: 1" in text
    assert "/s/oakwood/records/" in text
    elm = by_recipient["dsl@elmpark.test"].body
    assert "files from other schools to accept: 1" in elm and "/s/elm-park/records/" in elm
    for message in by_recipient.values():
        whole = message.subject + message.body + message.alternatives[0][0]
        for secret in (*NAMES, "quagmirefox", transfer.reference, sar.reference):
            assert secret not in whole, secret


def test_no_file_work_no_files_section(cast, pupil, mailoutbox):
    file_for(cast, pupil)  # an open case, nothing due about the file
    notifications.send_daily_digests(now=TUESDAY_8AM)
    for row in Outbox.objects.filter(kind=Kind.DIGEST):
        notifications.deliver(row.pk)
    assert mailoutbox and all("Child protection files" not in m.body for m in mailoutbox)
