"""The referral summary a DSL downloads for the police or the MASH.

`render_referral_pdf(incident, generated_by=)` is pure apart from reading the case; the view is
the one place it is exported from, and downloading it is an audited view of the case.

Two versions: the whole case, or one focused on a pupil (`focus=`), for an agency that should
learn nothing about the other children: their names are withheld wherever they appear (the
children's list, the account, notes, every record) and their details left out. Each download
is audited with the version and, for a focused one, the pupil it is about.
"""

import html
import re
import uuid
from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe

from incidents.models import CameToLight, Pupil, PupilRole
from safeguarding import access, audit
from safeguarding.models import Membership, Role
from safeguarding.pdf import PRINT_STYLESHEET, html_to_pdf

from . import services
from .timeline import load_case_file

PDF_DOWNLOADED = "incident.pdf_downloaded"
WHOLE_CASE = "whole_case"
PUPIL_FOCUSED = "pupil"
# What stands for another child's name in a version focused on one pupil.
ANOTHER_CHILD = "[another child]"

# How it came to light, said of the reporter: the report form's "The child told me" is the
# reporter speaking, and the agency reading the summary is not the reporter.
CAME_TO_LIGHT_FOR_AGENCY = {
    CameToLight.CHILD_TOLD: "The child told the reporter",
    CameToLight.ANOTHER_PUPIL: "A pupil told the reporter",
    CameToLight.PARENT: "A parent or carer told the reporter",
    CameToLight.OVERHEARD_OR_FOUND: "The reporter overheard it or came across it",
    CameToLight.MONITORING: "A monitoring or filtering alert",
}
# The initial review's question about who made the image.
CREATOR_QUESTION = "creator"


@dataclass
class Child:
    """One child in the case, with what a referral asks about them."""

    pupil: Pupil
    roles: list[str]
    is_alleged_creator: bool
    withheld: bool = False  # another child, in a version focused on one pupil


def _children(case_file) -> list[Child]:
    """Each pupil once (a pupil may have several parts in a case), the pictured child first,
    with their parents or carers and other agencies loaded in two queries."""
    pupil_ids = [inv.pupil_id for inv in case_file.involvements]
    pupils = {
        p.pk: p
        for p in Pupil.objects.filter(pk__in=pupil_ids).prefetch_related("carers", "agencies")
    }
    children: dict = {}
    for inv in case_file.involvements:
        child = children.get(inv.pupil_id)
        if child is None:
            child = children[inv.pupil_id] = Child(pupils[inv.pupil_id], [], False)
        child.roles.append(inv.get_role_display())
        child.is_alleged_creator |= inv.role == PupilRole.ALLEGED_CREATOR
    return sorted(children.values(), key=lambda c: "Pictured" not in c.roles)


def _creator_answer(case_file) -> str:
    """What the latest initial review found out about who made the image, else ""."""
    for review in reversed(case_file.records.get("review_meeting", [])):
        for section in review.answer_sections:
            for row in section.rows:
                if row.question_id == CREATOR_QUESTION and not row.to_find_out:
                    return row.answer
    return ""


def _reporter_role(incident) -> str:
    roles = [
        m.get_role_display()
        for m in Membership.objects.filter(user=incident.reporter, school=incident.school)
    ]
    return ", ".join(roles) or "No longer has a role at the school"


def referral_context(incident, *, generated_by, generated_at=None, focus=None) -> dict:
    """`focus`: a Pupil of the case, for the version about them alone (else the whole case)."""
    case_file = load_case_file(incident)
    referrals = sorted(
        case_file.records.get("referral", []),
        key=lambda r: (r.referred_on, r.recorded_at),
        reverse=True,
    )
    parents = case_file.records.get("parents_informed", [])
    leads = (
        Membership.objects.filter(school=incident.school, role__in=Role.case_reviewers())
        .select_related("user")
        .filter(user__is_active=True)
        .order_by("user__full_name")
    )
    leads = sorted(leads, key=lambda m: m.role != Role.DSL)  # the DSL first, then deputies
    children = _children(case_file)
    if focus is not None:
        for child in children:
            child.withheld = child.pupil.pk != focus.pk
    return {
        "focus": focus,
        "case": case_file,
        "incident": incident,
        "school": incident.school,
        "outcome": incident.outcome or {},
        "override": case_file.latest_override,
        "leads": leads,
        "timeline": case_file.actions,
        "viewings": case_file.records.get("imagery_viewing", []),
        "children": children,
        "children_include_creator": any(c.is_alleged_creator for c in children),
        "creator_answer": _creator_answer(case_file),
        "referrals": referrals,
        "parents_told": parents[-1] if parents else None,
        "reporter_role": _reporter_role(incident),
        "came_to_light": CAME_TO_LIGHT_FOR_AGENCY.get(
            incident.came_to_light, incident.get_came_to_light_display()
        ),
        "generated_by": generated_by,
        "generated_at": generated_at or timezone.localtime(),
    }


def _name_pattern(focus, others) -> re.Pattern | None:
    """Other children's names as written in the rendered (escaped) HTML: full names first, then
    each part, whole words, any case; never a part of the focused pupil's own name (a brother
    shares her surname)."""
    own = {part.casefold() for part in (focus.first_name, focus.last_name) if part}
    names = set()
    for pupil in others:
        first, last = pupil.first_name.strip(), pupil.last_name.strip()
        names.add(f"{first} {last}")
        names.update(part for part in (first, last) if part.casefold() not in own)
    names = {name for name in names if len(name.strip()) > 1}
    if not names:
        return None
    escaped = sorted((html.escape(name) for name in names), key=len, reverse=True)
    # A full name is printed as two isolated parts: any spacing or isolate marks between them.
    between = r"[\s\u2066\u2069]+"
    alternatives = "|".join(re.escape(name).replace(r"\ ", between) for name in escaped)
    return re.compile(
        r"(?<!\w)(?:" + alternatives + r")(?!\w)",
        re.IGNORECASE,
    )


def withhold_names(markup: str, pattern: re.Pattern) -> str:
    """`markup` with every match of `pattern` outside tags replaced by ANOTHER_CHILD."""
    parts = re.split(r"(<[^>]*>)", markup)
    return "".join(
        part if part.startswith("<") else pattern.sub(ANOTHER_CHILD, part) for part in parts
    )


def render_referral_pdf(incident, *, generated_by, generated_at=None, focus=None) -> bytes:
    context = referral_context(
        incident, generated_by=generated_by, generated_at=generated_at, focus=focus
    )
    markup = render_to_string("pdf/referral_summary.html", context)
    if focus is not None:
        others = [c.pupil for c in context["children"] if c.withheld]
        pattern = _name_pattern(focus, others)
        if pattern is not None:
            markup = withhold_names(markup, pattern)
    return html_to_pdf(markup, stylesheets=(PRINT_STYLESHEET,))


def _uuid_or_none(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def pdf_filename(incident) -> str:
    """Made from the case reference only: never a pupil's name."""
    return f"referral-summary-{incident.reference}.pdf"


@require_safe
@access.case("export")
def referral_summary(request, incident):
    """The whole case, or with ?pupil=<id> the version focused on that pupil of the case."""
    focus = None
    if request.GET.get("pupil"):
        focus = Pupil.objects.filter(
            involvements__incident=incident, pk=_uuid_or_none(request.GET["pupil"])
        ).first()
        if focus is None:
            raise Http404
    pdf = render_referral_pdf(incident, generated_by=request.user, focus=focus)
    services.log_case_view(incident=incident, actor=request.user, request=request, via="pdf")
    included = {"version": WHOLE_CASE}
    if focus is not None:
        others = incident.involvements.exclude(pupil=focus).values("pupil").distinct().count()
        included = {"version": PUPIL_FOCUSED, "pupil": str(focus.pk), "names_withheld": others}
    audit.record(
        PDF_DOWNLOADED,
        actor=request.user,
        target=incident,
        school=incident.school,
        request=request,
        data={"bytes": len(pdf), **included},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(incident)}"'
    return response
