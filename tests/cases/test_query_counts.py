"""The inbox and the case page cost the same number of queries however much there is."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Referral
from incidents.models import FollowUp, Incident, IncidentPupil, PupilRole, Urgency
from tests.conftest import post_form

from .conftest import make_incident, make_pupil


def add_cases(cast, count: int, pupils) -> None:
    now = timezone.now()
    urgencies = list(Urgency.values)
    incidents = Incident.objects.bulk_create(
        Incident(
            school=cast.school_a,
            reporter=cast.teacher,
            kind="nudified",
            came_to_light="child_told",
            location="online",
            account="Words only.",
            adults_involved="no",
            checklist_version="2024.1",
            urgency=urgencies[i % 3],
            status=["new", "acknowledged", "under_review"][i % 3],
            assigned_to=cast.deputy if i % 2 else None,
            submitted_at=now - timedelta(minutes=i),
        )
        for i in range(count)
    )
    IncidentPupil.objects.bulk_create(
        IncidentPupil(incident=incident, pupil=pupil, role=role)
        for incident in incidents
        for pupil, role in zip(pupils, [PupilRole.PICTURED, PupilRole.ALLEGED_CREATOR], strict=True)
    )


def inbox_queries(client, school, **params) -> int:
    url = reverse("cases:inbox", kwargs={"school": school.slug})
    if params:  # filters are posted, and shown at the address that leads to
        url = post_form(client, url, params)["Location"]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_inbox_costs_the_same_at_10_and_at_1000_cases(cast, client_for):
    pupils = [make_pupil(cast.school_a), make_pupil(cast.school_a, "Cal", "Moss")]
    client = client_for(cast.dsl)
    add_cases(cast, 10, pupils)
    inbox_queries(client, cast.school_a)  # the school's first audit record starts its chain
    at_10 = inbox_queries(client, cast.school_a)
    at_10_filtered = inbox_queries(
        client, cast.school_a, status="all", urgency="call_999", pupil="amy", page="1"
    )

    add_cases(cast, 990, pupils)
    assert Incident.objects.count() == 1000
    at_1000 = inbox_queries(client, cast.school_a)
    at_1000_filtered = inbox_queries(
        client, cast.school_a, status="all", urgency="call_999", pupil="amy", page="3"
    )

    assert at_1000 == at_10
    assert at_1000_filtered == at_10_filtered
    # Five of them write the page's one audit record, whatever the number of cases shown
    # (savepoint, the school's chain lock, its head, the insert, release); three save the
    # session (its idle time slides on every page); two look for alerts that were not delivered
    # (the banner a lead sees on every page).
    assert at_10 <= 21, at_10


def case_page_queries(client, incident) -> int:
    url = reverse("cases:detail", kwargs={"reference": incident.reference})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def grow(cast, incident, pupils, times: int) -> None:
    for i in range(times):
        IncidentPupil.objects.create(incident=incident, pupil=pupils[i], role=PupilRole.RECIPIENT)
        follow_up = FollowUp.objects.create(incident=incident, author=cast.teacher, text="More.")
        services.audit.record(
            "incident.follow_up_added",
            actor=cast.teacher,
            target=incident,
            school=incident.school,
            data={"follow_up_id": follow_up.pk},
        )
        services.add_note(incident=incident, actor=cast.dsl, text=f"Note {i}")
        services.record_referral(
            incident=incident,
            actor=cast.deputy,
            agency=Referral.Agency.POLICE,
            referred_on=timezone.localdate(),
        )
        services.add_task(
            incident=incident,
            actor=cast.dsl,
            title="Check in",
            owner=cast.deputy if i % 2 else cast.dsl,
            due_on=timezone.localdate(),
        )
        services.assign(
            incident=incident, actor=cast.dsl, assignee=cast.deputy if i % 2 else cast.dsl
        )
        services.log_case_view(incident=incident, actor=cast.deputy if i % 2 else cast.dsl)


def test_the_case_page_costs_the_same_as_events_pupils_and_records_grow(cast, client_for):
    pupils = [make_pupil(cast.school_a, f"Pupil{i}", "Test") for i in range(40)]
    incident = make_incident(cast.school_a, cast.teacher)
    client = client_for(cast.dsl)

    grow(cast, incident, pupils[:2], 2)
    small = case_page_queries(client, incident)

    grow(cast, incident, pupils[2:], 38)
    assert services.case_events(incident).count() > 200
    large = case_page_queries(client, incident)

    assert large == small, (small, large)
    # Three of them are the case's links, its pupil changes and its pupils' other cases.
    assert small <= 37, small
