"""Sending the same report twice at once (a double click, two tabs) makes one case, and neither
request fails."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from incidents.models import Incident
from notifications.models import Outbox
from tests.conftest import post_form, sign_in

from .conftest import Journey


@pytest.mark.django_db(transaction=True)
def test_two_sends_at_once_make_one_case(postgres, cast, client_for):
    from django.test import Client

    j = Journey(client_for(cast.teacher), cast.school_a).complete()
    clients = [sign_in(Client(), cast.teacher) for _ in range(2)]
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def send(client):
        try:
            barrier.wait()
            statuses.append(post_form(client, j.url("report_check")).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) in ([302, 302], [302, 404])
    assert Incident.objects.count() == 1
    incident = Incident.objects.get()
    assert Outbox.objects.filter(incident_id=incident.pk, kind="new_case").count() == 2


def test_sending_again_after_it_was_sent_goes_to_my_reports(journey, cast):
    j = journey(cast.teacher).complete()
    assert j.submit().status_code == 302
    again = j.submit()
    assert (again.status_code, again["Location"]) == (302, reverse("incidents:my_reports"))
    assert Incident.objects.count() == 1
