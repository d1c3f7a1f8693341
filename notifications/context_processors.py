from django.db.models import Count, Q
from django.urls import reverse

from safeguarding import access
from safeguarding.models import Role, School

from . import services
from .models import Outbox


def _outbox_summary(request, schools, *, case=None) -> dict:
    """The signed-in person's unread count and the number of undelivered alerts at `schools`,
    in one query shared by both banners (each page asks once); the alerts themselves are read
    only when there are some. On a case's page (`case`, its id), also how many of the unread
    are about that case (`mark_case_read`)."""
    user = request.user
    key = (user.pk, frozenset(schools))
    cached = getattr(request, "_outbox_summary", None)
    # A summary read without a case's count does not answer for that case: read again.
    if cached is not None and cached[0] == key and case in (None, cached[2]):
        return cached[1]
    unread = Q(recipient=user, read_at__isnull=True)
    counts = {"unread": Count("pk", filter=unread)}
    if case is not None:
        counts["case_unread"] = Count("pk", filter=unread & Q(incident_id=case))
    if schools:
        undelivered = services.undelivered_alert() & Q(school__in=schools)
        counts["undelivered"] = Count("pk", filter=undelivered)
        summary = Outbox.objects.filter(unread | undelivered).aggregate(**counts)
    else:
        summary = {"undelivered": 0, **Outbox.objects.filter(unread).aggregate(**counts)}
    request._outbox_summary = (key, summary, case)
    return summary


def _page_summary(request, *, case=None) -> dict:
    """`_outbox_summary` for the schools the banners watch on this page."""
    watched: set = set()
    if _warns(request):
        leads_at, _, overseen = _watched_schools(request)
        watched = leads_at | overseen
    return _outbox_summary(request, watched, case=case)


def mark_case_read(request, incident_id) -> int:
    """Mark the signed-in person's notifications about one case read, as its page opens. The
    page's count of notifications (the banners' one query) counts this case's unread too, so
    nothing is written, and no query added, when there are none; the count shown afterwards
    is what is left unread."""
    summary = _page_summary(request, case=incident_id)
    if not summary.get("case_unread"):
        return 0
    marked = services.mark_case_read(user=request.user, incident_id=incident_id)
    summary["unread"] -= marked
    summary["case_unread"] = 0
    return marked


def _watched_schools(request) -> tuple[set, set, set]:
    """Where the person leads cases, is a school admin, and the schools of the trusts they
    lead."""
    memberships = access.memberships_of(request)
    leads_at = {m.school_id for m in memberships if m.role in Role.case_reviewers()}
    admin_at = {m.school_id for m in memberships if m.role == Role.SCHOOL_ADMIN}
    trusts = {m.trust_id for m in memberships if m.role == Role.TRUST_LEAD and m.trust_id}
    overseen = set(School.objects.filter(trust__in=trusts).values_list("pk", flat=True))
    return leads_at, admin_at, overseen


def unread(request):
    """`unread_notifications`: the signed-in person's unread count, counted only if used."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}

    def count() -> int:
        # The same schools as the banner below, so both are answered by one query.
        return _page_summary(request)["unread"]

    return {"unread_notifications": count}


def _warns(request) -> bool:
    """Whether `delivery_warnings` shows anything on this page."""
    user = request.user
    if not user.is_active or not user.is_authenticated:
        return False
    if not getattr(user, "is_verified", lambda: False)() and user.needs_two_factor:
        return False
    match = getattr(request, "resolver_match", None)
    return not (match and match.view_name == "notifications:undelivered")


def delivery_warnings(request):
    """`delivery_warnings`: banners for alerts that did not get through, shown on every page to
    each DSL and deputy of the school (with a link to see which and act) and to its trust
    leads (the school's name and a count only); and, on the home page, the schools with no
    deputy safeguarding lead, to their school admins and trust leads. Worked out only if used.
    """
    user = getattr(request, "user", None)
    if user is None or not _warns(request):  # on notifications:undelivered, the page says it all
        return {"delivery_warnings": ()}
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""

    def warnings() -> dict:
        leads_at, admin_at, overseen = _watched_schools(request)
        undelivered: dict = {}
        watched = leads_at | overseen
        alerts = (
            services.undelivered_alerts_at(watched)
            if watched and _outbox_summary(request, watched)["undelivered"]
            else []
        )
        for row in alerts:
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
