"""Hypothesis throws hostile text at every form of the journey: control characters, bidi and
zero-width marks, 100,000-character strings, markup. Never a server error; what is stored is
shown escaped."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents.models import Incident
from tests.conftest import post_form, search_for

SCRIPT = "<script>alert(1)</script>"

hostile_pieces = st.sampled_from(
    [
        SCRIPT,
        "\u202e",
        "\u200f",
        "\u200b",
        "\ufeff",
        "\x00",
        "\x1b[2J",
        "\r\n",
        "'; DROP TABLE incidents_incident; --",
        "{{ 7*7 }}",
        "{% debug %}",
        "%s%n",
        "ﷺ",
        "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
        "𝕳𝖊𝖑𝖑𝖔",
        "<img src=x onerror=alert(1)>",
        "data:image/png;base64,AAAA",
    ]
)
long_strings = st.builds(
    lambda ch, n: ch * n,
    st.sampled_from(["a", "\u200b", "é", "𝕳", "<"]),
    st.sampled_from([5_001, 20_000, 100_000]),
)
hostile_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(hostile_pieces, st.text(max_size=20)), max_size=8).map("".join),
    long_strings,
)
choice_like = st.one_of(
    st.sampled_from(["yes", "no", "not_known", "nudified", "", "9", "R"]), hostile_text
)

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def no_server_error(response):
    assert response.status_code < 500
    assert response.status_code in (200, 302, 400, 404), response.status_code


@pytest.fixture
def started(journey, cast, pupils):
    j = journey(cast.teacher)
    j.start()
    return j


@FUZZ
@given(data=st.fixed_dictionaries({"acknowledged": choice_like}))
def test_fuzz_before_you_start(client_for, cast, data):
    client = client_for(cast.teacher)
    no_server_error(
        post_form(client, reverse("incidents:report_start", kwargs={"school": "oakwood"}), data)
    )


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {
            "image_nature": choice_like,
            "threats_or_demands": choice_like,
            "came_to_light": choice_like,
            "happened_on_0": choice_like,
            "happened_on_1": choice_like,
            "happened_on_2": choice_like,
            "location": choice_like,
            "platform": hostile_text,
            "account": hostile_text,
        }
    )
)
def test_fuzz_what_happened(started, data):
    no_server_error(post_form(started.client, started.url("report_what"), data))


@FUZZ
@given(account=hostile_text)
def test_fuzz_stored_account_is_shown_escaped(started, account):
    response = started.what(account=f"She said {account} {SCRIPT}")
    no_server_error(response)
    if response.status_code == 302:
        page = started.client.get(started.url("report_what")).content.decode()
        assert SCRIPT not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@FUZZ
@given(
    action=st.sampled_from(["add", "continue", "remove", "", "other"]),
    fields=st.dictionaries(
        st.sampled_from(
            [
                "choose-pupil",
                "choose-role",
                "new-first_name",
                "new-last_name",
                "new-year_group",
                "new-role",
                "key",
            ]
        ),
        choice_like,
    ),
    query=hostile_text,
)
def test_fuzz_who(started, action, fields, query):
    no_server_error(
        post_form(started.client, started.url("report_who"), {"action": action, **fields})
    )
    no_server_error(
        search_for(started.client, started.url("report_who"), query[:2000], action="search")
    )


@FUZZ
@given(
    answers=st.fixed_dictionaries(
        {
            "adult_involved": choice_like,
            "device_involved": choice_like,
            "imagery_viewed": choice_like,
        }
    ),
    words=st.fixed_dictionaries(
        {
            "adults_description": hostile_text,
            "device_details": hostile_text,
            "imagery_viewed_by": hostile_text,
            "imagery_viewed_when": hostile_text,
        }
    ),
)
def test_fuzz_the_words_after_a_yes(started, answers, words):
    no_server_error(post_form(started.client, started.url("report_checklist"), answers | words))


@FUZZ
@given(
    answers=st.dictionaries(
        st.sampled_from(
            [
                "immediate_risk",
                "coercion_or_capacity",
                "image_nature",
                "creator",
                "spread_platforms",
                "threats_or_demands",
                "adult_involved",
                "device_involved",
                "device_secured",
                "imagery_viewed",
                "unknown_field",
            ]
        ),
        choice_like,
    )
)
def test_fuzz_checklist(started, answers):
    started.what()
    started.adults()
    no_server_error(post_form(started.client, started.url("report_checklist"), answers))
    no_server_error(started.client.get(started.url("report_check")))


@FUZZ
@given(text=hostile_text)
def test_fuzz_further_information(journey, cast, text):
    incident = Incident.objects.filter(reporter=cast.teacher).first()
    j = journey(cast.teacher)
    if incident is None:
        j.complete().submit()
        incident = Incident.objects.get(reporter=cast.teacher)
    url = reverse("incidents:my_report", kwargs={"reference": incident.reference})
    no_server_error(post_form(j.client, url, {"text": f"{text}{SCRIPT}"}))
    page = j.client.get(url).content.decode()
    assert SCRIPT not in page


@FUZZ
@given(rows=st.lists(st.lists(hostile_text, min_size=0, max_size=7).map(",".join), max_size=6))
def test_fuzz_pupil_import(client_for, cast, rows):
    client = client_for(cast.admin)
    text = "\n".join(["first_name,last_name,year_group,date_of_birth,mis_id", *rows])
    url = reverse("incidents:pupils_import", kwargs={"school": "oakwood"})
    response = post_form(client, url, {"csv_text": text})
    no_server_error(response)
    no_server_error(client.get(reverse("incidents:pupils", kwargs={"school": "oakwood"})))
