"""'What to do right now': public, one click from every page, sourced, printable."""

from django.urls import reverse
from django.utils.html import escape

from guidance import staff_guidance

URL = "/guidance/right-now/"


def test_the_page_is_public(client, db):
    assert reverse("guidance:right_now") == URL
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "What to do right now" in body
    assert "call 999" in body
    assert "sign in" in body


def test_every_point_is_shown_with_its_source(client, db):
    body = client.get(URL).content.decode()
    points = staff_guidance.all_points()
    assert len(points) >= 15
    for point in points:
        assert point.source.strip()
        assert escape(point.text) in body
        assert f"Source: {escape(point.source)}" in body


def test_it_covers_the_staff_overview_do_and_dont_list(client, db):
    body = client.get(URL).content.decode().lower()
    for words in (
        "never view, copy, print, share, save or store it",
        "do not ask a child to show you",
        "do not delete the image",
        "switch it off",
        "tell the dsl or a deputy straight away",
        "do not pay",
        "report remove",
    ):
        assert words in body, words


def test_the_page_is_printable_and_fits_a_phone(client, db):
    body = client.get(URL).content.decode()
    assert 'rel="stylesheet" media="print"' in body
    assert "guidance/print.css" in body
    assert 'name="viewport"' in body
    assert "govuk-grid-column-two-thirds" in body


def test_every_page_links_to_it(client, cast):
    from tests.conftest import sign_in

    for response in (
        client.get(reverse("safeguarding:login")),
        sign_in(client, cast.teacher).get(reverse("safeguarding:home")),
        client.get(URL),
    ):
        assert f'href="{URL}"' in response.content.decode()


def test_signed_in_staff_see_it_too(client_for, cast):
    response = client_for(cast.teacher).get(URL)
    assert response.status_code == 200
    assert "report it here" in response.content.decode()


def test_it_only_answers_get(client, db):
    response = client.post(URL, "", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 405


def test_a_dsl_midway_through_signing_in_can_still_read_it(client, cast):
    client.force_login(cast.dsl)  # password done, second factor not yet checked
    assert client.get(reverse("safeguarding:home")).status_code == 302
    assert client.get(URL).status_code == 200


def test_it_shows_how_quickly_to_tell_the_dsl_as_the_engine_decides(client, db):
    """The page's urgency rule is the triage engine's own (rules_2026_12.URGENCY_RULES); the
    engine's tests hold it to that rule, so page, code and tests say the same thing."""
    from guidance.rules_2026_12 import URGENCY_RULES

    body = client.get(URL).content.decode()
    assert "How quickly to tell the DSL" in body
    assert [rule.urgency for rule in URGENCY_RULES] == [
        "call_999",
        "tell_dsl_now",
        "dsl_review_today",
    ]
    for rule in URGENCY_RULES:
        assert escape(rule.heading) in body
        assert f"Source: {escape(rule.source)}" in body
        for reason in rule.when:
            assert escape(reason[1:]) in body, reason
    # 999 is for a child in danger right now, with someone staying with them.
    assert "call 999 and stay with them" in body
    assert "you do not know whether a child is at immediate risk of harm" in body.lower()


def test_the_sextortion_advice_is_written_for_staff_and_keeps_the_evidence(client, db):
    body = client.get(URL).content.decode()
    assert "Tell the child not to pay" in body
    assert "Tell the child not to delete anything" in body
    assert "You tell the DSL now; you do not report it yourself." in body
    assert "Do not keep or forward the image" not in body
    assert "Do not open, save, copy or send the link" in body
