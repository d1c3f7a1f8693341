"""Who may report, and who may see a report: the reporter alone (and the school's DSLs through
the case pages). Everyone else gets 404, and the denial is audited."""

import pytest
from django.urls import reverse

from incidents.models import Incident
from safeguarding.models import AuditEvent, Membership
from tests.conftest import post_form

SCHOOL_A_STAFF = ["teacher", "dsl", "deputy", "admin"]
NOT_AT_SCHOOL_A = ["teacher_b", "dsl_b", "trust_lead", "other_trust_lead", "outsider"]


@pytest.fixture
def teachers_report(journey, cast):
    j = journey(cast.teacher).complete()
    j.submit()
    return Incident.objects.get()


@pytest.mark.parametrize("member", SCHOOL_A_STAFF)
def test_every_school_role_can_start_a_report(client_for, cast, member):
    client = client_for(getattr(cast, member))
    response = client.get(reverse("incidents:report_start", kwargs={"school": "oakwood"}))
    assert response.status_code == 200


@pytest.mark.parametrize("member", NOT_AT_SCHOOL_A)
def test_nobody_else_can_report_at_the_school(client_for, cast, member):
    client = client_for(getattr(cast, member))
    url = reverse("incidents:report_start", kwargs={"school": "oakwood"})
    assert client.get(url).status_code == 404
    assert post_form(client, url, {"acknowledged": "on"}).status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(reverse("incidents:report_start", kwargs={"school": "oakwood"}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("safeguarding:login"))
    assert client.get(reverse("incidents:my_reports")).status_code == 302


@pytest.mark.parametrize("member", ["dsl", "deputy", "admin"])
def test_a_draft_is_its_reporters_alone(journey, client_for, cast, member):
    j = journey(cast.teacher)
    j.start()
    j.what()
    other = client_for(getattr(cast, member))
    for step in ("report_what", "report_who", "report_checklist", "report_outcome", "report_check"):
        assert other.get(j.url(step)).status_code == 404
    assert post_form(other, j.url("report_check")).status_code == 404
    assert post_form(other, j.url("report_discard")).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", data__status=404).exists()
    # And their start page does not offer it.
    start = other.get(reverse("incidents:report_start", kwargs={"school": "oakwood"}))
    assert str(j.draft_id) not in start.content.decode()


def test_a_draft_cannot_be_opened_through_another_school(journey, client_for, cast):
    j = journey(cast.teacher)
    j.start()
    url = j.url("report_what").replace("/oakwood/", "/elm-park/")
    assert j.client.get(url).status_code == 404


def test_a_teacher_sees_only_their_own_reports(journey, cast, client_for, teachers_report):
    dsl_journey = journey(cast.dsl).complete()
    dsl_journey.submit()
    dsl_report = Incident.objects.exclude(pk=teachers_report.pk).get()

    client = client_for(cast.teacher)
    listing = client.get(reverse("incidents:my_reports")).content.decode()
    assert teachers_report.reference in listing
    assert dsl_report.reference not in listing
    url = reverse("incidents:my_report", kwargs={"reference": dsl_report.reference})
    assert client.get(url).status_code == 404
    assert post_form(client, url, {"text": "more"}).status_code == 404
    assert not dsl_report.follow_ups.exists()


@pytest.mark.parametrize("member", ["dsl", "deputy", "admin", *NOT_AT_SCHOOL_A])
def test_nobody_else_sees_a_report_under_my_reports(client_for, cast, teachers_report, member):
    client = client_for(getattr(cast, member))
    reference = teachers_report.reference
    for url in (
        reverse("incidents:my_report", kwargs={"reference": reference}),
        reverse("incidents:report_submitted", kwargs={"school": "oakwood", "reference": reference}),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert reference not in response.content.decode()
    listing = client.get(reverse("incidents:my_reports")).content.decode()
    assert reference not in listing


def test_someone_who_left_the_school_no_longer_sees_their_reports(
    client_for, cast, teachers_report
):
    Membership.objects.filter(user=cast.teacher).delete()
    client = client_for(cast.teacher)
    url = reverse("incidents:my_report", kwargs={"reference": teachers_report.reference})
    assert client.get(url).status_code == 404
    assert (
        teachers_report.reference
        not in client.get(reverse("incidents:my_reports")).content.decode()
    )


def test_the_reporter_sees_their_report_and_the_view_is_recorded(client_for, cast, teachers_report):
    client = client_for(cast.teacher)
    url = reverse("incidents:my_report", kwargs={"reference": teachers_report.reference})
    response = client.get(url)
    assert response.status_code == 200
    assert "Jake put my photo in an app" in response.content.decode()
    viewed = AuditEvent.objects.get(action="incident.viewed")
    assert viewed.actor == cast.teacher and viewed.target_id == str(teachers_report.pk)


@pytest.mark.parametrize(
    ("member", "status"),
    [
        ("admin", 200),
        ("dsl", 200),
        ("deputy", 200),
        ("teacher", 403),
        ("teacher_b", 404),
        ("dsl_b", 404),
        ("trust_lead", 404),
        ("outsider", 404),
    ],
)
def test_the_pupil_list_is_for_admins_and_safeguarding_leads(client_for, cast, member, status):
    client = client_for(getattr(cast, member))
    assert (
        client.get(reverse("incidents:pupils", kwargs={"school": "oakwood"})).status_code == status
    )


@pytest.mark.parametrize(
    ("member", "status"),
    [("admin", 200), ("dsl", 403), ("deputy", 403), ("teacher", 403), ("dsl_b", 404)],
)
def test_only_the_school_admin_imports_pupils(client_for, cast, member, status):
    client = client_for(getattr(cast, member))
    url = reverse("incidents:pupils_import", kwargs={"school": "oakwood"})
    assert client.get(url).status_code == status
    csv_text = "first_name,last_name,year_group,date_of_birth,mis_id\nA,B,9,2012-01-01,\n"
    assert post_form(client, url, {"csv_text": csv_text}).status_code == status
