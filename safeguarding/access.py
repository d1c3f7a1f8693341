"""Every permission decision, in one place. Deny by default.

Every view is wrapped in exactly one of the decorators below; `access_policy` on the wrapped
view names the rule, and tests/safeguarding/test_access_matrix.py fails for a route without one.

- Outsiders (no role at the school or trust in the URL) get 404: they must not learn it exists.
- People with a role there, but not the right one, get 403.
- Every denial is written to the audit trail.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from . import audit
from .models import Membership, Role, School, Trust

ALL_SCHOOL_ROLES = tuple(Role.school_roles())
CASE_REVIEWERS = tuple(Role.case_reviewers())


def sign_in_first(request, *, owner=None):
    """Send an anonymous request to sign in. A form posted after the session ran out is kept
    on the server for the person who typed it (`owner`: default, whoever was last signed in on
    this browser) and offered back to them alone (safeguarding/unsaved.py): nothing typed is
    lost, and nobody else sees it.
    """
    if request.method == "POST" and request.POST:
        from . import unsaved  # it uses this module's rules

        unsaved.keep(request, owner=owner)
        return redirect_to_login(reverse("safeguarding:unsaved"))
    return redirect_to_login(request.get_full_path())


def _mark(view, policy):
    view.access_policy = policy
    return view


def deny(request, status: int, *, school=None, reason: str = ""):
    """Record the denial, then answer 404 (outsider) or 403 (wrong role)."""
    match = getattr(request, "resolver_match", None)
    audit.record(
        "access.denied",
        actor=request.user,
        school=school,
        request=request,
        data={"status": status, "view": match.view_name if match else "", "reason": reason},
    )
    if status == 404:
        raise Http404
    raise PermissionDenied


def roles_at_school(user, school: School | None) -> set[str]:
    if school is None or not user.is_authenticated or not user.is_active:
        return set()
    return set(Membership.objects.filter(user=user, school=school).values_list("role", flat=True))


def memberships_of(request) -> list[Membership]:
    """The signed-in person's roles, with their schools and trusts, read once per request: the
    access checks below and the banners on every page (notifications.context_processors) share
    them."""
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return []
    loaded = getattr(user, "loaded_memberships", None)  # safeguarding.backends
    if loaded is not None:
        return loaded
    cached = getattr(request, "_memberships", None)
    if cached is None or cached[0] != user.pk:
        rows = list(Membership.objects.filter(user=user).select_related("school__trust", "trust"))
        cached = request._memberships = (user.pk, rows)
    return cached[1]


def _school_and_roles(request, slug: str) -> tuple[School | None, set[str]]:
    """The school at `slug` and the roles the signed-in person holds there, from their
    memberships (`memberships_of`): nothing for a school they have no role at, or none."""
    held = [m for m in memberships_of(request) if m.school is not None and m.school.slug == slug]
    return (held[0].school if held else None), {m.role for m in held}


def _roles_at(request, school: School) -> set[str]:
    return {m.role for m in memberships_of(request) if m.school_id == school.pk}


def schools_for(user, roles=ALL_SCHOOL_ROLES):
    """The schools where `user` holds any of `roles`. None for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return School.objects.none()
    return School.objects.filter(memberships__user=user, memberships__role__in=roles).distinct()


def trusts_led_by(user):
    if not user.is_authenticated or not user.is_active:
        return Trust.objects.none()
    return Trust.objects.filter(memberships__user=user, memberships__role=Role.TRUST_LEAD)


def public(view):
    """Anyone, signed in or not (sign-in pages, the staff guidance)."""
    return _mark(view, "public")


def signed_in(view):
    """Anyone signed in (and past two-factor where their role needs it)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return sign_in_first(request)
        return view(request, *args, **kwargs)

    return _mark(wrapped, "signed_in")


def school_role(*roles: str):
    """The view takes a `school` slug from the URL; it receives the School instead.

    Only people holding one of `roles` at that school get in.
    """
    allowed = set(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, school: str, **kwargs):
            if not request.user.is_authenticated:
                return sign_in_first(request)
            school_obj, held = _school_and_roles(request, school)
            if not held:
                deny(request, 404, reason="not a member of this school")
            if not held & allowed:
                deny(request, 403, school=school_obj, reason="role not allowed")
            request.school = school_obj
            request.school_roles = held
            return view(request, *args, school=school_obj, **kwargs)

        return _mark(wrapped, ("school", frozenset(allowed)))

    return decorator


def any_school_role(*roles: str):
    """Pages not tied to one school (e.g. checklist versions for DSLs and deputies).

    People holding one of `roles` at any school get in; people with only other school roles get
    403; anyone with no school role at all gets 404.
    """
    allowed = set(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return sign_in_first(request)
            held = set(
                Membership.objects.filter(
                    user=request.user, school__isnull=False, user__is_active=True
                ).values_list("role", flat=True)
            )
            if not held:
                deny(request, 404, reason="no role at any school")
            if not held & allowed:
                deny(request, 403, reason="role not allowed")
            return view(request, *args, **kwargs)

        return _mark(wrapped, ("any_school", frozenset(allowed)))

    return decorator


def school_dsl_or_trust_lead(view):
    """The view takes a `school` slug; it receives the School instead. The school's DSLs and
    the leads of its trust get in (they confirm new safeguarding leads: people.py). The school's
    other members get 403; anyone else 404."""

    @wraps(view)
    def wrapped(request, *args, school: str, **kwargs):
        if not request.user.is_authenticated:
            return sign_in_first(request)
        school_obj = School.objects.filter(slug=school).select_related("trust").first()
        held = roles_at_school(request.user, school_obj)
        leads_its_trust = bool(
            school_obj is not None
            and school_obj.trust_id
            and trusts_led_by(request.user).filter(pk=school_obj.trust_id).exists()
        )
        if not held and not leads_its_trust:
            deny(request, 404, reason="not a member of this school or lead of its trust")
        if Role.DSL not in held and not leads_its_trust:
            deny(request, 403, school=school_obj, reason="role not allowed")
        request.school = school_obj
        request.school_roles = held
        return view(request, *args, school=school_obj, **kwargs)

    return _mark(wrapped, ("school_or_trust", frozenset({Role.DSL, Role.TRUST_LEAD})))


def trust_lead(view):
    """The view takes a `trust` slug from the URL; it receives the Trust instead."""

    @wraps(view)
    def wrapped(request, *args, trust: str, **kwargs):
        if not request.user.is_authenticated:
            return sign_in_first(request)
        trust_obj = trusts_led_by(request.user).filter(slug=trust).first()
        if trust_obj is None:
            deny(request, 404, reason="not a lead of this trust")
        request.trust = trust_obj
        return view(request, *args, trust=trust_obj, **kwargs)

    return _mark(wrapped, ("trust", frozenset({Role.TRUST_LEAD})))


# Cases: only the school's DSL and deputies see a case; everyone else gets 404, as if it did not
# exist. Some actions on a visible case need a narrower role (403 for the rest).
CASE_ACTIONS: dict[str, tuple[str, ...]] = {
    "view": CASE_REVIEWERS,
    "change": CASE_REVIEWERS,
    # The referral summary PDF: the only way children's details leave the service.
    "export": CASE_REVIEWERS,
    # Only the DSL may ever view imagery, so only the DSL records having done so.
    "record_imagery_viewing": (Role.DSL,),
}


def incidents_visible_to(user):
    """The incidents at schools where `user` is DSL or deputy. Nothing for anyone else."""
    from incidents.models import Incident

    if not user.is_authenticated or not user.is_active:
        return Incident.objects.none()
    return Incident.objects.filter(school__in=schools_for(user, CASE_REVIEWERS))


def get_incident_for(request, reference: str, action: str):
    """The incident `reference` if the signed-in person may do `action` on it; else deny."""
    allowed = set(CASE_ACTIONS[action])
    incident = (
        incidents_visible_to(request.user)
        .select_related("school", "reporter", "assigned_to", "duplicate_of")
        .filter(reference=reference)
        .first()
    )
    if incident is None:
        deny(request, 404, reason="case not visible")
    held = _roles_at(request, incident.school)
    if not held & allowed:
        deny(request, 403, school=incident.school, reason=f"role not allowed to {action}")
    request.school = incident.school
    request.school_roles = held
    return incident


def case(action: str = "view"):
    """The view takes a `reference` from the URL; it receives the Incident as `incident`."""
    allowed = frozenset(CASE_ACTIONS[action])

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, reference: str, **kwargs):
            if not request.user.is_authenticated:
                return sign_in_first(request)
            incident = get_incident_for(request, reference, action)
            return view(request, *args, incident=incident, **kwargs)

        return _mark(wrapped, ("case", allowed))

    return decorator


# Pastoral staff: where their school allows tasks to be given to them (School.pastoral_tasks),
# they see the tasks they own on open cases: the case reference, what to do and by when. Never
# the case record, its pupils or its timeline: every case page stays 404 for them.
def pastoral_tasks_for(user, school: School):
    """The tasks `user` may see and mark done as pastoral staff at `school`; none if the school
    does not allow it or they are not pastoral staff there."""
    from cases.models import Task
    from incidents.models import Status

    if school is None or not school.pastoral_tasks:
        return Task.objects.none()
    if Role.PASTORAL not in roles_at_school(user, school):
        return Task.objects.none()
    return (
        Task.objects.filter(owner=user, incident__school=school)
        .exclude(incident__status=Status.CLOSED)
        .select_related("incident")
    )


def get_pastoral_task(request, school: School, task_id: int):
    """One task of the signed-in pastoral staff member at `school`; any other is 404."""
    task = pastoral_tasks_for(request.user, school).filter(pk=task_id).first()
    if task is None:
        deny(request, 404, school=school, reason="not a task given to this person")
    return task


# Reports: the person who reported sees their own reports and drafts, at schools where they still
# hold a role (someone who has left keeps no access). For anyone else they do not exist (404).
def own_incidents(user):
    from incidents.models import Incident

    if not user.is_authenticated or not user.is_active:
        return Incident.objects.none()
    return Incident.objects.filter(reporter=user, school__in=schools_for(user))


def get_own_incident(request, reference: str, *, school=None):
    """The signed-in person's own report `reference` (at `school`, if given); else 404."""
    incidents = own_incidents(request.user).select_related("school")
    if school is not None:
        incidents = incidents.filter(school=school)
    incident = incidents.filter(reference=reference).first()
    if incident is None:
        deny(request, 404, school=school, reason="not the reporter")
    return incident


def get_own_draft(request, school, draft_id):
    """The signed-in person's unexpired report draft at `school`; else 404."""
    from django.utils import timezone

    from incidents.models import ReportDraft

    draft = ReportDraft.objects.filter(
        pk=draft_id, reporter=request.user, school=school, expires_at__gt=timezone.now()
    ).first()
    if draft is None:
        deny(request, 404, school=school, reason="not the reporter's draft")
    return draft


def own_report(view):
    """The view takes a `reference` from the URL; it receives the reporter's own Incident."""

    @wraps(view)
    def wrapped(request, *args, reference: str, **kwargs):
        if not request.user.is_authenticated:
            return sign_in_first(request)
        incident = get_own_incident(request, reference)
        request.school = incident.school
        return view(request, *args, incident=incident, **kwargs)

    return _mark(wrapped, ("own_report", frozenset(ALL_SCHOOL_ROLES)))


def get_school_member(request, school, person_id):
    """A person holding a role at `school` (its admins manage them); anyone else is 404."""
    from .models import User

    person = User.objects.filter(pk=person_id, memberships__school=school).distinct().first()
    if person is None:
        deny(request, 404, school=school, reason="not a member of this school")
    return person


def get_school_invitation(request, school, invitation_id):
    """An invitation to `school` (for its admins); any other is 404."""
    from .models import Invitation

    invitation = Invitation.objects.filter(pk=invitation_id, school=school).first()
    if invitation is None:
        deny(request, 404, school=school, reason="not an invitation to this school")
    return invitation


def may_open(user, path: str) -> bool:
    """Whether `user` may open the page at `path` now, by the same rules as its view's decorator
    (and, for a report draft, whether it is still theirs). Used before showing anything kept for
    that page, e.g. a form rescued from a timed-out session (safeguarding/unsaved.py)."""
    from django.urls import Resolver404, resolve
    from django.utils import timezone

    from incidents.models import ReportDraft

    if not user.is_authenticated or not user.is_active:
        return False
    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return False
    policy, kwargs = getattr(match.func, "access_policy", None), match.kwargs
    if policy in ("public", "signed_in"):
        allowed = True
    elif policy is None:
        allowed = False
    elif policy[0] == "school":
        school = School.objects.filter(slug=kwargs.get("school")).first()
        allowed = bool(roles_at_school(user, school) & policy[1])
    elif policy[0] == "any_school":
        allowed = Membership.objects.filter(
            user=user, school__isnull=False, role__in=policy[1]
        ).exists()
    elif policy[0] == "trust":
        allowed = trusts_led_by(user).filter(slug=kwargs.get("trust")).exists()
    elif policy[0] == "school_or_trust":
        school = School.objects.filter(slug=kwargs.get("school")).first()
        allowed = Role.DSL in roles_at_school(user, school) or bool(
            school and school.trust_id and trusts_led_by(user).filter(pk=school.trust_id).exists()
        )
    elif policy[0] == "case":
        incident = incidents_visible_to(user).filter(reference=kwargs.get("reference")).first()
        allowed = incident is not None and bool(roles_at_school(user, incident.school) & policy[1])
    elif policy[0] == "own_report":
        allowed = own_incidents(user).filter(reference=kwargs.get("reference")).exists()
    else:
        allowed = False
    if allowed and "draft" in kwargs:
        allowed = ReportDraft.objects.filter(
            pk=kwargs["draft"],
            reporter=user,
            school__slug=kwargs.get("school"),
            expires_at__gt=timezone.now(),
        ).exists()
    return allowed
