"""Only a school's admins manage its people: the standard permission cast on every people URL."""

import uuid
from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, reverse

from safeguarding import people
from safeguarding.models import AuditEvent, Invitation, Membership
from safeguarding.people_urls import urlpatterns


def post(client, url, data=None):
    """A form post as a browser sends it (the test client's default, multipart, is refused)."""
    return client.post(url, urlencode(data or {}, doseq=True), content_type=FORM)


SAME_SCHOOL_WRONG_ROLE = ("teacher", "dsl", "deputy")
OUTSIDERS = ("teacher_b", "dsl_b", "trust_lead", "other_trust_lead", "outsider")
PUBLIC = {"people:join"}
# Confirming a new DSL or deputy is for the school's DSLs and its trust lead, not its admins
# (tests/safeguarding/test_people_lead_confirmation.py and the access matrix).
FOR_CONFIRMERS = {"people:lead_requests", "people:decide_lead_request"}
FORM = "application/x-www-form-urlencoded"
POST_ONLY = {
    "people:add_role",
    "people:remove_role",
    "people:withdraw_invitation",
    "people:pastoral_tasks",
}


@pytest.fixture
def invitation(cast, mailoutbox):
    return people.invite(
        actor=cast.admin, school=cast.school_a, email="new@oakwood.test", roles=["staff"]
    )


def admin_routes(cast, invitation, school=None) -> list[tuple[str, str]]:
    """(name, url) for every people route except the public invitation link."""
    values = {
        "school": (school or cast.school_a).slug,
        "person_id": cast.teacher.pk,
        "invitation_id": invitation.pk,
    }
    routes = []
    for pattern in urlpatterns:
        assert isinstance(pattern, URLPattern)
        name = f"people:{pattern.name}"
        if name in PUBLIC | FOR_CONFIRMERS:
            continue
        kwargs = {key: values[key] for key in ["school", *pattern.pattern.converters]}
        routes.append((name, reverse(name, kwargs=kwargs)))
    return routes


def test_every_route_is_covered_here(cast, invitation):
    names = {name for name, _ in admin_routes(cast, invitation)} | PUBLIC | FOR_CONFIRMERS
    assert names == {f"people:{p.name}" for p in urlpatterns}
    assert len(names) == 12


def test_the_school_admin_gets_every_page(cast, invitation, client_for):
    client = client_for(cast.admin)
    for name, url in admin_routes(cast, invitation):
        response = client.get(url)
        assert response.status_code == (405 if name in POST_ONLY else 200), name


@pytest.mark.parametrize("member", SAME_SCHOOL_WRONG_ROLE)
def test_other_roles_at_the_school_are_refused_with_403(cast, invitation, client_for, member):
    client = client_for(getattr(cast, member))
    for name, url in admin_routes(cast, invitation):
        assert client.get(url).status_code == 403, name
        assert post(client, url, {"role": "dsl"}).status_code == 403, name
    assert AuditEvent.objects.filter(action="access.denied", data__status=403).exists()


@pytest.mark.parametrize("member", OUTSIDERS)
def test_people_without_a_role_at_the_school_get_404(cast, invitation, client_for, member):
    client = client_for(getattr(cast, member))
    for name, url in admin_routes(cast, invitation):
        for response in (client.get(url), post(client, url, {"role": "dsl"})):
            assert response.status_code == 404, name
            assert "Oakwood" not in response.content.decode(), name


def test_signed_out_visitors_are_sent_to_sign_in(cast, invitation, client):
    for name, url in admin_routes(cast, invitation):
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("safeguarding:login")), name


def test_an_admin_of_school_a_gets_404_at_school_b(cast, invitation, client_for):
    client = client_for(cast.admin)
    for name, url in admin_routes(cast, invitation, school=cast.school_b):
        assert client.get(url).status_code == 404, name


def test_an_admin_cannot_reach_people_or_invitations_of_another_school(
    cast, invitation, client_for, mailoutbox
):
    other = people.invite(
        actor=cast.dsl_b, school=cast.school_b, email="x@elmpark.test", roles=["staff"]
    )
    client = client_for(cast.admin)
    slug = cast.school_a.slug
    unknown = uuid.uuid4()
    foreign = [
        reverse("people:person", kwargs={"school": slug, "person_id": cast.teacher_b.pk}),
        reverse("people:person", kwargs={"school": slug, "person_id": unknown}),
        reverse("people:deactivate", kwargs={"school": slug, "person_id": cast.teacher_b.pk}),
    ]
    for url in foreign:
        assert client.get(url).status_code == 404, url
    assert post(client, foreign[-1]).status_code == 404
    for name in ("people:add_role", "people:remove_role"):
        url = reverse(name, kwargs={"school": slug, "person_id": cast.teacher_b.pk})
        assert post(client, url, {"role": "staff"}).status_code == 404
    url = reverse("people:withdraw_invitation", kwargs={"school": slug, "invitation_id": other.pk})
    assert post(client, url).status_code == 404
    assert Membership.objects.filter(user=cast.teacher_b, school=cast.school_b).exists()
    assert Invitation.objects.get(pk=other.pk).withdrawn_at is None
    denial = AuditEvent.objects.filter(action="access.denied", school=cast.school_a).last()
    assert denial.data["reason"]


def test_denied_posts_change_nothing(cast, invitation, client_for):
    slug = cast.school_a.slug
    teacher_roles = set(Membership.objects.filter(user=cast.teacher).values_list("role", flat=True))
    for member in (cast.teacher, cast.dsl, cast.dsl_b, cast.trust_lead, cast.outsider):
        client = client_for(member)
        post(
            client,
            reverse("people:add_role", kwargs={"school": slug, "person_id": cast.teacher.pk}),
            {"role": "school_admin"},
        )
        post(
            client,
            reverse("people:remove_role", kwargs={"school": slug, "person_id": cast.teacher.pk}),
            {"role": "staff"},
        )
        post(
            client,
            reverse("people:deactivate", kwargs={"school": slug, "person_id": cast.teacher.pk}),
        )
        post(
            client,
            reverse("people:invite", kwargs={"school": slug}),
            {"email": "sneaky@example.test", "roles": ["dsl"]},
        )
    cast.teacher.refresh_from_db()
    assert cast.teacher.is_active
    assert (
        set(Membership.objects.filter(user=cast.teacher).values_list("role", flat=True))
        == teacher_roles
    )
    assert not Invitation.objects.filter(email="sneaky@example.test").exists()
