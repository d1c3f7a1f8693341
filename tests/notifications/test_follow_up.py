"""More information from the reporter goes to the assigned DSL, or to every DSL."""

from incidents.models import FollowUp
from notifications import services
from notifications.models import Kind, Outbox

from .conftest import make_incident


def follow_up(cast, incident):
    note = FollowUp.objects.create(incident=incident, author=cast.teacher, text="More")
    return services.notify_follow_up(
        school=incident.school,
        incident_id=incident.pk,
        reference=incident.reference,
        follow_up_id=note.pk,
    )


def test_a_follow_up_goes_to_the_assigned_dsl_only(transactional_db, cast, smtp_email):
    incident = make_incident(cast, assigned_to=cast.deputy)
    follow_up(cast, incident)
    messages = smtp_email.wait_for(1)
    assert smtp_email.recipients() == ["deputy@oakwood.test"]
    assert "More information was added" in messages[0]["msg"]["Subject"]
    assert incident.reference in messages[0]["msg"].get_body(("plain",)).get_content()


def test_an_unassigned_case_tells_every_dsl(db, cast, django_capture_on_commit_callbacks):
    incident = make_incident(cast)
    with django_capture_on_commit_callbacks():
        follow_up(cast, incident)
    assert list(Outbox.objects.values_list("recipient", "kind")) == [(cast.dsl.pk, Kind.FOLLOW_UP)]


def test_each_follow_up_is_announced_once(db, cast, django_capture_on_commit_callbacks):
    incident = make_incident(cast)
    note = FollowUp.objects.create(incident=incident, author=cast.teacher, text="More")
    for _ in range(2):
        services.notify_follow_up(
            school=incident.school,
            incident_id=incident.pk,
            reference=incident.reference,
            follow_up_id=note.pk,
        )
    follow_up(cast, incident)
    assert Outbox.objects.filter(kind=Kind.FOLLOW_UP).count() == 2
