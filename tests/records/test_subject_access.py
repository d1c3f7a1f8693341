"""Subject access: logged with who asked and when, due one calendar month later (holidays or
not), extendable with a reason; a disclosure built from the file with third parties removed by
default, each withheld item's exemption recorded, exported as a PDF."""

import subprocess
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cases import services as case_services
from notifications.models import Kind, Outbox
from records import services, work
from records.disclosure import build_items
from records.models import DisclosureItem, Exemption, SubjectAccessRequest
from safeguarding.models import AuditEvent
from terms.models import TermDate
from tests.conftest import post_form

LONDON = ZoneInfo("Europe/London")


def log(cast, pupil, *, received_on=date(2026, 7, 16), relationship="parent", **extra):
    return services.log_request(
        school=cast.school_a,
        pupil=pupil,
        actor=cast.dsl,
        requester_name="Mrs Ada Quillfeather",
        relationship=relationship,
        how_received="spoken",
        received_on=received_on,
        today=date(2026, 7, 20),
        **extra,
    )


def test_due_one_calendar_month_later_even_across_the_summer_holiday(cast, pupil):
    TermDate.objects.create(
        school=cast.school_a,
        kind="term",
        name="Summer term",
        starts_on=date(2026, 4, 13),
        ends_on=date(2026, 7, 22),
    )
    TermDate.objects.create(
        school=cast.school_a,
        kind="term",
        name="Autumn term",
        starts_on=date(2026, 9, 2),
        ends_on=date(2026, 12, 18),
    )
    sar = log(cast, pupil)
    assert sar.due_on == date(2026, 8, 17)  # 16 August is a Sunday; no school holiday counts
    assert sar.deadline == sar.due_on
    event = AuditEvent.objects.get(action="subject_access.logged")
    assert event.data["due_on"] == "2026-08-17" and "Quillfeather" not in str(event.data)
    with pytest.raises(services.RecordsError, match="today or in the past"):
        log(cast, pupil, received_on=date(2026, 7, 21))


def test_an_extension_needs_a_reason_and_is_two_months_at_most(cast, pupil):
    sar = log(cast, pupil)
    with pytest.raises(services.RecordsError, match="complex"):
        services.extend_request(sar=sar, actor=cast.dsl, months=2, reason="")
    with pytest.raises(services.RecordsError, match="one or two"):
        services.extend_request(sar=sar, actor=cast.dsl, months=3, reason="Many files.")
    sar = services.extend_request(sar=sar, actor=cast.dsl, months=2, reason="Many files.")
    assert sar.extended_to == date(2026, 10, 16) and sar.deadline == sar.extended_to


def test_due_soon_then_overdue_on_the_home_and_in_reminders(cast, pupil, client_for):
    sar = log(cast, pupil)
    assert work.due_work(cast.school_a, today=date(2026, 8, 10)).requests_due_soon == 1
    assert work.due_work(cast.school_a, today=date(2026, 8, 18)).requests_overdue == 1
    work.chase(now=datetime(2026, 8, 10, 9, 0, tzinfo=LONDON))
    work.chase(now=datetime(2026, 8, 18, 9, 0, tzinfo=LONDON))
    work.chase(now=datetime(2026, 8, 19, 9, 0, tzinfo=LONDON))
    assert list(
        Outbox.objects.filter(reference=sar.reference)
        .order_by("kind", "recipient__email")
        .values_list("kind", "recipient__email")
    ) == [
        (Kind.REQUEST_DUE, "dsl@oakwood.test"),
        (Kind.REQUEST_OVERDUE, "deputy@oakwood.test"),
        (Kind.REQUEST_OVERDUE, "dsl@oakwood.test"),
    ]
    home = client_for(cast.dsl).get("/").content.decode()
    assert "1 subject access request open" in home and "overdue" in home


def test_the_disclosure_removes_third_parties_by_default(cast, pupil, incident):
    case_services.record_parents_informed(
        incident=incident,
        actor=cast.dsl,
        informed=True,
        informed_on=date(2026, 1, 5),
        who_was_told="Mr Bertram Wooster",
    )
    sar = log(cast, pupil)
    items = {i.key.split(":", 2)[2]: i for i in build_items(sar)}
    report = items["report"]
    text = str(report.fields)
    assert "quagmirefox" in text  # the pupil's own data is disclosed
    parents = next(i for k, i in items.items() if k.startswith("parents_informed"))
    assert "Wooster" not in str(parents.fields)
    assert "[another person's details removed]" in str(parents.fields)
    assert "Hepzibah" not in str([i.fields for i in items.values()])


def test_withholding_needs_an_exemption_and_why(cast, pupil, incident):
    sar = log(cast, pupil, relationship="pupil")
    key = f"case:{incident.reference}:report"
    with pytest.raises(services.RecordsError, match="Choose the exemption"):
        services.decide_item(sar=sar, actor=cast.dsl, key=key, choice="withhold")
    with pytest.raises(services.RecordsError, match="parent"):
        services.decide_item(
            sar=sar,
            actor=cast.dsl,
            key=key,
            choice="withhold",
            exemption=Exemption.NOT_IN_BEST_INTERESTS,
            note="x",
        )
    with pytest.raises(services.RecordsError, match="Write why"):
        services.decide_item(
            sar=sar, actor=cast.dsl, key=key, choice="withhold", exemption="serious_harm"
        )
    with pytest.raises(services.RecordsError, match="not in this pupil's file"):
        services.decide_item(
            sar=sar, actor=cast.dsl, key="case:SG-0000-0000:report", choice="disclose"
        )
    services.decide_item(
        sar=sar,
        actor=cast.dsl,
        key=key,
        choice="withhold",
        exemption="serious_harm",
        note="The account would distress the pupil's younger sibling.",
    )
    item = DisclosureItem.objects.get()
    assert (item.exemption, item.decided_by) == ("serious_harm", cast.dsl)
    assert AuditEvent.objects.filter(action="subject_access.item_decided").last().data == {
        "reference": sar.reference,
        "item": key,
        "choice": "withhold",
        "exemption": "serious_harm",
    }
    withheld = [i for i in build_items(sar) if i.withheld]
    assert [i.key for i in withheld] == [key]


def test_a_parents_request_may_be_refused_in_the_childs_best_interests(cast, pupil, incident):
    sar = log(cast, pupil, relationship="parent")
    services.decide_item(
        sar=sar,
        actor=cast.dsl,
        key=f"case:{incident.reference}:report",
        choice="withhold",
        exemption=Exemption.NOT_IN_BEST_INTERESTS,
        note="The pupil told us in confidence about a parent's partner.",
    )


def test_the_disclosure_pdf(cast, pupil, incident, client_for):
    sar = log(cast, pupil)
    dsl = client_for(cast.dsl)
    note_key = next(i.key for i in build_items(sar) if i.key.split(":")[2] == "note")
    response = post_form(
        dsl,
        f"/s/oakwood/subject-access/{sar.reference}/items/{note_key}/",
        {"choice": "withhold", "exemption": "third_party", "note": "About the aunt only."},
    )
    assert response.status_code == 302
    response = post_form(
        dsl,
        f"/s/oakwood/subject-access/{sar.reference}/items/case:{incident.reference}:report/",
        {"choice": "disclose", "extra_redactions": "quagmirefox"},
    )
    assert response.status_code == 302
    page = dsl.get(f"/s/oakwood/subject-access/{sar.reference}/").content.decode()
    assert "Withheld" in page and "About the aunt only." in page
    pdf = dsl.get(f"/s/oakwood/subject-access/{sar.reference}/disclosure.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert "Zorbulon" not in pdf["Content-Disposition"]
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Zorbulon" in text and "vexillum" in text  # the pupil's own file
    assert "quagmirefox" not in text and "[removed]" in text  # the word the DSL removed
    assert "aunt" not in text  # the withheld note
    assert "Hepzibah" not in text
    assert AuditEvent.objects.filter(action="subject_access.disclosure_exported").exists()
    response = post_form(
        dsl, f"/s/oakwood/subject-access/{sar.reference}/answered/", {"answered_on": "2026-08-01"}
    )
    assert response.status_code == 302
    sar.refresh_from_db()
    assert sar.status == SubjectAccessRequest.Status.ANSWERED
    assert AuditEvent.objects.get(action="subject_access.answered").data["on_time"] is True
