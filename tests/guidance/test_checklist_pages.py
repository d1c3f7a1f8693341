"""The checklist pages for DSLs and deputies (any school): versions, one version, compare."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from safeguarding.models import AuditEvent

VERSIONS = reverse("guidance:versions")
DETAIL = reverse("guidance:version", args=["2026-01"])
COMPARE = reverse("guidance:compare") + "?old=2026-01&new=2026-09"
PAGES = [VERSIONS, DETAIL, COMPARE]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["dsl", "deputy", "dsl_b"])
def test_dsls_and_deputies_at_any_school_may_read(client_for, cast, url, who):
    assert client_for(getattr(cast, who)).get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["teacher", "admin", "teacher_b"])
def test_other_school_staff_are_refused(client_for, cast, url, who):
    assert client_for(getattr(cast, who)).get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["outsider", "trust_lead"])
def test_people_without_a_school_role_are_told_nothing(client_for, cast, url, who):
    response = client_for(getattr(cast, who)).get(url)
    assert response.status_code == 404
    assert "Triage checklist" not in response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_people_are_sent_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("safeguarding:login"))


def test_denials_are_audited(client_for, cast):
    client_for(cast.teacher).get(VERSIONS)
    client_for(cast.outsider).get(VERSIONS)
    denied = AuditEvent.objects.filter(action="access.denied").order_by("id")
    assert [e.data["status"] for e in denied] == [403, 404]


def test_the_versions_page_lists_each_version_with_what_changed(client_for, cast):
    body = client_for(cast.dsl).get(VERSIONS).content.decode()
    assert "2026-01" in body and "2026-09" in body
    assert "In use" in body
    assert "?old=2026-01&amp;new=2026-09" in body


def test_the_versions_page_flags_staff_guidance_awaiting_confirmation(client_for, cast):
    from guidance import staff_guidance

    body = client_for(cast.dsl).get(VERSIONS).content.decode()
    waiting = [p for p in staff_guidance.all_points() if p.awaiting_confirmation]
    assert waiting
    for point in waiting:
        assert escape(point.text) in body
    assert body.count("Wording awaiting confirmation") == len(waiting)


def test_a_version_shows_every_question_with_its_source_and_flags(client_for, cast):
    from guidance.checklist import load_checklist

    body = client_for(cast.deputy).get(DETAIL).content.decode()
    checklist = load_checklist("2026-01")
    for question in checklist.questions:
        assert f'id="q-{question.id}"' in body
    for source in {q.source for q in checklist.questions}:
        assert escape(source) in body
    flagged = sum(1 for q in checklist.questions if q.awaiting_confirmation)
    flagged += sum(1 for a in checklist.advice if a.awaiting_confirmation)
    assert body.count("Wording awaiting confirmation") == flagged
    assert f"{flagged} items in this version are awaiting confirmation" in body


def test_compare_shows_added_removed_and_changed_wording(client_for, cast):
    body = client_for(cast.dsl).get(COMPARE).content.decode()
    assert "What changed from 2026-01 to 2026-09" in body
    assert "Questions added (1)" in body
    assert "Did the child in the image agree" in body
    assert "Questions removed (1)" in body
    assert "Have the child&#x27;s parents or carers been told?" in body
    assert "Questions changed (2)" in body
    assert "cannot be calmed" in body  # new wording
    assert (
        "<del>Is any child at risk of harm right now because of this? For example, talking" in body
    )


def test_an_unknown_version_is_not_found(client_for, cast):
    client = client_for(cast.dsl)
    assert client.get(reverse("guidance:version", args=["1999-01"])).status_code == 404
    response = client.get(reverse("guidance:compare") + "?old=1999-01&new=2026-09")
    assert response.status_code == 400


def test_a_version_says_who_answers_each_question_and_when(client_for, cast):
    body = client_for(cast.dsl).get(reverse("guidance:version", args=["2026-12"])).content.decode()
    assert body.count("Who answers it: The member of staff reporting, at once.") == 11
    assert body.count("Who answers it: The DSL, at the initial review.") == 6
    assert (
        "Asked: Only when &#x201c;Is there a phone" in body
        or "Asked: Only when “Is there a phone" in body
    )


def test_compare_lists_how_the_outcome_is_worked_out(client_for, cast):
    url = reverse("guidance:compare") + "?old=2026-09&new=2026-12"
    body = client_for(cast.dsl).get(url).content.decode()
    assert "How the outcome is worked out" in body
    assert "Answers no longer offered" in body
    assert "Who answers it" in body
    assert "Call 999 only when a child is in danger right now" in body


def test_compare_shows_advice_added_and_whether_its_wording_is_confirmed(client_for, cast):
    url = reverse("guidance:compare") + "?old=2026-12&new=2026-12b"
    body = client_for(cast.dsl).get(url).content.decode()
    added = body.split("Advice changed", 1)[1].split("Compare other versions", 1)[0]
    assert "Added: It is a crime to make, keep or send a sexual image of anyone under 18" in added
    assert "Source: Protection of Children Act 1978, section 1" in added
    assert "Wording awaiting confirmation" in added
    assert "Questions added (0)" in body and "Questions changed (0)" in body
