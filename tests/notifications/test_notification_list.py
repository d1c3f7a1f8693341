"""Each person's notifications in the app, with an unread count on every page."""

from django.urls import reverse

from notifications import services
from notifications.models import Kind, Outbox
from tests.conftest import post_form

from .conftest import make_incident

LIST = reverse("notifications:list")
MARK_READ = reverse("notifications:mark_all_read")


def queued_case(cast, django_capture_on_commit_callbacks):
    incident = make_incident(cast)
    with django_capture_on_commit_callbacks():
        services.notify_new_case(
            school=incident.school,
            incident_id=incident.pk,
            reference=incident.reference,
            urgent=True,
        )
    return incident


def test_signed_out_people_are_sent_to_sign_in(client, db):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("safeguarding:login"))
    assert post_form(client, MARK_READ).status_code == 302


def test_a_dsl_sees_their_notifications_and_the_unread_count(
    cast, client_for, django_capture_on_commit_callbacks
):
    incident = queued_case(cast, django_capture_on_commit_callbacks)
    response = client_for(cast.dsl).get(LIST)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'href="/cases/{incident.reference}/"' in page
    assert "New concern" in page
    assert "Urgent" in page
    assert response.context["unread_notifications"]() == 1
    assert '1<span class="govuk-visually-hidden"> unread</span>' in page


def test_marking_read_clears_the_count_for_that_person_only(
    cast, client_for, django_capture_on_commit_callbacks
):
    queued_case(cast, django_capture_on_commit_callbacks)
    dsl = client_for(cast.dsl)
    response = post_form(dsl, MARK_READ)
    assert response.status_code == 302
    assert dsl.get(LIST).context["unread_notifications"]() == 0
    assert Outbox.objects.get(recipient=cast.deputy).read_at is None


def test_marking_read_needs_a_post(cast, client_for):
    assert client_for(cast.dsl).get(MARK_READ).status_code == 405


def test_other_people_see_none_of_them(cast, client_for, django_capture_on_commit_callbacks):
    incident = queued_case(cast, django_capture_on_commit_callbacks)
    for user in (cast.teacher, cast.dsl_b, cast.trust_lead, cast.outsider):
        response = client_for(user).get(LIST)
        assert response.status_code == 200
        assert incident.reference not in response.content.decode()
        assert "You have no notifications." in response.content.decode()


def test_a_trust_lead_sees_the_school_but_no_reference(cast, client_for):
    incident = make_incident(cast, urgent=True)
    Outbox.objects.create(
        recipient=cast.trust_lead,
        kind=Kind.TRUST_ESCALATION,
        incident_id=incident.pk,
        school=cast.school_a,
        idempotency_key="test",
    )
    page = client_for(cast.trust_lead).get(LIST).content.decode()
    assert "Oakwood Academy" in page
    assert incident.reference not in page
    assert "/cases/" not in page


def test_opening_a_case_can_mark_its_notifications_read(cast, django_capture_on_commit_callbacks):
    incident = queued_case(cast, django_capture_on_commit_callbacks)
    other = queued_case(cast, django_capture_on_commit_callbacks)
    assert services.mark_case_read(user=cast.dsl, incident_id=incident.pk) == 1
    unread = Outbox.objects.filter(recipient=cast.dsl, read_at__isnull=True)
    assert list(unread.values_list("incident_id", flat=True)) == [other.pk]
    assert Outbox.objects.get(recipient=cast.deputy, incident_id=incident.pk).read_at is None
