"""Staff read the briefing, check their understanding (never stored), confirm it (date and
version), are reminded on their home page until they do, and read what changed when the
guidance changes. Reporting never waits for any of it."""

import pytest

from guidance import services
from guidance.checklist import current_version
from guidance.models import BriefingConfirmation
from safeguarding.models import AuditEvent
from tests.conftest import post_form

from .briefing_versions import advice, publish_version  # noqa: F401 (a fixture)

REMINDER = "Please read the staff briefing"
CHANGED = "The staff briefing has changed"


def test_a_teacher_reads_the_briefing_and_its_sources(client_for, cast):
    response = client_for(cast.teacher).get("/guidance/briefing/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'version <span class="app-nowrap">{current_version()}</span>' in body
    assert "What the law says" in body
    assert "Source: NCA CEOP Education and IWF" in body
    assert "I have read and understood this briefing" in body


def test_checking_answers_explains_each_and_stores_nothing(client_for, cast):
    client = client_for(cast.teacher)
    audit_before = AuditEvent.objects.count()
    response = post_form(client, "/guidance/briefing/", {"fake": "no", "shown": "dont_look"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Not quite. The answer is: Yes, it is treated just like a real photo." in body
    assert "Right: Do not look at it, and tell the DSL straight away." in body
    # Unanswered questions are explained too, without marking anyone down.
    assert "Choose an answer to see why it is right or not. The answer is: Delete nothing" in body
    assert "It is illegal child sexual abuse material, even if it does not look real." in body
    assert 'value="no" checked' in body
    assert not BriefingConfirmation.objects.exists()
    assert AuditEvent.objects.count() == audit_before


def test_confirming_records_the_version_and_date_once(client_for, cast):
    client = client_for(cast.teacher)
    home = client.get("/").content.decode()
    assert REMINDER in home
    response = post_form(client, "/guidance/briefing/confirm/", {"version": current_version()})
    assert response.status_code == 302 and response["Location"] == "/"
    confirmation = BriefingConfirmation.objects.get(user=cast.teacher)
    assert confirmation.version == current_version()
    assert confirmation.confirmed_at is not None
    event = AuditEvent.objects.get(action="briefing.confirmed")
    assert event.actor == cast.teacher and event.data == {"version": current_version()}
    home = client.get("/", follow=True).content.decode()
    assert REMINDER not in home and CHANGED not in home
    assert "You have confirmed that you read the briefing" in home
    post_form(client, "/guidance/briefing/confirm/", {"version": current_version()})
    assert BriefingConfirmation.objects.filter(user=cast.teacher).count() == 1
    assert (
        "You confirmed that you read this briefing on"
        in client.get("/guidance/briefing/").content.decode()
    )


def test_nobody_confirms_wording_they_were_not_shown(client_for, cast):
    client = client_for(cast.teacher)
    response = post_form(client, "/guidance/briefing/confirm/", {"version": "2026-09"}, follow=True)
    assert "The guidance changed while you were reading" in response.content.decode()
    assert not BriefingConfirmation.objects.exists()


def test_the_reminder_never_stands_between_staff_and_a_report(client_for, cast):
    client = client_for(cast.teacher)
    home = client.get("/").content.decode()
    assert REMINDER in home
    # The reminder comes after the link to report a concern, never in its way.
    assert home.index("Report a concern") < home.index(REMINDER)
    assert client.get(f"/s/{cast.school_a.slug}/report/").status_code == 200


def test_people_with_no_school_role_are_not_reminded(client_for, cast):
    assert REMINDER not in client_for(cast.trust_lead).get("/").content.decode()
    assert REMINDER not in client_for(cast.outsider).get("/").content.decode()


def test_a_change_to_the_guidance_asks_staff_to_read_what_changed(
    client_for,
    cast,
    publish_version,  # noqa: F811
):
    client = client_for(cast.teacher)
    old = current_version()
    post_form(client, "/guidance/briefing/confirm/", {"version": old})
    new_words = "Never delete the image or ask anyone to delete it: it may be evidence."

    def reword(data):
        advice(data, "dont_delete")["text"] = new_words

    publish_version("2027-01", reword)
    assert current_version() == "2027-01"
    assert services.briefing_state(cast.teacher).state == services.CHANGED
    home = client.get("/").content.decode()
    assert CHANGED in home
    page = client.get("/guidance/briefing/").content.decode()
    assert "What changed since you last read it" in page
    assert f"You read version {old} on" in page
    changed_part = page.split("What changed since you last read it")[1].split("1. What the law")[0]
    assert new_words in changed_part
    assert "Do not delete the image, and do not ask the child to delete it." in changed_part
    assert "Do not look at, copy" not in changed_part  # only what changed

    post_form(client, "/guidance/briefing/confirm/", {"version": "2027-01"})
    assert services.briefing_state(cast.teacher).is_read
    assert CHANGED not in client.get("/").content.decode()


def test_a_new_version_that_changes_no_words_staff_read_keeps_them_briefed(
    cast,
    publish_version,  # noqa: F811
):
    BriefingConfirmation.objects.create(user=cast.teacher, version=current_version())

    def new_source(data):
        advice(data, "dont_delete")["source"] += " (checked again)"
        advice(data, "refer_now")["text"] = "The DSL refers this today."  # not in the briefing

    publish_version("2027-01", new_source)
    assert services.briefing_state(cast.teacher).is_read


@pytest.mark.parametrize("state", ["not read", "read"])
def test_home_links_to_the_briefing_for_every_school_role(client_for, cast, state):
    if state == "read":
        BriefingConfirmation.objects.create(user=cast.admin, version=current_version())
    assert 'href="/guidance/briefing/"' in client_for(cast.admin).get("/").content.decode()


def test_a_confirmation_of_a_version_this_service_lacks_asks_for_a_full_read(client_for, cast):
    BriefingConfirmation.objects.create(user=cast.teacher, version="1999-01")
    assert services.briefing_state(cast.teacher).state == services.CHANGED
    client = client_for(cast.teacher)
    assert CHANGED in client.get("/").content.decode()
    page = client.get("/guidance/briefing/")
    assert page.status_code == 200
    assert "I have read and understood this briefing" in page.content.decode()
