"""The technical admin shows checklist versions read-only, with wording awaiting confirmation."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from guidance.models import ChecklistVersion
from safeguarding.models import User
from tests.conftest import PASSWORD, sign_in


@pytest.fixture
def superuser(db):
    user = User.objects.create_superuser("root@example.test", PASSWORD, full_name="Sam Root")
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return user


def test_a_superuser_can_read_each_version_and_what_awaits_confirmation(client, superuser):
    sign_in(client, superuser)
    listing = client.get(reverse("admin:guidance_checklistversion_changelist"))
    assert listing.status_code == 200
    assert "2026-01" in listing.content.decode()
    row = ChecklistVersion.objects.get(version="2026-09")
    detail = client.get(reverse("admin:guidance_checklistversion_change", args=[row.pk]))
    body = detail.content.decode()
    assert detail.status_code == 200
    assert 'name="_save"' not in body
    assert "Wording awaiting confirmation" in body
    assert "coercion_or_capacity" in body


def test_nobody_can_add_change_or_delete_a_version_in_the_admin(client, superuser):
    sign_in(client, superuser)
    row = ChecklistVersion.objects.get(version="2026-01")
    assert client.get(reverse("admin:guidance_checklistversion_add")).status_code == 403
    change_url = reverse("admin:guidance_checklistversion_change", args=[row.pk])
    form = urlencode({"summary": "Rewritten"})
    response = client.post(change_url, form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 403
    delete_url = reverse("admin:guidance_checklistversion_delete", args=[row.pk])
    assert client.get(delete_url).status_code == 403
    row.refresh_from_db()
    assert row.summary != "Rewritten"
