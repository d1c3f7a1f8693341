"""The DSL's home says what needs them now at each school, in a fixed number of queries, and
shows nothing of a case beyond its reference, status and dates (so it is not seeing one)."""

import re
from datetime import timedelta
from html import unescape

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Task
from incidents.models import Incident, PupilRole, Status
from safeguarding.models import AuditEvent

from .conftest import make_incident, make_pupil
from .test_query_counts import EVERY_PAGE, add_cases

HOME = reverse("safeguarding:home")
# What every page costs a signed-in DSL or deputy (test_query_counts.EVERY_PAGE), and the
# home's own (safeguarding/home.py): every number at their schools in one query (cases, tasks,
# files, requests, leads to confirm), every short list in one (the oldest cases not
# acknowledged, theirs, the tasks due, the leavers whose file is to send), the school's
# safeguarding leads, and the staff briefing read.
EXPECTED_HOME_QUERIES = EVERY_PAGE + 4
# With leavers whose file is to send, the school's term dates too (to say which are overdue).
EXPECTED_HOME_QUERIES_WITH_LEAVERS = EXPECTED_HOME_QUERIES + 1


def section(html: str, school) -> str:
    start = f'<div class="app-due" id="cases-due-{school.slug}">'
    match = re.search(rf"{start}(.*?)\n</div>", html, re.S)
    assert match, "no 'Cases that need you now' section"
    return match.group(1)


def task(incident, owner, due_in_days: int, *, done=False) -> Task:
    return Task.objects.create(
        incident=incident,
        recorded_by=owner,
        title="Speak to Amy's parents",
        owner=owner,
        due_on=timezone.localdate() + timedelta(days=due_in_days),
        done_at=timezone.now() if done else None,
    )


def test_the_home_lists_unacknowledged_cases_oldest_first_with_their_wait(cast, client_for):
    amy = make_pupil(cast.school_a, "Amy", "Jones")
    newer = make_incident(cast.school_a, cast.teacher, age=timedelta(hours=1))
    oldest = make_incident(
        cast.school_a, cast.teacher, age=timedelta(days=2), pupils=[(amy, PupilRole.PICTURED)]
    )
    make_incident(cast.school_a, cast.teacher, status=Status.ACKNOWLEDGED)

    html = section(client_for(cast.dsl).get(HOME).content.decode(), cast.school_a)

    assert "2 cases not acknowledged" in html
    assert f"?status={Status.NEW}" in html
    assert html.index(oldest.reference) < html.index(newer.reference)
    assert "Waiting 2\xa0days" in html
    # References, statuses and dates only: nothing from the record, so no view is recorded.
    assert "Amy" not in html and oldest.account not in html
    assert not AuditEvent.objects.filter(action=services.CASE_VIEWED).exists()


def test_the_home_lists_tasks_due_and_overdue_yours_first(cast, client_for):
    case = make_incident(cast.school_a, cast.teacher, status=Status.UNDER_REVIEW)
    closed = make_incident(cast.school_a, cast.teacher, status=Status.CLOSED)
    task(case, cast.deputy, -3)
    task(case, cast.dsl, 0)
    task(case, cast.dsl, -1, done=True)
    task(case, cast.dsl, 1)  # not due yet
    task(closed, cast.dsl, -5)  # closing left it undone for good

    html = section(client_for(cast.dsl).get(HOME).content.decode(), cast.school_a)

    assert "1 task overdue" in html and "1 due today" in html and "(1 yours)" in html
    assert "?tasks=overdue" in html and "?tasks=today" in html
    assert html.index("yours, due today") < html.index("Dev Patel")
    assert "Speak to Amy" not in html  # task titles are the case's record
    assert closed.reference not in html


def test_the_home_lists_cases_assigned_to_me_and_referrals_waiting(cast, client_for):
    mine = make_incident(cast.school_a, cast.teacher, status=Status.UNDER_REVIEW)
    mine.assigned_to = cast.dsl
    mine.save()
    make_incident(cast.school_a, cast.teacher, status=Status.CLOSED, assigned_to=cast.dsl)
    make_incident(cast.school_a, cast.teacher, status=Status.REFERRED, assigned_to=cast.deputy)

    html = section(client_for(cast.dsl).get(HOME).content.decode(), cast.school_a)

    assert "1 open case assigned to you" in html
    assert f"?assignee={cast.dsl.pk}" in html and mine.reference in html
    assert "1 referred case waiting for the agency" in html
    assert f"?status={Status.REFERRED}" in html


def test_each_count_links_to_a_list_of_those_cases(cast, client_for):
    overdue = make_incident(cast.school_a, cast.teacher, status=Status.UNDER_REVIEW)
    today = make_incident(cast.school_a, cast.teacher, status=Status.UNDER_REVIEW)
    make_incident(cast.school_a, cast.teacher, status=Status.UNDER_REVIEW)
    task(overdue, cast.dsl, -2)
    task(today, cast.deputy, 0)
    client = client_for(cast.dsl)
    inbox = reverse("cases:inbox", kwargs={"school": cast.school_a.slug})

    for query, shown, hidden in [
        ("tasks=overdue", [overdue], [today]),
        ("tasks=today", [today], [overdue]),
        ("tasks=due", [overdue, today], []),
    ]:
        html = client.get(f"{inbox}?{query}").content.decode()
        assert all(i.reference in html for i in shown), query
        assert not any(i.reference in html for i in hidden), query


def test_nothing_waiting_says_so_and_other_roles_see_no_cases(cast, client_for):
    make_incident(cast.school_a, cast.teacher, status=Status.ACKNOWLEDGED)
    html = client_for(cast.deputy).get(HOME).content.decode()
    assert "Nothing is waiting for you" in section(html, cast.school_a)
    for someone in (cast.teacher, cast.admin, cast.trust_lead):
        assert "Cases that need you now" not in client_for(someone).get(HOME).content.decode()


def home_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert response.status_code == 200
    return len(queries)


def test_the_home_costs_the_same_at_10_and_at_500_cases(cast, client_for):
    pupils = [make_pupil(cast.school_a), make_pupil(cast.school_a, "Cal", "Moss")]
    client = client_for(cast.deputy)

    def grow(count):
        add_cases(cast, count, pupils)
        for i, incident in enumerate(Incident.objects.order_by("-submitted_at")[: count // 2]):
            task(incident, cast.deputy if i % 2 else cast.dsl, -(i % 3))
        Incident.objects.filter(
            pk__in=Incident.objects.order_by("submitted_at")[:3].values("pk")
        ).update(status=Status.REFERRED)

    grow(10)
    at_10 = home_queries(client)
    grow(490)
    at_500 = home_queries(client)

    assert at_500 == at_10
    # The exact number, so any query added shows up here.
    assert at_10 == EXPECTED_HOME_QUERIES, at_10


def test_the_home_costs_the_same_with_1_and_with_30_leavers_files_to_send(cast, client_for):
    client = client_for(cast.dsl)
    today = timezone.localdate()

    def leavers(count):
        for i in range(count):
            pupil = make_pupil(cast.school_a, f"Leaver{i}", "Moss")
            pupil.leaving_date = today - timedelta(days=i)
            pupil.save()
            make_incident(cast.school_a, cast.teacher, pupils=[(pupil, PupilRole.PICTURED)])

    leavers(1)
    at_1 = home_queries(client)
    leavers(29)
    html = unescape(client.get(HOME).content.decode())
    at_30 = home_queries(client)

    assert "30 leavers' files to send" in html
    assert at_30 == at_1 == EXPECTED_HOME_QUERIES_WITH_LEAVERS, (at_1, at_30)
