"""The reporting journey, "My reports" and the pupil list. Thin: access, form, service, redirect."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from guidance.triage import Outcome
from notifications.services import case_reviewers
from safeguarding import access
from safeguarding.models import Role

from . import services
from .forms import (
    AcknowledgeForm,
    AdultsForm,
    ChecklistForm,
    ChoosePupilForm,
    FollowUpForm,
    NewPupilForm,
    PupilImportForm,
    PupilSearchForm,
    WhatHappenedForm,
)
from .models import CameToLight, Kind, Location, Pupil, PupilRole, YearGroup, YesNoUnknown

ALL_SCHOOL_ROLES = access.ALL_SCHOOL_ROLES
PUPIL_LIST_ROLES = (Role.SCHOOL_ADMIN, Role.DSL, Role.DEPUTY_DSL)
PUPILS_IN_SELECT = 500
STEP_TITLES = {
    "what": "What happened",
    "who": "Who was involved",
    "checklist": "Questions to decide what happens next",
}
STEP_URLS = {
    "what": "incidents:report_what",
    "who": "incidents:report_who",
    "checklist": "incidents:report_checklist",
}


def _step_url(draft, step: str) -> str:
    return reverse(STEP_URLS[step], kwargs={"school": draft.school.slug, "draft": draft.pk})


def _after_step(draft, step: str):
    """Go on to the next step, or back to "check your answers" once every step is done."""
    missing = services.first_missing_step(draft)
    if missing is None:
        if step == "checklist":
            return redirect("incidents:report_outcome", school=draft.school.slug, draft=draft.pk)
        return redirect("incidents:report_check", school=draft.school.slug, draft=draft.pk)
    if step == "checklist":
        return redirect("incidents:report_outcome", school=draft.school.slug, draft=draft.pk)
    return redirect(_step_url(draft, missing))


def _journey(request, template: str, draft, step_number: int, **context):
    context.update(draft=draft, school=draft.school, step_number=step_number, step_count=5)
    # Reached from a Change link on "Check your answers": Back goes there.
    context.setdefault("changing", request.GET.get("change") == "1")
    return render(request, f"incidents/report/{template}", context)


# 1. Before you start -----------------------------------------------------------------------


@access.school_role(*ALL_SCHOOL_ROLES)
@require_http_methods(["GET", "POST"])
def report_start(request, school):
    form = AcknowledgeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        draft = services.start_draft(actor=request.user, school=school)
        return redirect("incidents:report_what", school=school.slug, draft=draft.pk)
    return render(
        request,
        "incidents/report/start.html",
        {
            "school": school,
            "form": form,
            "drafts": services.drafts_of(request.user, school),
            "step_number": 1,
            "step_count": 5,
        },
    )


# 2. What happened --------------------------------------------------------------------------


@access.school_role(*ALL_SCHOOL_ROLES)
@require_http_methods(["GET", "POST"])
def report_what(request, school, draft):
    draft = access.get_own_draft(request, school, draft)
    initial = WhatHappenedForm.initial_from_draft(draft.data.get("what", {}))
    form = WhatHappenedForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_what_happened(draft=draft, data=form.to_draft())
        return _after_step(draft, "what")
    return _journey(request, "what.html", draft, 2, form=form)


# 3. Who ------------------------------------------------------------------------------------


def _pupil_choices(school, query: str):
    pupils = Pupil.objects.filter(school=school).on_list().matching(query)
    return list(pupils.order_by("last_name", "first_name")[: PUPILS_IN_SELECT + 1])


def _draft_pupil_rows(draft) -> list[dict]:
    """The pupils added so far, for display."""
    entries = services.draft_pupils(draft)
    ids = [e["pupil_id"] for e in entries if "pupil_id" in e]
    listed = {str(p.pk): p for p in Pupil.objects.filter(pk__in=ids, school=draft.school)}
    rows = []
    for entry in entries:
        if "pupil_id" in entry:
            pupil = listed.get(entry["pupil_id"])
            if pupil is None:
                continue
            first, last = pupil.first_name, pupil.last_name
            year = pupil.get_year_group_display()
            added = False
        else:
            new = entry.get("new", {})
            first, last = new.get("first_name", ""), new.get("last_name", "")
            year = YearGroup(new["year_group"]).label if new.get("year_group") else ""
            added = True
        rows.append(
            {
                "key": entry["key"],
                "name": f"{first} {last}",
                # Shown apart, each isolated, so a name in two scripts keeps first name first.
                "first_name": first,
                "last_name": last,
                "year": year,
                "role": PupilRole(entry["role"]).label,
                "added": added,
            }
        )
    return rows


@access.school_role(*ALL_SCHOOL_ROLES)
@require_http_methods(["GET", "POST"])
def report_who(request, school, draft):
    """The pupils involved. Each add or remove is saved at once; the adults question has a page
    of its own so nothing typed there can be lost by adding a pupil."""
    draft = access.get_own_draft(request, school, draft)
    search = PupilSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    choices = _pupil_choices(school, query)
    action = request.POST.get("action") if request.method == "POST" else None

    if action == "choose":
        # Checked against the whole school list, not only the current search.
        choose_form = ChoosePupilForm(
            request.POST,
            pupils=Pupil.objects.filter(school=school).on_list().order_by("last_name"),
        )
    else:
        choose_form = ChoosePupilForm(pupils=choices[:PUPILS_IN_SELECT])
    new_form = NewPupilForm(request.POST if action == "new" else None)

    if action == "choose" and choose_form.is_valid():
        pupil = Pupil.objects.get(pk=choose_form.cleaned_data["pupil"], school=school)
        services.add_listed_pupil(draft=draft, pupil=pupil, role=choose_form.cleaned_data["role"])
        return redirect(_step_url(draft, "who") + "#pupils-added")
    if action == "new" and new_form.is_valid():
        services.add_new_pupil(draft=draft, **new_form.cleaned_data)
        return redirect(_step_url(draft, "who") + "#pupils-added")
    if action == "remove":
        services.remove_pupil(draft=draft, key=request.POST.get("key", ""))
        return redirect(_step_url(draft, "who") + "#pupils-added")

    return _journey(
        request,
        "who.html",
        draft,
        3,
        search=search,
        query=query,
        choose_form=choose_form,
        new_form=new_form,
        pupils_added=_draft_pupil_rows(draft),
        too_many_pupils=len(choices) > PUPILS_IN_SELECT,
        nobody_matches=bool(query) and not choices,
        failed_form={"choose": choose_form, "new": new_form}.get(action),
    )


@access.school_role(*ALL_SCHOOL_ROLES)
@require_http_methods(["GET", "POST"])
def report_adults(request, school, draft):
    draft = access.get_own_draft(request, school, draft)
    who = draft.data.get("who", {})
    adults_form = AdultsForm(
        request.POST if request.method == "POST" else None,
        initial={k: who.get(k) for k in ("adults_involved", "adults_description")},
    )
    if request.method == "POST" and adults_form.is_valid():
        services.save_adults(draft=draft, **adults_form.cleaned_data)
        return _after_step(draft, "who")
    return _journey(request, "adults.html", draft, 3, adults_form=adults_form)


# 4. The triage checklist and its outcome ---------------------------------------------------


@access.school_role(*ALL_SCHOOL_ROLES)
@require_http_methods(["GET", "POST"])
def report_checklist(request, school, draft):
    draft = access.get_own_draft(request, school, draft)
    checklist = services.checklist_for(draft)
    derived = services.derived_answers(checklist, draft.data)
    saved = draft.data.get("checklist", {})
    initial = saved.get("answers", {}) if saved.get("version") == checklist.version else {}
    form = ChecklistForm(
        request.POST if request.method == "POST" else None,
        checklist=checklist,
        skip=derived.keys(),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        services.save_checklist(draft=draft, checklist=checklist, answers=form.cleaned_data)
        return _after_step(draft, "checklist")
    return _journey(request, "checklist.html", draft, 4, form=form, checklist=checklist)


@access.school_role(*ALL_SCHOOL_ROLES)
@require_http_methods(["GET"])
def report_outcome(request, school, draft):
    draft = access.get_own_draft(request, school, draft)
    outcome = services.outcome_for(draft)
    if outcome is None:
        return redirect(_step_url(draft, "checklist"))
    return _journey(
        request,
        "outcome.html",
        draft,
        4,
        outcome=outcome,
        next_step=services.first_missing_step(draft),
    )


# 5. Check your answers, then submit --------------------------------------------------------


def _labels(draft) -> dict:
    what = draft.data.get("what", {})
    who = draft.data.get("who", {})
    checklist = services.checklist_for(draft)
    derived = services.derived_answers(checklist, draft.data)
    answers = draft.data.get("checklist", {}).get("answers", {})
    checklist_rows = []
    for question in checklist.questions:
        if question.id in derived or question.id not in answers:
            continue
        # "Change" goes to the question itself: radios are numbered from 1 (GOV.UK pack).
        checklist_rows.append(
            (question.text, question.label_for(answers[question.id]), f"id_{question.id}_1")
        )
    return {
        "what": what,
        "kind": Kind(what["kind"]).label if what.get("kind") else "",
        "came_to_light": CameToLight(what["came_to_light"]).label
        if what.get("came_to_light")
        else "",
        "location": Location(what["location"]).label if what.get("location") else "",
        "happened_on": date.fromisoformat(what["happened_on"]) if what.get("happened_on") else None,
        "adults_involved": YesNoUnknown(who["adults_involved"]).label
        if who.get("adults_involved")
        else "",
        "adults_description": who.get("adults_description", ""),
        "checklist_rows": checklist_rows,
    }


@access.school_role(*ALL_SCHOOL_ROLES)
@require_http_methods(["GET", "POST"])
def report_check(request, school, draft):
    if services.was_sent(actor=request.user, draft_id=draft):
        # Back from "Report sent", a double click or a second tab: say so, not "Page not found".
        messages.info(request, services.ALREADY_SENT)
        return redirect("incidents:my_reports")
    draft = access.get_own_draft(request, school, draft)
    missing = services.first_missing_step(draft) or services.unanswered_question(draft)
    if missing:
        messages.info(request, f"{STEP_TITLES[missing]}: please answer this step first.")
        return redirect(_step_url(draft, missing))
    if request.method == "POST":
        try:
            incident = services.submit_report(actor=request.user, draft=draft, request=request)
        except ValidationError as error:
            messages.info(request, error.messages[0])
            if error.code == "already_sent":
                return redirect("incidents:my_reports")
            return redirect("incidents:report_check", school=school.slug, draft=draft.pk)
        return redirect(
            "incidents:report_submitted", school=school.slug, reference=incident.reference
        )
    return _journey(
        request,
        "check.html",
        draft,
        5,
        answers=_labels(draft),
        pupils_added=_draft_pupil_rows(draft),
        outcome=services.outcome_for(draft),
    )


@access.school_role(*ALL_SCHOOL_ROLES)
@require_http_methods(["GET", "POST"])
def report_discard(request, school, draft):
    draft = access.get_own_draft(request, school, draft)
    if request.method == "POST":
        services.discard_draft(actor=request.user, draft=draft)
        messages.success(request, "Your unfinished report has been deleted.")
        return redirect("incidents:report_start", school=school.slug)
    return render(request, "incidents/report/discard.html", {"draft": draft, "school": school})


# 6. Confirmation ---------------------------------------------------------------------------


@access.school_role(*ALL_SCHOOL_ROLES)
@require_http_methods(["GET"])
def report_submitted(request, school, reference):
    incident = access.get_own_incident(request, reference, school=school)
    return render(
        request,
        "incidents/report/submitted.html",
        {
            "incident": incident,
            "school": school,
            "outcome": Outcome.from_dict(incident.outcome),
            # Nobody can open the case until the school has a DSL or deputy here.
            "has_lead": bool(case_reviewers(school)),
        },
    )


# My reports --------------------------------------------------------------------------------


@access.signed_in
@require_http_methods(["GET"])
def my_reports(request):
    incidents = (
        access.own_incidents(request.user).select_related("school").order_by("-submitted_at")
    )
    return render(request, "incidents/my_reports.html", {"incidents": incidents})


@access.own_report
@require_http_methods(["GET", "POST"])
def my_report(request, incident):
    form = FollowUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_follow_up(
                actor=request.user,
                incident=incident,
                text=form.cleaned_data["text"],
                request=request,
            )
        except ValidationError as error:
            form.add_error("text", error)
        else:
            messages.success(request, "Thank you. Your further information has been added.")
            return redirect("incidents:my_report", reference=incident.reference)
    services.log_case_view(incident=incident, actor=request.user, request=request, via="my_report")
    involvements = incident.involvements.select_related("pupil").order_by(
        "pupil__last_name", "pupil__first_name"
    )
    return render(
        request,
        "incidents/my_report.html",
        {
            "incident": incident,
            "involvements": involvements,
            "follow_ups": incident.follow_ups.all(),
            "form": form,
            "outcome": Outcome.from_dict(incident.outcome),
        },
    )


# The pupil list ----------------------------------------------------------------------------


@access.school_role(*PUPIL_LIST_ROLES)
@require_http_methods(["GET"])
def pupils(request, school):
    search = PupilSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    pupils = Pupil.objects.filter(school=school).on_list().matching(query, mis_id=True)
    page = Paginator(pupils.order_by("last_name", "first_name"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "incidents/pupils/list.html",
        {
            "school": school,
            "search": search,
            "query": query,
            "page": page,
            "can_import": Role.SCHOOL_ADMIN in request.school_roles,
        },
    )


@access.school_role(Role.SCHOOL_ADMIN)
@require_http_methods(["GET", "POST"])
def pupils_import(request, school):
    form = PupilImportForm(request.POST if request.method == "POST" else None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.import_pupils(
            actor=request.user, school=school, csv_text=form.cleaned_data["csv_text"]
        )
    return render(
        request,
        "incidents/pupils/import.html",
        {"school": school, "form": form, "result": result},
    )
