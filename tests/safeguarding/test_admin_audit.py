"""Roles and technical flags changed in the Django admin are audited like everything else."""

from urllib.parse import urlencode

from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.models import AuditEvent, Membership, Role, User
from tests.conftest import PASSWORD, sign_in


def change_user(client, user, *, is_staff=False, new_role=None):
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "is_active": "on",
        "memberships-TOTAL_FORMS": "1" if new_role else "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    if is_staff:
        data["is_staff"] = "on"
    if new_role:
        role, school = new_role
        data |= {"memberships-0-role": role, "memberships-0-school": school.pk}
    url = reverse("admin:safeguarding_user_change", args=[user.pk])
    return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")


def superuser():
    user = User.objects.create_superuser("root@example.test", PASSWORD, full_name="Root Admin")
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return user


def test_a_role_given_in_the_admin_is_audited(client, cast):
    root = superuser()
    response = change_user(sign_in(client, root), cast.teacher, new_role=(Role.DSL, cast.school_a))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Membership.objects.filter(user=cast.teacher, role=Role.DSL, school=cast.school_a)
    event = AuditEvent.objects.get(action="role.added", target_id=str(cast.teacher.pk))
    assert event.actor == root and event.school == cast.school_a
    assert event.data == {"role": Role.DSL, "trust": None, "via": "admin"}


def test_making_someone_technical_staff_is_audited(client, cast):
    root = superuser()
    response = change_user(sign_in(client, root), cast.teacher, is_staff=True)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="user.flags_changed", target_id=str(cast.teacher.pk))
    assert event.data == {"is_staff": True, "via": "admin"}


def test_the_technical_admin_can_reset_a_school_admins_two_factor_audited(
    client, cast, django_capture_on_commit_callbacks, mailoutbox
):
    # The school's only school admin lost their phone: no school admin is left to reset it.
    root = superuser()
    url = reverse("admin:safeguarding_user_changelist")
    data = {"action": "reset_two_factor", "_selected_action": [str(cast.admin.pk)]}
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(client, root).post(
            url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.admin).exists()
    event = AuditEvent.objects.get(action="two_factor.removed")
    assert (event.actor, event.target_id, event.data) == (
        root,
        str(cast.admin.pk),
        {"via": "admin", "sessions_ended": 0},
    )
    # They hear of it, as after a school admin's reset, from the support team.
    (message,) = [m for m in mailoutbox if m.to == [cast.admin.email]]
    assert "support team has reset the two-factor sign-in" in message.body
    assert "If you did not ask for this" in message.body
