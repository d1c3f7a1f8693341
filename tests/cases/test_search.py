"""The DSL's search: by reference, by a pupil's name however it is typed, and by words in what
was reported and recorded (PostgreSQL full-text with GIN indexes; SQLite by words). Posted,
never in a URL; scoped to the person's schools; every search audited, the cases shown recorded
as seen."""

import pytest
from django.db import connection
from django.urls import reverse

from cases import search, services
from incidents.models import PupilRole
from safeguarding.models import AuditEvent
from tests.conftest import post_form

from .conftest import make_incident, make_pupil

SEARCH = reverse("cases:search")


def results_for(client, words):
    response = post_form(client, SEARCH, {"q": words})
    assert response.status_code == 302
    # The words are never in the address the results are shown at.
    assert words.split()[0].lower() not in response["Location"].lower()
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page.content.decode()


@pytest.fixture
def cases(cast):
    obrien = make_pupil(cast.school_a, "Siân", "O’Brien")
    other = make_pupil(cast.school_a, "Cal", "Moss")
    by_name = make_incident(cast.school_a, cast.teacher, pupils=[(obrien, PupilRole.PICTURED)])
    by_words = make_incident(
        cast.school_a,
        cast.teacher,
        account="A fake picture was passed round the rugby team's group chat.",
        pupils=[(other, PupilRole.RECIPIENT)],
    )
    elsewhere_pupil = make_pupil(cast.school_b, "Sian", "OBrien")
    elsewhere = make_incident(
        cast.school_b,
        cast.teacher_b,
        account="Rugby group chat again.",
        pupils=[(elsewhere_pupil, PupilRole.PICTURED)],
    )
    return by_name, by_words, elsewhere


def test_a_pupils_name_is_found_however_it_is_typed(cast, client_for, cases):
    by_name, by_words, elsewhere = cases
    client = client_for(cast.dsl)
    for typed in ("sian obrien", "O'Brien", "SIÂN"):
        html = results_for(client, typed)
        assert by_name.reference in html, typed
        assert by_words.reference not in html and elsewhere.reference not in html
        assert "Found by: pupil&#x27;s name" in html or "Found by: pupil's name" in html


def test_words_in_the_report_and_records_are_found_stemmed_on_postgresql(cast, client_for, cases):
    by_name, by_words, elsewhere = cases
    client = client_for(cast.dsl)
    html = results_for(client, "rugby chat")
    assert by_words.reference in html and elsewhere.reference not in html
    assert by_name.reference not in html

    services.add_note(incident=by_name, actor=cast.dsl, text="Parents were phoned on Monday.")
    html = results_for(client, "parents phoned")
    assert by_name.reference in html and by_words.reference not in html
    if connection.vendor == "postgresql":  # English stemming: "phoning" finds "phoned"
        assert by_name.reference in results_for(client, "phoning parent")


def test_a_reference_is_found_however_it_is_typed(cast, client_for, cases):
    by_name, _, elsewhere = cases
    client = client_for(cast.deputy)
    typed = by_name.reference.lower().replace("-", " ")
    assert by_name.reference in results_for(client, typed)
    # Another school's case is not found, even by its reference.
    html = results_for(client, elsewhere.reference)
    assert "No cases found" in html


def test_each_search_is_audited_without_the_words_and_shown_cases_are_seen(cast, client_for, cases):
    by_name, _, _ = cases
    client = client_for(cast.dsl)
    results_for(client, "Siân")
    results_for(client, "nothing-like-this")

    searched = list(AuditEvent.objects.filter(action="cases.searched").order_by("id"))
    assert [e.data for e in searched] == [
        {"results": 1, "by": ["pupil"]},
        {"results": 0, "by": []},
    ]
    assert all("Si" not in str(e.data) for e in searched)
    seen = AuditEvent.objects.get(action=services.CASE_VIEWED, data__via="search")
    assert seen.data["cases"] == [str(by_name.pk)]
    html = client.get(reverse("cases:detail", kwargs={"reference": by_name.reference}))
    assert (
        "Saw the case in search results"
        in client.get(
            reverse("cases:detail", kwargs={"reference": by_name.reference}) + "?views=shown"
        ).content.decode()
    )
    assert html.status_code == 200


def test_a_name_typed_into_the_address_is_ignored(cast, client_for, cases):
    html = client_for(cast.dsl).get(SEARCH + "?q=obrien").content.decode()
    assert cases[0].reference not in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes are PostgreSQL's")
def test_the_words_search_can_use_the_gin_indexes(cast, cases):
    from incidents.models import Incident

    query = search._words_match(Incident, search.INCIDENT_TEXT, ["rugby"], "rugby")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query.values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "incident_text_search" in plan, plan
