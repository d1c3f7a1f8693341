"""Joining from an invitation with the school's Microsoft account makes the one link between
that account (issuer and subject) and the new person here; the invited address must be the
token's verified address from the school's own tenant."""

import re

from safeguarding.models import AuditEvent, Invitation, Membership, Role, User
from safeguarding.people import invite
from sso.models import ExternalIdentity
from tests.sso.conftest import TENANT_A


def invitation_token(mailoutbox) -> str:
    body = mailoutbox[-1].body
    return re.search(r"/join/([^/\s]+)/", body).group(1)


def test_invited_teacher_joins_with_microsoft_and_is_linked_by_subject(
    idp, cast, oakwood_microsoft, browser_for, mailoutbox
):
    invite(
        actor=cast.admin, school=cast.school_a, email="new.teacher@oakwood.test", roles=[Role.STAFF]
    )
    token = invitation_token(mailoutbox)
    idp.account(
        "ntea",
        email="New.Teacher@oakwood.test",
        email_verified=True,
        tid=TENANT_A,
        name="Nia Teal",
    )
    browser = browser_for()
    join_page = browser.client.get(f"/s/oakwood/people/join/{token}/")
    assert b"Join with Microsoft" in join_page.content

    response = browser.client.get(browser.authorize(browser.join("oakwood", token), "ntea"))

    assert response.status_code == 302, (
        response.content.decode()[:3000],
        list(AuditEvent.objects.filter(action="sso.refused").values_list("data", flat=True)),
    )
    assert response["Location"] == "/"
    user = User.objects.get(email="new.teacher@oakwood.test")
    assert user.full_name == "Nia Teal"
    assert not user.has_usable_password()
    assert Membership.objects.filter(user=user, school=cast.school_a, role=Role.STAFF).exists()
    identity = ExternalIdentity.objects.get(user=user)
    assert identity.subject == "ntea"
    assert identity.issuer == f"{idp.base}/ms/{TENANT_A}"
    assert Invitation.objects.get(email="new.teacher@oakwood.test").accepted_by == user
    assert browser.client.get("/account/").status_code == 200
    assert AuditEvent.objects.filter(action="sso.linked", actor=user).exists()
