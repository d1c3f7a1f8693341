from django.urls import reverse

from safeguarding.models import Membership, Role, School

from . import services
from .models import Outbox


def unread(request):
    """`unread_notifications`: the signed-in person's unread count, counted only if used."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}

    def count() -> int:
        return Outbox.objects.filter(recipient=user, read_at__isnull=True).count()

    return {"unread_notifications": count}


def delivery_warnings(request):
    """`delivery_warnings`: banners for alerts that did not get through, shown on every page to
    each DSL and deputy of the school (with a link to see which and act) and to its trust
    leads (the school's name and a count only); and, on the home page, the schools with no
    deputy safeguarding lead, to their school admins and trust leads. Worked out only if used.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return {"delivery_warnings": ()}
    if user.needs_two_factor and not getattr(user, "is_verified", lambda: False)():
        return {"delivery_warnings": ()}

    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    if view_name == "notifications:undelivered":
        return {"delivery_warnings": ()}  # the page itself says it all

    def warnings() -> dict:
        memberships = Membership.objects.filter(user=user).values_list(
            "role", "school_id", "trust_id"
        )
        leads_at = {school for role, school, _ in memberships if role in Role.case_reviewers()}
        admin_at = {school for role, school, _ in memberships if role == Role.SCHOOL_ADMIN}
        trusts = {trust for role, _, trust in memberships if role == Role.TRUST_LEAD and trust}
        overseen = set(School.objects.filter(trust__in=trusts).values_list("pk", flat=True))
        undelivered: dict = {}
        for row in services.undelivered_alerts_at(leads_at | overseen):
            entry = undelivered.setdefault(
                row.school_id,
                {
                    "school": row.school,
                    "count": 0,
                    "href": reverse("notifications:undelivered", args=[row.school.slug])
                    if row.school_id in leads_at
                    else "",
                },
            )
            entry["count"] += 1
        no_deputy = []
        if view_name == "safeguarding:home" and (admin_at | overseen):
            no_deputy = services.schools_without_deputy(
                School.objects.filter(pk__in=admin_at | overseen)
            )
        return {"undelivered": list(undelivered.values()), "no_deputy": no_deputy}

    return {"delivery_warnings": warnings}
