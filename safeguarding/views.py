from typing import NamedTuple

from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_safe

from guidance.services import briefing_state
from incidents.models import Status

from . import access, people
from .home import lead_work
from .models import LeadRoleRequest, Role


class WorkLink(NamedTuple):
    label: str
    path: str  # may hold {school} or {trust}, filled with the slug
    roles: frozenset[str]
    hint: str


EVERY_SCHOOL_ROLE = frozenset(Role.school_roles())
# Who sees the list of the school's DSL and deputies on their home page.
SEES_SAFEGUARDING_LEADS = frozenset({Role.DSL, Role.DEPUTY_DSL, Role.SCHOOL_ADMIN})
# Who is shown what waits for them at the school (home.py).
LEADS = frozenset({Role.DSL, Role.DEPUTY_DSL})

# Where each role's work lives, in one place. Paths rather than URL names because several of
# these pages belong to apps still being built; a test checks each path once its app exists.
SCHOOL_WORK = [
    WorkLink(
        "Report a concern",
        "/s/{school}/report/",
        EVERY_SCHOOL_ROLE,
        "Tell your safeguarding lead what you saw or were told. Never copy or save images.",
    ),
    WorkLink(
        "Case inbox",
        "/s/{school}/cases/",
        frozenset({Role.DSL, Role.DEPUTY_DSL}),
        "New concerns and open cases that need a decision.",
    ),
    WorkLink(
        "Your tasks",
        "/s/{school}/my-tasks/",
        frozenset({Role.PASTORAL}),
        "Tasks the safeguarding leads have given you: what to do and by when.",
    ),
    WorkLink(
        "Pupils",
        "/s/{school}/pupils/",
        frozenset({Role.SCHOOL_ADMIN, Role.DSL}),
        "The pupil list used when recording who was involved.",
    ),
    WorkLink(
        "People",
        "/s/{school}/people/",
        frozenset({Role.SCHOOL_ADMIN}),
        "Invite staff, change their roles and close accounts.",
    ),
    WorkLink(
        "Child protection files",
        "/s/{school}/records/",
        frozenset({Role.DSL, Role.DEPUTY_DSL}),
        "Leavers' files to send, files sent to you, retention reviews and subject access requests.",
    ),
    WorkLink(
        "Who has read the staff briefing",
        "/s/{school}/staff-briefing/",
        frozenset({Role.DSL, Role.DEPUTY_DSL}),
        "Who has confirmed it and who has not, with a list to download for your records.",
    ),
    WorkLink(
        "Statistics",
        "/s/{school}/statistics/",
        frozenset({Role.DSL}),
        "Counts of concerns and outcomes at this school.",
    ),
    WorkLink(
        "Notification settings",
        "/s/{school}/notification-settings/",
        frozenset({Role.DSL, Role.SCHOOL_ADMIN}),
        "How long before a concern nobody has acknowledged is sent to others.",
    ),
    WorkLink(
        "Term dates",
        "/s/{school}/term-dates/",
        frozenset({Role.DSL, Role.SCHOOL_ADMIN}),
        "Terms and holidays, so deadlines count school days.",
    ),
]
TRUST_WORK = [
    WorkLink(
        "Staff briefed at each school",
        "/t/{trust}/staff-briefing/",
        frozenset({Role.TRUST_LEAD}),
        "The share of staff at each school who have read the staff briefing.",
    ),
    WorkLink(
        "Statistics",
        "/t/{trust}/statistics/",
        frozenset({Role.TRUST_LEAD}),
        "Anonymised counts across the trust's schools. No case records.",
    ),
    WorkLink(
        "Term dates",
        "/t/{trust}/term-dates/",
        frozenset({Role.TRUST_LEAD}),
        "Terms and holidays for the trust's schools that have none of their own.",
    ),
]
PERSONAL_WORK = [
    WorkLink(
        "My reports",
        "/my-reports/",
        EVERY_SCHOOL_ROLE,
        "Concerns you have reported and whether they have been picked up.",
    ),
    WorkLink(
        "Staff briefing",
        "/guidance/briefing/",
        EVERY_SCHOOL_ROLE,
        "Five minutes: what to do when a pupil tells you about a nude image, including ones "
        "made with AI.",
    ),
    WorkLink(
        "Search cases",
        "/cases/search/",
        frozenset({Role.DSL, Role.DEPUTY_DSL}),
        "Find a case by its reference, a pupil's name or words in its record.",
    ),
    WorkLink(
        "Triage checklist",
        "/guidance/checklists/",
        frozenset({Role.DSL, Role.DEPUTY_DSL}),
        "The questions staff answer when they report, where each comes from, and what changed.",
    ),
]


def _links(work: list[WorkLink], roles: set[str], **slugs: str) -> list[dict]:
    return [
        {"label": link.label, "href": link.path.format(**slugs), "hint": link.hint}
        for link in work
        if link.roles & roles
    ]


def _role_names(roles: set[str]) -> list[str]:
    return [label for value, label in Role.choices if value in roles]


@access.signed_in
@require_safe
def home(request):
    """Route each person to their work: one section per school or trust they hold a role at."""
    memberships = access.memberships_of(request)
    schools: dict = {}
    trusts: dict = {}
    for m in memberships:
        if m.school is not None:
            schools.setdefault(m.school, set()).add(m.role)
        elif m.trust is not None:
            trusts.setdefault(m.trust, set()).add(m.role)

    # What waits for them at the schools where they are a DSL or deputy (home.py).
    work = lead_work([s for s, roles in schools.items() if roles & LEADS], user=request.user)
    leads = people.safeguarding_leads_at(
        [s for s, roles in schools.items() if roles & SEES_SAFEGUARDING_LEADS]
    )
    # New DSLs and deputies a trust lead may confirm, by school (people.lead_confirmers).
    to_confirm: dict[int, int] = {}
    if trusts:
        for lead_request in LeadRoleRequest.objects.filter(
            school__trust__in=list(trusts), outcome=LeadRoleRequest.Outcome.WAITING
        ).exclude(Q(requested_by=request.user) | Q(person=request.user)):
            to_confirm[lead_request.school_id] = to_confirm.get(lead_request.school_id, 0) + 1

    places = [
        {
            "name": school.name,
            "kind": "school",
            "school": school,
            # DSLs and deputies see what waits for them here: cases, tasks and files.
            "work": work.get(school.pk),
            "roles": _role_names(roles),
            "links": _links(SCHOOL_WORK, roles, school=school.slug),
            "sees_leads": bool(roles & SEES_SAFEGUARDING_LEADS),
            "leads": leads.get(school.pk, []),
            "invite_href": (
                f"/s/{school.slug}/people/invite/" if Role.SCHOOL_ADMIN in roles else ""
            ),
            "leads_to_confirm": (work[school.pk].leads_to_confirm if Role.DSL in roles else 0),
        }
        for school, roles in sorted(schools.items(), key=lambda item: item[0].name)
    ] + [
        {
            "name": trust.name,
            "kind": "trust",
            "roles": _role_names(roles),
            "links": _links(TRUST_WORK, roles, trust=trust.slug),
            "schools_to_confirm": [
                (school, to_confirm[school.pk])
                for school in trust.schools.order_by("name")
                if to_confirm.get(school.pk)
            ],
        }
        for trust, roles in sorted(trusts.items(), key=lambda item: item[0].name)
    ]
    all_school_roles = set().union(*schools.values()) if schools else set()
    context = {
        "places": places,
        "Status": Status,
        "personal_links": _links(PERSONAL_WORK, all_school_roles),
        # Staff who have not read the current briefing are reminded here, below nothing that
        # matters more: reporting a concern never waits for it.
        "briefing": briefing_state(request.user) if all_school_roles else None,
    }
    if len(places) == 1:
        context["header_organisation"] = places[0]["name"]
    return render(request, "safeguarding/home.html", context)
