"""Case access needs two people (issue 13, point 9). An admin could invite their own
plus-address (admin+2@...) as a DSL and read every case. Now a DSL or deputy role is only put
forward by the school admin (or an invitation); it is given when a second person confirms:
another DSL of the school, or the lead of its trust. Both names are on the audit trail, and the
school's DSLs and trust leads are told at once."""

from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from notifications.models import Kind, Outbox
from safeguarding import people
from safeguarding.models import AuditEvent, LeadRoleRequest, Membership, Role, School
from tests.cases.conftest import make_incident
from tests.conftest import make_user, post_form


def holds(user, school, role) -> bool:
    return Membership.objects.filter(user=user, school=school, role=role).exists()


def told(kind) -> list[str]:
    return sorted(Outbox.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def put_forward(cast, client_for, person, role=Role.DEPUTY_DSL):
    url = reverse("people:add_role", kwargs={"school": "oakwood", "person_id": person.pk})
    response = post_form(client_for(cast.admin), url, {"role": role})
    assert response.status_code == 302
    return LeadRoleRequest.objects.get(person=person, role=role)


def decide(client, lead_request, decision):
    url = reverse(
        "people:decide_lead_request",
        kwargs={"school": lead_request.school.slug, "request_id": lead_request.pk},
    )
    return post_form(client, url, {"decision": decision})


def test_an_admin_alone_cannot_make_anyone_a_lead(cast, client_for):
    lead_request = put_forward(cast, client_for, cast.teacher)
    assert not holds(cast.teacher, cast.school_a, Role.DEPUTY_DSL)
    assert lead_request.outcome == LeadRoleRequest.Outcome.WAITING
    asked = AuditEvent.objects.get(action="role.requested")
    assert (asked.actor, asked.target_id) == (cast.admin, str(cast.teacher.pk))
    # Told at once: the school's DSL and its trust's lead, nobody else.
    assert told(Kind.LEAD_REQUESTED) == ["dsl@oakwood.test", "lead@northfield.test"]
    # The teacher still cannot open a case.
    incident = make_incident(cast.school_a, cast.dsl)
    case = reverse("cases:detail", kwargs={"reference": incident.reference})
    assert client_for(cast.teacher).get(case).status_code == 404


def test_inviting_your_own_plus_address_as_dsl_needs_a_second_person(cast, client_for):
    invitation = people.invite(
        actor=cast.admin, school=cast.school_a, email="admin+2@oakwood.test", roles=[Role.DSL]
    )
    second_self = people.accept_invitation(
        invitation=invitation, full_name="Ada Again", password="a long enough passphrase"
    )
    assert not holds(second_self, cast.school_a, Role.DSL)
    lead_request = LeadRoleRequest.objects.get(person=second_self)
    assert lead_request.requested_by == cast.admin
    assert lead_request.invitation == invitation
    assert told(Kind.LEAD_REQUESTED) == ["dsl@oakwood.test", "lead@northfield.test"]
    # The DSL declines: nothing is given, and the trail says who asked and who declined.
    assert decide(client_for(cast.dsl), lead_request, "decline").status_code == 302
    assert not holds(second_self, cast.school_a, Role.DSL)
    declined = AuditEvent.objects.get(action="role.request_declined")
    assert declined.actor == cast.dsl
    assert declined.data["requested_by"] == str(cast.admin.pk)
    assert declined.data["declined_by"] == str(cast.dsl.pk)


def test_another_dsl_confirms_with_both_names_on_the_trail(cast, client_for):
    lead_request = put_forward(cast, client_for, cast.teacher)
    page = client_for(cast.dsl).get(reverse("people:lead_requests", kwargs={"school": "oakwood"}))
    assert "Tom Hart as deputy designated safeguarding lead" in page.content.decode()
    assert decide(client_for(cast.dsl), lead_request, "confirm").status_code == 302
    assert holds(cast.teacher, cast.school_a, Role.DEPUTY_DSL)
    added = AuditEvent.objects.get(action="role.added", target_id=str(cast.teacher.pk))
    assert added.actor == cast.dsl
    assert added.data["requested_by"] == str(cast.admin.pk)
    assert added.data["confirmed_by"] == str(cast.dsl.pk)
    assert told(Kind.LEAD_ADDED) == ["dsl@oakwood.test"]
    lead_request.refresh_from_db()
    assert (lead_request.outcome, lead_request.decided_by) == ("confirmed", cast.dsl)
    # Confirmed once only.
    assert decide(client_for(cast.dsl), lead_request, "confirm").status_code == 409


def test_the_trust_lead_may_confirm_and_others_may_not(cast, client_for):
    lead_request = put_forward(cast, client_for, cast.teacher, Role.DSL)
    for outsider in (cast.other_trust_lead, cast.dsl_b):
        assert decide(client_for(outsider), lead_request, "confirm").status_code == 404
    for member in (cast.deputy, cast.admin, cast.teacher):
        assert decide(client_for(member), lead_request, "confirm").status_code == 403
    assert not holds(cast.teacher, cast.school_a, Role.DSL)
    assert decide(client_for(cast.trust_lead), lead_request, "confirm").status_code == 302
    assert holds(cast.teacher, cast.school_a, Role.DSL)
    assert AuditEvent.objects.get(action="role.added").data["confirmed_by"] == str(
        cast.trust_lead.pk
    )


def test_nobody_confirms_their_own_request_or_their_own_role(cast, client_for):
    # An admin who is also the school's DSL still needs someone else.
    Membership.objects.create(user=cast.dsl, school=cast.school_a, role=Role.SCHOOL_ADMIN)
    lead_request = people.add_role(
        actor=cast.dsl, school=cast.school_a, person=cast.teacher, role=Role.DEPUTY_DSL
    )
    response = decide(client_for(cast.dsl), lead_request, "confirm")
    assert response.status_code == 409
    assert people.NOT_YOURS_TO_CONFIRM in response.content.decode().replace("&#x27;", "'")
    # And a deputy put forward as DSL cannot confirm themselves.
    own = people.add_role(actor=cast.admin, school=cast.school_a, person=cast.deputy, role=Role.DSL)
    assert decide(client_for(cast.deputy), own, "confirm").status_code == 403
    assert not holds(cast.teacher, cast.school_a, Role.DEPUTY_DSL)


def test_dsls_see_what_waits_for_them_on_their_home_page(cast, client_for):
    put_forward(cast, client_for, cast.teacher)
    home = client_for(cast.dsl).get(reverse("safeguarding:home")).content.decode()
    assert "1 new safeguarding lead to confirm" in home
    trust_home = client_for(cast.trust_lead).get(reverse("safeguarding:home")).content.decode()
    assert "1 new safeguarding lead to confirm at Oakwood Academy" in trust_home
    admin_home = client_for(cast.admin).get(reverse("safeguarding:home")).content.decode()
    assert "to confirm" not in admin_home


def test_the_support_team_confirms_where_nobody_else_can(cast):
    lone = School.objects.create(name="Lone Primary", slug="lone")
    admin = make_user("admin@lone.test", "Lou Admin", school=lone, roles=[Role.SCHOOL_ADMIN])
    teacher = make_user("t@lone.test", "Tia Lone", school=lone, roles=[Role.STAFF])
    lead_request = people.add_role(actor=admin, school=lone, person=teacher, role=Role.DSL)
    assert people.lead_confirmers(lead_request) == []
    support = make_user("support@service.test", "Sue Port")
    support.is_staff = True
    support.save()
    request = RequestFactory().post("/admin/")
    request.user = support
    request._messages = []  # the admin's messages are not what is tested
    model_admin = site._registry[LeadRoleRequest]
    model_admin.message_user = lambda *args, **kwargs: None
    model_admin.confirm(request, LeadRoleRequest.objects.filter(pk=lead_request.pk))
    assert holds(teacher, lone, Role.DSL)
    assert AuditEvent.objects.get(action="role.added").actor == support
