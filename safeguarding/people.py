"""Who works at a school, and in what role: invitations, role changes, deactivation.

School admins use these through safeguarding/people_views.py. Every change writes an audit
record with the school set, in the same transaction. Messages that people see (and tests check)
are the constants below.
"""

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from notifications.services import (
    notify_lead_requested,
    notify_safeguarding_lead_added,
    notify_two_factor_reset,
)

from . import audit, two_factor
from .models import Invitation, LeadRoleRequest, Membership, Role, School, User, canonical_email

INVITABLE_ROLES: tuple[str, ...] = tuple(Role.school_roles())

LAST_SCHOOL_ADMIN = (
    "You cannot remove the school's last school admin. "
    "Give someone else the school admin role first."
)
LAST_DSL = (
    "You cannot remove the school's last designated safeguarding lead. "
    "Give someone else the designated safeguarding lead role first."
)
LAST_ROLE = (
    "This is the person's only role at this school. "
    "To stop them using the service here, deactivate them instead."
)
DEACTIVATE_SELF = "You cannot deactivate yourself. Ask another school admin to do it."
GRANT_SELF_CASE_ACCESS = (
    "You cannot make yourself a DSL or deputy DSL. "
    "Ask the school's DSL or another school admin to do it."
)
ALREADY_HOLDS_ROLES = "This person already has every role you chose at this school."
NOT_YOURS_TO_CONFIRM = (
    "Someone else must confirm this: another designated safeguarding lead of the school, or "
    "the lead of its trust. Nobody may confirm a request they made, or one that makes them a "
    "lead."
)
ALREADY_DECIDED = "This request has already been confirmed or declined."
RESET_TWO_FACTOR_SELF = (
    "You cannot reset your own two-factor sign-in. If you still have your phone or a backup "
    "code, set up a new phone from Your account. If not, ask another school admin."
)
RESET_TWO_FACTOR_ELSEWHERE = (
    "This person also has a role at another school or trust where you are not a school admin, "
    "so you cannot reset their two-factor sign-in. Ask the technical team who run "
    "the service for your school."
)
RESET_TWO_FACTOR_NOTHING = (
    "This person has not set up two-factor sign-in, so there is nothing to reset."
)
INVITATION_NOT_USABLE = (
    "This invitation link cannot be used. It may have expired, been used already or been "
    "withdrawn. Ask your school admin to send you a new invitation."
)


class PeopleError(Exception):
    """A change that would leave the school in a bad state. The message is for the admin."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# Roles a school must always have someone in, and what to say when the last one would go.
_ROLES_NEVER_EMPTY = {Role.SCHOOL_ADMIN: LAST_SCHOOL_ADMIN, Role.DSL: LAST_DSL}


def members_of(school: School) -> QuerySet[User]:
    """Everyone holding a role at `school`, each with `.roles_here` (that school's memberships)."""
    return (
        User.objects.filter(memberships__school=school)
        .distinct()
        .order_by("full_name", "email")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(school=school).order_by("role"),
                to_attr="roles_here",
            )
        )
    )


# Leavers: school admins are shown who has not signed in for this long.
DORMANT_AFTER = timedelta(days=90)


def dormant_members(school: School) -> QuerySet[User]:
    """Active people with a role at `school` who have not signed in for DORMANT_AFTER (or ever,
    once their account is that old): likely leavers whose access should be removed."""
    cutoff = timezone.now() - DORMANT_AFTER
    return (
        User.objects.filter(memberships__school=school, is_active=True)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .distinct()
        .order_by(F("last_login").asc(nulls_first=True), "full_name", "email")
    )


def pending_invitations(school: School) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        school=school,
        accepted_at__isnull=True,
        withdrawn_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")


def safeguarding_leads_at(schools) -> dict[int, list[tuple[str, User]]]:
    """school id -> (role label, person) for every active DSL and deputy of the school, DSLs
    first: for several schools in one query."""
    leads: dict[int, list] = {school.pk: [] for school in schools}
    if not leads:
        return leads
    memberships = (
        Membership.objects.filter(
            school__in=list(leads), role__in=Role.case_reviewers(), user__is_active=True
        )
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    order = {role: index for index, role in enumerate(Role.case_reviewers())}
    for m in sorted(memberships, key=lambda m: order[m.role]):
        leads[m.school_id].append((Role(m.role).label, m.user))
    return leads


def roles_held(user: User, school: School) -> set[str]:
    return set(Membership.objects.filter(user=user, school=school).values_list("role", flat=True))


def _check_roles(roles: Iterable[str]) -> list[str]:
    chosen = sorted(set(roles))
    if not chosen or not set(chosen) <= set(INVITABLE_ROLES):
        raise ValueError(f"Roles must be some of {INVITABLE_ROLES}, got {chosen}")
    return chosen


def _lock_school(school: School) -> None:
    """Role changes at one school happen one at a time, so two admins removing the last two
    DSLs at the same moment cannot both succeed."""
    School.objects.select_for_update().filter(pk=school.pk).first()


def _refuse_if_last(school: School, user: User, removing: Iterable[str]) -> None:
    for role in removing:
        message = _ROLES_NEVER_EMPTY.get(role)
        if message is None:
            continue
        others = Membership.objects.filter(school=school, role=role, user__is_active=True).exclude(
            user=user
        )
        if not others.exists():
            raise PeopleError(message)


def _email_invitation(invitation: Invitation, token: str) -> None:
    path = reverse("people:join", kwargs={"school": invitation.school.slug, "token": token})
    context = {
        "product_name": settings.PRODUCT_NAME,
        "school_name": invitation.school.name,
        "invited_by": invitation.invited_by.get_full_name() or "Your school admin",
        "role_labels": invitation.role_labels(),
        "link": settings.SITE_URL + path,
        "expires_at": timezone.localtime(invitation.expires_at),
    }
    subject = " ".join(render_to_string("emails/invitation_subject.txt", context).split())
    body = render_to_string("emails/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email], fail_silently=False)


def _may_link_work_account(user: User, school: School) -> bool:
    """Whether an invitation would let `user` link the school's Microsoft or Google account:
    links are made only from invitations, so staff already here are invited again."""
    from sso.services import linked_identity, provider_for_school  # sso uses this module

    provider = provider_for_school(school)
    return provider is not None and linked_identity(user, provider) is None


@transaction.atomic
def invite(
    *, actor: User, school: School, email: str, roles: Iterable[str], request=None
) -> Invitation:
    """Create a one-time invitation and email its link.

    The email is sent inside the transaction: if the mail server refuses it, nothing is saved
    and the admin is told to try again, rather than being left with an invitation nobody got.
    An earlier invitation to the same address at this school stops working.
    """
    chosen = _check_roles(roles)
    email = canonical_email(email)
    existing = User.objects.for_email(email)
    # The same rule as add_role: inviting yourself must not be a way round it.
    if (
        existing is not None
        and existing.pk == actor.pk
        and set(chosen) & set(Role.case_reviewers())
    ):
        raise PeopleError(GRANT_SELF_CASE_ACCESS)
    if (
        existing is not None
        and set(chosen) <= roles_held(existing, school)
        and not _may_link_work_account(existing, school)
    ):
        raise PeopleError(ALREADY_HOLDS_ROLES)

    now = timezone.now()
    replaced = 0
    for earlier in pending_invitations(school).filter(email=email).select_for_update():
        replaced += 1
        earlier.withdrawn_at = now
        earlier.save(update_fields=["withdrawn_at"])
        audit.record(
            "invitation.withdrawn",
            actor=actor,
            target=earlier,
            school=school,
            request=request,
            data={"reason": "replaced"},
        )

    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        school=school,
        email=email,
        roles=chosen,
        token_hash=Invitation.hash_token(token),
        invited_by=actor,
        created_at=now,
        expires_at=now + Invitation.LIFETIME,
    )
    audit.record(
        "user.invited",
        actor=actor,
        target=invitation,
        school=school,
        request=request,
        data={"roles": chosen, "existing_account": existing is not None},
    )
    _email_invitation(invitation, token)
    invitation.replaced_earlier = replaced > 0  # for the admin's confirmation message
    return invitation


def invitation_for_token(*, school_slug: str, token: str) -> Invitation | None:
    """The usable invitation behind a link, or None (unknown, other school, used, expired)."""
    invitation = (
        Invitation.objects.select_related("school")
        .filter(token_hash=Invitation.hash_token(token), school__slug=school_slug)
        .first()
    )
    if invitation is None or not invitation.is_pending:
        return None
    return invitation


def existing_account(invitation: Invitation) -> User | None:
    return User.objects.for_email(invitation.email)


@transaction.atomic
def accept_invitation(
    *,
    invitation: Invitation,
    full_name: str = "",
    password: str | None = "",
    request=None,
) -> User:
    """Use an invitation: create the account (or reuse the one with that email) and give the
    invited roles. A password is set only for an account that has none yet, and never when
    `password` is None (joining with a school Microsoft or Google account, sso/)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise PeopleError(INVITATION_NOT_USABLE)
    school = invitation.school
    _lock_school(school)

    user = existing_account(invitation)
    if (
        user is not None
        and user.pk == invitation.invited_by_id
        and set(invitation.roles) & set(Role.case_reviewers())
    ):
        raise PeopleError(GRANT_SELF_CASE_ACCESS)
    new_account = user is None
    reactivated = False
    if user is None:
        user = User.objects.create_user(invitation.email, password, full_name=full_name)
    else:
        changed = []
        if password and not user.has_usable_password():
            user.set_password(password)
            changed.append("password")
        if full_name and not user.full_name:
            user.full_name = full_name
            changed.append("full_name")
        if not user.is_active:
            user.is_active = reactivated = True
            changed.append("is_active")
        if changed:
            user.save(update_fields=changed)

    for role in invitation.roles:
        if role in Role.case_reviewers():
            # Asked for by whoever sent the invitation; given once a second person confirms.
            if role not in roles_held(user, school):
                request_lead_role(
                    actor=invitation.invited_by,
                    school=school,
                    person=user,
                    role=role,
                    invitation=invitation,
                    request=request,
                )
            continue
        _, created = Membership.objects.get_or_create(user=user, school=school, role=role)
        if created:
            audit.record(
                "role.added",
                actor=user,
                target=user,
                school=school,
                request=request,
                data={"role": role, "invitation": str(invitation.pk)},
            )

    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        "invitation.accepted",
        actor=user,
        target=invitation,
        school=school,
        request=request,
        data={"new_account": new_account, "reactivated": reactivated},
    )
    return user


@transaction.atomic
def withdraw_invitation(
    *, actor: User, school: School, invitation: Invitation, request=None
) -> None:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk, school=school)
    if not invitation.is_pending:
        return
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    audit.record(
        "invitation.withdrawn",
        actor=actor,
        target=invitation,
        school=school,
        request=request,
        data={"reason": "withdrawn"},
    )


@transaction.atomic
def add_role(
    *, actor: User, school: School, person: User, role: str, request=None
) -> bool | LeadRoleRequest:
    """Give `person` `role` at `school`. False if they already had it. A DSL or deputy role is
    not given here but asked for: the LeadRoleRequest waiting for a second person is returned."""
    (role,) = _check_roles([role])
    # Case access is never self-service: a school admin who could grant it to themselves
    # could read every case without anyone deciding they should.
    if person.pk == actor.pk and role in Role.case_reviewers():
        raise PeopleError(GRANT_SELF_CASE_ACCESS)
    _lock_school(school)
    if role in Role.case_reviewers():
        if role in roles_held(person, school):
            return False
        return request_lead_role(
            actor=actor, school=school, person=person, role=role, request=request
        )
    membership, created = Membership.objects.get_or_create(user=person, school=school, role=role)
    if created:
        audit.record(
            "role.added",
            actor=actor,
            target=person,
            school=school,
            request=request,
            data={"role": role},
        )
    return created


PASTORAL_TASKS_CHANGED = "school.pastoral_tasks_changed"


@transaction.atomic
def set_pastoral_tasks(*, actor: User, school: School, allowed: bool, request=None) -> bool:
    """Whether the school's safeguarding leads may give tasks to pastoral staff (who then see
    those tasks, never a case record). Audited; returns whether anything changed."""
    changed = (
        School.objects.filter(pk=school.pk)
        .exclude(pastoral_tasks=allowed)
        .update(pastoral_tasks=allowed)
    )
    school.pastoral_tasks = allowed
    if changed:
        audit.record(
            PASTORAL_TASKS_CHANGED,
            actor=actor,
            target=school,
            school=school,
            request=request,
            data={"pastoral_tasks": allowed},
        )
    return bool(changed)


# ---- DSL and deputy roles need a second person -------------------------------------------------


def request_lead_role(
    *,
    actor: User,
    school: School,
    person: User,
    role: str,
    invitation: Invitation | None = None,
    request=None,
) -> LeadRoleRequest:
    """Put `person` forward as a DSL or deputy at `school` (in the caller's transaction, with
    the school locked). Every DSL of the school and the trust's leads are told at once; the
    role is given when one of them confirms (confirm_lead_role). Asking twice is one request."""
    waiting = LeadRoleRequest.objects.filter(
        school=school, person=person, role=role, outcome=LeadRoleRequest.Outcome.WAITING
    ).first()
    if waiting is not None:
        return waiting
    lead_request = LeadRoleRequest.objects.create(
        school=school, person=person, role=role, requested_by=actor, invitation=invitation
    )
    audit.record(
        "role.requested",
        actor=actor,
        target=person,
        school=school,
        request=request,
        data={"role": role, "lead_request": str(lead_request.pk)},
    )
    # One message per person asked, however many lead roles one invitation puts forward.
    key = f"invitation:{invitation.pk}" if invitation else f"request:{lead_request.pk}"
    notify_lead_requested(school=school, recipients=lead_confirmers(lead_request), key=key)
    return lead_request


def lead_confirmers(lead_request: LeadRoleRequest) -> list[User]:
    """Who may confirm `lead_request`: the school's active DSLs and its trust's leads, except
    the person who asked and the person put forward."""
    school = lead_request.school
    deciders = Q(memberships__school=school, memberships__role=Role.DSL)
    if school.trust_id:
        deciders |= Q(memberships__trust_id=school.trust_id, memberships__role=Role.TRUST_LEAD)
    return list(
        User.objects.filter(deciders, is_active=True)
        .exclude(pk__in=[lead_request.requested_by_id, lead_request.person_id])
        .distinct()
        .order_by("email")
    )


def may_decide(actor: User, lead_request: LeadRoleRequest) -> bool:
    """Whether `actor` may confirm or decline: one of lead_confirmers, or the technical team
    (from the admin site, for a school with no DSL and no trust yet)."""
    if actor.pk in (lead_request.requested_by_id, lead_request.person_id):
        return False
    return actor.is_staff or any(u.pk == actor.pk for u in lead_confirmers(lead_request))


def waiting_lead_requests(school: School) -> QuerySet[LeadRoleRequest]:
    return LeadRoleRequest.objects.filter(
        school=school, outcome=LeadRoleRequest.Outcome.WAITING
    ).select_related("person", "requested_by")


def _decide(actor: User, lead_request: LeadRoleRequest) -> LeadRoleRequest:
    _lock_school(lead_request.school)
    lead_request = LeadRoleRequest.objects.select_for_update().get(pk=lead_request.pk)
    if lead_request.outcome != LeadRoleRequest.Outcome.WAITING:
        raise PeopleError(ALREADY_DECIDED)
    if not may_decide(actor, lead_request):
        raise PeopleError(NOT_YOURS_TO_CONFIRM)
    return lead_request


@transaction.atomic
def confirm_lead_role(*, actor: User, lead_request: LeadRoleRequest, request=None) -> None:
    """The second person confirms: the role is given, recorded with both names, and the
    school's other DSLs are told."""
    lead_request = _decide(actor, lead_request)
    school, person = lead_request.school, lead_request.person
    Membership.objects.get_or_create(user=person, school=school, role=lead_request.role)
    lead_request.outcome = LeadRoleRequest.Outcome.CONFIRMED
    lead_request.decided_by, lead_request.decided_at = actor, timezone.now()
    lead_request.save(update_fields=["outcome", "decided_by", "decided_at"])
    data = {
        "role": lead_request.role,
        "requested_by": str(lead_request.requested_by_id),
        "confirmed_by": str(actor.pk),
        "lead_request": str(lead_request.pk),
    }
    if lead_request.invitation_id:
        data["invitation"] = str(lead_request.invitation_id)
    audit.record(
        "role.added", actor=actor, target=person, school=school, request=request, data=data
    )
    notify_safeguarding_lead_added(
        school=school, person=person, key=f"lead_request:{lead_request.pk}"
    )


@transaction.atomic
def decline_lead_role(*, actor: User, lead_request: LeadRoleRequest, request=None) -> None:
    lead_request = _decide(actor, lead_request)
    lead_request.outcome = LeadRoleRequest.Outcome.DECLINED
    lead_request.decided_by, lead_request.decided_at = actor, timezone.now()
    lead_request.save(update_fields=["outcome", "decided_by", "decided_at"])
    audit.record(
        "role.request_declined",
        actor=actor,
        target=lead_request.person,
        school=lead_request.school,
        request=request,
        data={
            "role": lead_request.role,
            "requested_by": str(lead_request.requested_by_id),
            "declined_by": str(actor.pk),
            "lead_request": str(lead_request.pk),
        },
    )


@transaction.atomic
def remove_role(*, actor: User, school: School, person: User, role: str, request=None) -> bool:
    """Take `role` at `school` away from `person`. False if they did not have it."""
    (role,) = _check_roles([role])
    _lock_school(school)
    held = roles_held(person, school)
    if role not in held:
        return False
    _refuse_if_last(school, person, [role])
    if held == {role}:
        raise PeopleError(LAST_ROLE)
    Membership.objects.filter(user=person, school=school, role=role).delete()
    audit.record(
        "role.removed",
        actor=actor,
        target=person,
        school=school,
        request=request,
        data={"role": role},
    )
    return True


def end_sessions(user: User) -> int:
    """Delete every stored session signed in as `user`. Returns how many."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def deactivate(*, actor: User, school: School, person: User, request=None) -> bool:
    """Remove all of `person`'s roles at `school`. If they hold no role anywhere else, their
    account is switched off and every session they have is ended. Returns whether it was."""
    if person.pk == actor.pk:
        raise PeopleError(DEACTIVATE_SELF)
    _lock_school(school)
    held = sorted(roles_held(person, school))
    _refuse_if_last(school, person, held)
    Membership.objects.filter(user=person, school=school).delete()
    for role in held:
        audit.record(
            "role.removed",
            actor=actor,
            target=person,
            school=school,
            request=request,
            data={"role": role, "reason": "deactivated"},
        )
    account_disabled = not Membership.objects.filter(user=person).exists()
    sessions_ended = 0
    if account_disabled:
        person.is_active = False
        person.save(update_fields=["is_active"])
        sessions_ended = end_sessions(person)
    audit.record(
        "user.deactivated",
        actor=actor,
        target=person,
        school=school,
        request=request,
        data={
            "roles_removed": held,
            "account_disabled": account_disabled,
            "sessions_ended": sessions_ended,
        },
    )
    return account_disabled


def two_factor_reset_refusal(*, actor: User, school: School, person: User) -> str:
    """Why `actor` may not reset `person`'s two-factor sign-in from `school`'s people pages, or
    "" if they may.

    A reset leaves the account protected by its password alone until its owner sets up a new
    phone, so a school admin may reset only someone whose every role is at schools they
    administer, never a trust lead or a technical admin, and never themselves.
    """
    if person.pk == actor.pk:
        return RESET_TWO_FACTOR_SELF
    administered = set(
        Membership.objects.filter(user=actor, role=Role.SCHOOL_ADMIN).values_list(
            "school_id", flat=True
        )
    )
    elsewhere = Membership.objects.filter(user=person).exclude(school_id__in=administered)
    if person.is_staff or person.is_superuser or elsewhere.exists():
        return RESET_TWO_FACTOR_ELSEWHERE
    return ""


@transaction.atomic
def reset_two_factor(*, actor: User, school: School, person: User, request=None) -> bool:
    """For someone who lost their phone and their backup codes: remove their authenticator app
    and backup codes, audited, and email them (naming the school only) so that a reset they did
    not ask for does not go unnoticed. Next time they sign in they set up a new phone.

    False if they had nothing to reset (never set up, or a second click of the button)."""
    _lock_school(school)
    refusal = two_factor_reset_refusal(actor=actor, school=school, person=person)
    if refusal:
        raise PeopleError(refusal)
    if not two_factor.has_any_device(person):
        return False
    two_factor.remove_two_factor(user=person, actor=actor, request=request, school=school)
    notify_two_factor_reset(school=school, person=person)
    return True
