"""Term dates: a school's admin or DSL enters the school's; a trust lead enters the trust's."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safeguarding import access
from safeguarding.models import Role

from . import services
from .forms import TermDatesForm
from .models import TermDate
from .parse import as_text
from .school_days import SchoolCalendar, calendar_for

SAVED = "Term dates saved."
CLEARED = "Your school's own dates are removed: the trust's dates apply."
NOTHING_CHANGED = "Nothing was changed."
# Say so when the dates run out this soon: the next year's are usually published by then.
RUNNING_OUT_DAYS = 120


def _page(request, *, form, rows, owner_name, calendar, back, trust_rows=None):
    today = timezone.localdate()
    known_until = calendar.known_until
    return render(
        request,
        "terms/term_dates.html",
        {
            "form": form,
            "rows": rows,
            "owner_name": owner_name,
            "calendar": calendar,
            "trust_rows": trust_rows,
            "running_out": bool(known_until) and (known_until - today).days < RUNNING_OUT_DAYS,
            "back": back,
            "example": EXAMPLE,
        },
    )


EXAMPLE = (
    "Autumn term: 3 September 2025 to 19 December 2025\n"
    "Half term: 27 October 2025 to 31 October 2025\n"
    "INSET day: 1 September 2025"
)


def _save(request, form, **owner) -> bool:
    changed = services.replace_term_dates(
        actor=request.user, entries=form.parsed.entries, request=request, **owner
    )
    if not changed:
        messages.info(request, NOTHING_CHANGED)
    elif not form.parsed.entries and owner.get("school") and owner["school"].trust_id:
        messages.success(request, CLEARED)
    else:
        messages.success(request, SAVED)
    return changed


@access.school_role(Role.SCHOOL_ADMIN, Role.DSL)
@require_http_methods(["GET", "HEAD", "POST"])
def school_term_dates(request, school):
    rows = list(TermDate.objects.filter(school=school))
    form = TermDatesForm(request.POST or None, initial={"dates": as_text(rows)})
    if request.method == "POST" and form.is_valid():
        _save(request, form, school=school)
        return redirect("terms:school", school=school.slug)
    trust_rows = list(TermDate.objects.filter(trust_id=school.trust_id)) if school.trust_id else []
    return _page(
        request,
        form=form,
        rows=rows,
        owner_name=school.name,
        calendar=calendar_for(school),
        back="/",
        trust_rows=trust_rows,
    )


@access.trust_lead
@require_http_methods(["GET", "HEAD", "POST"])
def trust_term_dates(request, trust):
    rows = list(TermDate.objects.filter(trust=trust))
    form = TermDatesForm(request.POST or None, initial={"dates": as_text(rows)})
    if request.method == "POST" and form.is_valid():
        _save(request, form, trust=trust)
        return redirect("terms:trust", trust=trust.slug)
    return _page(
        request,
        form=form,
        rows=rows,
        owner_name=trust.name,
        calendar=SchoolCalendar.of(rows, "trust"),
        back="/",
    )
