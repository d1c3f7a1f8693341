"""Signing in with a school account, end to end against a real OpenID provider on 127.0.0.1:
returning sign-in, the wrong tenant or domain, a changed email address at the provider, and a
state or nonce used twice."""

from urllib.parse import urlencode

from django.contrib.auth import SESSION_KEY

from safeguarding.models import AuditEvent, Role
from sso.models import ExternalIdentity
from tests.conftest import make_user, post_form
from tests.sso.conftest import GOOGLE_DOMAIN, TENANT_A, TENANT_B, query_of


def linked_teacher(idp, cast, provider, login="tomh", **claims):
    """The cast's teacher, linked to account `login` at the provider (as an invitation does)."""
    idp.account(login, email="teacher@oakwood.test", email_verified=True, tid=TENANT_A, **claims)
    ExternalIdentity.objects.create(
        user=cast.teacher, provider=provider, issuer=provider.issuer, subject=login
    )
    return cast.teacher


def signed_in_as(client):
    return client.session.get(SESSION_KEY)


def test_returning_sign_in_finds_the_linked_account(idp, cast, oakwood_microsoft, browser_for):
    teacher = linked_teacher(idp, cast, oakwood_microsoft)
    browser = browser_for()
    page = browser.client.get("/sign-in/school/oakwood/")
    assert b"Sign in with Microsoft" in page.content

    response = browser.sign_in(oakwood_microsoft, "tomh", next_url="/my-reports/")

    assert response.status_code == 302
    assert response["Location"] == "/my-reports/"
    assert signed_in_as(browser.client) == str(teacher.pk)
    assert AuditEvent.objects.filter(action="sign_in.succeeded", actor=teacher).exists()
    # The browser remembers the school, so the general sign-in page offers its button.
    assert b"Sign in with Microsoft" in browser_for_cookie(browser).content


def browser_for_cookie(browser):
    post_form(browser.client, "/sign-out/")
    return browser.client.get("/sign-in/")


def test_the_request_asks_for_a_nonce_pkce_and_the_schools_client(
    idp, cast, oakwood_microsoft, browser_for
):
    query = query_of(browser_for().start(oakwood_microsoft)["Location"])
    assert query["client_id"] == "oakwood-app"
    assert query["redirect_uri"] == "http://testserver/sign-in/callback/"
    assert len(query["nonce"]) >= 32 and len(query["state"]) >= 32
    assert query["code_challenge_method"] == "S256"
    assert query["scope"] == "openid email profile"


def test_changed_email_at_the_provider_is_still_the_same_person(
    idp, cast, oakwood_microsoft, browser_for
):
    teacher = linked_teacher(idp, cast, oakwood_microsoft)
    idp.account("tomh", email="tom.hart@oakwood.test", name="Tom Hart-Jones")

    browser = browser_for()
    response = browser.sign_in(oakwood_microsoft, "tomh")

    assert response.status_code == 302
    assert signed_in_as(browser.client) == str(teacher.pk)
    teacher.refresh_from_db()
    assert teacher.email == "teacher@oakwood.test"  # ours is not rewritten by the provider
    assert ExternalIdentity.objects.filter(user=teacher).count() == 1


def test_an_account_with_an_existing_persons_email_but_no_link_is_refused(
    idp, cast, oakwood_microsoft, browser_for
):
    """Never matched by email: a stranger's account carrying the DSL's address gets nowhere."""
    idp.account("stranger", email="dsl@oakwood.test", email_verified=True, tid=TENANT_A)
    browser = browser_for()

    response = browser.sign_in(oakwood_microsoft, "stranger")

    assert response.status_code == 403
    assert b"Your account is not set up yet" in response.content
    assert signed_in_as(browser.client) is None
    assert not ExternalIdentity.objects.exists()
    refused = AuditEvent.objects.get(action="sso.refused")
    assert refused.data["reason"] == "not_linked"


def test_an_account_from_another_microsoft_tenant_is_refused(
    idp, cast, oakwood_microsoft, browser_for
):
    # Linked once, but the token now says another tenant: nothing from it is trusted.
    linked_teacher(idp, cast, oakwood_microsoft)
    idp.account("tomh", tid=TENANT_B)
    browser = browser_for()

    response = browser.sign_in(oakwood_microsoft, "tomh")

    assert response.status_code == 403
    assert b"This account is not from your school" in response.content
    assert b"Oakwood Academy" in response.content
    assert signed_in_as(browser.client) is None
    assert AuditEvent.objects.get(action="sso.refused").data["reason"] == "wrong_tenant"


def test_google_accounts_from_another_domain_or_personal_ones_are_refused(
    idp, cast, elmpark_google, browser_for
):
    ExternalIdentity.objects.create(
        user=cast.teacher_b, provider=elmpark_google, issuer=elmpark_google.issuer, subject="tara"
    )
    idp.account("tara", email="tara@elmpark.sch.uk", email_verified=True, hd=GOOGLE_DOMAIN)
    assert browser_for().sign_in(elmpark_google, "tara").status_code == 302

    idp.account("tara", hd="another-school.sch.uk")
    refused = browser_for().sign_in(elmpark_google, "tara")
    assert refused.status_code == 403
    assert b"This account is not from your school" in refused.content

    idp.accounts["tara"]["claims"].pop("hd")  # a personal Gmail account has no hd
    idp._save()
    assert browser_for().sign_in(elmpark_google, "tara").status_code == 403


def test_the_request_to_google_names_the_schools_domain(idp, cast, elmpark_google, browser_for):
    assert query_of(browser_for().start(elmpark_google)["Location"])["hd"] == GOOGLE_DOMAIN


def test_a_callback_replayed_is_refused(idp, cast, oakwood_microsoft, browser_for):
    teacher = linked_teacher(idp, cast, oakwood_microsoft)
    browser = browser_for()
    callback = browser.authorize(browser.start(oakwood_microsoft), "tomh")
    assert browser.client.get(callback).status_code == 302
    post_form(browser.client, "/sign-out/")

    again = browser.client.get(callback)

    assert again.status_code == 400
    assert b"This sign-in has expired or was used already" in again.content
    assert signed_in_as(browser.client) is None
    # Nor in another browser, which never started it.
    elsewhere = browser_for()
    assert elsewhere.client.get(callback).status_code == 400
    assert signed_in_as(elsewhere.client) is None
    assert AuditEvent.objects.filter(action="sso.refused", data__reason="state").count() == 2
    assert not AuditEvent.objects.filter(action="sign_in.succeeded", actor=teacher)[1:].exists()


def test_a_code_from_someone_elses_sign_in_is_refused_for_its_nonce(
    idp, cast, oakwood_microsoft, browser_for
):
    """An attacker starts their own sign-in at the provider with the victim's PKCE challenge but
    their own nonce, and slips the code into the victim's callback: the token exchange works,
    but the ID token's nonce is not the one this browser's state was issued with."""
    linked_teacher(idp, cast, oakwood_microsoft)
    victim = browser_for()
    ours = query_of(victim.start(oakwood_microsoft)["Location"])
    attacker = browser_for()
    forged = {**ours, "nonce": "attacker-chosen-nonce-0123456789abcdef", "state": "attackers"}
    authorize = f"{idp.base}/ms/{TENANT_A}/auth?{urlencode(forged)}"
    redirect = type("R", (), {"status_code": 302, "__getitem__": lambda s, k: authorize})()
    attackers_code = query_of(attacker.authorize(redirect, "tomh"))["code"]

    response = victim.client.get(
        "/sign-in/callback/?" + urlencode({"code": attackers_code, "state": ours["state"]})
    )

    assert response.status_code == 403
    assert signed_in_as(victim.client) is None
    assert AuditEvent.objects.get(action="sso.refused").data["reason"] == "bad_token"


def test_a_state_from_another_browser_is_refused(idp, cast, oakwood_microsoft, browser_for):
    linked_teacher(idp, cast, oakwood_microsoft)
    attacker = browser_for()
    callback = attacker.authorize(attacker.start(oakwood_microsoft), "tomh")
    victim = browser_for()
    victim.start(oakwood_microsoft)  # the victim has a sign-in of their own under way

    assert victim.client.get(callback).status_code == 400
    assert signed_in_as(victim.client) is None


def test_a_dsl_signing_in_with_microsoft_still_gives_our_second_factor(
    idp, cast, oakwood_microsoft, browser_for
):
    """The provider saying it checked a second factor (amr: mfa) does not stand in for ours."""
    idp.account(
        "dana", email="dsl@oakwood.test", email_verified=True, tid=TENANT_A, amr=["pwd", "mfa"]
    )
    ExternalIdentity.objects.create(
        user=cast.dsl, provider=oakwood_microsoft, issuer=oakwood_microsoft.issuer, subject="dana"
    )
    browser = browser_for()

    response = browser.sign_in(oakwood_microsoft, "dana", next_url="/s/oakwood/cases/")

    assert response.status_code == 302
    assert response["Location"].startswith("/two-factor/check/")
    assert browser.client.get("/s/oakwood/cases/")["Location"].startswith("/two-factor/check/")


def test_a_new_dsl_joining_with_microsoft_sets_up_two_factor_first(
    idp, cast, oakwood_microsoft, browser_for, mailoutbox
):
    from safeguarding.models import LeadRoleRequest, Membership
    from safeguarding.people import confirm_lead_role, invite
    from tests.sso.test_first_link import invitation_token

    invite(
        actor=cast.dsl, school=cast.school_a, email="deputy2@oakwood.test", roles=[Role.DEPUTY_DSL]
    )
    idp.account(
        "dep2", email="deputy2@oakwood.test", email_verified=True, tid=TENANT_A, amr=["mfa"]
    )
    browser = browser_for()

    response = browser.client.get(
        browser.authorize(browser.join("oakwood", invitation_token(mailoutbox)), "dep2")
    )
    # The deputy role waits for a second person (here the trust lead) to confirm it; from then
    # on every page sends the new deputy to set up two-factor sign-in first.
    assert not Membership.objects.filter(user__email="deputy2@oakwood.test").exists()
    confirm_lead_role(actor=cast.trust_lead, lead_request=LeadRoleRequest.objects.get())
    home = browser.client.get(response["Location"])

    assert home.status_code == 302
    assert home["Location"].startswith("/two-factor/set-up/")


def test_the_invitation_must_match_a_verified_address(
    idp, cast, oakwood_microsoft, browser_for, mailoutbox
):
    from safeguarding.people import invite
    from tests.sso.test_first_link import invitation_token

    invite(actor=cast.admin, school=cast.school_a, email="new@oakwood.test", roles=[Role.STAFF])
    token = invitation_token(mailoutbox)

    idp.account("other", email="other@oakwood.test", email_verified=True, tid=TENANT_A)
    browser = browser_for()
    wrong = browser.client.get(browser.authorize(browser.join("oakwood", token), "other"))
    assert wrong.status_code == 403
    assert b"This invitation is for someone else" in wrong.content

    idp.account("newbie", email="new@oakwood.test", email_verified=False, tid=TENANT_A)
    browser = browser_for()
    unverified = browser.client.get(browser.authorize(browser.join("oakwood", token), "newbie"))
    assert unverified.status_code == 403
    assert b"could not be checked" in unverified.content

    # Entra ID vouches for the address with xms_edov instead of email_verified.
    idp.account("newbie", email_verified=None, xms_edov=True)
    browser = browser_for()
    joined = browser.client.get(browser.authorize(browser.join("oakwood", token), "newbie"))
    assert joined.status_code == 302
    assert ExternalIdentity.objects.get(subject="newbie").user.email == "new@oakwood.test"


def test_an_invitation_from_another_school_cannot_link_through_this_schools_tenant(
    idp, cast, oakwood_microsoft, browser_for, mailoutbox
):
    from safeguarding.people import invite
    from tests.sso.test_first_link import invitation_token

    admin_b = make_user(
        "admin@elmpark.test", "Eli Moss", school=cast.school_b, roles=[Role.SCHOOL_ADMIN]
    )
    invite(actor=admin_b, school=cast.school_b, email="x@elmpark.test", roles=[Role.STAFF])
    # Elm Park has no sign-in provider: its invitation offers no school account at all.
    response = browser_for().join("elm-park", invitation_token(mailoutbox))
    assert response.status_code == 404


def test_the_session_key_changes_when_signing_in(idp, cast, oakwood_microsoft, browser_for):
    linked_teacher(idp, cast, oakwood_microsoft)
    browser = browser_for()
    callback = browser.authorize(browser.start(oakwood_microsoft), "tomh")
    before = browser.client.cookies["sessionid"].value

    browser.client.get(callback)

    assert browser.client.cookies["sessionid"].value != before
    assert signed_in_as(browser.client) == str(cast.teacher.pk)
