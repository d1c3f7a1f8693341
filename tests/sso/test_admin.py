"""The technical admin sets up a school's Microsoft sign-in in the admin site: checked, audited
(which fields, never the secret), the secret never shown back; removing a link is audited."""

from urllib.parse import urlencode

from django.urls import reverse

from safeguarding.models import AuditEvent
from sso.models import ExternalIdentity, SignInProvider
from tests.sso.conftest import TENANT_A


def technical_admin(cast, client_for):
    cast.outsider.is_staff = cast.outsider.is_superuser = True
    cast.outsider.save()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=cast.outsider, name="Phone", confirmed=True)
    return client_for(cast.outsider)


def add(client, **fields):
    data = {"kind": "microsoft", "enabled": "on", "password_sign_in": "on"} | fields
    return client.post(
        reverse("admin:sso_signinprovider_add"),
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
    )


def test_a_school_is_set_up_with_its_tenant_and_the_secret_is_kept_quiet(cast, client_for):
    admin = technical_admin(cast, client_for)
    wrong = add(admin, school=cast.school_a.pk, tenant_id="oakwood.sch.uk", client_id="app")
    assert wrong.status_code == 200
    assert b"Directory (tenant) ID from Entra ID" in wrong.content
    assert not SignInProvider.objects.exists()

    added = add(
        admin,
        school=cast.school_a.pk,
        tenant_id=TENANT_A.upper(),
        client_id="oakwood-app",
        client_secret="very-secret-value",
    )
    assert added.status_code == 302
    provider = SignInProvider.objects.get()
    assert provider.tenant_id == TENANT_A  # stored lower-case, as tokens carry it
    event = AuditEvent.objects.get(action="sso.provider_added")
    assert "very-secret-value" not in str(event.data)
    assert "client_secret" in event.data["fields"]
    page = admin.get(reverse("admin:sso_signinprovider_change", args=[provider.pk]))
    assert b"very-secret-value" not in page.content


def test_the_secret_may_come_from_the_environment(cast, monkeypatch):
    provider = SignInProvider(
        school=cast.school_a,
        kind="google",
        hosted_domain="oakwood.sch.uk",
        client_id="x",
        client_secret_env="OAKWOOD_SSO_SECRET",
    )
    provider.full_clean()
    monkeypatch.setenv("OAKWOOD_SSO_SECRET", "from-the-environment")
    assert provider.secret() == "from-the-environment"


def test_removing_a_link_is_audited(cast, client_for, oakwood_microsoft):
    admin = technical_admin(cast, client_for)
    identity = ExternalIdentity.objects.create(
        user=cast.teacher, provider=oakwood_microsoft, issuer="https://x", subject="tom"
    )
    response = admin.post(
        reverse("admin:sso_externalidentity_changelist"),
        urlencode({"action": "delete_selected", "_selected_action": identity.pk, "post": "yes"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    assert not ExternalIdentity.objects.exists()
    assert AuditEvent.objects.get(action="sso.unlinked").target_id == str(cast.teacher.pk)
