"""A new DSL or deputy at a school: every other active DSL there (and the trust's lead) is told
when they are put forward, and the DSLs again once a second person confirms it, naming the
school only."""

import re

import pytest
from django.db import transaction
from django.urls import reverse

from notifications.models import Kind, Outbox, OutboxStatus
from safeguarding import people
from safeguarding.models import LeadRoleRequest, Role
from tests.conftest import make_user, post_form

MESSAGE = "A new safeguarding lead has been added at Oakwood Academy. Sign in to see who."
EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@pytest.fixture
def second_dsl(cast):
    return make_user("dsl2@oakwood.test", "Sam Green", school=cast.school_a, roles=[Role.DSL])


@pytest.fixture
def off_dsl(cast):
    """A DSL of school A whose account is switched off: never told."""
    user = make_user("gone@oakwood.test", "Gus Old", school=cast.school_a, roles=[Role.DSL])
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


def lead_added_recipients() -> list[str]:
    return sorted(
        Outbox.objects.filter(kind=Kind.LEAD_ADDED).values_list("recipient__email", flat=True)
    )


def assert_names_nobody(sink, new_person):
    """Every message sent holds the school's name, and no person's name or any email address."""
    assert sink.messages
    for entry in sink.messages:
        msg = entry["msg"]
        text = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        assert msg["Subject"] == "A new safeguarding lead has been added at Oakwood Academy"
        assert MESSAGE in text
        assert "Oakwood Academy" in html and "Sign in to see who." in html
        for body in (msg["Subject"], text, html):
            assert not EMAIL_ADDRESS.search(body), body
            for word in (*new_person.full_name.split(), new_person.email, "Dana", "Sam", "Ada"):
                assert word not in body
            assert "deputy" not in body.lower()


def confirm(cast, person, role, confirmer=None):
    """The second person (the school's DSL, unless it is them) confirms the request."""
    lead_request = LeadRoleRequest.objects.get(person=person, role=role, outcome="")
    confirmer = confirmer or (cast.dsl if person != cast.dsl else cast.trust_lead)
    people.confirm_lead_role(actor=confirmer, lead_request=lead_request)


def told(kind) -> list[str]:
    return sorted(Outbox.objects.filter(kind=kind).values_list("recipient__email", flat=True))


@pytest.mark.parametrize("role", [Role.DSL, Role.DEPUTY_DSL])
def test_a_role_given_by_the_school_admin_tells_each_other_dsl(
    transactional_db, cast, second_dsl, off_dsl, smtp_email, client_for, role
):
    response = post_form(
        client_for(cast.admin),
        reverse("people:add_role", kwargs={"school": "oakwood", "person_id": cast.teacher.pk}),
        {"role": role},
    )
    assert response.status_code == 302
    # Put forward: every active DSL and the trust's lead are asked at once, naming the school.
    assert told(Kind.LEAD_REQUESTED) == [
        "dsl2@oakwood.test",
        "dsl@oakwood.test",
        "lead@northfield.test",
    ]
    asked = smtp_email.wait_for(3)
    for entry in asked:
        text = entry["msg"].get_body(("plain",)).get_content()
        assert "needs your confirmation" in entry["msg"]["Subject"]
        assert "Oakwood Academy" in text and "/s/oakwood/people/lead-requests/" in text
        assert "Tom" not in text and "Hart" not in text and "teacher@" not in text
    smtp_email.messages.clear()
    assert not Outbox.objects.filter(kind=Kind.LEAD_ADDED).exists()

    confirm(cast, cast.teacher, role)
    # One row per other active DSL: not the teacher, not the deputy, not another school's DSL.
    assert lead_added_recipients() == ["dsl2@oakwood.test", "dsl@oakwood.test"]
    rows = Outbox.objects.filter(kind=Kind.LEAD_ADDED)
    assert {row.school_id for row in rows} == {cast.school_a.pk}
    assert {row.reference for row in rows} == {""}
    assert {row.incident_id for row in rows} == {None}
    # Sent after commit, in-process as the other kinds are without a broker.
    assert set(rows.values_list("status", flat=True)) == {OutboxStatus.SENT}
    smtp_email.wait_for(2)
    assert smtp_email.recipients() == ["dsl2@oakwood.test", "dsl@oakwood.test"]
    assert_names_nobody(smtp_email, cast.teacher)

    # Given again (already held): nothing more.
    people.add_role(actor=cast.admin, school=cast.school_a, person=cast.teacher, role=role)
    assert Outbox.objects.filter(kind=Kind.LEAD_ADDED).count() == 2
    assert Outbox.objects.filter(kind=Kind.LEAD_REQUESTED).count() == 3


def test_a_deputy_made_dsl_is_not_told_about_themselves(transactional_db, cast, smtp_email):
    people.add_role(actor=cast.admin, school=cast.school_a, person=cast.deputy, role=Role.DSL)
    assert told(Kind.LEAD_REQUESTED) == ["dsl@oakwood.test", "lead@northfield.test"]
    confirm(cast, cast.deputy, Role.DSL)
    assert lead_added_recipients() == ["dsl@oakwood.test"]


def test_other_roles_tell_nobody(transactional_db, cast, smtp_email):
    people.add_role(
        actor=cast.admin, school=cast.school_a, person=cast.teacher, role=Role.SCHOOL_ADMIN
    )
    people.add_role(actor=cast.admin, school=cast.school_b, person=cast.dsl, role=Role.STAFF)
    assert not Outbox.objects.filter(kind=Kind.LEAD_ADDED).exists()
    assert smtp_email.messages == []


def test_a_rolled_back_role_change_tells_nobody(transactional_db, cast, smtp_email):
    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        people.add_role(actor=cast.admin, school=cast.school_a, person=cast.teacher, role=Role.DSL)
        raise Abandon
    assert not Outbox.objects.filter(kind__in=[Kind.LEAD_ADDED, Kind.LEAD_REQUESTED]).exists()
    assert smtp_email.messages == []


def accept(cast, email, roles, **account):
    invitation = people.invite(actor=cast.admin, school=cast.school_a, email=email, roles=roles)
    return people.accept_invitation(invitation=invitation, **account)


def test_an_accepted_invitation_tells_each_other_dsl_once(
    transactional_db, cast, second_dsl, off_dsl, smtp_email
):
    new = accept(
        cast,
        "new.lead@oakwood.test",
        [Role.DSL, Role.DEPUTY_DSL, Role.STAFF],
        full_name="Nia Newman",
        password="violet kettle orbit 42",
    )
    # Two lead roles in one invitation: each waits for a second person; none is given yet.
    assert not new.memberships.filter(role__in=Role.case_reviewers()).exists()
    assert told(Kind.LEAD_REQUESTED) == [
        "dsl2@oakwood.test",
        "dsl@oakwood.test",
        "lead@northfield.test",
    ]
    smtp_email.wait_for(4)  # the invitation itself, and the three asked to confirm
    smtp_email.messages.clear()
    for role in (Role.DSL, Role.DEPUTY_DSL):
        confirm(cast, new, role)
    # Each confirmation tells the other DSLs; none goes to the newcomer.
    assert sorted(set(lead_added_recipients())) == ["dsl2@oakwood.test", "dsl@oakwood.test"]
    assert not Outbox.objects.filter(recipient=new).exists()
    smtp_email.wait_for(4)
    assert_names_nobody(smtp_email, new)


def test_an_existing_account_invited_as_deputy_tells_the_dsls(transactional_db, cast, smtp_email):
    accept(cast, cast.teacher.email, [Role.DEPUTY_DSL])
    assert told(Kind.LEAD_REQUESTED) == ["dsl@oakwood.test", "lead@northfield.test"]
    confirm(cast, cast.teacher, Role.DEPUTY_DSL)
    assert lead_added_recipients() == ["dsl@oakwood.test"]


def test_an_invitation_without_a_lead_role_tells_nobody(transactional_db, cast, smtp_email):
    accept(
        cast,
        "new.teacher@oakwood.test",
        [Role.STAFF],
        full_name="Nia Newman",
        password="violet kettle orbit 42",
    )
    assert not Outbox.objects.filter(kind=Kind.LEAD_ADDED).exists()


def test_the_notification_links_to_the_home_page_that_lists_the_leads(
    cast, second_dsl, client_for, mailoutbox
):
    people.add_role(actor=cast.admin, school=cast.school_a, person=cast.teacher, role=Role.DSL)
    confirm(cast, cast.teacher, Role.DSL)
    client = client_for(second_dsl)
    listing = client.get(reverse("notifications:list")).content.decode()
    assert '<a class="govuk-link" href="/">New safeguarding lead added: Oakwood Academy</a>' in (
        listing
    )
    home = client.get("/").content.decode()
    assert "Safeguarding leads at Oakwood Academy" in home and "Tom Hart" in home
