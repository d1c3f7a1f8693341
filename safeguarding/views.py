from django.shortcuts import render

from . import access
from .models import Membership, Role


@access.signed_in
def home(request):
    """Route each person to their work: one panel per school or trust they hold a role at."""
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("school", "trust")
        .order_by("school__name", "trust__name")
    )
    places: dict = {}
    for m in memberships:
        org = m.school or m.trust
        entry = places.setdefault((m.school is None, org.pk), {"org": org, "roles": set()})
        entry["roles"].add(m.role)
    return render(
        request,
        "safeguarding/home.html",
        {"places": list(places.values()), "Role": Role},
    )
