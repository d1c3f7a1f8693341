"""The DSL chooses what goes in the referral summary: the whole case, or a version about one
pupil that names no other child and leaves out their details. Every download is audited with
the version."""

import pytest
from django.urls import reverse

from cases import referral_pdf
from cases.referral_pdf import ANOTHER_CHILD, render_referral_pdf
from incidents.models import PupilRole
from safeguarding.models import AuditEvent
from tests.cases.conftest import make_incident, make_pupil

from .test_referral_first_page import ARABIC_FIRST, ARABIC_LAST, pages, referred, squeeze

__all__ = ["referred"]  # the fixture, shared


def whole(pdf: bytes) -> str:
    return squeeze(" ".join(pages(pdf)))


def test_a_version_about_one_pupil_names_no_other_child(cast, referred):
    amy = referred.involvements.get(role=PupilRole.PICTURED).pupil
    text = whole(render_referral_pdf(referred, generated_by=cast.dsl, focus=amy))
    # Amy in full.
    assert "About Amy Jones." in text
    assert "Amy Jones: Pictured" in text
    assert "UPN: A123456789012." in text and "Sarah Jones (Mother)" in text
    # The others: not named anywhere (their part kept), their details left out.
    for withheld in ("Ben", "Carter", "B987654321098", "Male", ARABIC_FIRST, ARABIC_LAST):
        assert withheld not in text, withheld
    assert "Another child: Alleged creator" in text
    assert "Another child: Told us" in text
    # In what the reporter wrote, too.
    assert f"Maryam said {ANOTHER_CHILD} made a picture of Amy" in text
    assert "Ben's family" not in text and f"{ANOTHER_CHILD}'s family" in text


def test_the_whole_case_names_everyone(cast, referred):
    text = whole(render_referral_pdf(referred, generated_by=cast.dsl))
    assert "Ben Carter: Alleged creator" in text and ANOTHER_CHILD not in text
    assert "About " not in text


def test_a_brother_sharing_her_surname_is_withheld_but_not_her_surname(cast):
    amy = make_pupil(cast.school_a, "Amy", "Jones")
    sam = make_pupil(cast.school_a, "Sam", "Jones")
    incident = make_incident(
        cast.school_a,
        cast.teacher,
        pupils=[(amy, PupilRole.PICTURED), (sam, PupilRole.SHARER)],
        account="Sam Jones sent it on. Sam said sorry. Mrs Jones was told.",
    )
    text = whole(render_referral_pdf(incident, generated_by=cast.dsl, focus=amy))
    assert "Amy Jones: Pictured" in text
    assert "Sam" not in text
    assert f"{ANOTHER_CHILD} sent it on. {ANOTHER_CHILD} said sorry. Mrs Jones was told." in text


def test_each_download_is_audited_with_what_it_included(cast, referred, client_for):
    amy = referred.involvements.get(role=PupilRole.PICTURED).pupil
    url = reverse("cases:referral_summary", args=[referred.reference])
    client = client_for(cast.dsl)
    assert client.get(url).status_code == 200
    response = client.get(url, {"pupil": str(amy.pk)})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "Amy" not in response["Content-Disposition"]
    downloads = AuditEvent.objects.filter(action=referral_pdf.PDF_DOWNLOADED).order_by("id")
    assert [{k: v for k, v in d.data.items() if k != "bytes"} for d in downloads] == [
        {"version": "whole_case"},
        {"version": "pupil", "pupil": str(amy.pk), "names_withheld": 2},
    ]
    # The case page offers both.
    page = client.get(reverse("cases:detail", args=[referred.reference])).content.decode()
    assert f"{url}?pupil={amy.pk}" in page and "Download the whole case" in page


@pytest.mark.parametrize("pupil", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_a_pupil_not_in_the_case_is_not_found(cast, referred, client_for, pupil):
    url = reverse("cases:referral_summary", args=[referred.reference])
    response = client_for(cast.dsl).get(url, {"pupil": pupil})
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=referral_pdf.PDF_DOWNLOADED).exists()


def test_a_pupil_of_another_case_is_not_found(cast, referred, client_for):
    other = make_pupil(cast.school_a, "Cal", "Moss")
    make_incident(cast.school_a, cast.teacher, pupils=[(other, PupilRole.PICTURED)])
    url = reverse("cases:referral_summary", args=[referred.reference])
    assert client_for(cast.dsl).get(url, {"pupil": str(other.pk)}).status_code == 404
