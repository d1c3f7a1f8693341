"""The whole journey through the test client, as a teacher, from "before you start" to the
confirmation, and a session that times out half-way and resumes its draft."""

import re
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from incidents.models import (
    Incident,
    IncidentPupil,
    Pupil,
    ReportDraft,
    TriggeredFactor,
)
from safeguarding.models import AuditEvent, Membership, Role
from tests.conftest import post_form, search_for, sign_in

from .conftest import GOOD_WHAT


def named(first: str, last: str) -> str:
    """A pupil's name as the pages show it: each part isolated (right-to-left names)."""
    return f"<bdi>{first}</bdi> <bdi>{last}</bdi>"


def test_a_teacher_reports_an_incident_from_start_to_confirmation(journey, cast, pupils):
    j = journey(cast.teacher)
    client = j.client

    start = client.get(reverse("incidents:report_start", kwargs={"school": "oakwood"}))
    assert start.status_code == 200
    assert "Do not" in start.content.decode()
    # 999 only for danger right now, and stay with the child (the right-now page's words).
    assert "If a child is in danger right now, call 999 and stay with them." in (
        start.content.decode()
    )
    assert "999 first" not in start.content.decode()

    j.start()
    response = j.what()
    assert response.status_code == 302
    assert response["Location"] == j.url("report_who")

    who = client.get(j.url("report_who"))
    assert "Okafor\u200e, Maya\u200e (Year 9)" in who.content.decode()
    assert j.add_pupil(pupils["maya"], "pictured").status_code == 302
    assert j.add_pupil(pupils["maya"], "told_us").status_code == 302
    assert j.add_pupil(pupils["jake"], "alleged_creator").status_code == 302
    assert j.add_new_pupil("Ava", "Not known", "9", "recipient").status_code == 302
    page = client.get(j.url("report_who")).content.decode()
    assert named("Maya", "Okafor") in page and named("Ava", "Not known") in page
    assert "not on the school list" in page

    response = j.adults("no")
    assert response["Location"] == j.url("report_checklist")

    checklist_page = client.get(j.url("report_checklist"))
    asked = set(checklist_page.context["form"].fields)
    # The image and threats were answered on "What happened": not asked twice.
    assert "image_nature" not in asked and "threats_or_demands" not in asked
    assert {"adult_involved", "immediate_risk", "coercion_or_capacity"} <= asked

    response = j.checklist(coercion_or_capacity="yes", spread_platforms="group_chat")
    assert response["Location"] == j.url("report_check")

    check = client.get(j.url("report_check"))
    body = check.content.decode()
    assert check.status_code == 200
    assert "Tell the DSL or a deputy in person now" in body
    assert "straight away" in body
    outcome = client.get(j.url("report_outcome")).content.decode()
    assert "Tell the DSL" in outcome or "tell the DSL" in outcome
    for url in (j.url("report_what"), j.url("report_who"), j.url("report_checklist")):
        assert f'href="{url}?change=1' in body, f"no change link to {url}"
    # A step opened from a Change link goes Back to "Check your answers", not the step before.
    back = '<nav aria-label="Back"><a href="{}" class="govuk-back-link">'
    changing = client.get(j.url("report_checklist"), {"change": "1"}).content.decode()
    assert back.format(j.url("report_check")) in changing
    unchanged = client.get(j.url("report_checklist")).content.decode()
    assert back.format(j.url("report_who")) in unchanged
    assert "Snapchat" in body and named("Jake", "Turner") in body and "3 November 2026" in body

    response = j.submit()
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert response["Location"] == reverse(
        "incidents:report_submitted",
        kwargs={"school": "oakwood", "reference": incident.reference},
    )
    confirmation = client.get(response["Location"]).content.decode()
    assert incident.reference in confirmation
    assert "What to tell the pupil" in confirmation
    assert "/guidance/right-now/" in confirmation

    assert incident.reporter == cast.teacher
    assert incident.school == cast.school_a
    assert incident.kind == "nudified"
    assert incident.image_nature == "nudified" and incident.threats_or_demands == "no"
    assert incident.account == GOOD_WHAT["account"]
    assert incident.platform == "Snapchat"
    assert str(incident.happened_on) == "2026-11-03"
    assert incident.checklist_version
    assert incident.answers["image_nature"] == "nudified"
    assert incident.answers["adult_involved"] == "no"
    assert incident.referral == "yes"
    assert incident.urgency == "tell_dsl_now"
    assert incident.outcome["urgency"] == "tell_dsl_now"
    assert incident.status == "new"

    factors = dict(
        TriggeredFactor.objects.filter(incident=incident).values_list("factor", "answer")
    )
    assert factors["coercion_or_capacity"] == "yes"
    assert "adult_involved" not in factors  # answered "no"

    roles = set(
        IncidentPupil.objects.filter(incident=incident).values_list("pupil__first_name", "role")
    )
    assert roles == {
        ("Maya", "pictured"),
        ("Maya", "told_us"),
        ("Jake", "alleged_creator"),
        ("Ava", "recipient"),
    }
    ava = Pupil.objects.get(first_name="Ava")
    assert ava.added_from_report and ava.school == cast.school_a

    event = AuditEvent.objects.get(action="incident.reported")
    assert event.target_type == "incidents.incident" and event.target_id == str(incident.pk)
    assert event.actor == cast.teacher and event.school == cast.school_a
    assert event.ip_address == "127.0.0.1" and event.request_id
    assert event.data["urgency"] == "tell_dsl_now"
    # Ids and enums only: no names, no narrative.
    assert "Maya" not in str(event.data) and "Jake" not in str(event.data)

    assert not ReportDraft.objects.exists()


def test_a_report_at_a_school_with_no_safeguarding_lead_says_to_tell_someone_in_person(
    journey, cast
):
    Membership.objects.filter(school=cast.school_a, role__in=Role.case_reviewers()).delete()
    j = journey(cast.teacher).complete()
    confirmation = j.client.get(j.submit()["Location"]).content.decode()
    assert "has no safeguarding lead (DSL) set up in this service yet" in confirmation
    assert "Tell your DSL or headteacher in person now" in confirmation
    assert "have been alerted" not in confirmation


def test_the_reference_is_random_not_a_sequence(journey, cast):
    references = []
    for _ in range(3):
        j = journey(cast.teacher).complete()
        j.submit()
    references = list(Incident.objects.values_list("reference", flat=True))
    assert len(set(references)) == 3
    for reference in references:
        assert reference.startswith("SG-") and len(reference) == 12
    assert sorted(references) != [f"SG-{i}" for i in range(3)]


def test_a_session_that_times_out_mid_way_resumes_its_draft(client, cast, pupils):
    from .conftest import Journey

    sign_in(client, cast.teacher)
    j = Journey(client, cast.school_a)
    j.start()
    j.what()
    j.add_pupil(pupils["maya"], "pictured")

    # 31 minutes pass with nothing done: the server-side session has expired, and the next
    # step sends them to sign in.
    Session.objects.update(expire_date=timezone.now() - timedelta(minutes=1))
    response = post_form(client, j.url("report_who"), {"action": "continue"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("safeguarding:login"))
    assert ReportDraft.objects.get().data["what"]["platform"] == "Snapchat"

    # Signed in again, opening "Report a concern" offers to continue the draft.
    sign_in(client, cast.teacher)
    start = client.get(reverse("incidents:report_start", kwargs={"school": "oakwood"}))
    body = start.content.decode()
    assert "You have a report you have not sent yet" in body
    continue_url = reverse(
        "incidents:report_check", kwargs={"school": "oakwood", "draft": j.draft_id}
    )
    assert continue_url in body

    # Continuing goes to the first unanswered step, with the answers kept.
    response = client.get(continue_url)
    assert response.status_code == 302 and response["Location"] == j.url("report_who")
    who = client.get(j.url("report_who")).content.decode()
    assert named("Maya", "Okafor") in who
    what = client.get(j.url("report_what")).content.decode()
    assert "Snapchat" in what

    assert j.adults("no").status_code == 302
    assert j.checklist().status_code == 302
    assert j.submit().status_code == 302
    assert Incident.objects.get().involvements.get().pupil == pupils["maya"]


def test_changing_an_answer_from_check_your_answers_comes_back_to_it(journey, cast):
    j = journey(cast.teacher).complete()
    response = j.what(platform="Instagram")
    assert response["Location"] == j.url("report_check")
    assert "Instagram" in j.client.get(j.url("report_check")).content.decode()


def test_threats_told_of_later_keep_what_the_image_is(journey, cast):
    """A threat is a second answer, not another kind of image: changing "threats" to yes after
    the rest is answered keeps "nudified", and the case is sextortion as well."""
    j = journey(cast.teacher).complete()
    j.what(threats_or_demands="yes")
    response = j.client.get(j.url("report_check"))
    assert response.status_code == 200
    j.submit()
    incident = Incident.objects.get()
    assert incident.image_nature == "nudified" and incident.answers["image_nature"] == "nudified"
    assert incident.threats_or_demands == "yes" and incident.answers["threats_or_demands"] == "yes"
    assert incident.kind == "sextortion"
    assert incident.about == "Sextortion threat or demand (nudified photo)"
    assert incident.outcome["sextortion"] is True


def test_a_child_in_danger_now_says_call_999(journey, cast):
    j = journey(cast.teacher).complete(immediate_risk="yes", danger_now="yes")
    check = j.client.get(j.url("report_check")).content.decode()
    assert check.count("call 999 and stay with them") == 1  # said once, at the top
    sent = j.submit()
    assert Incident.objects.get().urgency == "call_999"
    assert "call 999 and stay with them" in j.client.get(sent["Location"]).content.decode()


def test_a_not_known_referral_factor_is_recorded_and_never_read_as_no(journey, cast):
    j = journey(cast.teacher).complete(sexual_acts_under_13="not_known")
    j.submit()
    incident = Incident.objects.get()
    assert incident.factors.get(factor="sexual_acts_under_13").answer == "not_known"
    assert any(f["id"] == "sexual_acts_under_13" for f in incident.outcome["unknown_factors"])


def test_an_unfinished_report_cannot_be_sent(journey, cast):
    j = journey(cast.teacher)
    j.start()
    j.what()
    response = j.submit()
    assert response.status_code == 302
    assert response["Location"] == j.url("report_who")
    assert not Incident.objects.exists()


def test_the_reporter_can_delete_their_draft(journey, cast):
    j = journey(cast.teacher)
    j.start()
    assert j.client.get(j.url("report_discard")).status_code == 200
    assert post_form(j.client, j.url("report_discard")).status_code == 302
    assert not ReportDraft.objects.exists()


def test_a_pupil_added_by_name_is_a_new_record_in_each_report(journey, cast):
    """Two reports about 'Ava, Year 9' may be about two different children: never merged."""
    for _ in range(2):
        j = journey(cast.teacher)
        j.start()
        j.what()
        j.add_new_pupil("Ava", "Not known", "9", "pictured")
        j.add_new_pupil("Ava", "Not known", "9", "told_us")
        j.adults()
        j.checklist()
        j.submit()
    avas = Pupil.objects.filter(first_name="Ava")
    assert avas.count() == 2
    for incident in Incident.objects.all():
        roles = incident.involvements.values_list("pupil", "role")
        assert {role for _, role in roles} == {"pictured", "told_us"}
        assert len({pupil for pupil, _ in roles}) == 1
    assert AuditEvent.objects.filter(action="pupil.added_from_report").count() == 2
    events = AuditEvent.objects.all()
    assert "Jake put my photo" not in str([e.data for e in events])


def test_each_added_pupil_shows_their_name_and_year_on_separate_lines(journey, cast):
    j = journey(cast.teacher)
    j.start()
    j.what()
    j.add_new_pupil("Siân", "O’Brien", "9", "pictured")
    body = j.client.get(j.url("report_who")).content.decode()
    # Not run together as "Siân O’BrienYear 9", on screen or read aloud.
    assert "<bdi>Siân</bdi> <bdi>O’Brien</bdi><br><span" in body


def test_going_back_to_a_sent_report_says_it_was_sent_not_page_not_found(journey, cast):
    j = journey(cast.teacher)
    j.start()
    j.what()
    j.add_new_pupil()
    j.adults()
    j.checklist()
    check = j.url("report_check")
    j.submit()
    for response in (j.client.get(check, follow=True), post_form(j.client, check, follow=True)):
        assert response.status_code == 200
        assert "This report has already been sent." in response.content.decode()
        assert response.request["PATH_INFO"] == reverse("incidents:my_reports")
    assert Incident.objects.count() == 1
    # Someone else cannot learn anything from the same address.
    other = journey(cast.deputy)
    assert other.client.get(check).status_code == 404


def test_a_teacher_told_by_a_parent_is_told_what_to_say_to_the_parent(journey, cast):
    j = journey(cast.teacher)
    j.start()
    j.what(came_to_light="parent", threats_or_demands="yes")
    j.adults("not_known")
    j.checklist()
    response = j.submit()
    confirmation = j.client.get(response["Location"]).content.decode()
    assert "What to tell the parent or carer" in confirmation
    assert "What to tell the pupil" not in confirmation
    assert "They did the right thing by telling you" not in confirmation


def test_several_unfinished_reports_can_be_told_apart(journey, cast):
    first = journey(cast.teacher)
    first.start()
    first.what(threats_or_demands="yes")
    second = journey(cast.teacher)
    second.start()
    start = first.client.get(reverse("incidents:report_start", kwargs={"school": "oakwood"}))
    body = start.content.decode()
    assert "You have 2 reports you have not sent yet" in body
    assert "Sextortion threat or demand" in body
    assert "What it is about is not answered yet" in body
    for j in (first, second):
        assert j.url("report_check") in body


def test_a_search_that_finds_nobody_points_to_adding_a_pupil_not_on_the_list(journey, cast, pupils):
    j = journey(cast.teacher)
    j.start()
    body = search_for(j.client, j.url("report_who"), "Kacper", action="search")
    body = body.content.decode()
    assert "No pupil on the school list matches <bdi>Kacper</bdi>" in body
    assert '<details class="govuk-details" open>' in body
    found = search_for(j.client, j.url("report_who"), "Okafor", action="search")
    found = found.content.decode()
    assert "No pupil on the school list matches" not in found


def test_a_teacher_who_overheard_it_is_not_told_to_thank_a_pupil_for_telling(journey, cast):
    j = journey(cast.teacher)
    j.start()
    j.what(came_to_light="monitoring")
    j.adults("not_known")
    j.checklist()
    confirmation = j.client.get(j.submit()["Location"]).content.decode()
    assert "If a pupil talks to you about it" in confirmation
    assert "Do not go and ask pupils about it yourself" in confirmation
    assert "What to tell the pupil" not in confirmation


def test_each_question_s_change_link_goes_to_that_question(journey, cast):
    j = journey(cast.teacher).complete()
    check = j.client.get(j.url("report_check")).content.decode()
    questions = j.client.get(j.url("report_checklist")).content.decode()
    link = re.escape(j.url("report_checklist") + "?change=1")
    anchors = re.findall(rf'href="{link}#([\w-]+)"', check)
    assert anchors
    for anchor in anchors:
        assert f'id="{anchor}"' in questions
