"""The briefing's "What the law says" tells staff that making, keeping or sending a sexual image
of anyone under 18 is a crime, for pupils too (issue #20), and staff who read 2026-12 are asked
to read that new point."""

from guidance import services
from guidance.checklist import current_version, load_checklist
from guidance.models import BriefingConfirmation
from tests.conftest import post_form

NEW_POINT = (
    "It is a crime to make, keep or send a sexual image of anyone under 18, even one made with "
    "AI. This is true when a pupil does it too, even if the image is of themselves."
)


def section(page: str, heading: str, next_heading: str) -> str:
    return page.split(heading, 1)[1].split(next_heading, 1)[0]


def test_what_the_law_says_includes_the_offence_for_pupils(client_for, cast):
    page = client_for(cast.teacher).get("/guidance/briefing/").content.decode()
    law = section(page, "1. What the law says", "2. Never look at")
    assert NEW_POINT in law
    assert "Source: Protection of Children Act 1978, section 1" in law
    # Beside what was there already: AI-made, nudified and real images are all illegal.
    assert "It is illegal child sexual abuse material" in law
    assert "Pupils who make these images may think it is a joke. It is still illegal." in law
    # The words are the checklist's own.
    assert load_checklist().advice_for("offence_for_pupils").text == NEW_POINT


def test_the_joke_question_explains_that_making_it_is_already_the_offence(client_for, cast):
    page = post_form(client_for(cast.teacher), "/guidance/briefing/", {"joke": "shared"})
    why = section(page.content.decode(), 'id="why-joke"', "</div>")
    assert "Not quite. The answer is: Yes, it is still illegal." in why
    assert NEW_POINT in why


def test_staff_who_read_2026_12_are_asked_to_read_the_new_point(client_for, cast):
    BriefingConfirmation.objects.create(user=cast.teacher, version="2026-12")
    assert services.briefing_state(cast.teacher).state == services.CHANGED
    client = client_for(cast.teacher)
    assert "The staff briefing has changed" in client.get("/").content.decode()

    page = client.get("/guidance/briefing/").content.decode()
    changed = section(page, "What changed since you last read it", "1. What the law says")
    assert "You read version 2026-12 on" in changed
    assert section(changed, "New</h3>", "</ul>").count("<li") == 1
    assert NEW_POINT in section(changed, "New</h3>", "</ul>")
    assert "Now says" not in changed and "No longer in the briefing" not in changed
    assert "treated exactly like a real photo" not in changed  # only what changed

    post_form(client, "/guidance/briefing/confirm/", {"version": current_version()})
    assert services.briefing_state(cast.teacher).is_read
    assert "The staff briefing has changed" not in client.get("/").content.decode()
