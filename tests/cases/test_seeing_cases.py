"""Every page that shows a case records it once, however many cases it shows (issue 13, point
8): the inbox (pupils' names and their part in each case), the record forms (the removal form
names the pupils, the status form lists the open tasks), the case page and the pupil's file.
What counts as seeing a case is written once, in incidents.services.log_cases_seen."""

import pytest
from django.urls import reverse

from cases import services
from incidents.models import PupilRole
from safeguarding.models import AuditEvent

from .conftest import make_incident, make_pupil

SEEN = services.CASE_VIEWED


def seen_by(user):
    return AuditEvent.objects.filter(action=SEEN, actor=user).order_by("id")


@pytest.fixture
def cases(cast):
    amy = make_pupil(cast.school_a, "Amy", "Jones")
    cal = make_pupil(cast.school_a, "Cal", "Moss")
    return [
        make_incident(cast.school_a, cast.teacher, pupils=[(amy, PupilRole.PICTURED)]),
        make_incident(cast.school_a, cast.teacher, pupils=[(cal, PupilRole.RECIPIENT)]),
        make_incident(cast.school_a, cast.teacher, pupils=[(amy, PupilRole.TOLD_US)]),
    ]


def test_the_inbox_records_one_view_naming_every_case_it_shows(cast, client_for, cases):
    response = client_for(cast.dsl).get(reverse("cases:inbox", kwargs={"school": "oakwood"}))
    assert response.status_code == 200
    assert "Jones" in response.content.decode()  # it does show who was involved
    (row,) = seen_by(cast.dsl)
    assert row.data["via"] == "inbox"
    assert sorted(row.data["cases"]) == sorted(str(c.pk) for c in cases)
    assert row.school == cast.school_a
    assert (row.target_type, row.target_id) == ("safeguarding.school", str(cast.school_a.pk))
    # A school with no cases to show writes nothing.
    client_for(cast.dsl_b).get(reverse("cases:inbox", kwargs={"school": "elm-park"}))
    assert not seen_by(cast.dsl_b).exists()


def test_only_the_cases_on_the_page_are_named(cast, client_for, cases, settings):
    from cases import views

    views.INBOX_PAGE_SIZE, size = 2, views.INBOX_PAGE_SIZE
    try:
        client = client_for(cast.deputy)
        client.get(reverse("cases:inbox", kwargs={"school": "oakwood"}))
        client.get(reverse("cases:inbox", kwargs={"school": "oakwood"}) + "?page=2")
    finally:
        views.INBOX_PAGE_SIZE = size
    first, second = seen_by(cast.deputy)
    assert len(first.data["cases"]) == 2 and len(second.data["cases"]) == 1
    assert set(first.data["cases"]) | set(second.data["cases"]) == {str(c.pk) for c in cases}


@pytest.mark.parametrize("page", ["removal_offered", "status", "assign", "add_note"])
def test_each_page_of_a_case_records_one_view(cast, client_for, cases, page):
    url = reverse(f"cases:{page}", kwargs={"reference": cases[0].reference})
    response = client_for(cast.dsl).get(url)
    assert response.status_code == 200
    (row,) = seen_by(cast.dsl)
    assert (row.target_id, row.data) == (str(cases[0].pk), {"via": page})


def test_the_removal_form_shows_the_pupils_and_is_recorded(cast, client_for, cases):
    url = reverse("cases:removal_offered", kwargs={"reference": cases[0].reference})
    html = client_for(cast.deputy).get(url).content.decode()
    assert "Jones" in html
    assert seen_by(cast.deputy).count() == 1


def test_who_has_seen_the_case_counts_opening_it_and_seeing_it_in_a_list(cast, client_for, cases):
    deputy = client_for(cast.deputy)
    deputy.get(reverse("cases:inbox", kwargs={"school": "oakwood"}))
    deputy.get(reverse("cases:inbox", kwargs={"school": "oakwood"}))
    deputy.get(reverse("cases:detail", kwargs={"reference": cases[1].reference}))
    events = list(services.case_events(cases[1]))
    assert [e.data["via"] for e in events if e.action == SEEN] == ["inbox", "inbox", "page"]
    # Another case's list views are not this one's (the id is looked for in the list).
    assert [e.data["via"] for e in services.case_events(cases[0]) if e.action == SEEN] == [
        "inbox",
        "inbox",
    ]
    response = client_for(cast.dsl).get(
        reverse("cases:detail", kwargs={"reference": cases[1].reference})
    )
    (deputy_row,) = [v for v in response.context["case"].viewers if v.user == cast.deputy]
    assert (deputy_row.count, deputy_row.listed) == (1, 2)
    assert "Seen in the inbox or a pupil's file" in response.content.decode()


def test_the_case_page_shown_after_a_change_is_not_another_view(cast, client_for, cases):
    from tests.conftest import post_form

    client = client_for(cast.dsl)
    case = cases[0]
    page = reverse("cases:detail", kwargs={"reference": case.reference})
    note = reverse("cases:add_note", kwargs={"reference": case.reference})
    client.get(page)
    client.get(note)
    response = post_form(client, note, {"text": "Spoke to Amy."}, follow=True)
    assert "Spoke to Amy." in response.content.decode()
    # The case page, then the note form: the page shown after saving is not a third view.
    assert [row.data["via"] for row in seen_by(cast.dsl)] == ["page", "add_note"]
    client.get(page)  # opened again later: counted
    assert seen_by(cast.dsl).count() == 3
