"""The referral summary a DSL downloads for the police or the MASH.

`render_referral_pdf(incident, generated_by=)` is pure apart from reading the case; the view is
the one place it is exported from, and downloading it is an audited view of the case.
"""

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from safeguarding import access, audit
from safeguarding.models import Membership, Role
from safeguarding.pdf import render_pdf

from . import services
from .timeline import load_case_file

PDF_DOWNLOADED = "incident.pdf_downloaded"


def referral_context(incident, *, generated_by, generated_at=None) -> dict:
    case_file = load_case_file(incident)
    leads = (
        Membership.objects.filter(school=incident.school, role__in=Role.case_reviewers())
        .select_related("user")
        .filter(user__is_active=True)
        .order_by("user__full_name")
    )
    leads = sorted(leads, key=lambda m: m.role != Role.DSL)  # the DSL first, then deputies
    return {
        "case": case_file,
        "incident": incident,
        "school": incident.school,
        "outcome": incident.outcome or {},
        "override": case_file.latest_override,
        "leads": leads,
        "timeline": case_file.actions,
        "viewings": case_file.records.get("imagery_viewing", []),
        "generated_by": generated_by,
        "generated_at": generated_at or timezone.localtime(),
    }


def render_referral_pdf(incident, *, generated_by, generated_at=None) -> bytes:
    context = referral_context(incident, generated_by=generated_by, generated_at=generated_at)
    return render_pdf("pdf/referral_summary.html", context)


def pdf_filename(incident) -> str:
    """Made from the case reference only: never a pupil's name."""
    return f"referral-summary-{incident.reference}.pdf"


@require_safe
@access.case("export")
def referral_summary(request, incident):
    pdf = render_referral_pdf(incident, generated_by=request.user)
    services.log_case_view(incident=incident, actor=request.user, request=request, via="pdf")
    audit.record(
        PDF_DOWNLOADED,
        actor=request.user,
        target=incident,
        school=incident.school,
        request=request,
        data={"bytes": len(pdf)},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(incident)}"'
    return response
