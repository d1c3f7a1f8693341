"""The staff briefing: reading and confirming it, and who has read it (DSLs, trust leads)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from safeguarding import access, audit
from safeguarding.models import Role
from safeguarding.safe_csv import csv_response

from . import briefing, services
from .checklist import current_version

CONFIRMED = "Thank you. You have confirmed that you read the briefing (version {version})."
CHOOSE_AN_ANSWER = "Choose an answer to see why it is right or not."


class UnderstandingForm(forms.Form):
    """The briefing's questions. Answers are explained on the page and never stored."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[question.id] = forms.ChoiceField(
                label=question.text,
                choices=[(c.value, c.label) for c in question.choices],
                widget=forms.RadioSelect,
                required=False,
            )


def _answers(form, questions) -> list[dict]:
    """Each question with the answer chosen (if any), whether it is right, and why."""
    rows = []
    for question in questions:
        chosen = form.cleaned_data.get(question.id) if form.is_bound and form.is_valid() else ""
        rows.append(
            {
                "question": question,
                "field": form[question.id],
                "chosen": chosen,
                "is_right": chosen == question.right,
                "right_label": next(c.label for c in question.choices if c.value == question.right),
            }
        )
    return rows


@access.signed_in
@require_http_methods(["GET", "POST"])
def read(request):
    """The briefing, its questions (POST: check my answers), and what changed since the version
    this person last confirmed."""
    current = briefing.briefing_for()
    state = services.briefing_state(request.user)
    changes = None
    if state.state == services.CHANGED:
        try:
            changes = briefing.changes_between(
                briefing.briefing_for(state.confirmation.version), current
            )
        except LookupError:  # a version this copy of the service does not have: read it all
            changes = None
    form = UnderstandingForm(
        request.POST if request.method == "POST" else None, questions=current.questions
    )
    checked = request.method == "POST" and form.is_valid()
    return render(
        request,
        "guidance/briefing.html",
        {
            "briefing": current,
            "minutes": max(1, round(current.words / 150)),
            "state": state,
            "changes": changes,
            "answers": _answers(form, current.questions),
            "checked": checked,
            "choose_an_answer": CHOOSE_AN_ANSWER,
        },
    )


@access.signed_in
@require_POST
def confirm(request):
    version = request.POST.get("version", "")
    try:
        services.confirm_briefing(actor=request.user, version=version, request=request)
    except services.BriefingOutOfDate as error:
        messages.warning(request, str(error))
        return redirect("briefing:read")
    messages.success(request, CONFIRMED.format(version=version))
    return redirect("safeguarding:home")


def _school_rows(school) -> list[dict]:
    people = services.staff_of(school)
    states = services.briefing_states(people)
    return [{"person": person, "state": states[person.pk]} for person in people]


@access.school_role(Role.DSL, Role.DEPUTY_DSL)
@require_safe
def school(request, school):
    rows = _school_rows(school)
    read_count = sum(row["state"].is_read for row in rows)
    return render(
        request,
        "guidance/briefing_school.html",
        {
            "school": school,
            "rows": rows,
            "read_count": read_count,
            "to_read": [row for row in rows if not row["state"].is_read],
            "version": current_version(),
        },
    )


@access.school_role(Role.DSL, Role.DEPUTY_DSL)
@require_safe
def school_export(request, school):
    """The list for the school's single central record: who read which version, and when."""
    rows = _school_rows(school)
    audit.record(
        "briefing.exported",
        actor=request.user,
        target=school,
        school=school,
        request=request,
        data={"people": len(rows), "version": current_version()},
    )
    lines = [
        (
            "Name",
            "Email address",
            "Roles",
            f"Read the current briefing ({current_version()})",
            "Version last confirmed",
            "Date confirmed",
        )
    ]
    for row in rows:
        person, state = row["person"], row["state"]
        confirmation = state.confirmation
        lines.append(
            (
                person.full_name,
                person.email,
                "; ".join(person.school_roles),
                "Yes" if state.is_read else "No",
                confirmation.version if confirmation else "",
                timezone.localtime(confirmation.confirmed_at).date().isoformat()
                if confirmation
                else "",
            )
        )
    today = timezone.localdate().isoformat()
    return csv_response(f"staff-briefing-{school.slug}-{today}.csv", lines)


@access.trust_lead
@require_safe
def trust(request, trust):
    figures = services.trust_figures(trust)
    return render(
        request,
        "guidance/briefing_trust.html",
        {
            "trust": trust,
            "figures": figures,
            "staff": sum(f.staff for f in figures),
            "read": sum(f.read for f in figures),
            "version": current_version(),
        },
    )
