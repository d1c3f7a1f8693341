"""Adding further information appends a follow-up; the original report never changes."""

from django.urls import reverse

from incidents.models import FollowUp, Incident
from safeguarding.models import AuditEvent
from tests.conftest import post_form


def test_further_information_is_appended_and_audited(journey, cast):
    j = journey(cast.teacher).complete()
    j.submit()
    incident = Incident.objects.get()
    original = (incident.account, incident.outcome, incident.answers)
    url = reverse("incidents:my_report", kwargs={"reference": incident.reference})

    response = post_form(j.client, url, {"text": "Maya's friend says it is now on TikTok too."})
    assert response.status_code == 302 and response["Location"] == url
    response = post_form(j.client, url, {"text": "Her mum has been told."})

    follow_ups = list(FollowUp.objects.filter(incident=incident).order_by("created_at"))
    assert [f.text for f in follow_ups] == [
        "Maya's friend says it is now on TikTok too.",
        "Her mum has been told.",
    ]
    assert all(f.author == cast.teacher for f in follow_ups)
    incident.refresh_from_db()
    assert (incident.account, incident.outcome, incident.answers) == original

    events = AuditEvent.objects.filter(
        action="incident.follow_up_added", target_id=str(incident.pk)
    ).order_by("id")
    assert [e.data["follow_up_id"] for e in events] == [f.pk for f in follow_ups]
    assert "TikTok" not in str([e.data for e in events])

    page = j.client.get(url).content.decode()
    assert "Maya&#x27;s friend says it is now on TikTok too." in page


def test_a_closed_case_takes_no_further_information(journey, cast):
    from incidents.models import Status
    from incidents.services import FOLLOW_UP_CLOSED

    j = journey(cast.teacher).complete()
    j.submit()
    incident = Incident.objects.get()
    Incident.objects.filter(pk=incident.pk).update(status=Status.CLOSED)
    url = reverse("incidents:my_report", kwargs={"reference": incident.reference})

    response = post_form(j.client, url, {"text": "Something new."})
    assert response.status_code == 200
    assert FOLLOW_UP_CLOSED.split(".")[0] in response.content.decode()
    assert not FollowUp.objects.filter(incident=incident).exists()


def test_the_report_page_says_when_it_was_sent_in_one_sentence(journey, cast):
    j = journey(cast.teacher).complete()
    j.submit()
    incident = Incident.objects.get()
    body = j.client.get(
        reverse("incidents:my_report", kwargs={"reference": incident.reference})
    ).content.decode()
    assert "Sent at " in body and " on " in body
    assert "m.." not in body  # not "7:20a.m.." with a second full stop


def test_my_reports_shows_the_school_under_the_reference(journey, cast):
    j = journey(cast.teacher).complete()
    j.submit()
    body = j.client.get(reverse("incidents:my_reports")).content.decode()
    # Not run together as "SG-ABCD-EFGHOakwood", on screen or read aloud.
    assert f"{Incident.objects.get().reference}</a><br><span" in body
