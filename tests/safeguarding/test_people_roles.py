"""School admins give and take away roles; a school always keeps an admin and a DSL."""

from html import escape
from urllib.parse import urlencode

from django.urls import reverse

from safeguarding import people
from safeguarding.models import AuditEvent, LeadRoleRequest, Membership, Role

FORM = "application/x-www-form-urlencoded"


def post(client, url, data=None):
    """A form post as a browser sends it (the test client's default, multipart, is refused)."""
    return client.post(url, urlencode(data or {}, doseq=True), content_type=FORM)


def url(name, person):
    return reverse(f"people:{name}", kwargs={"school": "oakwood", "person_id": person.pk})


def roles(person, school):
    return set(Membership.objects.filter(user=person, school=school).values_list("role", flat=True))


def test_the_list_shows_everyone_at_the_school_with_their_roles(cast, client_for):
    Membership.objects.create(user=cast.dsl_b, school=cast.school_a, role=Role.STAFF)
    body = client_for(cast.admin).get(reverse("people:list", kwargs={"school": "oakwood"}))
    text = body.content.decode()
    for member in (cast.dsl, cast.deputy, cast.teacher, cast.admin, cast.dsl_b):
        assert member.full_name in text
        assert member.email in text.replace("<wbr>", "")  # addresses may wrap on a phone
    for stranger in (cast.teacher_b, cast.trust_lead, cast.outsider):
        assert stranger.full_name not in text
    assert "Deputy designated safeguarding lead" in text
    # dsl_b is a DSL at the other school: only their role here is shown.
    assert text.count("Designated safeguarding lead") == 1


def test_adding_a_role_is_audited_and_takes_effect(cast, client_for):
    admin = client_for(cast.admin)
    response = post(admin, url("add_role", cast.teacher), {"role": Role.SCHOOL_ADMIN})
    assert response.status_code == 302
    assert roles(cast.teacher, cast.school_a) == {Role.STAFF, Role.SCHOOL_ADMIN}
    event = AuditEvent.objects.get(action="role.added")
    assert (event.actor_id, event.school_id, event.target_id) == (
        cast.admin.pk,
        cast.school_a.pk,
        str(cast.teacher.pk),
    )
    assert event.data == {"role": Role.SCHOOL_ADMIN}


def test_a_deputy_role_takes_effect_once_confirmed(cast, client_for):
    admin = client_for(cast.admin)
    response = post(admin, url("add_role", cast.teacher), {"role": Role.DEPUTY_DSL})
    assert response.status_code == 302
    assert roles(cast.teacher, cast.school_a) == {Role.STAFF}
    page = admin.get(response["Location"]).content.decode()
    assert "They can see no cases until another designated safeguarding lead" in page
    assert "Put forward as deputy designated safeguarding lead by Ada Price" in page
    people.confirm_lead_role(
        actor=cast.dsl, lead_request=LeadRoleRequest.objects.get(person=cast.teacher)
    )
    assert roles(cast.teacher, cast.school_a) == {Role.STAFF, Role.DEPUTY_DSL}
    # A new deputy must set up two-factor before seeing anything.
    teacher = client_for(cast.teacher)
    home = teacher.get(reverse("safeguarding:home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("safeguarding:two_factor_setup"))


def test_adding_a_role_they_already_have_changes_nothing(cast, client_for):
    post(client_for(cast.admin), url("add_role", cast.teacher), {"role": Role.STAFF})
    assert roles(cast.teacher, cast.school_a) == {Role.STAFF}
    assert not AuditEvent.objects.filter(action="role.added").exists()


def test_an_unknown_role_is_refused(cast, client_for):
    response = post(client_for(cast.admin), url("add_role", cast.teacher), {"role": "trust_lead"})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert roles(cast.teacher, cast.school_a) == {Role.STAFF}


def test_removing_a_role_is_audited(cast, client_for):
    Membership.objects.create(user=cast.teacher, school=cast.school_a, role=Role.DEPUTY_DSL)
    response = post(client_for(cast.admin), url("remove_role", cast.teacher), {"role": Role.STAFF})
    assert response.status_code == 302
    assert roles(cast.teacher, cast.school_a) == {Role.DEPUTY_DSL}
    event = AuditEvent.objects.get(action="role.removed")
    assert (event.actor_id, event.school_id, event.data) == (
        cast.admin.pk,
        cast.school_a.pk,
        {"role": Role.STAFF},
    )


def test_the_last_dsl_cannot_be_removed(cast, client_for):
    Membership.objects.create(user=cast.dsl, school=cast.school_a, role=Role.STAFF)
    admin = client_for(cast.admin)
    response = post(admin, url("remove_role", cast.dsl), {"role": Role.DSL})
    assert response.status_code == 409
    assert escape(people.LAST_DSL) in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert Role.DSL in roles(cast.dsl, cast.school_a)
    assert not AuditEvent.objects.filter(action="role.removed").exists()

    # With a second DSL, the first can step down.
    Membership.objects.create(user=cast.deputy, school=cast.school_a, role=Role.DSL)
    assert post(admin, url("remove_role", cast.dsl), {"role": Role.DSL}).status_code == 302
    assert roles(cast.dsl, cast.school_a) == {Role.STAFF}


def test_a_deactivated_dsl_does_not_count_as_another_dsl(cast, client_for):
    Membership.objects.create(user=cast.dsl, school=cast.school_a, role=Role.STAFF)
    Membership.objects.create(user=cast.deputy, school=cast.school_a, role=Role.DSL)
    cast.deputy.is_active = False
    cast.deputy.save()
    response = post(client_for(cast.admin), url("remove_role", cast.dsl), {"role": Role.DSL})
    assert response.status_code == 409


def test_the_last_school_admin_cannot_remove_themselves(cast, client_for):
    admin = client_for(cast.admin)
    response = post(admin, url("remove_role", cast.admin), {"role": Role.SCHOOL_ADMIN})
    assert response.status_code == 409
    assert escape(people.LAST_SCHOOL_ADMIN) in response.content.decode()
    assert roles(cast.admin, cast.school_a) == {Role.SCHOOL_ADMIN}


def test_another_admin_may_step_down_and_loses_the_pages(cast, client_for):
    Membership.objects.create(user=cast.dsl, school=cast.school_a, role=Role.SCHOOL_ADMIN)
    dsl = client_for(cast.dsl)
    response = post(dsl, url("remove_role", cast.dsl), {"role": Role.SCHOOL_ADMIN})
    assert response.status_code == 302
    assert response["Location"] == reverse("safeguarding:home")
    assert dsl.get(reverse("people:list", kwargs={"school": "oakwood"})).status_code == 403


def test_a_persons_only_role_is_removed_by_deactivating_them(cast, client_for):
    response = post(client_for(cast.admin), url("remove_role", cast.teacher), {"role": Role.STAFF})
    assert response.status_code == 409
    assert escape(people.LAST_ROLE) in response.content.decode()
    assert roles(cast.teacher, cast.school_a) == {Role.STAFF}


def test_the_person_page_offers_only_roles_they_do_not_have(cast, client_for):
    body = client_for(cast.admin).get(url("person", cast.teacher)).content.decode()
    assert cast.teacher.email in body
    held, offered = body.split("Give another role")
    assert 'name="role" value="staff"' in held  # the remove button
    assert 'value="staff"' not in offered
    assert offered.count('type="radio"') == 4
    assert 'value="pastoral"' in offered
    assert 'value="dsl"' in offered
