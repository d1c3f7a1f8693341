"""The DSL enters what a referral asks about a child on the pupil's file: saved, audited by
the names of what changed (never the values), shown on the file and in the referral summary."""

import pytest
from django.urls import reverse

from cases import forms
from cases.referral_pdf import render_referral_pdf
from incidents.models import Pupil, PupilRole
from incidents.services import PUPIL_DETAILS_CHANGED
from safeguarding.models import AuditEvent
from tests.conftest import post_form
from tests.pdf.test_referral_first_page import pages, squeeze

from .conftest import make_incident, make_pupil

FILLED = {
    "sex": "F",
    "upn": "a123 4567 8901 2",
    "address": "12 Tulgey Wood Road\nOakwood OK1 2AB",
    "child_protection_plan": "yes",
    "child_in_need": "no",
    "looked_after": "",
    "sen": "K",
    "previous_concerns": "",
    "carer_1_name": "Sarah Jones",
    "carer_1_relationship": "Mother",
    "carer_1_phone": "07700 900 461",
    "carer_1_email": "sarah@example.com",
    "carer_1_parental_responsibility": "yes",
    "carer_2_name": "Tom Jones",
    "carer_2_relationship": "Father",
    "carer_2_phone": "",
    "carer_2_email": "",
    "carer_2_parental_responsibility": "",
    "agency_1": "CAMHS",
    "agency_1_contact": "Jo Bright, 01632 960 555",
}


def url(pupil):
    return reverse("cases:pupil_details", kwargs={"school": pupil.school.slug, "pupil": pupil.pk})


@pytest.fixture
def amy(cast):
    return make_pupil(cast.school_a, "Amy", "Jones", "9")


def test_the_dsl_enters_a_pupils_details_and_the_referral_summary_shows_them(cast, client_for, amy):
    client = client_for(cast.dsl)
    assert client.get(url(amy)).status_code == 200
    response = post_form(client, url(amy), FILLED)
    assert response.status_code == 302
    amy.refresh_from_db()
    assert (amy.sex, amy.upn, amy.sen) == ("F", "A123456789012", "K")
    assert (amy.child_protection_plan, amy.child_in_need, amy.looked_after) == (True, False, None)
    assert [(c.name, c.priority, c.parental_responsibility) for c in amy.carers.all()] == [
        ("Sarah Jones", 1, True),
        ("Tom Jones", 2, None),
    ]
    assert [(a.agency, a.contact) for a in amy.agencies.all()] == [
        ("CAMHS", "Jo Bright, 01632 960 555")
    ]
    # Audited by what changed, never the values.
    (event,) = AuditEvent.objects.filter(action=PUPIL_DETAILS_CHANGED)
    assert event.actor == cast.dsl and event.target_id == str(amy.pk)
    assert set(event.data["changed"]) == {
        "sex",
        "upn",
        "address",
        "child_protection_plan",
        "child_in_need",
        "sen",
        "carers",
        "agencies",
    }
    assert "Sarah" not in str(event.data) and "Tulgey" not in str(event.data)

    file_page = client.get(
        reverse("cases:pupil_file", kwargs={"school": cast.school_a.slug, "pupil": amy.pk})
    ).content.decode()
    for shown in ("A123456789012", "Sarah Jones", "SEN support", "CAMHS", "Not recorded"):
        assert shown in file_page, shown

    incident = make_incident(cast.school_a, cast.teacher, pupils=[(amy, PupilRole.PICTURED)])
    first = squeeze(pages(render_referral_pdf(incident, generated_by=cast.dsl))[0])
    assert "UPN: A123456789012." in first
    assert "Sarah Jones (Mother): phone 07700 900 461" in first
    assert "Tom Jones (Father): phone not recorded, email not recorded" in first
    assert "Looked after: Not recorded. SEN support or EHCP: SEN support." in first


def test_the_form_opens_with_what_is_held_and_saving_it_unchanged_writes_nothing(
    cast, client_for, amy
):
    client = client_for(cast.deputy)
    post_form(client, url(amy), FILLED)
    page = client.get(url(amy)).content.decode()
    assert 'value="Sarah Jones"' in page and 'value="A123456789012"' in page
    again = dict(FILLED, upn="A123456789012")
    post_form(client, url(amy), again)
    assert AuditEvent.objects.filter(action=PUPIL_DETAILS_CHANGED).count() == 1
    # Clearing a carer's row removes them; the next moves up.
    post_form(client, url(amy), dict(again, carer_1_name="", carer_1_relationship="",
                               carer_1_phone="", carer_1_email="",
                               carer_1_parental_responsibility=""))  # fmt: skip
    assert [(c.name, c.priority) for c in Pupil.objects.get(pk=amy.pk).carers.all()] == [
        ("Tom Jones", 1)
    ]


def test_bad_input_is_explained_and_everything_typed_is_kept(cast, client_for, amy):
    bad = dict(FILLED, upn="12345", carer_2_name="", carer_2_phone="07700 900 000")
    response = post_form(client_for(cast.dsl), url(amy), bad)
    assert response.status_code == 200
    page = response.content.decode()
    assert forms.UPN_SHAPE in page
    assert forms.SAY_CARER_NAME in page
    for kept in ("Sarah Jones", "07700 900 000", "Jo Bright, 01632 960 555", "Tulgey Wood"):
        assert kept in page, kept
    assert not Pupil.objects.get(pk=amy.pk).carers.exists()
    assert not AuditEvent.objects.filter(action=PUPIL_DETAILS_CHANGED).exists()


@pytest.mark.parametrize(
    "member,status",
    [
        ("teacher", 403),
        ("admin", 403),
        ("dsl_b", 404),
        ("trust_lead", 404),
        ("outsider", 404),
    ],
)
def test_only_the_schools_dsl_and_deputies_may_change_them(cast, client_for, amy, member, status):
    client = client_for(getattr(cast, member))
    assert client.get(url(amy)).status_code == status
    assert post_form(client, url(amy), FILLED).status_code == status
    assert not Pupil.objects.get(pk=amy.pk).carers.exists()
    assert AuditEvent.objects.filter(action="access.denied", actor=getattr(cast, member)).exists()


def test_another_schools_pupil_is_not_found(cast, client_for):
    elm = make_pupil(cast.school_b, "Eli", "Moss")
    wrong = reverse("cases:pupil_details", kwargs={"school": cast.school_a.slug, "pupil": elm.pk})
    assert post_form(client_for(cast.dsl), wrong, FILLED).status_code == 404
    assert not elm.carers.exists()
