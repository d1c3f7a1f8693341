"""A referral, or a decision to refer, offers to move the case to "Referred" in one click on the
page that follows. Nothing moves without that click; the click is a status change like any other
(a row, an event, a line on the timeline)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import StatusChange
from incidents.models import Status
from safeguarding.models import AuditEvent
from tests.conftest import post_form

from .conftest import make_incident

OFFER = 'id="offered-move"'
REFERRAL = {"agency": "police", "referred_on": timezone.localdate().isoformat()}


def under_review(cast, status=Status.UNDER_REVIEW):
    incident = make_incident(cast.school_a, cast.teacher)
    type(incident).objects.filter(pk=incident.pk).update(status=status)
    incident.refresh_from_db()
    return incident


def record(client, incident, page, data):
    url = reverse(f"cases:{page}", kwargs={"reference": incident.reference})
    return post_form(client, url, data, follow=True)


@pytest.mark.parametrize(
    ("page", "data", "said"),
    [
        ("referral", REFERRAL, "You recorded a referral."),
        (
            "decision",
            {"decision": "refer", "reasons": "Threats were made."},
            "You recorded a decision to refer.",
        ),
    ],
)
def test_a_referral_offers_the_move_and_only_the_click_makes_it(cast, client_for, page, data, said):
    incident = under_review(cast)
    client = client_for(cast.dsl)

    body = record(client, incident, page, data).content.decode()

    incident.refresh_from_db()
    assert incident.status == Status.UNDER_REVIEW  # nothing moved
    assert not StatusChange.objects.filter(incident=incident).exists()
    offer = body[body.index(OFFER) :].split("</div>")[0]
    assert "Move the case to referred?" in offer
    assert said in offer
    assert 'name="to_status" value="referred"' in offer
    assert reverse("cases:status", kwargs={"reference": incident.reference}) in offer

    # Offered once: the next visit to the case page does not ask again.
    again = client.get(reverse("cases:detail", kwargs={"reference": incident.reference}))
    assert OFFER not in again.content.decode()

    before = AuditEvent.objects.count()
    url = reverse("cases:status", kwargs={"reference": incident.reference})
    page_after = post_form(client, url, {"to_status": "referred"}, follow=True)

    incident.refresh_from_db()
    assert incident.status == Status.REFERRED
    change = StatusChange.objects.get(incident=incident)
    assert (change.from_status, change.to_status) == (Status.UNDER_REVIEW, Status.REFERRED)
    assert change.recorded_by == cast.dsl
    events = AuditEvent.objects.order_by("id")[before:]
    assert services.STATUS_CHANGED in [e.action for e in events]
    titles = [e.title for e in page_after.context["case"].timeline]
    assert titles[-1] == "Changed the status"
    assert "The case is now referred." in page_after.content.decode()


def offer_on(body: str) -> str:
    return body[body.index(OFFER) :].split("</div>\n{% endif %}")[0].split("</form>")[0]


@pytest.mark.parametrize("choice", ["not_refer", "no_further_action"])
def test_a_decision_to_manage_it_in_school_offers_that_move_and_only_the_click_makes_it(
    cast, client_for, choice
):
    # Under review a case cannot be closed yet: no further action, like managing it in school,
    # is offered 'Managed in school' (from where it is closed).
    incident = under_review(cast)
    client = client_for(cast.dsl)
    data = {"decision": choice, "reasons": "No factor applies; support from the head of year."}

    body = record(client, incident, "decision", data).content.decode()

    incident.refresh_from_db()
    assert incident.status == Status.UNDER_REVIEW
    assert not StatusChange.objects.filter(incident=incident).exists()
    offer = offer_on(body)
    assert "Move the case to managed in school?" in offer
    said = {
        "not_refer": "You recorded a decision not to refer but to manage it in school.",
        "no_further_action": "You recorded a decision of no further action.",
    }[choice]
    assert said in offer
    assert 'name="to_status" value="managed_in_school"' in offer

    url = reverse("cases:status", kwargs={"reference": incident.reference})
    after = post_form(client, url, {"to_status": "managed_in_school"}, follow=True)
    incident.refresh_from_db()
    assert incident.status == Status.MANAGED_IN_SCHOOL
    assert after.context["case"].timeline[-1].title == "Changed the status"


def test_no_further_action_offers_to_close_the_case_with_its_reasons(cast, client_for):
    incident = under_review(cast, Status.MANAGED_IN_SCHOOL)
    services.add_task(
        incident=incident,
        actor=cast.dsl,
        title="Check in",
        owner=cast.dsl,
        due_on=timezone.localdate(),
    )
    client = client_for(cast.dsl)
    data = {"decision": "no_further_action", "reasons": "Support is in place & working."}

    body = record(client, incident, "decision", data).content.decode()

    incident.refresh_from_db()
    assert incident.status == Status.MANAGED_IN_SCHOOL
    offer = offer_on(body)
    assert "Close the case: no further action?" in offer
    assert "1 task not done will stay not done" in offer
    assert 'name="to_status" value="closed"' in offer
    assert 'name="closing_outcome" value="no_further_action"' in offer
    # The decision's reasons are the closing reason, to change if need be.
    assert "Support is in place &amp; working.</textarea>" in offer

    url = reverse("cases:status", kwargs={"reference": incident.reference})
    sent = {
        "to_status": "closed",
        "closing_outcome": "no_further_action",
        "reason": "Support is in place & working.",
    }
    post_form(client, url, sent, follow=True)
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    change = StatusChange.objects.get(incident=incident)
    assert change.closing_outcome == "no_further_action"
    assert change.reason == "Support is in place & working."


def test_another_decision_offers_nothing(cast, client_for):
    incident = under_review(cast)
    body = record(
        client_for(cast.dsl),
        incident,
        "decision",
        {"decision": "other", "reasons": "Speak to the family first."},
    ).content.decode()
    assert "Saved." in body
    assert OFFER not in body


@pytest.mark.parametrize("status", [Status.ACKNOWLEDGED, Status.REFERRED])
def test_no_offer_where_the_workflow_has_no_such_move(cast, client_for, status):
    # Acknowledged: the review is started first. Referred: it is there already.
    incident = under_review(cast, status)
    body = record(client_for(cast.dsl), incident, "referral", REFERRAL).content.decode()
    assert "Saved." in body
    assert OFFER not in body


def test_the_offer_is_for_the_case_it_was_made_on(cast, client_for):
    incident = under_review(cast)
    other = under_review(cast)
    client = client_for(cast.dsl)
    url = reverse("cases:referral", kwargs={"reference": incident.reference})
    post_form(client, url, REFERRAL)  # not followed: the offer waits in the session

    elsewhere = client.get(reverse("cases:detail", kwargs={"reference": other.reference}))
    assert OFFER not in elsewhere.content.decode()


def tag(body: str) -> str:
    """The first urgency tag on a page."""
    start = body.index("data-urgency=")
    return body[start : body.index("</strong>", start)].split(">", 1)[1]


def inbox_entry(client, cast, incident) -> str:
    body = client.get(reverse("cases:inbox", kwargs={"school": cast.school_a.slug}))
    body = body.content.decode()
    return body[body.index(incident.reference) :].split("</tr>")[0]


@pytest.mark.parametrize(
    ("urgency", "for_staff", "for_the_dsl"),
    [
        ("call_999", "Call 999 now", "Emergency"),
        ("tell_dsl_now", "Tell the DSL now", "Urgent"),
        ("dsl_review_today", "DSL to review today", "Same day"),
    ],
)
def test_once_acknowledged_the_urgency_is_the_dsls_not_the_reporters(
    cast, client_for, pupil, urgency, for_staff, for_the_dsl
):
    incident = make_incident(
        cast.school_a, cast.teacher, urgency=urgency, pupils=[(pupil, "pictured")]
    )
    client = client_for(cast.dsl)
    case_url = reverse("cases:detail", kwargs={"reference": incident.reference})

    # New: what the checklist told the reporter, as they saw it.
    assert tag(client.get(case_url).content.decode()) == for_staff
    assert tag(inbox_entry(client, cast, incident)) == for_staff

    services.acknowledge(incident=incident, actor=cast.dsl)

    case_page = client.get(case_url).content.decode()
    assert tag(case_page) == for_the_dsl
    # The urgency line of the triage outcome says the checklist's in the DSL's words too.
    line = case_page[case_page.index('data-part="urgency"') :].split("</dd>")[0]
    assert f"{for_the_dsl}" in line and for_staff not in line
    entry = inbox_entry(client, cast, incident)
    assert tag(entry) == for_the_dsl
    assert for_staff not in entry
    # The DSL home and the pupil's file show the case's status, the DSL's own, and no urgency
    # label meant for the reporter.
    home = client.get(reverse("safeguarding:home")).content.decode()
    assert for_staff not in home
    pupil_url = reverse(
        "cases:pupil_file", kwargs={"school": cast.school_a.slug, "pupil": pupil.pk}
    )
    pupil_file = client.get(pupil_url).content.decode()
    assert "Acknowledged" in pupil_file and for_staff not in pupil_file


def test_the_inbox_names_the_checklists_urgency_in_the_same_words(cast, client_for):
    incident = make_incident(cast.school_a, cast.teacher, urgency="dsl_review_today")
    services.acknowledge(incident=incident, actor=cast.dsl)
    client = client_for(cast.dsl)
    url = reverse("cases:triage_override", kwargs={"reference": incident.reference})
    decided = {
        "referral": "no",
        "referral_reason": "",
        "urgency": "tell_dsl_now",
        "urgency_reason": "The police want to speak to her today.",
        "typology": "aggravated",
        "typology_reason": "",
        "sextortion": "yes",
        "sextortion_reason": "",
    }
    assert post_form(client, url, decided).status_code == 302

    entry = inbox_entry(client, cast, incident)
    assert tag(entry) == "Urgent"
    assert "DSL decided; checklist's: Same day, no immediate referral" in entry
    assert "Tell the DSL now" not in entry and "DSL to review today" not in entry

    # The urgency filter uses both words, so either finds the case.
    page = client.get(reverse("cases:inbox", kwargs={"school": cast.school_a.slug}))
    assert ">Urgent (Tell the DSL now)</option>" in page.content.decode()
