"""Case management for DSLs and deputies. Thin: access decorator, form, service, redirect."""

import inspect
import time
import uuid
from collections import defaultdict

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, Window
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from incidents import services as pupil_services
from incidents.models import AgencyInvolvement, Carer, Incident, IncidentPupil, Pupil, Status
from notifications import context_processors as banners
from safeguarding import access, audit, searches
from safeguarding.models import Role

from . import answers, forms, services, timeline, workflow
from . import search as case_search
from .filters import InboxFilter, filter_form_html, inbox_cases
from .models import Decision, Referral, ReviewMeeting, Task

INBOX_PAGE_SIZE = 25
JUST_CHANGED = "_case_just_changed"
JUST_CHANGED_SECONDS = 30
# A status the case page offers to move to, straight after a record that implies it.
OFFER_MOVE = "_case_offer_move"
# Fields naming who did something or will, which start as the signed-in person.
PERSON_FIELDS = ("owner", "offered_by")


@access.signed_in
@require_safe
def my_schools(request):
    """The schools whose cases this person manages; straight to the inbox if there is one."""
    schools = list(access.schools_for(request.user, access.CASE_REVIEWERS).order_by("name"))
    if len(schools) == 1:
        return redirect("cases:inbox", school=schools[0].slug)
    return render(request, "cases/my_schools.html", {"schools": schools})


@access.school_role(*access.CASE_REVIEWERS)
@require_http_methods(["GET", "HEAD", "POST"])
def inbox(request, school):
    """A school's cases. The filters are posted: the pupil's name goes to the session, the rest
    to the URL (safeguarding.searches), so no pupil's name is ever in one."""
    if request.method == "POST":
        chosen = request.POST.copy()
        chosen.pop("csrfmiddlewaretoken", None)
        words = chosen.pop("pupil", [""])[-1]
        query = QueryDict(mutable=True)
        for name, values in chosen.lists():
            query.setlist(name, [v for v in values if v])
        if words.split():
            query[searches.PARAM] = searches.remember(request, words)
        return redirect(request.path + (f"?{query.urlencode()}" if query else ""))
    data = request.GET.copy()
    data.pop("pupil", None)  # a name typed into the URL by hand is ignored
    search_id, words = searches.recall(request)
    if words:
        data["pupil"] = words
    case_filter = InboxFilter(data or None, queryset=inbox_cases(school), school=school)
    page = _page_of(case_filter.qs, request.GET.get("page"), INBOX_PAGE_SIZE)
    # The inbox names the pupils in each case and their part: seeing those cases.
    services.log_cases_seen(
        incidents=page.object_list,
        actor=request.user,
        via="inbox",
        listed_on=school,
        school=school,
        request=request,
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("pupil", None)
    return render(
        request,
        "cases/inbox.html",
        {
            "school": school,
            "filter": case_filter,
            "filter_form": filter_form_html(case_filter),
            "page": page,
            "query": query.urlencode(),
            "Status": Status,
        },
    )


def _page_of(queryset, number, per_page: int) -> Page:
    """`Paginator(queryset, per_page).get_page(number)` with its rows listed, in one query
    where the page has rows: the number of rows in all comes with them (a window count)."""
    paginator = Paginator(queryset, per_page)
    if number is None or (isinstance(number, str) and number.isdigit() and int(number) >= 1):
        index = int(number or 1)
        rows = list(
            queryset.annotate(rows_in_all=Window(Count("pk")))[
                (index - 1) * per_page : index * per_page
            ]
        )
        if rows:
            paginator.count = rows[0].rows_in_all
            return Page(rows, index, paginator)
    page = paginator.get_page(number)  # past the end, no rows, or no page number
    page.object_list = list(page.object_list)
    return page


@access.case("view")
@require_safe
def case_detail(request, incident):
    if not _just_changed(request, incident):
        services.log_case_view(incident=incident, actor=request.user, request=request)
    banners.mark_case_read(request, incident.pk)
    # Every view is audited; the timeline shows what was done unless asked for the views too.
    with_views = request.GET.get("views") == "shown"
    case_file = timeline.load_case_file(incident, with_views=with_views)
    newest_first = request.GET.get("order") == "newest"
    timeline_entries = case_file.timeline if with_views else case_file.actions
    pupils = [entry.pupil for entry in case_file.pupils]
    read_only = services.all_gone(pupils)
    # The pupils have gone with their files: the case can be moved on and closed, not reopened.
    moves = (
        []
        if read_only and incident.status == Status.CLOSED
        else workflow.moves_from(incident.status)
    )
    return render(
        request,
        "cases/case_detail.html",
        {
            "incident": incident,
            "case": case_file,
            "timeline": timeline_entries[::-1] if newest_first else timeline_entries,
            "with_views": with_views,
            "newest_first": newest_first,
            "views_hidden": case_file.times_seen,
            "moves": moves,
            "offered_move": None if read_only else _offered_move(request, incident),
            "is_dsl": Role.DSL in request.school_roles,
            "is_open": incident.status != Status.CLOSED and not read_only,
            "read_only": read_only,
            "transferred": services.transferred(pupils),
            "Status": Status,
        },
    )


def _show_case(incident: Incident, request):
    """Back to the case page after a change. That page is not counted as a new view: the person
    was on the case (or its form, recorded) a moment ago (`_just_changed`)."""
    request.session[JUST_CHANGED] = [incident.reference, time.time()]
    return redirect("cases:detail", reference=incident.reference)


def _just_changed(request, incident: Incident) -> bool:
    """Whether this is the case page shown straight after a change to it (`_show_case`)."""
    reference, at = request.session.pop(JUST_CHANGED, None) or ("", 0.0)
    return reference == incident.reference and time.time() - at < JUST_CHANGED_SECONDS


def _offer_move(request, incident: Incident, targets, *, after: str) -> None:
    """After a record that implies a status (a referral: "Referred"; a decision to manage it in
    school: "Managed in school"), the case page offers the first of `targets` the workflow allows
    in one click (`_offered_move`); `after` says what was recorded, in words. Nothing moves
    until the person chooses it."""
    allowed = {m.target for m in workflow.moves_from(incident.status)}
    target = next((t for t in targets or () if t in allowed), None)
    if target:
        request.session[OFFER_MOVE] = [incident.reference, target, after]


def _offered_move(request, incident: Incident) -> dict | None:
    """The move `_offer_move` left for this case (and what was recorded that led to it), once,
    if the workflow still allows it."""
    reference, target, after = request.session.pop(OFFER_MOVE, None) or ("", "", "")
    if reference != incident.reference:
        return None
    move = next((m for m in workflow.moves_from(incident.status) if m.target == target), None)
    return {"move": move, "after": after} if move else None


# What each decision implies, in order of preference where the workflow allows more than one.
# 'No further action' closes the case (outcome "No further action needed") where the case can
# be closed; under review, where it cannot, it is managed in school until then.
DECISION_MOVES = {
    Decision.Choice.REFER: (Status.REFERRED,),
    Decision.Choice.NOT_REFER: (Status.MANAGED_IN_SCHOOL,),
    Decision.Choice.NO_FURTHER_ACTION: (Status.CLOSED, Status.MANAGED_IN_SCHOOL),
}
DECISION_IN_WORDS = {
    Decision.Choice.REFER: "a decision to refer",
    Decision.Choice.NOT_REFER: "a decision not to refer but to manage it in school",
    Decision.Choice.NO_FURTHER_ACTION: "a decision of no further action",
}


def _save_or_show_errors(form, save) -> bool:
    """Run `save()`; a CaseError is shown on the form instead. True when it saved."""
    try:
        save()
    except services.CaseError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return False
    return True


@access.case("change")
@require_POST
def acknowledge(request, incident):
    try:
        services.acknowledge(incident=incident, actor=request.user, request=request)
    except services.CaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "You have acknowledged this case.")
    return _show_case(incident, request)


@access.case("change")
def change_status(request, incident):
    form = forms.StatusForm(request.POST or None, current_status=incident.status)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def save():
            services.change_status(
                incident=incident,
                actor=request.user,
                to_status=data["to_status"],
                reason=data.get("reason", ""),
                closing_outcome=data.get("closing_outcome", ""),
                request=request,
            )

        if _save_or_show_errors(form, save):
            messages.success(request, f"The case is now {incident.get_status_display().lower()}.")
            return _show_case(incident, request)
    closable = any(m.target == Status.CLOSED for m in workflow.moves_from(incident.status))
    # Closing leaves a task not done for good: say so before, while it can still be finished.
    open_tasks = Task.objects.filter(incident=incident, done_at__isnull=True) if closable else []
    return _form_page(
        request, incident, form, "Change the status", adds_to_case=False, open_tasks=open_tasks
    )


@access.case("change")
def assign(request, incident):
    form = forms.AssignForm(
        request.POST or None,
        reviewers=services.reviewers_of(incident.school),
        initial={"assignee": incident.assigned_to_id},
    )
    if request.method == "POST" and form.is_valid():
        assignee = form.cleaned_data["assignee"]
        if _save_or_show_errors(
            form,
            lambda: services.assign(
                incident=incident, actor=request.user, assignee=assignee, request=request
            ),
        ):
            messages.success(request, f"Assigned to {assignee.full_name}.")
            return _show_case(incident, request)
    return _form_page(request, incident, form, "Assign the case")


def _form_page(request, incident, form, title, intro="", *, adds_to_case=True, **extra):
    """A page with one form. One that adds to the case says so on a closed case and offers to
    reopen it; its form is then shown only to give back what someone typed before the case was
    closed (the service refuses it)."""
    is_closed = adds_to_case and incident.status == Status.CLOSED
    # Every page of a case shows something of it (its pupils, its tasks, what was reported...).
    services.log_case_view(
        incident=incident,
        actor=request.user,
        request=request,
        via=request.resolver_match.url_name if request.resolver_match else "form",
    )
    return render(
        request,
        "cases/record_form.html",
        {
            "incident": incident,
            "form": form if form.is_bound or not is_closed else None,
            "title": title,
            "intro": intro,
            "is_closed": is_closed,
            **extra,
        },
    )


def _record_view(
    form_class, service, title, *, action="change", intro="", form_kwargs=None, moves_to=None
):
    """A page with one form that adds one record to a case through `service`. `moves_to(data)`
    names the statuses the record implies and the record in words, and the case page then
    offers the move (`_offer_move`)."""
    accepted = set(inspect.signature(service).parameters) - {"incident", "actor", "request"}

    @access.case(action)
    def view(request, incident):
        extra = form_kwargs(incident) if form_kwargs else {}
        # Who did it: the signed-in person unless they say otherwise.
        initial = {
            name: request.user.pk for name in PERSON_FIELDS if name in form_class.base_fields
        }
        form = form_class(request.POST or None, incident=incident, initial=initial, **extra)
        if request.method == "POST" and form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k in accepted}
            if _save_or_show_errors(
                form,
                lambda: service(incident=incident, actor=request.user, request=request, **data),
            ):
                messages.success(request, "Saved.")
                if moves_to:
                    incident.refresh_from_db(fields=["status"])
                    targets, after = moves_to(form.cleaned_data)
                    _offer_move(request, incident, targets, after=after)
                return _show_case(incident, request)
        return _form_page(request, incident, form, title, intro)

    return view


def _involved_pupils(incident):
    return Pupil.objects.filter(involvements__incident=incident).distinct()


def _initial_review_form_kwargs(incident):
    reviews = ReviewMeeting.objects.filter(incident=incident).order_by("recorded_at", "id")
    return {
        "checklist": answers.checklist_of(incident.checklist_version),
        "questions": services.review_questions(incident),
        "previous_answers": answers.merged_review_answers(reviews),
    }


review_meeting = _record_view(
    forms.InitialReviewForm,
    services.record_initial_review,
    "Initial review",
    intro="Find out what the reporter could not tell you, answer the checklist's review "
    "questions and record what you considered. The reporter's answers stay as they gave them; "
    "the checklist is run again over theirs and yours, and shown beside the original.",
    form_kwargs=_initial_review_form_kwargs,
)
referral = _record_view(
    forms.ReferralForm,
    services.record_referral,
    "Record a referral",
    moves_to=lambda data: ((Status.REFERRED,), "a referral"),
)
decision = _record_view(
    forms.DecisionForm,
    services.record_decision,
    "Record a decision",
    intro="Record every decision and why, including a decision not to refer.",
    moves_to=lambda data: (
        DECISION_MOVES.get(data["decision"], ()),
        DECISION_IN_WORDS.get(data["decision"], ""),
    ),
)
parents_informed = _record_view(
    forms.ParentsInformedForm,
    services.record_parents_informed,
    "Parents or carers",
    intro="Parents or carers should usually be told early, unless that would put a child at risk.",
)
removal_offered = _record_view(
    forms.RemovalOfferedForm,
    services.record_removal_offered,
    "Removal offered",
    intro="Record that the pupil was offered help to get the image removed. "
    "The school never handles the image itself.",
    form_kwargs=lambda incident: {
        "pupils": _involved_pupils(incident),
        "staff": services.staff_of(incident.school),
    },
)
device_secured = _record_view(
    forms.DeviceSecuredForm,
    services.record_device_secured,
    "Device secured",
    intro="The device should be switched off and not searched.",
)
imagery_viewing = _record_view(
    forms.ImageryViewingForm,
    services.record_imagery_viewing,
    "Record viewing imagery",
    action="record_imagery_viewing",
    intro="Only the DSL may view imagery, only when it cannot be avoided, and with another "
    "member of staff present. Never copy, print or share it.",
)
staff_saw_imagery = _record_view(
    forms.StaffSawImageryForm,
    services.record_staff_saw_imagery,
    "Staff who saw the image",
    intro="Record a member of staff who saw the image, usually by accident. This is not the "
    "DSL viewing it on purpose, which is recorded apart. Say who and roughly when, never what "
    "it showed, and offer them support.",
)


def _confirm_view(service, done: str):
    """One button on the case page: the DSL confirms what the reporter said (their own
    record, audited)."""

    @access.case("change")
    @require_POST
    def view(request, incident):
        try:
            service(incident=incident, actor=request.user, request=request)
        except services.CaseError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
        return _show_case(incident, request)

    return view


confirm_device = _confirm_view(
    services.confirm_reported_device, "Confirmed: the device was given to the DSL."
)
confirm_staff_saw_imagery = _confirm_view(
    services.confirm_reported_viewing, "Confirmed: someone on the staff saw the image."
)


add_task = _record_view(
    forms.TaskForm,
    services.add_task,
    "Add a task",
    form_kwargs=lambda incident: {
        "staff": services.task_owners(incident.school),
        "pastoral": services.pastoral_staff_of(incident.school)
        if incident.school.pastoral_tasks
        else (),
    },
)
triage_override = _record_view(
    forms.TriageOverrideForm,
    services.override_triage,
    "Your decision on the triage outcome",
    intro="The checklist's outcome stays on the record. Your decision is shown beside it and "
    "becomes the case's current one, in the cases list and the statistics.",
    form_kwargs=lambda incident: {"current": services.current_assessment(incident)},
)
add_note = _record_view(forms.NoteForm, services.add_note, "Add a note")
# At most this many pupils a search shows: type more of the name to narrow it.
PUPILS_FOUND_AT_MOST = 30
ADD_PUPIL_INTRO = (
    "Add a pupil who is part of this case but was not named when it was reported. The case "
    "then shows in their file. Your reason is on the timeline."
)


@access.case("change")
@require_http_methods(["GET", "HEAD", "POST"])
def add_pupil(request, incident):
    """Find the pupil by name (a posted search, so no name is in the URL: the results are at
    ?search=<id>), then choose them, their part and why. Nothing typed is lost on an error."""
    searching = request.method == "POST" and request.POST.get("action") == "Search"
    if searching:
        search = forms.PupilSearchForm(request.POST)
        if search.is_valid():
            search_id = searches.remember(request, search.cleaned_data["q"])
            return redirect(f"{request.path}?{searches.PARAM}={search_id}#found")
        query = ""
    else:
        _, query = searches.recall(request)
        search = forms.PupilSearchForm({"q": query} if query else None)
    on_list = Pupil.objects.filter(school=incident.school).on_list()
    found = []
    if query:
        matching = on_list.matching(query).order_by("last_name", "first_name")
        found = list(matching[: PUPILS_FOUND_AT_MOST + 1])
    shown = found[:PUPILS_FOUND_AT_MOST]
    adding = request.method == "POST" and not searching
    chosen = request.POST.get("pupil", "") if adding else ""
    if chosen and chosen not in {str(p.pk) for p in shown}:
        # Whoever was chosen stays chosen, even after the search ran out.
        shown = list(on_list.filter(pk__in=[chosen] if _is_uuid(chosen) else [])) + shown
    form = forms.AddPupilForm(
        request.POST if adding else None, incident=incident, pupils=on_list, shown=shown
    )
    if adding and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("pupil", "role", "reason")}
        if _save_or_show_errors(
            form,
            lambda: services.add_pupil(
                incident=incident, actor=request.user, request=request, **data
            ),
        ):
            messages.success(request, "Saved.")
            return _show_case(incident, request)
    return _form_page(
        request,
        incident,
        form,
        "Add a pupil to the case",
        ADD_PUPIL_INTRO,
        pupil_search=search,
        query=query,
        too_many_found=len(found) > PUPILS_FOUND_AT_MOST,
        nobody_found=bool(query) and not found,
        show_add_form=bool(shown) or adding,
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


remove_pupil = _record_view(
    forms.RemovePupilForm,
    services.remove_pupil,
    "Take a pupil off the case",
    intro="The pupil stays on the school's list. Their part in this case stays on the "
    "timeline, with your reason; the case leaves their file if it was their only part in it.",
    form_kwargs=lambda incident: {
        "involvements": IncidentPupil.objects.filter(incident=incident)
        .select_related("pupil")
        .order_by("pupil__last_name", "pupil__first_name", "role")
    },
)


def _cases_to_link(request, incident):
    """The cases the signed-in person may name from this one: their school's (access module)."""
    return access.incidents_visible_to(request.user).filter(school=incident.school)


@access.case("change")
def link_case(request, incident):
    form = forms.LinkCaseForm(
        request.POST or None, incident=incident, cases=_cases_to_link(request, incident)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _save_or_show_errors(
            form,
            lambda: services.link_cases(
                incident=incident,
                actor=request.user,
                other=form.other_case,
                reason=data["reason"],
                explanation=data.get("explanation", ""),
                request=request,
            ),
        ):
            messages.success(request, f"Linked to {form.other_case.reference}.")
            return _show_case(incident, request)
    return _form_page(
        request,
        incident,
        form,
        "Link to another case",
        "For cases that belong together: the same incident reported twice, the same image, "
        "the same person responsible. The link is shown on both cases. Nothing is moved.",
    )


@access.case("change")
def close_duplicate(request, incident):
    form = forms.DuplicateForm(
        request.POST or None,
        incident=incident,
        cases=_cases_to_link(request, incident),
        # From "Possibly the same incident as SG-…" on the case page: that case, to confirm.
        initial={"reference": request.GET.get("reference", "")[:20]},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_or_show_errors(
            form,
            lambda: services.close_as_duplicate(
                incident=incident,
                actor=request.user,
                original=form.other_case,
                reason=form.cleaned_data["reason"],
                request=request,
            ),
        )
    ):
        messages.success(request, f"Closed as a duplicate of {form.other_case.reference}.")
        return _show_case(incident, request)
    return _form_page(
        request,
        incident,
        form,
        "Close as a duplicate",
        "When the same incident was reported twice. This case is closed and linked to the one "
        "it duplicates, both ways; its records stay on it, and statistics count the incident "
        "once. Reopening this case undoes it.",
    )


@access.case("change")
@require_POST
def task_done(request, incident, task: int):
    task_row = get_object_or_404(Task, pk=task, incident=incident)
    try:
        services.complete_task(task=task_row, actor=request.user, request=request)
    except services.CaseError as error:
        messages.error(request, error.message)
        return _show_case(incident, request)
    messages.success(request, "Task marked as done.")
    return _show_case(incident, request)


@access.school_role(*access.CASE_REVIEWERS)
@require_safe
def pupil_file(request, school, pupil):
    """A pupil's child protection file: their part in every case at the school."""
    pupil_obj = Pupil.objects.filter(school=school, pk=pupil).first()
    if pupil_obj is None:
        access.deny(request, 404, school=school, reason="pupil not at this school")
    involvements = list(timeline.pupil_involvements(pupil_obj, school))
    incident_ids = {i.incident_id for i in involvements}
    # The file shows each case's decisions and referrals: one record of seeing all of them.
    shown = list({i.incident_id: i.incident for i in involvements}.values())
    if shown:
        services.log_cases_seen(
            incidents=shown,
            actor=request.user,
            via="pupil_file",
            listed_on=pupil_obj,
            school=school,
            request=request,
        )
    else:
        audit.record(
            "pupil.viewed", actor=request.user, target=pupil_obj, school=school, request=request
        )
    # The cases' decisions and referrals, and the pupil's carers and agencies: one query.
    rows = timeline.rows_of(
        {
            Decision: Q(incident_id__in=incident_ids),
            Referral: Q(incident_id__in=incident_ids),
            Carer: Q(pupil=pupil_obj),
            AgencyInvolvement: Q(pupil=pupil_obj),
        }
    )
    decisions, referrals = defaultdict(list), defaultdict(list)
    for row in rows[Decision]:
        decisions[row.incident_id].append(row)
    for row in rows[Referral]:
        referrals[row.incident_id].append(row)
    cases: dict = {}
    for involvement in involvements:
        entry = cases.setdefault(
            involvement.incident_id,
            {
                "incident": involvement.incident,
                "roles": [],
                "decisions": decisions[involvement.incident_id],
                "referrals": referrals[involvement.incident_id],
            },
        )
        entry["roles"].append(involvement.get_role_display())
    return render(
        request,
        "cases/pupil_file.html",
        {
            "school": school,
            "pupil": pupil_obj,
            "cases": list(cases.values()),
            "carers": rows[Carer],
            "agencies": rows[AgencyInvolvement],
        },
    )


@access.school_role(*access.CASE_REVIEWERS)
@require_http_methods(["GET", "POST"])
def pupil_details(request, school, pupil):
    """What a referral asks about a pupil: the DSL or a deputy enters and changes it."""
    pupil_obj = Pupil.objects.on_list().filter(school=school, pk=pupil).first()
    if pupil_obj is None:
        access.deny(request, 404, school=school, reason="pupil not at this school")
    form = forms.PupilDetailsForm(request.POST or None, pupil=pupil_obj)
    if request.method == "POST" and form.is_valid():
        try:
            changed = pupil_services.update_pupil_details(
                pupil=pupil_obj, actor=request.user, request=request, **form.details()
            )
        except pupil_services.PupilDetailsReadOnly as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Saved." if changed else "Nothing had changed.")
            return redirect("cases:pupil_file", school=school.slug, pupil=pupil_obj.pk)
    if request.method == "GET":
        audit.record(
            "pupil.viewed", actor=request.user, target=pupil_obj, school=school, request=request
        )
    return render(
        request, "cases/pupil_details.html", {"school": school, "pupil": pupil_obj, "form": form}
    )


@access.any_school_role(*access.CASE_REVIEWERS)
@require_http_methods(["GET", "HEAD", "POST"])
def search(request):
    """Search the cases of every school where this person is DSL or deputy. The words are
    posted and kept in the session (safeguarding.searches); every search is audited, and the
    cases shown are recorded as seen, once per school."""
    if request.method == "POST":
        form = forms.SearchForm(request.POST)
        if form.is_valid():
            words = form.cleaned_data["q"]
            url = request.path
            if words.split():
                url += f"?{searches.PARAM}={searches.remember(request, words)}"
            return redirect(url)
        return render(request, "cases/search.html", {"form": form, "results": None})
    search_id, words = searches.recall(request)
    form = forms.SearchForm({"q": words} if words else None)
    results = None
    if words:
        results = case_search.search_cases(request.user, words)
        audit.record(
            "cases.searched",
            actor=request.user,
            request=request,
            # How it was found, never what was typed: it may be a child's name.
            data={
                "results": len(results.found),
                "by": sorted({how for found in results.found for how in found.by}),
            },
        )
        by_school: dict = defaultdict(list)
        for found in results.found:
            by_school[found.incident.school].append(found.incident)
        for school, shown in by_school.items():
            services.log_cases_seen(
                incidents=shown,
                actor=request.user,
                via="search",
                listed_on=school,
                school=school,
                request=request,
            )
    return render(
        request,
        "cases/search.html",
        {"form": form, "results": results, "words": words, "search_id": search_id},
    )
