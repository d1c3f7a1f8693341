"""The statistics dashboard and its CSV export, for a trust lead or a school's DSL/deputy."""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from safeguarding import access, audit
from safeguarding.models import Role
from safeguarding.safe_csv import csv_response

from .dashboard import build_dashboard
from .export import metadata_rows, tidy_rows
from .forms import PeriodForm
from .queries import Scope
from .rates import SYMBOLS as RATE_SYMBOLS
from .suppression import ROUND_TO, SYMBOLS


def _render(request, scope: Scope, export_url: str, metadata_url: str):
    form = PeriodForm(request.GET or None)
    period = form.period()
    return render(
        request,
        "stats/dashboard.html",
        {
            "form": form,
            "dashboard": build_dashboard(scope, period),
            "export_url": f"{export_url}?year={period.year}&term={period.term}",
            "metadata_url": f"{metadata_url}?year={period.year}&term={period.term}",
            "symbols": SYMBOLS + RATE_SYMBOLS,
            "round_to": ROUND_TO,
        },
    )


def _export(request, scope: Scope, *, target, school=None):
    period = PeriodForm(request.GET or None).period()
    dashboard = build_dashboard(scope, period)
    audit.record(
        "statistics.exported",
        actor=request.user,
        target=target,
        school=school,
        request=request,
        data={"year": period.year, "term": period.term},
    )
    return csv_response(
        f"statistics-{target.slug}-{period.slug}.csv",
        tidy_rows(dashboard, trust_name=_trust_name(scope)),
    )


def _metadata(request, scope: Scope, *, target):
    """What each column of the export holds. No figures, so not audited."""
    period = PeriodForm(request.GET or None).period()
    dashboard = build_dashboard(scope, period)
    return csv_response(
        f"statistics-{target.slug}-{period.slug}.meta.csv",
        metadata_rows(dashboard, product_name=settings.PRODUCT_NAME),
    )


def _trust_name(scope: Scope) -> str:
    trust = scope.trust or scope.school.trust
    return trust.name if trust else ""


@access.trust_lead
@require_safe
def trust_dashboard(request, trust):
    return _render(
        request,
        Scope(trust=trust),
        reverse("stats:trust_export", args=[trust.slug]),
        reverse("stats:trust_metadata", args=[trust.slug]),
    )


@access.trust_lead
@require_safe
def trust_export(request, trust):
    return _export(request, Scope(trust=trust), target=trust)


@access.school_role(Role.DSL, Role.DEPUTY_DSL)
@require_safe
def school_dashboard(request, school):
    return _render(
        request,
        Scope(school=school),
        reverse("stats:school_export", args=[school.slug]),
        reverse("stats:school_metadata", args=[school.slug]),
    )


@access.school_role(Role.DSL, Role.DEPUTY_DSL)
@require_safe
def school_export(request, school):
    return _export(request, Scope(school=school), target=school, school=school)


@access.trust_lead
@require_safe
def trust_metadata(request, trust):
    return _metadata(request, Scope(trust=trust), target=trust)


@access.school_role(Role.DSL, Role.DEPUTY_DSL)
@require_safe
def school_metadata(request, school):
    return _metadata(request, Scope(school=school), target=school)
