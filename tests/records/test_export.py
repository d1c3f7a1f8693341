"""The secure export: an AES-encrypted zip with the file as PDF and JSON, a password shown
once and kept nowhere, and a record of how, when and to whom it went and when it arrived."""

import io
import json
import subprocess
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import pyzipper

from notifications.models import Kind, Outbox
from records import services, work
from records.models import SecureExport
from safeguarding.models import AuditEvent
from tests.conftest import post_form

LONDON = ZoneInfo("Europe/London")


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_the_archive_opens_only_with_the_password(cast, pupil, incident):
    record, password = services.make_export(
        pupil=pupil, school=cast.school_a, actor=cast.dsl, recipient_school="Hilltop High"
    )
    archive = bytes(record.archive)
    with pyzipper.AESZipFile(io.BytesIO(archive)) as zipped:
        names = zipped.namelist()
        assert names == [
            f"child-protection-file-{record.reference}.pdf",
            f"child-protection-file-{record.reference}.json",
        ]
        assert all(info.flag_bits & 0x1 for info in zipped.infolist())  # encrypted
        with pytest.raises(RuntimeError):
            zipped.read(names[1], pwd=b"not-the-password")
        zipped.setpassword(password.encode())
        content = json.loads(zipped.read(names[1]))
        text = pdf_text(zipped.read(names[0]))
    assert content == record.content
    assert content["pupil"]["first_name"] == "Zorbulon"
    # The PDF holds the same: the pupil, the child's words, the DSL's reasons.
    for words in ("Zorbulon", "quagmirefox", "vexillum", incident.reference):
        assert words in text
    assert "Hepzibah" not in text
    # The password is kept nowhere: not in the row, not in the audit trail.
    assert password not in str(SecureExport.objects.filter(pk=record.pk).values().get())
    assert not AuditEvent.objects.filter(data__icontains=password).exists()
    assert len(password) == 29 and password.count("-") == 5


def test_the_password_is_shown_once_on_the_page(cast, pupil, incident, client_for):
    dsl = client_for(cast.dsl)
    response = post_form(
        dsl, f"/s/oakwood/pupils/{pupil.pk}/export/", {"recipient_school": "Hilltop High"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "shown only this once" in page
    record = SecureExport.objects.get()
    password = page.split('id="password"><code>')[1].split("</code>")[0]
    detail = dsl.get(f"/s/oakwood/exports/{record.reference}/").content.decode()
    assert password not in detail
    download = dsl.get(f"/s/oakwood/exports/{record.reference}/archive.zip")
    assert download["Content-Type"] == "application/zip"
    assert "Zorbulon" not in download["Content-Disposition"]
    with pyzipper.AESZipFile(io.BytesIO(download.content)) as zipped:
        zipped.setpassword(password.encode())
        assert zipped.read(zipped.namelist()[1])
    assert AuditEvent.objects.filter(action="file.export_downloaded").count() == 1


def test_sent_then_confirmed_and_chased_when_not(cast, pupil, incident):
    record, _ = services.make_export(
        pupil=pupil, school=cast.school_a, actor=cast.dsl, recipient_school="Hilltop High"
    )
    with pytest.raises(services.RecordsError, match="how and when"):
        services.confirm_export_receipt(
            record=record, actor=cast.dsl, confirmed_on=date.today(), confirmed_by="Ms Hill"
        )
    today = record.created_at.date()
    record = services.record_export_sent(
        record=record,
        actor=cast.dsl,
        sent_on=today,
        method=SecureExport.Method.SECURE_EMAIL,
        sent_to="Ms Hill, DSL",
        today=today,
    )
    assert record.archive is None  # not kept once sent
    with pytest.raises(services.RecordsError):
        services.download_archive(record=record, actor=cast.dsl)
    assert services.file_state(pupil, cast.school_a).stage == "sent"
    # No confirmation 5 days later: the school's leads are reminded to chase.
    chase_day = datetime.combine(record.due_on, datetime.min.time(), LONDON).replace(hour=9)
    work.chase(now=chase_day)
    assert not Outbox.objects.filter(kind=Kind.RECEIPT_NOT_CONFIRMED).exists()
    work.chase(now=chase_day + timedelta(days=1))
    assert (
        Outbox.objects.filter(kind=Kind.RECEIPT_NOT_CONFIRMED, reference=record.reference).count()
        == 2
    )
    record = services.confirm_export_receipt(
        record=record, actor=cast.dsl, confirmed_on=today, confirmed_by="Ms Hill", today=today
    )
    state = services.file_state(pupil, cast.school_a)
    assert state.stage == "transferred" and state.export == record


def test_an_unsent_archive_is_not_kept_past_a_day(cast, pupil, incident):
    record, _ = services.make_export(
        pupil=pupil, school=cast.school_a, actor=cast.dsl, recipient_school="Hilltop High"
    )
    assert services.purge_unsent_archives() == 0
    SecureExport.objects.filter(pk=record.pk).update(
        created_at=record.created_at.replace(year=record.created_at.year - 1)
    )
    assert services.purge_unsent_archives() == 1
    assert SecureExport.objects.get().archive is None


def test_the_pdf_refuses_to_fetch_anything(cast, pupil):
    """Markup in what a child said is printed as text; nothing is fetched or attached."""
    from tests.records.conftest import file_for

    file_for(
        cast,
        pupil,
        account='<img src="file:///etc/passwd"><link rel=attachment href="/etc/passwd">',
    )
    record, password = services.make_export(
        pupil=pupil, school=cast.school_a, actor=cast.dsl, recipient_school="Hilltop High"
    )
    with pyzipper.AESZipFile(io.BytesIO(bytes(record.archive))) as zipped:
        zipped.setpassword(password.encode())
        pdf = zipped.read(zipped.namelist()[0])
    assert b"root:" not in pdf and b"/EmbeddedFile" not in pdf
    assert 'src="file:///etc/passwd"' in pdf_text(pdf).replace("\n", "")
