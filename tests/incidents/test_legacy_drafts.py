"""A report begun before the image's nature and threats were asked apart (one "what is it
about" answer, and the adults question on a page of its own) still finishes, under the checklist
version it was begun under, with nothing it held lost."""

from datetime import timedelta

from django.utils import timezone

from incidents.models import Incident, ReportDraft

OLD_WHAT = {
    "kind": "ai_generated",
    "came_to_light": "child_told",
    "happened_on": "2026-11-03",
    "location": "online",
    "platform": "Snapchat",
    "account": 'Maya said "someone made a picture of me with AI".',
}


def old_draft(cast, pupils, **data) -> ReportDraft:
    return ReportDraft.objects.create(
        reporter=cast.teacher,
        school=cast.school_a,
        expires_at=timezone.now() + timedelta(days=6),
        data={
            "acknowledged": True,
            "what": OLD_WHAT,
            "who": {
                "pupils": [{"key": "k1", "pupil_id": str(pupils["maya"].pk), "role": "pictured"}],
                "adults_involved": "yes",
                "adults_description": "A man on Snapchat who says he is 16",
            },
            **data,
        },
    )


def test_a_draft_that_reached_the_questions_finishes_under_its_version(journey, cast, pupils):
    answers = {
        "coercion_or_capacity": "not_known",
        "unusual_or_violent": "no",
        "sexual_acts_under_13": "no",
        "immediate_risk": "no",
        "original_source": "social_media",
        "creator": "not_known",
        "pictured_child_willing": "no",
        "spread_platforms": "group_chat",
        "spread_recipients": "few",
        "threats_or_demands": "yes",
        "device_involved": "no",
        "device_secured": "not_known",
        "imagery_viewed": "no",
        "removal_offered": "no",
    }
    draft = old_draft(
        cast,
        pupils,
        steps_done=["what", "who", "checklist"],
        checklist={"version": "2026-09", "answers": answers},
    )
    j = journey(cast.teacher)
    j.draft_id = str(draft.pk)
    check = j.client.get(j.url("report_check"))
    assert check.status_code == 200
    body = check.content.decode()
    assert "A sexual image made with AI" in body and "A man on Snapchat" in body
    assert j.submit().status_code == 302

    incident = Incident.objects.get()
    assert incident.checklist_version == "2026-09"
    assert incident.image_nature == "ai_generated"
    assert incident.threats_or_demands == "yes"
    assert incident.kind == "sextortion"
    assert incident.about == "Sextortion threat or demand (AI-generated image)"
    assert incident.adults_involved == "yes"
    assert incident.adults_description == "A man on Snapchat who says he is 16"
    assert incident.answers["spread_platforms"] == "group_chat"
    assert incident.platform == "Snapchat"
    assert incident.involvements.get().pupil == pupils["maya"]


def test_a_draft_begun_before_the_questions_goes_on_where_it_was(journey, cast, pupils):
    draft = old_draft(cast, pupils, steps_done=["what", "who"])
    j = journey(cast.teacher)
    j.draft_id = str(draft.pk)
    response = j.client.get(j.url("report_check"))
    # Nothing asked yet about threats: "What happened" asks that one answer, the rest kept.
    assert response["Location"] == j.url("report_what")
    what = j.client.get(j.url("report_what")).content.decode()
    assert "someone made a picture of me with AI" in what
    assert (
        j.what(
            image_nature="ai_generated", threats_or_demands="no", account=OLD_WHAT["account"]
        ).status_code
        == 302
    )
    questions = j.client.get(j.url("report_checklist"))
    assert questions.context["form"]["adult_involved"].value() == "yes"
    assert "A man on Snapchat" in questions.content.decode()
    assert (
        j.checklist(adult_involved="yes", adults_description="A man on Snapchat").status_code == 302
    )
    assert j.submit().status_code == 302
    incident = Incident.objects.get()
    assert incident.checklist_version == "2026-09"
    assert (incident.kind, incident.threats_or_demands) == ("ai_generated", "no")


def test_the_start_page_tells_an_old_draft_by_what_it_is_about(cast, pupils, client_for):
    old_draft(cast, pupils, steps_done=["what"])
    start = client_for(cast.teacher).get("/s/oakwood/report/").content.decode()
    assert "AI-generated sexual image" in start
