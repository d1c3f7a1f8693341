"""Loading the signed-in person on every page, with their roles, in one query.

Every page needs the person and their roles (the access checks, the banners, whether their
role needs two-factor), so the session's person is read together with their memberships and
those memberships' schools and trusts. A person with no role is read on their own.
"""

from django.contrib.auth.backends import ModelBackend

from .models import Membership, User


def person_with_roles(user_id) -> User | None:
    """The person `user_id`, or None; their memberships ride along as `user.loaded_memberships`
    (read by access.memberships_of and User.needs_two_factor)."""
    rows = list(
        Membership.objects.filter(user_id=user_id).select_related("user", "school__trust", "trust")
    )
    if rows:
        user = rows[0].user
        for membership in rows:  # one person object, shared by all their memberships
            membership.user = user
    else:
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            return None
    user.loaded_memberships = rows
    return user


class PasswordBackend(ModelBackend):
    """Django's password sign-in, loading the session's person with `person_with_roles`."""

    def get_user(self, user_id):
        user = person_with_roles(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
