"""The technical admin shows the audit trail read-only."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding import audit
from safeguarding.models import AuditEvent, User
from tests.conftest import PASSWORD, sign_in


def post(client, url, data):
    """A form post as a browser sends it (the test client's default, multipart, is refused)."""
    return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")


@pytest.fixture
def superuser(db):
    user = User.objects.create_superuser("root@example.test", PASSWORD, full_name="Sam Root")
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return user


@pytest.fixture
def event(db):
    return audit.record("test.written", target_type="test", target_id="7")


def test_a_superuser_can_read_the_audit_trail(client, superuser, event):
    sign_in(client, superuser)
    listing = client.get(reverse("admin:safeguarding_auditevent_changelist"))
    assert listing.status_code == 200
    assert "test.written" in listing.content.decode()
    assert "delete_selected" not in listing.content.decode()
    detail = client.get(reverse("admin:safeguarding_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()


def test_nobody_can_add_change_or_delete_audit_records_in_the_admin(client, superuser, event):
    sign_in(client, superuser)
    assert client.get(reverse("admin:safeguarding_auditevent_add")).status_code == 403
    change_url = reverse("admin:safeguarding_auditevent_change", args=[event.pk])
    assert post(client, change_url, {"action": "test.rewritten"}).status_code == 403
    delete_url = reverse("admin:safeguarding_auditevent_delete", args=[event.pk])
    assert client.get(delete_url).status_code == 403
    assert post(client, delete_url, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.action == "test.written"
    assert AuditEvent.objects.filter(pk=event.pk).exists()
