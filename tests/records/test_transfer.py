"""Sending a leaver's file to a new school in the service: every state, both sides audited,
and the sender chased when it is not accepted within 5 days."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from incidents.models import Pupil
from notifications.models import Kind, Outbox
from records import services, work
from records.models import ReceivedFile, Transfer
from safeguarding.models import AuditEvent

LONDON = ZoneInfo("Europe/London")


def send(cast, pupil, **extra):
    return services.send_transfer(
        pupil=pupil, school=cast.school_a, to_school=cast.school_b, actor=cast.dsl, **extra
    )


def test_a_leaver_starts_a_transfer_task_due_in_5_days(cast, pupil, incident):
    assert services.file_state(pupil, cast.school_a).stage == "staying"
    services.record_leaving(
        pupil=pupil,
        school=cast.school_a,
        actor=cast.dsl,
        leaving_date=date(2026, 2, 4),
        destination="Elm Park School",
    )
    state = services.file_state(pupil, cast.school_a)
    assert (state.stage, state.due_on) == ("to_send", date(2026, 2, 9))
    assert not state.overdue(date(2026, 2, 9)) and state.overdue(date(2026, 2, 10))
    due = work.due_work(cast.school_a, today=date(2026, 2, 10))
    assert [leaver.pupil for leaver in due.to_send] == [pupil]
    assert due.to_send_overdue == 1
    event = AuditEvent.objects.get(action="pupil.leaving_recorded")
    assert event.data == {"leaving_date": "2026-02-04"}


def test_a_leaver_with_no_file_has_nothing_to_send(cast):
    from tests.records.conftest import make_pupil

    nobody = make_pupil(cast.school_a, first="Ivo", last="Pratt", leaving_date=date(2026, 2, 4))
    assert nobody not in [leaver.pupil for leaver in work.due_work(cast.school_a).to_send]


def test_pending_viewed_accepted(cast, pupil, incident):
    transfer = send(cast, pupil)
    assert transfer.status == Transfer.Status.PENDING
    assert Outbox.objects.filter(kind=Kind.FILE_INCOMING, recipient=cast.dsl_b).exists()
    services.mark_viewed(transfer=transfer, actor=cast.dsl_b)
    services.mark_viewed(transfer=transfer, actor=cast.dsl_b)  # once is enough
    assert transfer.status == Transfer.Status.VIEWED
    received = services.accept_transfer(transfer=transfer, actor=cast.dsl_b)
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.ACCEPTED and transfer.decided_by == cast.dsl_b
    # The new school owns its own copy, on a pupil added to its list from the file.
    assert received.school == cast.school_b
    assert (received.pupil.first_name, received.pupil.date_of_birth) == (
        "Zorbulon",
        date(2011, 5, 14),
    )
    assert received.content == transfer.content
    # The old school's record shows it transferred, with the receipt.
    state = services.file_state(pupil, cast.school_a)
    assert state.stage == "transferred" and state.transfer == transfer
    with pytest.raises(services.RecordsError, match="already been sent"):
        send(cast, pupil)
    actions = {
        e.action: e.school_id
        for e in AuditEvent.objects.filter(target_id=str(transfer.pk)).order_by("id")
    }
    assert actions == {
        "file.transfer_sent": cast.school_a.pk,
        "file.transfer_viewed": cast.school_b.pk,
        "file.transfer_accepted": cast.school_b.pk,
    }


def test_accepting_onto_a_pupil_already_on_the_list(cast, pupil, incident):
    from tests.records.conftest import make_pupil

    theirs = make_pupil(cast.school_b, first="Zorbulon", last="Quillfeather", mis_id="E77")
    transfer = send(cast, pupil)
    assert list(services.matching_pupils(transfer)) == [theirs]
    received = services.accept_transfer(transfer=transfer, actor=cast.dsl_b, pupil=theirs)
    assert received.pupil == theirs
    assert Pupil.objects.filter(school=cast.school_b).count() == 1


def test_rejected_then_sent_again(cast, pupil, incident):
    transfer = send(cast, pupil)
    with pytest.raises(services.RecordsError, match="Write why"):
        services.reject_transfer(transfer=transfer, actor=cast.dsl_b, reason=" ")
    transfer = services.reject_transfer(
        transfer=transfer, actor=cast.dsl_b, reason="Not coming here."
    )
    assert transfer.status == Transfer.Status.REJECTED
    assert Outbox.objects.filter(kind=Kind.FILE_REJECTED, recipient=cast.dsl).exists()
    assert not ReceivedFile.objects.exists()
    assert not Pupil.objects.filter(school=cast.school_b).exists()
    with pytest.raises(services.RecordsError, match="no longer waiting"):
        services.accept_transfer(transfer=transfer, actor=cast.dsl_b)
    assert services.file_state(pupil, cast.school_a).stage in ("staying", "to_send")
    again = send(cast, pupil)
    assert again.status == Transfer.Status.PENDING


def test_withdrawn(cast, pupil, incident):
    transfer = send(cast, pupil)
    transfer = services.withdraw_transfer(transfer=transfer, actor=cast.dsl, reason="Wrong school.")
    assert transfer.status == Transfer.Status.WITHDRAWN
    with pytest.raises(services.RecordsError, match="no longer waiting"):
        services.accept_transfer(transfer=transfer, actor=cast.dsl_b)
    assert AuditEvent.objects.get(action="file.transfer_withdrawn").school == cast.school_a


def test_other_pupils_names_are_removed_unless_kept_with_a_reason(cast, pupil, incident):
    plain = send(cast, pupil)
    case = plain.content["cases"][0]
    assert [o["name"] for o in case["other_pupils"]] == ["Another pupil"]
    assert "Hepzibah" not in str(plain.content) and "Crankshaw" not in str(plain.content)
    assert "quagmirefox" in str(plain.content)
    services.withdraw_transfer(transfer=plain, actor=cast.dsl, reason="Resend with names.")
    with pytest.raises(services.RecordsError, match="Write why"):
        send(cast, pupil, keep_other_names=True)
    named = send(cast, pupil, keep_other_names=True, other_names_reason="Siblings, same school.")
    assert "Hepzibah Crankshaw" in str(named.content)
    assert AuditEvent.objects.filter(action="file.transfer_sent").last().data["other_names_kept"]


def test_a_record_about_another_pupil_is_not_in_the_file(cast, pupil, other_pupil, incident):
    from cases import services as case_services

    case_services.record_removal_offered(
        incident=incident,
        actor=cast.dsl,
        services=["report_remove"],
        offered_by=cast.dsl,
        offered_on=date(2026, 1, 5),
        pupil=other_pupil,
        notes="Offered to Hepzibah only (snorkelwig).",
    )
    transfer = send(cast, pupil)
    assert "snorkelwig" not in str(transfer.content)


def test_unaccepted_after_5_days_the_sender_is_chased_once(cast, pupil, incident):
    transfer = send(cast, pupil, today=date(2026, 2, 4))
    assert transfer.due_on == date(2026, 2, 9)
    tuesday = datetime(2026, 2, 10, 8, 0, tzinfo=LONDON)
    assert not Outbox.objects.filter(kind=Kind.FILE_NOT_ACCEPTED).exists()
    work.chase(now=tuesday - timedelta(days=1))
    assert not Outbox.objects.filter(kind=Kind.FILE_NOT_ACCEPTED).exists()
    work.chase(now=tuesday)
    work.chase(now=tuesday + timedelta(days=1))
    chased = Outbox.objects.filter(kind=Kind.FILE_NOT_ACCEPTED)
    assert sorted(chased.values_list("recipient__email", flat=True)) == [
        "deputy@oakwood.test",
        "dsl@oakwood.test",
    ]
    assert set(chased.values_list("reference", flat=True)) == {transfer.reference}


def test_a_leavers_file_is_chased_on_the_due_day_then_when_overdue(cast, pupil, incident):
    services.record_leaving(
        pupil=pupil, school=cast.school_a, actor=cast.dsl, leaving_date=date(2026, 2, 4)
    )
    work.chase(now=datetime(2026, 2, 9, 6, 0, tzinfo=LONDON))  # before 07:00: nothing
    assert not Outbox.objects.exists()
    work.chase(now=datetime(2026, 2, 9, 8, 0, tzinfo=LONDON))
    assert list(Outbox.objects.values_list("kind", "recipient__email")) == [
        (Kind.FILE_TO_SEND, "dsl@oakwood.test")
    ]
    work.chase(now=datetime(2026, 2, 10, 8, 0, tzinfo=LONDON))
    work.chase(now=datetime(2026, 2, 11, 8, 0, tzinfo=LONDON))
    assert Outbox.objects.filter(kind=Kind.FILE_OVERDUE).count() == 2  # DSL and deputy, once


def test_the_email_to_the_new_school_names_no_pupil(cast, pupil, incident, mailoutbox):
    from notifications.services import deliver

    transfer = send(cast, pupil)
    for row in Outbox.objects.filter(kind=Kind.FILE_INCOMING):
        deliver(row.pk)
    assert [m.to for m in mailoutbox] == [["dsl@elmpark.test"]]
    message = mailoutbox[0]
    assert transfer.reference in message.subject
    body = message.body + message.alternatives[0][0]
    assert "/s/elm-park/records/" in body and "Elm Park School" in body
    for word in ("Zorbulon", "Quillfeather", "quagmirefox", "Oakwood"):
        assert word not in message.subject + body
