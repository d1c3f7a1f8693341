"""Pupils' names typed into a search never go into a URL (issue 13, point 11): browser history,
access logs and the next page's Referer would keep them. Searches are posted; the results page is
at ?search=<id>, an id that means something only in the session that made it."""

import pytest
from django.test import Client
from django.urls import reverse

from incidents.models import Pupil, PupilRole
from incidents.services import start_draft
from safeguarding import searches
from tests.cases.conftest import make_incident
from tests.conftest import post_form

NAME = "Okafor"


@pytest.fixture
def maya(cast):
    return Pupil.objects.create(
        school=cast.school_a, first_name="Maya", last_name=NAME, year_group="9"
    )


def pages(cast, maya):
    """(member, page, extra form fields, name of the search field) for each pupil search."""
    incident = make_incident(cast.school_a, cast.teacher, pupils=[(maya, PupilRole.PICTURED)])
    draft = start_draft(actor=cast.teacher, school=cast.school_a)
    return [
        (cast.dsl, reverse("incidents:pupils", kwargs={"school": "oakwood"}), {}, "q"),
        (cast.dsl, reverse("cases:inbox", kwargs={"school": "oakwood"}), {}, "pupil"),
        (
            cast.teacher,
            reverse("incidents:report_who", kwargs={"school": "oakwood", "draft": draft.pk}),
            {"action": "search"},
            "q",
        ),
        # The DSL adding a pupil to a case finds them by name.
        (
            cast.dsl,
            reverse("cases:add_pupil", kwargs={"reference": incident.reference}),
            {"action": "Search"},
            "q",
        ),
    ]


def test_a_search_is_posted_and_its_results_have_no_name_in_their_address(cast, maya, client_for):
    for member, url, extra, field in pages(cast, maya):
        client = client_for(member)
        form = client.get(url).content.decode()
        assert 'method="get"' not in form, url
        response = post_form(client, url, {field: NAME, **extra})
        assert response.status_code == 302, url
        location = response["Location"]
        assert NAME.lower() not in location.lower() and "maya" not in location.lower(), location
        assert f"?{searches.PARAM}=" in location or f"&{searches.PARAM}=" in location, location
        results = client.get(location).content.decode()
        assert NAME in results, url
        # The id is nothing in another session, even the same person's.
        elsewhere = client_for(member).get(location).content.decode()
        assert "1 pupil found" not in elsewhere


def test_a_name_put_in_the_address_by_hand_is_not_searched_for(cast, maya, client_for):
    client = client_for(cast.dsl)
    other = Pupil.objects.create(
        school=cast.school_a, first_name="Jake", last_name="Turner", year_group="9"
    )
    url = reverse("incidents:pupils", kwargs={"school": "oakwood"})
    body = client.get(url, {"q": NAME}).content.decode()
    assert "Turner" in body  # the whole list: the name in the URL was ignored
    make_incident(cast.school_a, cast.teacher, pupils=[(other, PupilRole.PICTURED)])
    inbox = client.get(reverse("cases:inbox", kwargs={"school": "oakwood"}), {"pupil": NAME})
    assert "Turner" in inbox.content.decode()


def test_a_search_runs_out(cast, maya, client_for, monkeypatch):
    client = client_for(cast.dsl)
    url = reverse("incidents:pupils", kwargs={"school": "oakwood"})
    location = post_form(client, url, {"q": "Turner"})["Location"]
    assert "0 pupils found" in client.get(location).content.decode()
    monkeypatch.setattr(searches, "SEARCH_LIFETIME", 0)
    assert "0 pupils found" not in client.get(location).content.decode()


def test_other_filters_still_go_in_the_address(cast, client_for):
    response = post_form(
        client_for(cast.dsl),
        reverse("cases:inbox", kwargs={"school": "oakwood"}),
        {"status": "all", "kind": "sextortion", "pupil": ""},
    )
    assert response["Location"].endswith("?status=all&kind=sextortion")


def test_anyone_else_gets_nothing_from_posting(cast):
    response = post_form(Client(), reverse("incidents:pupils", kwargs={"school": "oakwood"}), {})
    assert response.status_code == 302 and "sign-in" in response["Location"]
