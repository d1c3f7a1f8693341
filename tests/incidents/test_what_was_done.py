"""What the reporter did and saw reaches the case as they said it, for the DSL to confirm: a
device with the image on it (what it is and where it is now), and a member of staff who saw the
image by accident (who, roughly when: never what it showed)."""

from django.urls import reverse

from incidents.models import Incident
from safeguarding.models import AuditEvent

SAID = {
    "device_involved": "yes",
    "device_details": "Maya's phone: she still has it",
    "device_secured": "no",
    "imagery_viewed": "yes",
    "imagery_viewed_by": "I did, by accident, when she held it up",
    "imagery_viewed_when": "Tuesday at lunchtime",
}


def test_a_device_and_an_accidental_viewing_are_kept_on_the_case(journey, cast, pupils):
    j = journey(cast.teacher).complete(pupils=[pupils["maya"]], **SAID)
    check = j.client.get(j.url("report_check")).content.decode()
    for words in (SAID["device_details"], SAID["imagery_viewed_by"], "Tuesday at lunchtime"):
        assert words.replace("'", "&#x27;") in check
    assert "Who saw the image" in check and "The device, and where it is now" in check
    j.submit()

    incident = Incident.objects.get()
    assert (incident.device_involved, incident.device_secured) == ("yes", "no")
    assert incident.device_details == SAID["device_details"]
    assert incident.imagery_viewed == "yes"
    assert incident.imagery_viewed_by == SAID["imagery_viewed_by"]
    assert incident.imagery_viewed_when == "Tuesday at lunchtime"
    advice = {action["id"] for action in incident.outcome["next_actions"]}
    assert {"secure_device", "viewed_support"} <= advice

    # The reporter's own copy shows what they said; the audit trail holds none of the words.
    mine = j.client.get(
        reverse("incidents:my_report", kwargs={"reference": incident.reference})
    ).content.decode()
    assert "I did, by accident, when she held it up" in mine
    event = AuditEvent.objects.get(action="incident.reported")
    assert "lunchtime" not in str(event.data) and "phone" not in str(event.data)


def test_nothing_is_kept_for_a_device_or_a_viewing_that_did_not_happen(journey, cast):
    j = journey(cast.teacher).complete(
        device_involved="no",
        device_details="typed, then the answer changed to no",
        imagery_viewed="not_known",
        imagery_viewed_by="someone",
    )
    j.submit()
    incident = Incident.objects.get()
    assert (incident.device_involved, incident.imagery_viewed) == ("no", "not_known")
    assert incident.device_details == "" and incident.imagery_viewed_by == ""


def test_the_image_and_threats_are_two_answers_on_the_case(journey, cast):
    """Sextortion with an AI-generated image: neither answer hides the other."""
    j = journey(cast.teacher)
    j.start()
    j.what(image_nature="ai_generated", threats_or_demands="yes")
    j.adults()
    j.checklist()
    j.submit()
    incident = Incident.objects.get()
    assert (incident.image_nature, incident.threats_or_demands) == ("ai_generated", "yes")
    assert incident.kind == "sextortion"
    assert incident.about == "Sextortion threat or demand (AI-generated image)"
    assert incident.outcome["sextortion"] is True
    assert any(a["id"] == "treat_as_csam" for a in incident.outcome["next_actions"])
