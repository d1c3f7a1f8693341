"""What the receiving school sees: nothing of the file before it accepts, only the transferred
pupil's part after, and nothing at all once it rejects. Through the pages, as a DSL would."""

from incidents.models import Pupil
from records import services
from records.models import ReceivedFile
from safeguarding.models import AuditEvent
from tests.conftest import post_form
from tests.records.conftest import file_for, make_pupil

SECRETS = ("quagmirefox", "vexillum", "aunt")


def send(cast, pupil):
    return services.send_transfer(
        pupil=pupil, school=cast.school_a, to_school=cast.school_b, actor=cast.dsl
    )


def test_before_acceptance_the_new_school_sees_who_but_nothing_in_the_file(
    cast, pupil, incident, client_for
):
    transfer = send(cast, pupil)
    elm = client_for(cast.dsl_b)
    page = elm.get(f"/s/elm-park/transfers/{transfer.reference}/").content.decode()
    assert "Zorbulon" in page and "Accept the file" in page  # who it is about, to decide
    assert not any(word in page for word in SECRETS)
    assert incident.reference not in page
    # Nothing else about the pupil or the case is reachable from Elm Park.
    for url in (
        f"/s/oakwood/pupils/{pupil.pk}/file/preview/",
        f"/s/elm-park/pupils/{pupil.pk}/file/preview/",
        f"/cases/{incident.reference}/",
        f"/s/oakwood/transfers/{transfer.reference}/",
    ):
        assert elm.get(url).status_code == 404, url
    # Elm Park's teacher is not a lead: 403 on the school's pages; Oakwood's teacher 404.
    assert (
        client_for(cast.teacher_b).get(f"/s/elm-park/transfers/{transfer.reference}/").status_code
        == 403
    )
    assert (
        client_for(cast.teacher).get(f"/s/elm-park/transfers/{transfer.reference}/").status_code
        == 404
    )


def test_after_acceptance_only_the_transferred_pupils_part(
    cast, pupil, other_pupil, incident, client_for
):
    # A case at Oakwood about the other pupil alone is not part of this file.
    unrelated = file_for(cast, other_pupil, account="Hepzibah's own matter (borogove).")
    transfer = send(cast, pupil)
    elm = client_for(cast.dsl_b)
    response = post_form(
        elm, f"/s/elm-park/transfers/{transfer.reference}/accept/", {"pupil": "new"}
    )
    received = ReceivedFile.objects.get()
    assert response["Location"] == f"/s/elm-park/received/{received.pk}/"
    page = elm.get(response["Location"]).content.decode()
    assert all(word in page for word in SECRETS)
    assert incident.reference in page
    assert "Hepzibah" not in page and "Crankshaw" not in page and "another pupil" in page
    assert unrelated.reference not in page and "borogove" not in page
    assert AuditEvent.objects.filter(
        action="file.received_viewed", school=cast.school_b, actor=cast.dsl_b
    ).exists()
    # The received file is Elm Park's: Oakwood cannot open it, nor can Elm Park open Oakwood's.
    assert client_for(cast.dsl).get(f"/s/elm-park/received/{received.pk}/").status_code == 404
    assert client_for(cast.dsl).get(f"/s/oakwood/received/{received.pk}/").status_code == 404
    assert elm.get(f"/cases/{incident.reference}/").status_code == 404
    # The old school's page shows the receipt.
    page = client_for(cast.dsl).get(f"/s/oakwood/transfers/{transfer.reference}/").content.decode()
    assert "Accepted by Dina Shah at Elm Park School" in page


def test_a_rejected_transfer_leaves_nothing_behind(cast, pupil, incident, client_for):
    transfer = send(cast, pupil)
    elm = client_for(cast.dsl_b)
    elm.get(f"/s/elm-park/transfers/{transfer.reference}/")
    response = post_form(
        elm,
        f"/s/elm-park/transfers/{transfer.reference}/reject/",
        {"reason": "No pupil of that name is joining us."},
    )
    assert response.status_code == 302
    assert elm.get(f"/s/elm-park/transfers/{transfer.reference}/").status_code == 404
    assert not Pupil.objects.filter(school=cast.school_b).exists()
    assert not ReceivedFile.objects.exists()
    assert "Zorbulon" not in elm.get("/s/elm-park/records/").content.decode()
    # Audit rows written at Elm Park name nobody.
    for event in AuditEvent.objects.filter(school=cast.school_b):
        assert "Zorbulon" not in str(event.data) and "Quillfeather" not in str(event.data)
    page = client_for(cast.dsl).get(f"/s/oakwood/transfers/{transfer.reference}/").content.decode()
    assert "No pupil of that name is joining us." in page and "Send the file again" in page


def test_sending_from_the_pages(cast, pupil, incident, client_for):
    dsl = client_for(cast.dsl)
    page = dsl.get(f"/s/oakwood/pupils/{pupil.pk}/send/").content.decode()
    assert "Elm Park School" in page and "Oakwood Academy</option>" not in page
    response = post_form(
        dsl, f"/s/oakwood/pupils/{pupil.pk}/send/", {"to_school": cast.school_a.pk}
    )
    assert response.status_code == 200  # your own school is not offered, nor taken
    response = post_form(
        dsl,
        f"/s/oakwood/pupils/{pupil.pk}/send/",
        {"to_school": cast.school_b.pk, "keep_other_names": "on", "other_names_reason": ""},
    )
    assert "Write why the new school needs" in response.content.decode() or (
        "Write why the other pupils" in response.content.decode()
    )
    response = post_form(
        dsl, f"/s/oakwood/pupils/{pupil.pk}/send/", {"to_school": cast.school_b.pk}
    )
    assert response.status_code == 302
    assert "Waiting for the new school" in dsl.get(response["Location"]).content.decode()


def test_a_pupil_with_no_file_cannot_be_sent(cast, client_for):
    nobody = make_pupil(cast.school_a, first="Ivo", last="Pratt")
    response = post_form(
        client_for(cast.dsl),
        f"/s/oakwood/pupils/{nobody.pk}/send/",
        {"to_school": cast.school_b.pk},
    )
    assert services.NO_FILE in response.content.decode()


def test_reading_the_file_before_sending_is_recorded_as_seeing_its_cases(
    cast, pupil, incident, client_for
):
    client_for(cast.dsl).get(f"/s/oakwood/pupils/{pupil.pk}/file/preview/")
    seen = AuditEvent.objects.get(action="incident.viewed", data__via="file_preview")
    assert seen.data["cases"] == [str(incident.pk)] and seen.actor == cast.dsl
