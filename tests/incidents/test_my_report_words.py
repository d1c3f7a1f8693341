"""The reporter's own page reads plainly: times as the rest of the service writes them, and the
list of what is still unknown does not say they answered what they were never asked."""

import re

from django.urls import reverse

from incidents.models import FollowUp, Incident
from tests.conftest import post_form


def test_times_are_written_on_the_24_hour_clock_as_on_the_case_pages(journey, cast):
    j = journey(cast.teacher).complete()
    j.submit()
    incident = Incident.objects.get()
    url = reverse("incidents:my_report", kwargs={"reference": incident.reference})
    post_form(j.client, url, {"text": "Her friend has told me more."})
    assert FollowUp.objects.filter(incident=incident).exists()

    body = j.client.get(url).content.decode()
    assert re.search(r"Sent at \d\d:\d\d on \d{1,2} \w+ \d{4}\.", body)
    assert re.search(r"\d{1,2} \w+ \d{4}, \d\d:\d\d</p>", body)
    assert "a.m." not in body and "p.m." not in body


def test_what_is_still_unknown_is_introduced_for_unasked_and_not_known_alike(journey, cast):
    j = journey(cast.teacher).complete(sexual_acts_under_13="not_known")
    j.submit()
    incident = Incident.objects.get()
    body = j.client.get(
        reverse("incidents:my_report", kwargs={"reference": incident.reference})
    ).content.decode()
    assert "What the DSL needs to find out today" in body
    assert "These are not known yet. That is fine: the DSL will find out." in body
    assert "You answered &quot;not known&quot; to these" not in body
