"""The inbox, the case page and a pupil's file cost the same number of queries however much
there is (the DSL's home: test_home_work.py)."""

from datetime import time, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import (
    RECORD_MODELS,
    CaseLink,
    CaseNote,
    Decision,
    DeviceSecured,
    ImageryViewing,
    ParentsInformed,
    PupilChange,
    Referral,
    RemovalOffered,
    ReviewMeeting,
    StaffSawImagery,
    StatusChange,
    Task,
    TriageOverride,
)
from incidents.models import (
    AgencyInvolvement,
    Carer,
    FollowUp,
    Incident,
    IncidentPupil,
    PupilRole,
    Urgency,
)
from safeguarding.models import AuditEvent
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


# Every page a DSL or deputy opens costs these (the floor, what the sign-in page costs them):
# the session, the person with their roles at schools and trusts (one query, shared by the
# access check and the banners: safeguarding/backends.py), their second factor, and their
# unread notifications and the school's undelivered alerts (one query for both banners). The
# session is written again only when it changed or once a minute (safeguarding/sessions.py).
EVERY_PAGE = 4
# The page's one audit record: the school's chain lock with its head (one statement), the insert.
AUDIT = 2
# The reviewers the "Assigned to" filter offers, a page of cases with the number of cases in
# all (one query), and the pupils in those cases.
EXPECTED_INBOX_QUERIES = EVERY_PAGE + AUDIT + 3
# The case and the roles at its school's, and the case file: its pupils with their other
# cases, then the rest in one query (every kind of record, the follow-ups, the links either
# way and the cases at their other ends, the timeline's events, who has seen the case, and the
# people and pupils all of those name). SQLite has no such query: there, each of those 20
# parts is a query of its own. Marking the reader's notifications about the case read costs
# nothing when there are none (the banners' count says so), one query when there are.
CASE_FILE_PARTS = len(RECORD_MODELS) + 7
EXPECTED_CASE_PAGE_QUERIES = (
    EVERY_PAGE + AUDIT + 1 + (2 if connection.vendor == "postgresql" else 1 + CASE_FILE_PARTS)
)
# The pupil, their cases, and those cases' decisions and referrals with the pupil's carers and
# other agencies (one query; four on SQLite, a query for each).
EXPECTED_PUPIL_FILE_QUERIES = EVERY_PAGE + AUDIT + (3 if connection.vendor == "postgresql" else 6)


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

    assert at_1000 == at_10 == EXPECTED_INBOX_QUERIES, (at_10, at_1000)
    # Filtering by a pupil's name reads the school's list of pupils (names are compared
    # without accents, in Python: incidents.models.PupilQuerySet.matching).
    assert at_1000_filtered == at_10_filtered == EXPECTED_INBOX_QUERIES + 1, (
        at_10_filtered,
        at_1000_filtered,
    )


def test_the_page_number_is_read_as_before(cast, client_for):
    """Past the last page, the last; not a number, the first; as Django's paginator does."""
    add_cases(cast, 30, [make_pupil(cast.school_a), make_pupil(cast.school_a, "Cal", "Moss")])
    client = client_for(cast.dsl)
    url = reverse("cases:inbox", kwargs={"school": cast.school_a.slug})
    for asked, shown, rows in [("9", 2, 5), ("0", 2, 5), ("x", 1, 25), ("2", 2, 5), ("", 1, 25)]:
        page = client.get(url, {"page": asked}).context["page"]
        assert (page.number, len(page.object_list)) == (shown, rows), asked
        assert page.paginator.count == 30 and page.paginator.num_pages == 2


def case_page_queries(client, incident) -> int:
    url = reverse("cases:detail", kwargs={"reference": incident.reference})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_one_of_each(cast, incident, pupil, other_case, i: int) -> None:
    """One record of every kind on the case (as the services leave them: a row and its audit
    event), a pupil, a follow-up from the reporter, an assignment and a view."""
    today = timezone.localdate()
    IncidentPupil.objects.create(incident=incident, pupil=pupil, role=PupilRole.RECIPIENT)
    follow_up = FollowUp.objects.create(incident=incident, author=cast.teacher, text="More.")
    services.audit.record(
        "incident.follow_up_added",
        actor=cast.teacher,
        target=incident,
        school=incident.school,
        data={"follow_up_id": follow_up.pk},
    )
    lead = cast.deputy if i % 2 else cast.dsl
    records = [
        StatusChange(from_status="new", to_status="acknowledged", reason="Seen."),
        ReviewMeeting(held_on=today, checklist_version="2024.1", considered=["parents"]),
        Referral(agency=Referral.Agency.POLICE, referred_on=today, their_reference=f"P{i}"),
        Decision(
            decision=Decision.Choice.REFER,
            reasons="Threats were made.",
            happened_on=today,
            happened_time=time(9, 30),
        ),
        ParentsInformed(informed=True, informed_on=today, who_was_told="Her mother"),
        RemovalOffered(services=["report_remove"], pupil=pupil, offered_by=lead, offered_on=today),
        DeviceSecured(device="Phone", secured_on=today, where_kept="Safe", handed_to="DSL"),
        StaffSawImagery(seen_by="A teacher", seen_when="Monday"),
        ImageryViewing(
            viewed_by=cast.dsl,
            viewed_at=timezone.now(),
            reason="Police asked.",
            others_present="Head",
        ),
        Task(title="Check in", owner=lead, due_on=today, done_at=timezone.now() if i % 3 else None),
        TriageOverride(referral="yes", urgency="call_999", urgency_reason="Danger now."),
        CaseNote(text=f"Note {i}", happened_on=today),
        PupilChange(pupil=pupil, role=PupilRole.RECIPIENT, added=True, reason="Named later."),
        CaseLink(linked=other_case, reason=CaseLink.Reason.SAME_IMAGE)
        if i == 0
        else CaseLink(incident=other_case, linked=incident, reason=CaseLink.Reason.OTHER),
    ]
    assert {type(r) for r in records} >= set(RECORD_MODELS)  # every kind there is
    for record in records:
        record.incident = record.incident if record.incident_id else incident
        record.recorded_by = lead
        record.save()
        services.audit.record(
            services.CASE_LINKED if isinstance(record, CaseLink) else services.RECORD_ADDED,
            actor=lead,
            target=incident,
            school=incident.school,
            data={"record": record.KIND, "id": record.pk},
        )
    services.assign(incident=incident, actor=cast.dsl, assignee=lead)
    services.log_case_view(incident=incident, actor=lead)


def test_the_case_page_costs_the_same_as_records_of_every_kind_grow(cast, client_for):
    pupils = [make_pupil(cast.school_a, f"Pupil{i}", "Test") for i in range(30)]
    incident = make_incident(cast.school_a, cast.teacher)
    others = [
        make_incident(cast.school_a, cast.teacher, pupils=[(p, PupilRole.PICTURED)]) for p in pupils
    ]
    client = client_for(cast.dsl)

    for i in range(2):
        add_one_of_each(cast, incident, pupils[i], others[i], i)
    case_page_queries(client, incident)
    small = case_page_queries(client, incident)
    html = client.get(reverse("cases:detail", kwargs={"reference": incident.reference})).content
    assert b"Recorded viewing imagery" in html and b"P1" in html  # the records are shown

    for i in range(2, 30):
        add_one_of_each(cast, incident, pupils[i], others[i], i)
    assert services.case_events(incident).count() > 500
    large = case_page_queries(client, incident)

    assert large == small == EXPECTED_CASE_PAGE_QUERIES, (small, large)


def pupil_file_queries(client, pupil) -> int:
    url = reverse("cases:pupil_file", kwargs={"school": pupil.school.slug, "pupil": pupil.pk})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_a_pupils_file_costs_the_same_however_many_cases_they_are_in(cast, client_for):
    amy = make_pupil(cast.school_a, "Amy", "Jones")
    Carer.objects.create(pupil=amy, name="Sarah Jones", relationship="Mother")
    AgencyInvolvement.objects.create(pupil=amy, agency="Early Help")
    client = client_for(cast.dsl)

    def cases(count):
        for _ in range(count):
            incident = make_incident(
                cast.school_a, cast.teacher, pupils=[(amy, PupilRole.PICTURED)]
            )
            services.record_referral(
                incident=incident,
                actor=cast.dsl,
                agency=Referral.Agency.POLICE,
                referred_on=timezone.localdate(),
            )
            Decision.objects.create(
                incident=incident,
                recorded_by=cast.dsl,
                decision="refer",
                reasons="Threats.",
                happened_on=timezone.localdate(),
            )

    cases(2)
    at_2 = pupil_file_queries(client, amy)
    cases(38)
    at_40 = pupil_file_queries(client, amy)
    before = AuditEvent.objects.filter(action=services.CASE_VIEWED).count()
    html = client.get(
        reverse("cases:pupil_file", kwargs={"school": cast.school_a.slug, "pupil": amy.pk})
    ).content.decode()

    assert at_40 == at_2 == EXPECTED_PUPIL_FILE_QUERIES, (at_2, at_40)
    # One audit record for the page, naming every case it showed.
    seen = AuditEvent.objects.filter(action=services.CASE_VIEWED).order_by("-id")
    assert seen.count() == before + 1
    assert len(seen.first().data["cases"]) == 40
    assert "Sarah Jones" in html and "Early Help" in html and html.count("Police") >= 40


def test_a_teachers_page_asks_once_whether_they_have_a_second_factor(cast, client_for):
    """Staff whose role needs no second factor are still held to one they turned on, so every
    page asks whether they have one: one query for authenticator apps and passkeys together.
    A teacher's home: the session, the person with their roles, that question, their briefing
    confirmation and their unread notifications."""
    client = client_for(cast.teacher)
    home = reverse("safeguarding:home")
    client.get(home)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(home).status_code == 200
    assert len(queries) == 5, [q["sql"][:80] for q in queries.captured_queries]
