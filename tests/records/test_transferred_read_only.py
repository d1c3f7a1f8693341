"""Once a leaver's file reaches their new school, the old school keeps its copy read-only,
marked transferred with the receipt. A case whose every pupil has gone takes nothing more (its
status may still move on to closed, never back); a case with a pupil who stays stays open for
them, with the transferred pupil's part (their details, their roles in it) frozen. The services
refuse, not only the pages."""

from datetime import date

import pytest
from django.utils import timezone

from cases import services as case_services
from incidents import services as pupil_services
from incidents.models import Incident, IncidentPupil, PupilRole, Status
from records import services
from records.models import SecureExport
from safeguarding.models import AuditEvent
from tests.conftest import post_form
from tests.records.conftest import file_for, make_pupil


def transfer_and_accept(cast, pupil):
    transfer = services.send_transfer(
        pupil=pupil, school=cast.school_a, to_school=cast.school_b, actor=cast.dsl
    )
    services.accept_transfer(transfer=transfer, actor=cast.dsl_b)
    pupil.refresh_from_db()
    return transfer


def move_to_managed(incident, actor):
    for status in (Status.ACKNOWLEDGED, Status.UNDER_REVIEW, Status.MANAGED_IN_SCHOOL):
        case_services.change_status(incident=incident, actor=actor, to_status=status)


@pytest.fixture
def alone(cast, pupil):
    """A case about the leaver alone."""
    return file_for(cast, pupil)


def test_accepting_marks_the_old_schools_pupil_transferred_with_the_receipt(cast, pupil, alone):
    assert not case_services.is_read_only(alone)
    transfer = transfer_and_accept(cast, pupil)
    transfer.refresh_from_db()
    assert pupil.file_transferred_at == transfer.decided_at
    assert pupil.file_transferred_to == cast.school_b.name
    assert case_services.is_read_only(alone)


def test_a_case_whose_only_pupil_left_takes_nothing_more(cast, pupil, alone):
    move_to_managed(alone, cast.dsl)
    task = case_services.add_task(
        incident=alone, actor=cast.dsl, title="Call", owner=cast.dsl, due_on=date(2030, 1, 1)
    )
    transfer_and_accept(cast, pupil)
    refused = {
        "note": lambda: case_services.add_note(incident=alone, actor=cast.dsl, text="More."),
        "decision": lambda: case_services.record_decision(
            incident=alone, actor=cast.dsl, decision="refer", reasons="Why."
        ),
        "task": lambda: case_services.add_task(
            incident=alone, actor=cast.dsl, title="X", owner=cast.dsl, due_on=date(2030, 1, 1)
        ),
        "task done": lambda: case_services.complete_task(task=task, actor=cast.dsl),
        "assign": lambda: case_services.assign(
            incident=alone, actor=cast.dsl, assignee=cast.deputy
        ),
        "add pupil": lambda: case_services.add_pupil(
            incident=alone,
            actor=cast.dsl,
            pupil=make_pupil(cast.school_a, first="Ottoline", last="Brisk"),
            role=PupilRole.RECIPIENT,
            reason="Also sent it.",
        ),
    }
    for what, change in refused.items():
        with pytest.raises(case_services.CaseError, match="kept read-only"):
            change()
        assert what  # named for the failure message
    # Its status can still move on to closed, but it cannot be reopened.
    case_services.change_status(
        incident=alone,
        actor=cast.dsl,
        to_status=Status.CLOSED,
        reason="Pupil left; file with Elm Park.",
        closing_outcome="managed",
    )
    with pytest.raises(case_services.CaseError, match="kept read-only"):
        case_services.change_status(
            incident=alone, actor=cast.dsl, to_status=Status.UNDER_REVIEW, reason="More."
        )
    assert Incident.objects.get(pk=alone.pk).status == Status.CLOSED


def test_a_case_with_a_pupil_who_stays_stays_open_for_them(cast, pupil, other_pupil, incident):
    transfer_and_accept(cast, pupil)
    assert not case_services.is_read_only(incident)
    pupils = [i.pupil for i in incident.involvements.all()]
    assert case_services.transferred(pupils) == [pupil]
    case_services.add_note(incident=incident, actor=cast.dsl, text="About Hepzibah.")
    # The leaver's part is frozen: not taken off, not added again in another role.
    involvement = IncidentPupil.objects.get(incident=incident, pupil=pupil)
    with pytest.raises(case_services.CaseError, match="part in this case is kept read-only"):
        case_services.remove_pupil(
            incident=incident, actor=cast.dsl, involvement=involvement, reason="Left."
        )
    with pytest.raises(case_services.CaseError, match="part in this case is kept read-only"):
        case_services.add_pupil(
            incident=incident,
            actor=cast.dsl,
            pupil=pupil,
            role=PupilRole.RECIPIENT,
            reason="Also received it.",
        )
    # The pupil who stays can still be taken off the case.
    stays = IncidentPupil.objects.get(incident=incident, pupil=other_pupil)
    case_services.remove_pupil(incident=incident, actor=cast.dsl, involvement=stays, reason="No.")
    # ... and then nobody in the case stays: it becomes read-only as a whole.
    assert case_services.is_read_only(incident)


def test_the_leavers_details_and_leaving_date_are_frozen(cast, pupil, alone):
    transfer_and_accept(cast, pupil)
    with pytest.raises(pupil_services.PupilDetailsReadOnly):
        pupil_services.update_pupil_details(
            pupil=pupil,
            actor=cast.dsl,
            fields={name: getattr(pupil, name) for name in pupil.REFERRAL_FIELDS} | {"upn": ""},
            carers=[],
            agencies=[],
        )
    with pytest.raises(services.RecordsError, match="kept read-only"):
        services.record_leaving(
            pupil=pupil, school=cast.school_a, actor=cast.dsl, leaving_date=None
        )
    assert not AuditEvent.objects.filter(
        action__in=["pupil.details_changed", "pupil.leaving_recorded"]
    ).exists()


def test_the_pupil_import_leaves_a_transferred_pupil_as_it_was(cast, pupil, alone):
    pupil.mis_id = "Z1"
    pupil.save()
    services.record_leaving(
        pupil=pupil, school=cast.school_a, actor=cast.dsl, leaving_date=date(2026, 2, 4)
    )
    transfer_and_accept(cast, pupil)
    result = pupil_services.import_pupils(
        actor=cast.admin,
        school=cast.school_a,
        csv_text="first_name,last_name,year_group,date_of_birth,mis_id,leaving_date\n"
        "Zorbulon,Renamed,10,2011-05-14,Z1,\n",
    )
    pupil.refresh_from_db()
    assert (pupil.last_name, pupil.year_group, result.unchanged) == ("Quillfeather", "9", 1)
    assert pupil.leaving_date == date(2026, 2, 4)


def test_linking_to_a_read_only_case_is_refused(cast, pupil, other_pupil, alone):
    transfer_and_accept(cast, pupil)
    stays = file_for(cast, other_pupil, account="Hepzibah's own matter.")
    with pytest.raises(case_services.CaseError, match="kept read-only"):
        case_services.link_cases(incident=stays, actor=cast.dsl, other=alone, reason="same_image")
    with pytest.raises(case_services.CaseError, match="kept read-only"):
        case_services.close_as_duplicate(
            incident=stays, actor=cast.dsl, original=alone, reason="Same."
        )


def test_a_secure_export_confirmed_received_freezes_it_too(cast, pupil, alone):
    record, _ = services.make_export(
        pupil=pupil, school=cast.school_a, actor=cast.dsl, recipient_school="Ashby Academy"
    )
    today = timezone.localdate()
    services.record_export_sent(
        record=record, actor=cast.dsl, sent_on=today, method="by_hand", sent_to="Ms Ray"
    )
    assert not case_services.is_read_only(alone)
    services.confirm_export_receipt(
        record=SecureExport.objects.get(pk=record.pk),
        actor=cast.dsl,
        confirmed_on=today,
        confirmed_by="Ms Ray, DSL",
    )
    pupil.refresh_from_db()
    assert pupil.file_transferred_to == "Ashby Academy"
    assert case_services.is_read_only(alone)


def test_a_rejected_or_withdrawn_transfer_leaves_the_file_editable(cast, pupil, alone):
    transfer = services.send_transfer(
        pupil=pupil, school=cast.school_a, to_school=cast.school_b, actor=cast.dsl
    )
    services.reject_transfer(transfer=transfer, actor=cast.dsl_b, reason="Not ours.")
    pupil.refresh_from_db()
    assert pupil.file_transferred_at is None
    case_services.add_note(incident=alone, actor=cast.dsl, text="Still ours.")


def test_the_pages_say_so_and_refuse(cast, pupil, other_pupil, incident, alone, client_for):
    transfer_and_accept(cast, pupil)
    oak = client_for(cast.dsl)
    page = oak.get(f"/cases/{alone.reference}/").content.decode()
    assert "This case is kept read-only" in page
    assert "Elm Park" in page and "the receipt" in page
    assert f"/cases/{alone.reference}/notes/" not in page  # nothing to add
    shared = oak.get(f"/cases/{incident.reference}/").content.decode()
    assert "This case is kept read-only" not in shared
    assert "their part in this case (their details and roles) cannot be changed" in shared
    assert f"/cases/{incident.reference}/notes/" in shared  # Hepzibah stays
    # Posting anyway is refused with the reason, and what was typed is kept.
    response = post_form(oak, f"/cases/{alone.reference}/notes/", {"text": "Typed words (kept)."})
    assert response.status_code == 200
    body = response.content.decode()
    assert "kept read-only" in body and "Typed words (kept)." in body
    file_page = oak.get(f"/s/oakwood/pupils/{pupil.pk}/").content.decode()
    assert "Transferred." in file_page and "Change the details for a referral" not in file_page
    details = post_form(oak, f"/s/oakwood/pupils/{pupil.pk}/details/", {"upn": "A123456789012"})
    assert details.status_code == 200
    pupil.refresh_from_db()
    assert pupil.upn == ""
