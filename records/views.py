"""Pages for a file's life: thin views (access, form, service, redirect).

Every page is the school's DSLs' and deputies' (`access.school_role`); disposing of a file and
lifting a legal hold are the DSL's alone. Pupils, transfers, exports and requests are looked
up within the school in the URL: anything else is 404, as if it did not exist. A transfer is
seen by the receiving school only while it waits and once accepted, and never its contents
before acceptance.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from incidents.models import Pupil
from incidents.services import log_cases_seen
from safeguarding import access, audit
from safeguarding.models import Role
from safeguarding.pdf import render_pdf

from . import forms, services, work
from .content import build_file, file_incidents, has_file
from .disclosure import build_items
from .models import (
    DisclosureItem,
    DisposedFile,
    LegalHold,
    ReceivedFile,
    RetentionPolicy,
    SecureExport,
    SubjectAccessRequest,
    Transfer,
)

LEADS = access.CASE_REVIEWERS
GET_POST = ["GET", "HEAD", "POST"]


# --- Look-ups within the school -------------------------------------------------------------


def _pupil(request, school, pupil_id) -> Pupil:
    pupil = Pupil.objects.filter(school=school, pk=pupil_id).first()
    if pupil is None:
        access.deny(request, 404, school=school, reason="pupil not at this school")
    return pupil


def _transfer(request, school, reference, *, side: str | None = None) -> Transfer:
    """A transfer the school sent, or one sent to it that is waiting or was accepted."""
    transfer = (
        Transfer.objects.filter(reference=reference)
        .select_related("from_school", "to_school", "sent_by", "decided_by", "pupil")
        .first()
    )
    sender = transfer is not None and transfer.from_school_id == school.pk
    receiver = (
        transfer is not None
        and transfer.to_school_id == school.pk
        and transfer.status in (*Transfer.OPEN, Transfer.Status.ACCEPTED)
    )
    if not (sender and side in (None, "sender")) and not (receiver and side in (None, "receiver")):
        access.deny(request, 404, school=school, reason="transfer not visible to this school")
    transfer.seen_by_sender = sender
    return transfer


def _export(request, school, reference) -> SecureExport:
    record = SecureExport.objects.filter(school=school, reference=reference).first()
    if record is None:
        access.deny(request, 404, school=school, reason="export not at this school")
    return record


def _request(request, school, reference) -> SubjectAccessRequest:
    sar = (
        SubjectAccessRequest.objects.filter(school=school, reference=reference)
        .select_related("pupil", "logged_by")
        .first()
    )
    if sar is None:
        access.deny(request, 404, school=school, reason="request not at this school")
    return sar


def _form_page(request, school, form, *, title, back, submit, intro="", warning="", **extra):
    return render(
        request,
        "records/form_page.html",
        {
            "school": school,
            "form": form,
            "title": title,
            "back": back,
            "submit": submit,
            "intro": intro,
            "warning": warning,
            **extra,
        },
    )


def _saved(form, save) -> bool:
    try:
        save()
    except services.RecordsError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return False
    return True


def _pupil_page(pupil):
    return redirect("records:pupil", school=pupil.school.slug, pupil=pupil.pk)


# --- Overview and the pupil's file ----------------------------------------------------------


@access.school_role(*LEADS)
@require_safe
def overview(request, school):
    return render(
        request,
        "records/overview.html",
        {"school": school, "work": work.due_work(school), "today": timezone.localdate()},
    )


@access.school_role(*LEADS)
@require_safe
def pupil_record(request, school, pupil):
    pupil = _pupil(request, school, pupil)
    audit.record(
        "pupil.viewed",
        actor=request.user,
        target=pupil,
        school=school,
        request=request,
        data={"via": "file_life"},
    )
    disposed = DisposedFile.objects.filter(pupil=pupil).select_related("disposed_by").first()
    context = {"school": school, "pupil": pupil, "disposed": disposed}
    if disposed is None:
        today = timezone.localdate()
        context.update(
            has_file=has_file(pupil, school),
            cases=list(file_incidents(pupil, school)),
            state=services.file_state(pupil, school),
            transfers=Transfer.objects.filter(pupil=pupil, from_school=school).select_related(
                "to_school", "sent_by", "decided_by"
            ),
            exports=SecureExport.objects.filter(pupil=pupil, school=school),
            received=ReceivedFile.objects.filter(pupil=pupil, school=school),
            review=services.review_of(pupil, school),
            requests=SubjectAccessRequest.objects.filter(pupil=pupil, school=school),
            blockers=services.disposal_blockers(pupil, school, today=today),
            today=today,
            is_dsl=Role.DSL in request.school_roles,
        )
    return render(request, "records/pupil.html", context)


@access.school_role(*LEADS)
@require_http_methods(GET_POST)
def leaving(request, school, pupil):
    pupil = _pupil(request, school, pupil)
    form = forms.LeavingForm(
        request.POST or None,
        initial={"leaving_date": pupil.leaving_date, "destination": pupil.destination},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _saved(
            form,
            lambda: services.record_leaving(
                pupil=pupil,
                school=school,
                actor=request.user,
                leaving_date=data["leaving_date"],
                destination=data["destination"],
                request=request,
            ),
        ):
            messages.success(request, "Leaving date saved.")
            return _pupil_page(pupil)
    return _form_page(
        request,
        school,
        form,
        title="Leaving",
        back=_back(pupil),
        submit="Save",
        intro="A leaver's child protection file must reach their new school within 5 days of "
        "leaving, or within the first 5 days of the new term when they leave at the end of one.",
        pupil=pupil,
    )


def _back(pupil) -> str:
    return f"/s/{pupil.school.slug}/pupils/{pupil.pk}/file/"


def _log_file_views(request, pupil, school, via: str) -> None:
    """The file shows every case's words: one record of seeing them all, naming each case."""
    log_cases_seen(
        incidents=file_incidents(pupil, school),
        actor=request.user,
        via=via,
        request=request,
        listed_on=pupil,
        school=school,
    )


@access.school_role(*LEADS)
@require_safe
def preview(request, school, pupil):
    pupil = _pupil(request, school, pupil)
    keep = request.GET.get("names") == "kept"
    _log_file_views(request, pupil, school, "file_preview")
    return render(
        request,
        "records/file.html",
        {
            "school": school,
            "pupil": pupil,
            "file": build_file(pupil, school, keep_other_names=keep, generated_by=request.user),
            "title": "The file as it will be sent",
            "back": _back(pupil),
        },
    )


# --- Transfers in the service ---------------------------------------------------------------


@access.school_role(*LEADS)
@require_http_methods(GET_POST)
def send(request, school, pupil):
    pupil = _pupil(request, school, pupil)
    form = forms.SendForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = {}

        def save():
            result["transfer"] = services.send_transfer(
                pupil=pupil,
                school=school,
                to_school=data["to_school"],
                actor=request.user,
                keep_other_names=data["keep_other_names"],
                other_names_reason=data["other_names_reason"],
                request=request,
            )

        if _saved(form, save):
            messages.success(request, f"File sent to {data['to_school'].name}.")
            return redirect(
                "records:transfer", school=school.slug, transfer=result["transfer"].reference
            )
    return _form_page(
        request,
        school,
        form,
        title="Send the file to the new school",
        back=_back(pupil),
        submit="Send the file",
        intro="The new school's DSLs are told a file is waiting. They see who it is about, but "
        "nothing in it until they accept it. Read the file before you send it: names the "
        "service does not know (nicknames, initials) are not removed.",
        pupil=pupil,
        preview_href=f"/s/{school.slug}/pupils/{pupil.pk}/file/preview/",
    )


@access.school_role(*LEADS)
@require_safe
def transfer_detail(request, school, transfer):
    transfer = _transfer(request, school, transfer)
    if not transfer.seen_by_sender:
        services.mark_viewed(transfer=transfer, actor=request.user, request=request)
    received = ReceivedFile.objects.filter(transfer=transfer).first()
    return render(
        request,
        "records/transfer.html",
        {
            "school": school,
            "transfer": transfer,
            "sender": transfer.seen_by_sender,
            "received": received if not transfer.seen_by_sender else None,
            "pupil_details": transfer.content.get("pupil", {}),
        },
    )


@access.school_role(*LEADS)
@require_http_methods(GET_POST)
def accept(request, school, transfer):
    transfer = _transfer(request, school, transfer, side="receiver")
    candidates = list(services.matching_pupils(transfer))
    form = forms.AcceptForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["pupil"]
        pupil = None if chosen == form.NEW else next(p for p in candidates if str(p.pk) == chosen)
        result = {}

        def save():
            result["received"] = services.accept_transfer(
                transfer=transfer, actor=request.user, pupil=pupil, request=request
            )

        if _saved(form, save):
            messages.success(request, "File accepted. It is now part of the pupil's file here.")
            return redirect("records:received", school=school.slug, received=result["received"].pk)
    return _form_page(
        request,
        school,
        form,
        title="Accept the file",
        back=f"/s/{school.slug}/transfers/{transfer.reference}/",
        submit="Accept the file",
        intro="Accepting confirms to the sending school that you received it. The file becomes "
        "part of the pupil's child protection file at your school.",
        transfer=transfer,
        pupil_details=transfer.content.get("pupil", {}),
    )


def _reason_view(request, school, transfer, *, service, title, label, hint, submit, done):
    form = forms.ReasonForm(request.POST or None, label=label, hint=hint)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: service(
                transfer=transfer,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            ),
        )
    ):
        messages.success(request, done)
        return redirect("records:overview", school=school.slug)
    return _form_page(
        request,
        school,
        form,
        title=title,
        back=f"/s/{school.slug}/transfers/{transfer.reference}/",
        submit=submit,
        transfer=transfer,
    )


@access.school_role(*LEADS)
@require_http_methods(GET_POST)
def reject(request, school, transfer):
    transfer = _transfer(request, school, transfer, side="receiver")
    return _reason_view(
        request,
        school,
        transfer,
        service=services.reject_transfer,
        title="Reject the file",
        label="Why you are rejecting it",
        hint="For example: the pupil is not coming to this school. The sending school is told, "
        "and your school keeps nothing of the file.",
        submit="Reject the file",
        done="File rejected. The sending school has been told.",
    )


@access.school_role(*LEADS)
@require_http_methods(GET_POST)
def withdraw(request, school, transfer):
    transfer = _transfer(request, school, transfer, side="sender")
    return _reason_view(
        request,
        school,
        transfer,
        service=services.withdraw_transfer,
        title="Withdraw the file",
        label="Why you are withdrawing it",
        hint="For example: it was sent to the wrong school. The new school can no longer see it.",
        submit="Withdraw the file",
        done="File withdrawn.",
    )


@access.school_role(*LEADS)
@require_safe
def received_file(request, school, received):
    record = ReceivedFile.objects.filter(school=school, pk=received).select_related("pupil").first()
    if record is None:
        access.deny(request, 404, school=school, reason="received file not at this school")
    audit.record(
        "file.received_viewed",
        actor=request.user,
        target=record.transfer,
        school=school,
        request=request,
        data={"pupil": str(record.pupil_id)},
    )
    return render(
        request,
        "records/file.html",
        {
            "school": school,
            "pupil": record.pupil,
            "file": record.content,
            "title": f"File received from {record.from_school_name}",
            "received": record,
            "back": _back(record.pupil),
        },
    )


# --- Secure export --------------------------------------------------------------------------


@access.school_role(*LEADS)
@require_http_methods(GET_POST)
def export(request, school, pupil):
    pupil = _pupil(request, school, pupil)
    form = forms.ExportForm(request.POST or None, initial={"recipient_school": pupil.destination})
    if request.method == "POST" and form.is_valid():
        result = {}

        def save():
            result["export"], result["password"] = services.make_export(
                pupil=pupil,
                school=school,
                actor=request.user,
                recipient_school=form.cleaned_data["recipient_school"],
                request=request,
            )

        if _saved(form, save):
            # Shown here once: the password is kept nowhere, so this page cannot be seen again.
            return render(
                request,
                "records/export_password.html",
                {"school": school, "pupil": pupil, **result},
            )
    return _form_page(
        request,
        school,
        form,
        title="Export the file for a school outside this service",
        back=_back(pupil),
        submit="Make the encrypted file",
        intro="You get an encrypted zip file holding the file as a PDF and as data (JSON), and a "
        "password shown once. Send the zip securely and give the password by another way, such "
        "as a phone call to the new school's DSL.",
        pupil=pupil,
    )


@access.school_role(*LEADS)
@require_safe
def export_detail(request, school, export):
    record = _export(request, school, export)
    return render(request, "records/export.html", {"school": school, "export": record})


@access.school_role(*LEADS)
@require_safe
def export_download(request, school, export):
    record = _export(request, school, export)
    try:
        archive = services.download_archive(record=record, actor=request.user, request=request)
    except services.RecordsError as error:
        messages.error(request, error.message)
        return redirect("records:export_detail", school=school.slug, export=record.reference)
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="child-protection-file-{record.reference}.zip"'
    )
    return response


def _export_form_view(request, school, export, form_class, save, *, title, submit):
    record = _export(request, school, export)
    form = form_class(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(form, lambda: save(record, form.cleaned_data))
    ):
        messages.success(request, "Saved.")
        return redirect("records:export_detail", school=school.slug, export=record.reference)
    return _form_page(
        request,
        school,
        form,
        title=title,
        back=f"/s/{school.slug}/exports/{record.reference}/",
        submit=submit,
        export=record,
    )


@access.school_role(*LEADS)
@require_http_methods(GET_POST)
def export_sent(request, school, export):
    return _export_form_view(
        request,
        school,
        export,
        forms.ExportSentForm,
        lambda record, data: services.record_export_sent(
            record=record, actor=request.user, request=request, **data
        ),
        title="Record how the file was sent",
        submit="Save",
    )


@access.school_role(*LEADS)
@require_http_methods(GET_POST)
def export_received(request, school, export):
    return _export_form_view(
        request,
        school,
        export,
        forms.ReceiptForm,
        lambda record, data: services.confirm_export_receipt(
            record=record, actor=request.user, request=request, **data
        ),
        title="Record that the new school received the file",
        submit="Save",
    )


# --- Retention ------------------------------------------------------------------------------


@access.school_role(*LEADS)
@require_safe
def retention(request, school):
    today = timezone.localdate()
    due, unknown = services.retention_queue(school, today=today, ahead_days=work.REVIEW_AHEAD_DAYS)
    return render(
        request,
        "records/retention.html",
        {
            "school": school,
            "due": due,
            "unknown": unknown,
            "today": today,
            "rule": services.current_rule(school),
            "ahead_days": work.REVIEW_AHEAD_DAYS,
        },
    )


@access.school_role(*LEADS)
@require_http_methods(GET_POST)
def retention_rule(request, school):
    rule = services.current_rule(school)
    form = forms.RuleForm(
        request.POST or None, initial={"years_after_birth": rule.years_after_birth}
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.set_retention_rule(
                school=school, actor=request.user, request=request, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, "The new rule is in use.")
        return redirect("records:retention", school=school.slug)
    return _form_page(
        request,
        school,
        form,
        title="Retention rule",
        back=f"/s/{school.slug}/retention/",
        submit="Use this rule",
        intro="A pupil's child protection file is kept until their date of birth plus 25 years, "
        "then reviewed (IRMS toolkit for schools), unless your school's records policy says "
        "otherwise. Each change is a new version; reviews say which version they followed.",
        rule=rule,
        versions=RetentionPolicy.objects.filter(school=school).select_related("created_by"),
    )


@access.school_role(*LEADS)
@require_http_methods(GET_POST)
def review(request, school, pupil):
    pupil = _pupil(request, school, pupil)
    form = forms.KeepForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.keep_file(
                pupil=pupil, school=school, actor=request.user, request=request, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, "The file is kept. Its next review is saved.")
        return _pupil_page(pupil)
    return _form_page(
        request,
        school,
        form,
        title="Keep the file",
        back=_back(pupil),
        submit="Keep the file",
        intro="Keep the file when there is a reason to hold it longer, such as a safeguarding "
        "concern about the family that is still live.",
        pupil=pupil,
    )


@access.school_role(Role.DSL)
@require_http_methods(GET_POST)
def dispose(request, school, pupil):
    pupil = _pupil(request, school, pupil)
    form = forms.DisposeForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.dispose_file(
                pupil=pupil, school=school, actor=request.user, request=request
            ),
        )
    ):
        messages.success(request, "The file was disposed of. A record of it is kept.")
        return redirect("records:retention", school=school.slug)
    return _form_page(
        request,
        school,
        form,
        title="Dispose of the file",
        back=_back(pupil),
        submit="Dispose of the file",
        warning="This removes the pupil's name, date of birth and every word written in their "
        "file from the service, for good. Anonymised counts stay in the statistics, and a "
        "record that the file was disposed of is kept. Where another pupil's file shares a "
        "case, the case stays for them without this pupil's name.",
        pupil=pupil,
        blockers=services.disposal_blockers(pupil, school),
        cases=list(file_incidents(pupil, school)),
    )


@access.school_role(*LEADS)
@require_http_methods(GET_POST)
def legal_hold(request, school, pupil):
    pupil = _pupil(request, school, pupil)
    form = forms.HoldForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.place_legal_hold(
                pupil=pupil, school=school, actor=request.user, request=request, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, "Legal hold placed. The file cannot be disposed of.")
        return _pupil_page(pupil)
    return _form_page(
        request,
        school,
        form,
        title="Place a legal hold",
        back=_back(pupil),
        submit="Place the hold",
        intro="A legal hold keeps the file while the police, an inquiry or a claim may need it. "
        "It cannot be disposed of until the hold is lifted.",
        pupil=pupil,
    )


@access.school_role(Role.DSL)
@require_http_methods(GET_POST)
def lift_hold(request, school, pupil, hold):
    pupil = _pupil(request, school, pupil)
    hold_row = LegalHold.objects.filter(pk=hold, pupil=pupil, school=school).first()
    if hold_row is None:
        access.deny(request, 404, school=school, reason="hold not at this school")
    form = forms.ReasonForm(request.POST or None, label="Why the hold can be lifted")
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.lift_legal_hold(
                hold=hold_row,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            ),
        )
    ):
        messages.success(request, "Legal hold lifted.")
        return _pupil_page(pupil)
    return _form_page(
        request,
        school,
        form,
        title="Lift the legal hold",
        back=_back(pupil),
        submit="Lift the hold",
        pupil=pupil,
    )


# --- Subject access -------------------------------------------------------------------------


@access.school_role(*LEADS)
@require_safe
def requests(request, school):
    query = request.GET.get("q", "").strip()[:100]
    found = (
        list(Pupil.objects.filter(school=school).on_list().matching(query)[:20]) if query else []
    )
    return render(
        request,
        "records/requests.html",
        {
            "school": school,
            "requests": SubjectAccessRequest.objects.filter(school=school).select_related("pupil"),
            "query": query,
            "found": found,
            "today": timezone.localdate(),
        },
    )


@access.school_role(*LEADS)
@require_http_methods(GET_POST)
def new_request(request, school, pupil):
    pupil = _pupil(request, school, pupil)
    form = forms.RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = {}

        def save():
            result["sar"] = services.log_request(
                school=school, pupil=pupil, actor=request.user, request=request, **form.cleaned_data
            )

        if _saved(form, save):
            messages.success(
                request, f"Request logged. It is due by {result['sar'].due_on:%-d %B %Y}."
            )
            return redirect("records:request", school=school.slug, sar=result["sar"].reference)
    return _form_page(
        request,
        school,
        form,
        title="Log a subject access request",
        back=_back(pupil),
        submit="Log the request",
        intro="It must be answered within one calendar month of the day it arrived. School "
        "holidays do not extend that.",
        pupil=pupil,
    )


@access.school_role(*LEADS)
@require_safe
def request_detail(request, school, sar):
    sar = _request(request, school, sar)
    _log_file_views(request, sar.pupil, school, "subject_access")
    return render(
        request,
        "records/request.html",
        {
            "school": school,
            "sar": sar,
            "items": build_items(sar),
            "today": timezone.localdate(),
            "is_open": sar.status == SubjectAccessRequest.Status.OPEN,
        },
    )


@access.school_role(*LEADS)
@require_http_methods(GET_POST)
def extend(request, school, sar):
    sar = _request(request, school, sar)
    form = forms.ExtendForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.extend_request(
                sar=sar, actor=request.user, request=request, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, "Extension saved.")
        return redirect("records:request", school=school.slug, sar=sar.reference)
    return _form_page(
        request,
        school,
        form,
        title="Extend the deadline",
        back=f"/s/{school.slug}/subject-access/{sar.reference}/",
        submit="Extend",
        intro="A complex request can take up to two further months.",
        sar=sar,
    )


@access.school_role(*LEADS)
@require_http_methods(GET_POST)
def item(request, school, sar, key):
    sar = _request(request, school, sar)
    items = {i.key: i for i in build_items(sar)}
    shown = items.get(key)
    if shown is None:
        access.deny(request, 404, school=school, reason="item not in this file")
    decision = shown.decision
    initial = (
        {
            "choice": decision.choice,
            "exemption": decision.exemption,
            "note": decision.note,
            "extra_redactions": decision.extra_redactions,
        }
        if decision
        else {"choice": DisclosureItem.Choice.DISCLOSE}
    )
    form = forms.ItemForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.decide_item(
                sar=sar, actor=request.user, key=key, request=request, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, "Saved.")
        return redirect(
            f"/s/{school.slug}/subject-access/{sar.reference}/#item-{list(items).index(key) + 1}"
        )
    return _form_page(
        request,
        school,
        form,
        title="Disclose or withhold",
        back=f"/s/{school.slug}/subject-access/{sar.reference}/",
        submit="Save",
        sar=sar,
        item=shown,
    )


@access.school_role(*LEADS)
@require_safe
def disclosure_pdf(request, school, sar):
    sar = _request(request, school, sar)
    items = [i for i in build_items(sar) if not i.withheld]
    pdf = render_pdf(
        "pdf/disclosure.html",
        {
            "sar": sar,
            "items": items,
            "generated_by": request.user,
            "generated_at": timezone.localtime(),
        },
    )
    _log_file_views(request, sar.pupil, school, "subject_access_pdf")
    audit.record(
        "subject_access.disclosure_exported",
        actor=request.user,
        target=sar,
        school=school,
        request=request,
        data={"reference": sar.reference, "items": len(items), "bytes": len(pdf)},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="disclosure-{sar.reference}.pdf"'
    return response


@access.school_role(*LEADS)
@require_http_methods(GET_POST)
def answered(request, school, sar):
    sar = _request(request, school, sar)
    form = forms.AnsweredForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.mark_answered(
                sar=sar, actor=request.user, request=request, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, "The request is marked as answered.")
        return redirect("records:request", school=school.slug, sar=sar.reference)
    return _form_page(
        request,
        school,
        form,
        title="Mark the request as answered",
        back=f"/s/{school.slug}/subject-access/{sar.reference}/",
        submit="Save",
        sar=sar,
    )


@access.school_role(*LEADS)
@require_http_methods(GET_POST)
def end_request(request, school, sar):
    sar = _request(request, school, sar)
    form = forms.EndRequestForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.end_without_disclosure(
                sar=sar, actor=request.user, request=request, **form.cleaned_data
            ),
        )
    ):
        withdrawn = form.cleaned_data["outcome"] == SubjectAccessRequest.Status.WITHDRAWN
        messages.success(
            request,
            "The request is marked as withdrawn."
            if withdrawn
            else "The request is closed without disclosure.",
        )
        return redirect("records:request", school=school.slug, sar=sar.reference)
    return _form_page(
        request,
        school,
        form,
        title="Withdrawn, or closed without disclosure",
        back=f"/s/{school.slug}/subject-access/{sar.reference}/",
        submit="Close the request",
        intro="The request leaves the list of what is due. What you write here stays with it.",
        sar=sar,
    )
