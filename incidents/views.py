"""The reporting journey, "My reports" and the pupil list. Thin: access, form, service, redirect."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from guidance.checklist import load_checklist
from guidance.staff_guidance import DANGER
from guidance.triage import Outcome
from notifications.services import alert_states, case_reviewers, mark_case_read
from safeguarding import access, searches
from safeguarding.models import Role

from . import journey, services
from .forms import (
    AcknowledgeForm,
    ChecklistForm,
    ChoosePupilForm,
    FollowUpForm,
    NewPupilForm,
    PupilImportForm,
    PupilSearchForm,
    WhatHappenedForm,
    pupil_ages_hint,
)
from .models import CameToLight, Location, Pupil, PupilRole, YearGroup
from .referral_columns import COLUMN_HELP

ALL_SCHOOL_ROLES = access.ALL_SCHOOL_ROLES
PUPIL_LIST_ROLES = (Role.SCHOOL_ADMIN, Role.DSL, Role.DEPUTY_DSL)
PUPILS_IN_SELECT = 500
# The reference of a report just sent whose reporter is to be told the DSL already has one.
REPORTED_ALREADY = "_reported_already"
STEP_TITLES = {
    "what": "What happened",
    "who": "Who was involved",
    "checklist": "Questions",
}
STEP_URLS = {
    "what": "incidents:report_what",
    "who": "incidents:report_who",
    "checklist": "incidents:report_checklist",
}


def _step_url(draft, step: str) -> str:
    return reverse(STEP_URLS[step], kwargs={"school": draft.school.slug, "draft": draft.pk})


def _own_draft(request, school, draft_id):
    """The reporter's own draft (else 404), in today's shape if it was begun before it."""
    return services.upgrade_draft(access.get_own_draft(request, school, draft_id))


def _after_step(draft):
    """Go on to the next step, or to "Check your answers" once every step is done (so a step
    opened from a Change link comes back there)."""
    missing = services.first_missing_step(draft)
    if missing is None:
        return redirect("incidents:report_check", school=draft.school.slug, draft=draft.pk)
    return redirect(_step_url(draft, missing))


def _step_numbers(checklist, answers, step: str) -> dict:
    """ "Step 3 of 5": counted over the steps this report shows, so none repeats or is skipped."""
    shown = journey.steps(checklist, answers)
    return {"step_number": shown.index(step) + 1, "step_count": len(shown)}


def _journey(request, template: str, draft, step: str, **context):
    numbers = _step_numbers(services.checklist_for(draft), draft.data.get("answers", {}), step)
    context.update(draft=draft, school=draft.school, **numbers)
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
            # The staff guidance's own words: 999 only for danger now, and stay with the child.
            "danger": DANGER,
            **_step_numbers(load_checklist(), {}, "start"),
        },
    )


# 2. What happened --------------------------------------------------------------------------


@access.school_role(*ALL_SCHOOL_ROLES)
@require_http_methods(["GET", "POST"])
def report_what(request, school, draft):
    draft = _own_draft(request, school, draft)
    initial = WhatHappenedForm.initial_from_draft(
        draft.data.get("what", {}), draft.data.get("answers", {})
    )
    form = WhatHappenedForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        checklist=services.checklist_for(draft),
    )
    if request.method == "POST" and form.is_valid():
        what, answers = form.to_draft()
        services.save_what_happened(draft=draft, data=what, answers=answers)
        return _after_step(draft)
    return _journey(request, "what.html", draft, "what", form=form)


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
            born = pupil.date_of_birth
            added = False
            identity = entry["pupil_id"]
        else:
            new = entry.get("new", {})
            first, last = new.get("first_name", ""), new.get("last_name", "")
            year = YearGroup(new["year_group"]).label if new.get("year_group") else ""
            born = None
            added = True
            identity = (first, last, year)
        rows.append(
            {
                "key": entry["key"],
                "identity": identity,
                "name": f"{first} {last}",
                # Shown apart, each isolated, so a name in two scripts keeps first name first.
                "first_name": first,
                "last_name": last,
                "year": year,
                "born": born,
                "role": PupilRole(entry["role"]).label,
                "added": added,
            }
        )
    return rows


def _pupils_once(rows: list[dict]) -> list[dict]:
    """Each pupil once, with all their parts in it: for the "under 13" question."""
    pupils: dict = {}
    for row in rows:
        pupil = pupils.setdefault(row["identity"], {**row, "roles": []})
        pupil["roles"].append(row["role"].lower())
    return [{**p, "roles": ", ".join(p["roles"])} for p in pupils.values()]


@access.school_role(*ALL_SCHOOL_ROLES)
@require_http_methods(["GET", "POST"])
def report_who(request, school, draft):
    """The pupils involved, from the school list or by name. "Add this pupil" saves at once;
    "Continue" adds whatever is chosen or typed too, then goes on."""
    draft = _own_draft(request, school, draft)
    action = request.POST.get("action") if request.method == "POST" else None
    # A search is posted and shown at ?search=<id>: names stay out of URLs (safeguarding.searches).
    if action == "search":
        search = PupilSearchForm(request.POST)
        if search.is_valid():
            return _search_results(request, search.cleaned_data["q"], anchor="#add-pupil")
        query = ""
    else:
        _, query = searches.recall(request)
        search = PupilSearchForm({"q": query} if query else None)
    choices = _pupil_choices(school, query)

    if action == "remove":
        services.remove_pupil(draft=draft, key=request.POST.get("key", ""))
        return redirect(_step_url(draft, "who") + "#pupils-added")

    adding = action in ("add", "continue")
    if adding:
        # Checked against the whole school list, not only the current search.
        choose_form = ChoosePupilForm(
            request.POST,
            pupils=Pupil.objects.filter(school=school).on_list().order_by("last_name"),
        )
        new_form = NewPupilForm(request.POST)
    else:
        choose_form = ChoosePupilForm(pupils=choices[:PUPILS_IN_SELECT])
        new_form = NewPupilForm()
    failed = []
    if adding:
        started = [form for form in (choose_form, new_form) if form.started()]
        if action == "add" and not started:
            started = [choose_form]  # "Add" with nothing chosen: say what to choose
        failed = [form for form in started if not form.is_valid()]
        if not failed:
            if choose_form in started:
                pupil = Pupil.objects.get(pk=choose_form.cleaned_data["pupil"], school=school)
                role = choose_form.cleaned_data["role"]
                services.add_listed_pupil(draft=draft, pupil=pupil, role=role)
            if new_form in started:
                services.add_new_pupil(draft=draft, **new_form.cleaned_data)
            if action == "continue":
                services.finish_who(draft=draft)
                return _after_step(draft)
            return redirect(_step_url(draft, "who") + "#pupils-added")
        # Nothing chosen or typed is lost: only the untouched part starts afresh.
        if choose_form not in started:
            choose_form = ChoosePupilForm(pupils=choices[:PUPILS_IN_SELECT])
        if new_form not in started:
            new_form = NewPupilForm()

    return _journey(
        request,
        "who.html",
        draft,
        "who",
        search=search,
        query=query,
        choose_form=choose_form,
        new_form=new_form,
        pupils_added=_draft_pupil_rows(draft),
        too_many_pupils=len(choices) > PUPILS_IN_SELECT,
        nobody_matches=bool(query) and not choices,
        failed_forms=failed + ([search] if search.errors else []),
    )


# 4. The staff's questions ------------------------------------------------------------------


@access.school_role(*ALL_SCHOOL_ROLES)
@require_http_methods(["GET", "POST"])
def report_checklist(request, school, draft):
    draft = _own_draft(request, school, draft)
    checklist = services.checklist_for(draft)
    answers = services.draft_answers(draft)
    form = ChecklistForm(
        request.POST if request.method == "POST" else None,
        checklist=checklist,
        earlier_answers={k: v for k, v in answers.items() if k in journey.WHAT_QUESTION_IDS},
        initial={**answers, **draft.data.get("details", {})},
        ages_hint=pupil_ages_hint(
            _pupils_once(_draft_pupil_rows(draft)), today=timezone.localdate()
        ),
    )
    if request.method == "POST" and form.is_valid():
        services.save_questions(draft=draft, answers=form.answers(), details=form.details())
        return _after_step(draft)
    return _journey(request, "checklist.html", draft, "checklist", form=form, checklist=checklist)


@access.school_role(*ALL_SCHOOL_ROLES)
@require_http_methods(["GET"])
def report_outcome(request, school, draft):
    """Everything the checklist says happens next, in full (linked from "Check your answers")."""
    draft = _own_draft(request, school, draft)
    outcome = services.outcome_for(draft)
    if outcome is None:
        return redirect(_step_url(draft, "checklist"))
    return render(
        request,
        "incidents/report/outcome.html",
        {"draft": draft, "school": school, "outcome": outcome},
    )


# 5. Check your answers, then submit --------------------------------------------------------


# How the words given after a "yes" are headed where the answers are shown.
FOLLOW_UP_KEYS = {
    "adults_description": "Who the adult is",
    "device_details": "The device, and where it is now",
    "imagery_viewed_by": "Who saw the image",
    "imagery_viewed_when": "Roughly when",
}


def _answer_rows(questions, answers: dict, details: dict) -> list[dict]:
    """Each answered question (as the checklist version words it) and its answer, then any
    words given after a "yes". `anchor` is where its Change link goes: the question itself
    (radios are numbered from 1 by the GOV.UK pack)."""
    rows = []
    for question in questions:
        if question.id not in answers:
            continue
        value = answers[question.id]
        label = question.label_for(value)
        rows.append({"key": question.text, "value": label, "anchor": f"id_{question.id}_1"})
        for name in journey.follow_ups_asked({question.id: value}):
            if details.get(name):
                rows.append(
                    {
                        "key": FOLLOW_UP_KEYS[name],
                        "value": details[name],
                        "anchor": f"id_{name}",
                        "long": True,
                    }
                )
    return rows


def _labels(draft) -> dict:
    what = draft.data.get("what", {})
    details = draft.data.get("details", {})
    checklist = services.checklist_for(draft)
    answers = services.draft_answers(draft)
    return {
        "what": what,
        "what_rows": _answer_rows(journey.what_questions(checklist), answers, details),
        "came_to_light": CameToLight(what["came_to_light"]).label
        if what.get("came_to_light")
        else "",
        "location": Location(what["location"]).label if what.get("location") else "",
        "happened_on": date.fromisoformat(what["happened_on"]) if what.get("happened_on") else None,
        "checklist_rows": _answer_rows(journey.page_questions(checklist), answers, details),
    }


def reporter_answer_rows(incident) -> list[dict]:
    """What the reporter answered, as they were asked it, with the words they gave after a
    "yes": for their own copy of the report (nothing for a version this service does not hold)."""
    try:
        checklist = load_checklist(incident.checklist_version)
    except LookupError:
        return []
    details = {name: getattr(incident, name) for name in journey.FOLLOW_UP_FIELDS}
    return _answer_rows(journey.staff_questions(checklist), incident.answers, details)


@access.school_role(*ALL_SCHOOL_ROLES)
@require_http_methods(["GET", "POST"])
def report_check(request, school, draft):
    if services.was_sent(actor=request.user, draft_id=draft):
        # Back from "Report sent", a double click or a second tab: say so, not "Page not found".
        messages.info(request, services.ALREADY_SENT)
        return redirect("incidents:my_reports")
    draft = _own_draft(request, school, draft)
    missing = services.first_missing_step(draft)
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
        if incident.reporter_told:
            # Said on the report-sent page once, straight after sending (not on a later visit).
            request.session[REPORTED_ALREADY] = incident.reference
        return redirect(
            "incidents:report_submitted", school=school.slug, reference=incident.reference
        )
    shown = journey.steps(services.checklist_for(draft), draft.data.get("answers", {}))
    return _journey(
        request,
        "check.html",
        draft,
        "check",
        back=_step_url(draft, shown[-2]),
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
            "reported_already": request.session.pop(REPORTED_ALREADY, None) == incident.reference,
        },
    )


# My reports --------------------------------------------------------------------------------


@access.signed_in
@require_http_methods(["GET"])
def my_reports(request):
    incidents = list(
        access.own_incidents(request.user).select_related("school").order_by("-submitted_at")
    )
    # Whether a safeguarding lead has been alerted, and when: the reporter tells them in
    # person when not.
    states = alert_states(incidents)
    rows = [(incident, states[incident.pk]) for incident in incidents]
    return render(
        request,
        "incidents/my_reports.html",
        {
            "rows": rows,
            "tell_in_person": any(s.state in ("not_alerted", "no_lead") for _, s in rows),
        },
    )


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
    mark_case_read(user=request.user, incident_id=incident.pk)
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
            "answer_rows": reporter_answer_rows(incident),
        },
    )


# The pupil list ----------------------------------------------------------------------------


@access.school_role(*PUPIL_LIST_ROLES)
@require_http_methods(["GET", "POST"])
def pupils(request, school):
    """The school's pupil list. A search is posted, never put in the URL (safeguarding.searches)."""
    if request.method == "POST":
        search = PupilSearchForm(request.POST)
        if search.is_valid():
            return _search_results(request, search.cleaned_data["q"])
        search_id, query = "", ""
    else:
        search_id, query = searches.recall(request)
        search = PupilSearchForm({"q": query} if query else None)
    can_see_cases = bool(request.school_roles & set(access.CASE_REVIEWERS))
    pupils = Pupil.objects.filter(school=school).on_list()
    if not can_see_cases:
        # A pupil added while reporting is on the list only because someone named them in a
        # report: only those who see the school's cases may learn that (a school admin sees
        # them once the school's own list is imported with them on it).
        pupils = pupils.filter(added_from_report=False)
    pupils = pupils.matching(query, mis_id=True)
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
            "search_id": search_id,
            "page": page,
            "can_import": Role.SCHOOL_ADMIN in request.school_roles,
            "can_see_cases": can_see_cases,
        },
    )


def _search_results(request, words: str, anchor: str = ""):
    """Redirect to this page showing the results for `words`, named by a server-side id."""
    url = request.path
    if words.split():
        url += f"?{searches.PARAM}={searches.remember(request, words)}"
    return redirect(url + anchor)


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
        {"school": school, "form": form, "result": result, "detail_columns": COLUMN_HELP},
    )
