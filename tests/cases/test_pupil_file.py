"""A pupil's page: their part in every case at the school (the child protection file)."""

from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Decision, Referral
from incidents.models import PupilRole
from safeguarding.models import AuditEvent

from .conftest import make_incident, make_pupil


def test_the_pupil_file_lists_every_case_with_their_roles_referrals_and_decisions(cast, client_for):
    amy = make_pupil(cast.school_a, "Amy", "Jones")
    other = make_pupil(cast.school_a, "Cal", "Moss")
    first = make_incident(
        cast.school_a,
        cast.teacher,
        kind="nudified",
        pupils=[(amy, PupilRole.PICTURED), (amy, PupilRole.TOLD_US)],
    )
    second = make_incident(cast.school_a, cast.teacher, pupils=[(amy, PupilRole.RECIPIENT)])
    unrelated = make_incident(cast.school_a, cast.teacher, pupils=[(other, PupilRole.PICTURED)])
    services.record_referral(
        incident=first,
        actor=cast.dsl,
        agency=Referral.Agency.POLICE,
        referred_on=timezone.localdate(),
        their_reference="CAD-1",
    )
    services.record_decision(
        incident=second,
        actor=cast.dsl,
        decision=Decision.Choice.NOT_REFER,
        reasons="She only received it and deleted nothing.\nHer parents agree.",
    )

    url = reverse("cases:pupil_file", kwargs={"school": cast.school_a.slug, "pupil": amy.pk})
    response = client_for(cast.deputy).get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert first.reference in html and second.reference in html
    assert unrelated.reference not in html
    assert "Pictured, Told us" in html
    assert "Received it" in html
    assert "CAD-1" in html
    assert "She only received it and deleted nothing.<br>Her parents agree." in html
    # One audit record for the page, naming the pupil and every case it showed (issue 13, 8).
    (viewed,) = AuditEvent.objects.filter(actor=cast.deputy, action__endswith=".viewed")
    assert (viewed.action, viewed.target_id) == (services.CASE_VIEWED, str(amy.pk))
    assert viewed.data == {"via": "pupil_file", "cases": [str(first.pk), str(second.pk)]} or (
        viewed.data == {"via": "pupil_file", "cases": [str(second.pk), str(first.pk)]}
    )


def test_opening_a_pupils_file_counts_as_seeing_each_of_their_cases(
    cast, client_for, pupil, incident
):
    url = reverse("cases:pupil_file", kwargs={"school": "oakwood", "pupil": pupil.pk})
    assert client_for(cast.deputy).get(url).status_code == 200
    seen = services.case_events(incident).filter(action=services.CASE_VIEWED, actor=cast.deputy)
    assert [v.data["via"] for v in seen] == ["pupil_file"]
    case_page = reverse("cases:detail", kwargs={"reference": incident.reference})
    html = client_for(cast.dsl).get(case_page + "?views=shown").content.decode()
    assert "Saw the case in a pupil&#x27;s file" in html or "Saw the case in a pupil's file" in html


def test_a_pupil_with_no_cases_is_one_pupil_view(cast, client_for):
    amy = make_pupil(cast.school_a, "Amy", "Jones")
    url = reverse("cases:pupil_file", kwargs={"school": cast.school_a.slug, "pupil": amy.pk})
    assert client_for(cast.dsl).get(url).status_code == 200
    (viewed,) = AuditEvent.objects.filter(actor=cast.dsl, action__endswith=".viewed")
    assert (viewed.action, viewed.target_id) == ("pupil.viewed", str(amy.pk))


def test_the_pupil_file_has_a_back_link_to_the_schools_cases(cast, client_for):
    amy = make_pupil(cast.school_a, "Amy", "Jones")
    url = reverse("cases:pupil_file", kwargs={"school": cast.school_a.slug, "pupil": amy.pk})
    html = client_for(cast.dsl).get(url).content.decode()
    inbox = reverse("cases:inbox", kwargs={"school": cast.school_a.slug})
    assert f'<a href="{inbox}" class="govuk-back-link">All cases at Oakwood Academy</a>' in html
