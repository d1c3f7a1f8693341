"""The pupil is the hub: the case shows each pupil's other cases and flags; the DSL adds a pupil
to a case or takes one off, with a reason, audited and on the timeline; the pupil list links to
each pupil's file for the DSL and deputies only."""

from datetime import timedelta

from django.urls import reverse

from cases import forms, services
from cases.models import PupilChange
from incidents.models import IncidentPupil, PupilRole, SenProvision, Status
from safeguarding.models import AuditEvent
from tests.conftest import post_form, search_for

from .conftest import make_incident, make_pupil


def url(name, incident):
    return reverse(f"cases:{name}", kwargs={"reference": incident.reference})


def test_the_case_names_each_pupils_earlier_and_later_cases(cast, client_for):
    amy = make_pupil(cast.school_a, "Amy", "Jones")
    cal = make_pupil(cast.school_a, "Cal", "Moss")
    first = make_incident(
        cast.school_a,
        cast.teacher,
        age=timedelta(days=90),
        status=Status.CLOSED,
        pupils=[(amy, PupilRole.PICTURED), (amy, PupilRole.TOLD_US)],
    )
    second = make_incident(
        cast.school_a,
        cast.teacher,
        age=timedelta(days=30),
        status=Status.UNDER_REVIEW,
        pupils=[(amy, PupilRole.RECIPIENT)],
    )
    this = make_incident(
        cast.school_a,
        cast.teacher,
        age=timedelta(days=1),
        pupils=[(amy, PupilRole.PICTURED), (cal, PupilRole.SHARER)],
    )
    later = make_incident(cast.school_a, cast.teacher, pupils=[(amy, PupilRole.TOLD_US)])
    make_incident(cast.school_b, cast.teacher_b)  # another school's cases are never named

    html = client_for(cast.dsl).get(url("detail", this)).content.decode()

    assert "Also in 2 earlier cases and 1 later case</strong> (2 open)" in html
    for other in (first, second, later):
        assert f'href="{url("detail", other)}"' in html
    # Amy is in the first case twice; it counts once.
    assert html.count(f'href="{url("detail", first)}"') == 1
    assert "In no other case at this school." in html  # Cal


def test_the_case_shows_the_flags_the_dsl_keeps(cast, client_for):
    amy = make_pupil(cast.school_a)
    amy.child_protection_plan = True
    amy.sen = SenProvision.EHC_PLAN
    amy.looked_after = False
    amy.save()
    incident = make_incident(cast.school_a, cast.teacher, pupils=[(amy, PupilRole.PICTURED)])
    client = client_for(cast.dsl)

    html = client.get(url("detail", incident)).content.decode()
    assert 'govuk-tag--purple">Child protection plan<' in html
    assert 'govuk-tag--purple">Education, health and care plan (EHCP)<' in html
    assert "Not recorded: child in need, earlier safeguarding concerns." in html

    file = reverse("cases:pupil_file", kwargs={"school": cast.school_a.slug, "pupil": amy.pk})
    html = client.get(file).content.decode()
    assert "Looked after</dt>" in html and "Child in need</dt>" in html


def test_the_dsl_adds_a_pupil_with_a_reason(cast, client_for):
    amy = make_pupil(cast.school_a)
    cal = make_pupil(cast.school_a, "Cal", "Moss")
    elsewhere = make_pupil(cast.school_b, "Bo", "Lane")
    incident = make_incident(cast.school_a, cast.teacher, pupils=[(amy, PupilRole.PICTURED)])
    client = client_for(cast.deputy)

    form = search_for(client, url("add_pupil", incident), "moss", action="Search")
    html = form.content.decode()
    assert "Moss, Cal" in html and "Lane" not in html
    response = post_form(
        client,
        url("add_pupil", incident),
        {"pupil": cal.pk, "role": PupilRole.SHARER, "reason": "Named at the review meeting."},
    )

    assert response.status_code == 302
    assert IncidentPupil.objects.filter(incident=incident, pupil=cal, role="sharer").exists()
    change = PupilChange.objects.get()
    assert (change.added, change.recorded_by, change.reason) == (
        True,
        cast.deputy,
        "Named at the review meeting.",
    )
    event = AuditEvent.objects.get(action=services.RECORD_ADDED, target_id=str(incident.pk))
    assert event.data == {
        "record": "pupil_change",
        "id": change.pk,
        "pupil": str(cal.pk),
        "added": True,
    }
    html = client.get(url("detail", incident)).content.decode()
    assert "Changed who is in the case" in html and "Added Cal Moss (shared it)" in html

    # The same pupil in the same part again, a pupil of another school, no reason: refused.
    again = post_form(
        client, url("add_pupil", incident), {"pupil": cal.pk, "role": "sharer", "reason": "x"}
    )
    assert "Cal Moss is already in this case as “shared it”." in again.content.decode()
    other = post_form(
        client, url("add_pupil", incident), {"pupil": elsewhere.pk, "role": "sharer", "reason": "x"}
    )
    assert other.status_code == 200
    no_reason = post_form(
        client, url("add_pupil", incident), {"pupil": cal.pk, "role": "recipient"}
    )
    assert forms.SAY_WHY_ADDED in no_reason.content.decode()
    assert PupilChange.objects.count() == 1


def test_the_dsl_takes_a_pupil_off_with_a_reason_and_the_case_leaves_their_file(cast, client_for):
    amy = make_pupil(cast.school_a)
    cal = make_pupil(cast.school_a, "Cal", "Moss")
    incident = make_incident(
        cast.school_a, cast.teacher, pupils=[(amy, PupilRole.PICTURED), (cal, PupilRole.SHARER)]
    )
    client = client_for(cast.dsl)
    wrong = IncidentPupil.objects.get(pupil=cal)

    no_reason = post_form(client, url("remove_pupil", incident), {"involvement": wrong.pk})
    assert forms.SAY_WHY_REMOVED in no_reason.content.decode()
    response = post_form(
        client,
        url("remove_pupil", incident),
        {"involvement": wrong.pk, "reason": "Wrong Cal: it was Cal Mason in Year 10."},
    )

    assert response.status_code == 302
    assert list(
        IncidentPupil.objects.filter(incident=incident).values_list("pupil", flat=True)
    ) == [amy.pk]
    change = PupilChange.objects.get()
    assert (change.added, change.pupil, change.role) == (False, cal, PupilRole.SHARER)
    html = client.get(url("detail", incident)).content.decode()
    assert 'Took off Cal Moss (shared it): <span dir="auto">Wrong Cal' in html
    file = reverse("cases:pupil_file", kwargs={"school": cast.school_a.slug, "pupil": cal.pk})
    assert incident.reference not in client.get(file).content.decode()


def test_a_closed_case_takes_no_pupil_changes(cast, client_for):
    amy = make_pupil(cast.school_a)
    incident = make_incident(cast.school_a, cast.teacher, status=Status.CLOSED)
    response = post_form(
        client_for(cast.dsl),
        url("add_pupil", incident),
        {"pupil": amy.pk, "role": "pictured", "reason": "Late news."},
    )
    assert services.CASE_IS_CLOSED in response.content.decode()
    assert not IncidentPupil.objects.exists()


def test_the_pupil_list_links_to_files_for_dsl_and_deputies_only(cast, client_for):
    amy = make_pupil(cast.school_a)
    pupils = reverse("incidents:pupils", kwargs={"school": cast.school_a.slug})
    file = reverse("cases:pupil_file", kwargs={"school": cast.school_a.slug, "pupil": amy.pk})
    assert f'href="{file}"' in client_for(cast.dsl).get(pupils).content.decode()
    assert f'href="{file}"' not in client_for(cast.admin).get(pupils).content.decode()
