"""The DSL adds a pupil to a case by searching the school's list by name, not by scrolling a
list of every pupil: the search folds names as the pupil import does (O'Brien = O’Brien,
Sian = Siân), works without JavaScript, and is posted, so no name is ever in a URL."""

import re

from django.urls import reverse

from cases.models import PupilChange
from incidents.models import IncidentPupil, PupilRole
from tests.conftest import post_form, search_for

from .conftest import make_incident, make_pupil


def add_url(incident) -> str:
    return reverse("cases:add_pupil", kwargs={"reference": incident.reference})


def test_the_page_lists_no_pupils_until_the_dsl_searches(cast, client_for):
    amy = make_pupil(cast.school_a, "Amy", "Jones")
    make_pupil(cast.school_a, "Cal", "Moss")
    incident = make_incident(cast.school_a, cast.teacher, pupils=[(amy, PupilRole.PICTURED)])
    html = client_for(cast.dsl).get(add_url(incident)).content.decode()
    assert "Find the pupil" in html
    assert "<select" not in html
    assert "Moss" not in html


def test_names_are_found_however_they_are_typed_and_never_go_in_the_url(cast, client_for):
    siobhan = make_pupil(cast.school_a, "Siân", "O’Brien", year="8")
    make_pupil(cast.school_a, "Sian", "Okafor")
    make_pupil(cast.school_b, "Siân", "O’Brien")  # another school's pupil: never offered
    incident = make_incident(cast.school_a, cast.teacher)
    client = client_for(cast.dsl)

    found = search_for(client, add_url(incident), "o'brien sian", action="Search")
    final_url = found.redirect_chain[-1][0]
    assert "brien" not in final_url.lower() and "sian" not in final_url.lower()
    assert "?search=" in final_url
    html = found.content.decode()
    assert html.count("O’Brien, Siân (Year 8)") == 1
    assert "Okafor" not in html
    assert f'value="{siobhan.pk}"' in html

    nobody = search_for(client, add_url(incident), "Zebedee", action="Search")
    assert "No pupil on the school's list matches" in nobody.content.decode()


def test_the_pupil_found_is_added_and_an_error_keeps_what_was_typed(cast, client_for):
    cal = make_pupil(cast.school_a, "Cal", "Moss")
    incident = make_incident(cast.school_a, cast.teacher)
    client = client_for(cast.deputy)
    found = search_for(client, add_url(incident), "MOSS", action="Search")
    results_url = found.redirect_chain[-1][0]

    # No part chosen: the search results, the pupil chosen and the reason all stay.
    missing = post_form(
        client, results_url, {"pupil": cal.pk, "reason": "Named at the review meeting."}
    )
    html = missing.content.decode()
    assert missing.status_code == 200
    assert "Choose the pupil&#x27;s part in the case." in html
    assert "Named at the review meeting." in html
    assert re.search(rf'value="{cal.pk}"\s+checked="checked"', html)

    done = post_form(
        client,
        results_url,
        {"pupil": cal.pk, "role": PupilRole.SHARER, "reason": "Named at the review meeting."},
    )
    assert done.status_code == 302
    assert IncidentPupil.objects.filter(incident=incident, pupil=cal, role="sharer").exists()
    assert PupilChange.objects.get().reason == "Named at the review meeting."


def test_a_pupil_of_another_school_cannot_be_posted(cast, client_for):
    elsewhere = make_pupil(cast.school_b, "Bo", "Lane")
    incident = make_incident(cast.school_a, cast.teacher)
    response = post_form(
        client_for(cast.dsl),
        add_url(incident),
        {"pupil": elsewhere.pk, "role": "sharer", "reason": "x"},
    )
    assert response.status_code == 200
    assert "Choose the pupil from the list." in response.content.decode()
    assert not IncidentPupil.objects.exists()
