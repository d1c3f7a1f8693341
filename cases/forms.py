"""Forms for the DSL's records. They check the shape of the input only; services do the rest.

Every free-text field is a SafeTextField (normalised, imagery refused).
"""

import json
import re
from datetime import date, datetime, timedelta

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Div, Field, Layout, Submit
from django import forms
from django.forms.widgets import DateTimeBaseInput
from django.utils import timezone
from django.utils.html import format_html

from guidance.checklist import STAFF, YES_NO_UNKNOWN
from guidance.triage import TYPOLOGY_LABELS
from incidents.models import PupilRole, SenProvision, Sex, Status, Urgency
from safeguarding.text import SafeTextField

from . import assessment, services, workflow
from .models import CaseLink, Consideration, Decision, Referral, RemovalOffered, StatusChange

NOT_IN_FUTURE = services.NOT_IN_FUTURE
TIME_NOT_IN_FUTURE = services.TIME_NOT_IN_FUTURE
# A date before the incident is almost always a slip (a wrong year), but the report's date can be
# wrong too, and staff may have seen imagery before reporting it: ask, never refuse.
BEFORE_THE_INCIDENT = (
    "This is before {earliest}, {when}. Check the date. If it is right, tick "
    "'The date is right' and save again."
)
WHEN_IT_HAPPENED = "when the report says it happened"
WHEN_REPORTED = "when the concern was reported"
DATE_IS_RIGHT = "The date is right"
DUE_NOT_IN_PAST = "The due date must be today or later."
# A task due years ahead is almost always a mistyped year (2062 for 2026).
DUE_WITHIN_YEARS = 2
DUE_TOO_FAR = f"The due date must be within {DUE_WITHIN_YEARS} years. Check the year."
SAY_WHEN_PARENTS_TOLD = "Enter the date parents or carers were told."
SAY_WHY_PARENTS_NOT_TOLD = "Write why parents or carers were not told."
SAY_WHICH_AGENCY = "Enter which agency."
CHOOSE_A_SERVICE = "Choose at least one way to get the image removed."
# The case moved on (another tab, another person) after this page was opened.
STATUS_MOVED_ON = "This case is now {status}, so that change is no longer possible. Choose again."

YES_NO = [("yes", "Yes"), ("no", "No")]

SHORT = 200
LONG = 5000


def _date(label: str, **kwargs) -> forms.DateField:
    # A date box takes an ISO date (2026-12-03) whatever the language: a default is shown only so.
    widget = forms.DateInput(
        format="%Y-%m-%d", attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
    )
    return forms.DateField(label=label, widget=widget, **kwargs)


def _time(label: str, help_text: str = "For example: 14:30.", **kwargs) -> forms.TimeField:
    # Wide enough for a browser that shows the time as "02:30 PM".
    widget = forms.TimeInput(
        format="%H:%M", attrs={"type": "time", "class": "govuk-input govuk-input--width-10"}
    )
    return forms.TimeField(label=label, help_text=help_text, widget=widget, **kwargs)


def _happened_time(what: str) -> forms.TimeField:
    """When it happened, to the minute: optional, as a time is not always known."""
    return _time(
        f"Time {what} (optional)",
        help_text="For example: 14:30. Leave it empty if you do not know.",
        required=False,
    )


def _past_or_today(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(NOT_IN_FUTURE)
    return value


def earliest_expected(incident) -> tuple[date, str]:
    """The first day anything could be done about `incident`, and how to say why."""
    if incident.happened_on:
        return incident.happened_on, WHEN_IT_HAPPENED
    return timezone.localdate(incident.submitted_at), WHEN_REPORTED


class CaseForm(forms.Form):
    """Adds the GOV.UK form helper with one submit button.

    A form with a `dated_field` (when the thing was done) asks for confirmation when that date
    is before the incident: 'The date is right' appears under it once such a date is sent.
    """

    submit_label = "Save"
    dated_field = ""
    # What to say when a field is left empty: what to do, not "This field is required."
    required_messages: dict[str, str] = {}

    def __init__(self, *args, incident=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.earliest = earliest_expected(incident) if incident and self.dated_field else None
        for name, message in self.required_messages.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message
        # Arabic or Hebrew typed into a box reads right to left as it is typed.
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.TextInput, forms.Textarea)) and not isinstance(
                widget, DateTimeBaseInput
            ):
                widget.attrs.setdefault("dir", "auto")
        if not self.is_bound and "happened_time" in self.fields:
            # When it happened: now, unless the DSL says otherwise.
            now = timezone.localtime()
            if self.dated_field:
                self.initial.setdefault(self.dated_field, now.date())
            self.initial.setdefault("happened_time", now.time().replace(second=0, microsecond=0))
        if self.earliest and self.is_bound and self._sent_date_is_early():
            self._add_confirmation()
        self.helper = FormHelper()
        self.helper.form_tag = False
        # A double click must not save the record twice (GOV.UK Frontend's button module).
        self.helper.add_input(
            Submit(
                "submit",
                self.submit_label,
                data_module="govuk-button",
                data_prevent_double_click="true",
            )
        )

    def _sent_date_is_early(self) -> bool:
        field = self.fields[self.dated_field]
        raw = field.widget.value_from_datadict(
            self.data, self.files, self.add_prefix(self.dated_field)
        )
        try:
            sent = field.to_python(raw)
        except forms.ValidationError:
            return False
        return sent is not None and sent < self.earliest[0]

    def _add_confirmation(self) -> None:
        """Put the 'The date is right' box straight after the date it confirms."""
        confirm = forms.BooleanField(label=DATE_IS_RIGHT, required=False)
        after = "happened_time" if "happened_time" in self.fields else self.dated_field
        fields = {}
        for name, field in self.fields.items():
            fields[name] = field
            if name == after:
                fields["date_confirmed"] = confirm
        self.fields = fields

    def _check_not_before_the_incident(self, data: dict) -> None:
        sent = data.get(self.dated_field)
        if not self.earliest or sent is None or sent >= self.earliest[0]:
            return
        if not data.get("date_confirmed"):
            earliest, when = self.earliest
            self.add_error(
                self.dated_field,
                BEFORE_THE_INCIDENT.format(earliest=f"{earliest:%-d %B %Y}", when=when),
            )

    def _check_not_in_the_future(self, data: dict) -> None:
        """A time given for today must be now or earlier (the date is checked on its own)."""
        day, moment = data.get(self.dated_field), data.get("happened_time")
        now = timezone.localtime()
        if day is None and not self.fields[self.dated_field].required:
            day = now.date()  # left empty: today (services.add_note, record_decision)
        this_minute = now.time().replace(second=0, microsecond=0)
        if day == now.date() and moment is not None and moment > this_minute:
            self.add_error("happened_time", TIME_NOT_IN_FUTURE.format(now=f"{now:%H:%M}"))

    def clean(self):
        data = super().clean()
        self._check_not_before_the_incident(data)
        if "happened_time" in self.fields:
            self._check_not_in_the_future(data)
        return data


class StatusForm(CaseForm):
    required_messages = {
        "to_status": "Choose what to move the case to.",
    }
    to_status = forms.ChoiceField(label="Move the case to", widget=forms.RadioSelect)
    closing_outcome = forms.ChoiceField(
        label="Outcome, if you are closing the case",
        # A duplicate is closed by its own form, which names the other case.
        choices=[
            c
            for c in StatusChange.ClosingOutcome.choices
            if c[0] != StatusChange.ClosingOutcome.DUPLICATE
        ],
        required=False,
        widget=forms.RadioSelect,
    )
    reason = SafeTextField(
        label="Reason",
        help_text="Needed when closing or reopening a case.",
        max_length=LONG,
        required=False,
        textarea=True,
        rows=4,
    )
    submit_label = "Change status"

    def __init__(self, *args, current_status: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [
            (m.target, m.label) for m in workflow.moves_from(current_status)
        ]
        self.fields["to_status"].error_messages["invalid_choice"] = STATUS_MOVED_ON.format(
            status=Status(current_status).label.lower()
        )
        if not any(m.needs_outcome for m in workflow.moves_from(current_status)):
            del self.fields["closing_outcome"]


class AssignForm(CaseForm):
    required_messages = {
        "assignee": "Choose who will manage this case.",
    }
    assignee = forms.ModelChoiceField(
        label="Who will manage this case", queryset=None, widget=forms.RadioSelect, empty_label=None
    )
    submit_label = "Assign"

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = reviewers


ANSWER_PREFIX = "answer_"
REPORTER_DID_NOT_KNOW = "What the reporter did not know"
REVIEW_QUESTIONS_HEADING = "The checklist's questions for the initial review"
CONSIDERED = "What you considered"
LEAVE_OPEN = (
    "Answer what you have found out. Leave a question you cannot answer yet: it stays "
    "“to find out” on the case. The reporter's own answers are kept as they gave them."
)
CHOOSE_AN_ANSWER = "Choose one of the answers offered."


def _html(tag: str, css_class: str, text: str) -> HTML:
    """Words between fields. Crispy renders HTML() as a template: braces are escaped."""
    markup = format_html('<{} class="{}">{}</{}>', tag, css_class, text, tag)
    return HTML(markup.replace("{", "&#123;"))


def _ask_if_hint(checklist, question) -> str:
    """When a question depends on another one of the same form: say which answer asks it."""
    parts = []
    for qid, values in question.ask_if:
        other = checklist.question(qid)
        # Said the short way: "is not X" where fewer answers leave it out than ask it.
        excluded = [v for v in other.choice_values() if v not in values]
        if len(excluded) < len(values):
            labels = " or ".join(f"“{other.label_for(v)}”" for v in excluded)
            parts.append(f"the answer to “{other.text}” is not {labels}")
        else:
            labels = " or ".join(f"“{other.label_for(v)}”" for v in values)
            parts.append(f"the answer to “{other.text}” is {labels}")
    return "Answer this only if " + " and ".join(parts) + "."


class InitialReviewForm(CaseForm):
    """The DSL's initial review: when and with whom, the review's checklist questions, and
    what was considered. The answers arrive in cleaned_data["answers"] (question id: value)."""

    dated_field = "held_on"
    required_messages = {"held_on": "Enter the date of the review."}
    held_on = _date("Date of the review")
    happened_time = _happened_time("of the review")
    attendees = SafeTextField(
        label="Who took part (optional)",
        help_text="You, and anyone you reviewed it with. Names and roles, for example: "
        "Dana Lee (DSL), Sam Roy (head of year).",
        max_length=1000,
        required=False,
        textarea=True,
        rows=2,
    )
    considered = forms.MultipleChoiceField(
        label="What the review considered (optional)",
        choices=Consideration.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    notes = SafeTextField(
        label="What was discussed and agreed (optional)",
        max_length=LONG,
        required=False,
        textarea=True,
    )
    submit_label = "Save the initial review"
    # Questions asked only given another answer on the page show once it calls for them
    # (static/incidents/ask-if.js, as on the report's questions page).
    uses_ask_if = True

    def __init__(self, *args, checklist, questions, previous_answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("held_on", timezone.localdate())
        self.checklist = checklist
        self.questions = list(questions)
        in_form = {q.id for q in self.questions}
        fields = {name: self.fields[name] for name in ("held_on", "happened_time")}
        if "date_confirmed" in self.fields:
            fields["date_confirmed"] = self.fields["date_confirmed"]
        fields["attendees"] = self.fields["attendees"]
        layout: list = list(fields)
        heading = None
        for question in self.questions:
            part_heading = (
                REPORTER_DID_NOT_KNOW if question.part == STAFF else REVIEW_QUESTIONS_HEADING
            )
            if part_heading != heading:
                if heading is None:
                    layout.append(_html("p", "govuk-body", LEAVE_OPEN))
                heading = part_heading
                layout.append(_html("h2", "govuk-heading-m", heading))
            name = ANSWER_PREFIX + question.id
            help_text = question.help
            if question.part == STAFF:
                help_text = f"The reporter did not know. {help_text}".strip()
            # Asked only given another answer on this page: said in words, and with JavaScript
            # shown only once that answer calls for it (the server decides either way).
            conditions = {
                ANSWER_PREFIX + qid: list(values)
                for qid, values in question.ask_if
                if qid in in_form
            }
            if conditions:
                help_text = f"{help_text} {_ask_if_hint(checklist, question)}".strip()
            fields[name] = forms.ChoiceField(
                label=question.text,
                help_text=help_text,
                choices=[(c.value, c.label) for c in question.choices],
                widget=forms.RadioSelect,
                required=False,
                error_messages={"invalid_choice": CHOOSE_AN_ANSWER},
            )
            if question.id in previous_answers:
                self.initial.setdefault(name, previous_answers[question.id])
            radios = Field.radios(
                name, legend_size="s", inline=question.answer_type == YES_NO_UNKNOWN
            )
            if conditions:
                radios = Div(
                    radios,
                    css_class="app-ask-if",
                    data_ask_if=json.dumps(conditions, sort_keys=True),
                )
            layout.append(radios)
        fields["considered"] = self.fields["considered"]
        fields["notes"] = self.fields["notes"]
        self.fields = fields
        if self.questions:
            layout.append(_html("h2", "govuk-heading-m", CONSIDERED))
        layout += ["considered", "notes"]
        self.helper.layout = Layout(*layout)

    def clean_held_on(self):
        return _past_or_today(self.cleaned_data["held_on"])

    def clean(self):
        data = super().clean()
        data["answers"] = {
            q.id: data.get(ANSWER_PREFIX + q.id)
            for q in self.questions
            if data.get(ANSWER_PREFIX + q.id)
        }
        return data


# The case page keeps the short names; the form spells out the ones a new DSL may not know.
AGENCY_IN_FULL = {
    Referral.Agency.SOCIAL_CARE: (
        "Children's social care or MASH (the council's multi-agency safeguarding hub)"
    ),
    Referral.Agency.CEOP: (
        "CEOP (Child Exploitation and Online Protection, part of the National Crime Agency)"
    ),
}
AGENCY_CHOICES = [
    (value, AGENCY_IN_FULL.get(value, label)) for value, label in Referral.Agency.choices
]


class ReferralForm(CaseForm):
    required_messages = {
        "agency": "Choose who it was referred to.",
        "referred_on": "Enter the date of the referral.",
    }
    dated_field = "referred_on"
    agency = forms.ChoiceField(
        label="Who was it referred to", choices=AGENCY_CHOICES, widget=forms.RadioSelect
    )
    agency_other = SafeTextField(label="If other, which agency", max_length=SHORT, required=False)
    ask = SafeTextField(
        label="What you are asking them to do",
        help_text="For example: a strategy discussion today, a police visit to the family, "
        "help to get the image removed. It opens the referral summary.",
        max_length=LONG,
        required=False,
        textarea=True,
        rows=3,
    )
    referred_on = _date("Date of the referral")
    happened_time = _happened_time("of the referral")
    their_reference = SafeTextField(label="Their reference", max_length=100, required=False)
    contact = SafeTextField(
        label="Who you spoke to",
        help_text="Name and contact details.",
        max_length=SHORT,
        required=False,
    )
    outcome = SafeTextField(
        label="Outcome of the referral",
        help_text="Add this now if you know it, or record it later as a note.",
        max_length=LONG,
        required=False,
        textarea=True,
        rows=4,
    )
    submit_label = "Save the referral"

    def clean_referred_on(self):
        return _past_or_today(self.cleaned_data["referred_on"])

    def clean(self):
        data = super().clean()
        if data.get("agency") == Referral.Agency.OTHER and not data.get("agency_other"):
            self.add_error("agency_other", SAY_WHICH_AGENCY)
        return data


class DecisionForm(CaseForm):
    required_messages = {
        "decision": "Choose the decision.",
        "reasons": "Write the reasons for the decision.",
    }
    dated_field = "happened_on"
    decision = forms.ChoiceField(
        label="Decision", choices=Decision.Choice.choices, widget=forms.RadioSelect
    )
    reasons = SafeTextField(
        label="Reasons",
        help_text="Record the reasons, including for a decision not to refer.",
        max_length=LONG,
        textarea=True,
    )
    happened_on = _date(
        "Date of the decision",
        help_text="Today unless it was decided earlier. Left empty, it is today.",
        required=False,
    )
    happened_time = _happened_time("of the decision")
    submit_label = "Save the decision"

    def clean_happened_on(self):
        return _past_or_today(self.cleaned_data["happened_on"])


class ParentsInformedForm(CaseForm):
    required_messages = {
        "informed": "Choose yes if parents or carers have been told, or no.",
    }
    dated_field = "informed_on"
    informed = forms.ChoiceField(
        label="Have parents or carers been told?", choices=YES_NO, widget=forms.RadioSelect
    )
    informed_on = _date("Date they were told", required=False)
    who_was_told = SafeTextField(
        label="Who was told",
        help_text="For example: the pictured pupil's mother.",
        max_length=SHORT,
        required=False,
    )
    reason_not_informed = SafeTextField(
        label="If not, why not",
        help_text="For example: telling them could put the child at risk.",
        max_length=LONG,
        required=False,
        textarea=True,
        rows=4,
    )
    submit_label = "Save"

    def clean_informed_on(self):
        return _past_or_today(self.cleaned_data.get("informed_on"))

    def clean(self):
        data = super().clean()
        if data.get("informed") == "yes" and not data.get("informed_on"):
            self.add_error("informed_on", SAY_WHEN_PARENTS_TOLD)
        if data.get("informed") == "no" and not data.get("reason_not_informed"):
            self.add_error("reason_not_informed", SAY_WHY_PARENTS_NOT_TOLD)
        if "informed" in data:
            data["informed"] = data["informed"] == "yes"
        return data

    def _check_not_before_the_incident(self, data: dict) -> None:
        if data.get("informed") != "no":  # the date of a 'no' is not kept
            super()._check_not_before_the_incident(data)


class RemovalOfferedForm(CaseForm):
    required_messages = {
        "offered_on": "Enter the date it was offered.",
        "offered_by": "Choose who offered it.",
    }
    dated_field = "offered_on"
    services = forms.MultipleChoiceField(
        label="What was offered",
        choices=RemovalOffered.Service.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": CHOOSE_A_SERVICE},
    )
    pupil = forms.ModelChoiceField(
        label="Offered to", queryset=None, required=False, empty_label="Not recorded"
    )
    offered_by = forms.ModelChoiceField(label="Offered by", queryset=None, empty_label=None)
    offered_on = _date("Date offered")
    notes = SafeTextField(label="Notes", max_length=LONG, required=False, textarea=True, rows=3)
    submit_label = "Save"

    def __init__(self, *args, pupils, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils
        self.fields["offered_by"].queryset = staff

    def clean_offered_on(self):
        return _past_or_today(self.cleaned_data["offered_on"])


class DeviceSecuredForm(CaseForm):
    required_messages = {
        "device": "Write which device.",
        "secured_on": "Enter the date it was secured.",
        "where_kept": "Write where it is kept.",
        "handed_to": "Write who has it now.",
    }
    dated_field = "secured_on"
    device = SafeTextField(
        label="Which device", help_text="For example: the pupil's phone.", max_length=SHORT
    )
    secured_on = _date("Date secured")
    where_kept = SafeTextField(
        label="Where it is kept",
        help_text="For example: the safe in the head's office.",
        max_length=SHORT,
    )
    handed_to = SafeTextField(
        label="Handed to", help_text="Who has it now, for example: PC Smith.", max_length=SHORT
    )
    submit_label = "Save"

    def clean_secured_on(self):
        return _past_or_today(self.cleaned_data["secured_on"])


class StaffSawImageryForm(CaseForm):
    required_messages = {"seen_by": "Write who saw it."}
    seen_by = SafeTextField(
        label="Who saw it",
        help_text="Name and role, for example: Sam Roy, teaching assistant.",
        max_length=300,
    )
    seen_when = SafeTextField(
        label="Roughly when (optional)",
        help_text="For example: Tuesday lunchtime, in the library.",
        max_length=SHORT,
        required=False,
    )
    how = SafeTextField(
        label="How it happened (optional)",
        help_text="For example: a pupil held up their phone. Never describe what the image shows.",
        max_length=LONG,
        required=False,
        textarea=True,
        rows=3,
    )
    support = SafeTextField(
        label="Support offered to them (optional)",
        max_length=LONG,
        required=False,
        textarea=True,
        rows=3,
    )
    submit_label = "Save"


class ImageryViewingForm(CaseForm):
    required_messages = {
        "viewed_on": "Enter the date you viewed it.",
        "viewed_time": "Enter the time you viewed it.",
        "reason": "Write why viewing could not be avoided.",
        "others_present": "Write who else was present.",
    }
    dated_field = "viewed_on"
    viewed_on = _date("Date you viewed it")
    viewed_time = forms.TimeField(
        label="Time",
        help_text="For example: 14:30.",
        widget=forms.TimeInput(attrs={"type": "time", "class": "govuk-input govuk-input--width-5"}),
    )
    reason = SafeTextField(
        label="Why viewing could not be avoided", max_length=LONG, textarea=True, rows=4
    )
    others_present = SafeTextField(
        label="Who else was present", help_text="Name and role.", max_length=300
    )
    what_was_done = SafeTextField(
        label="What was done", max_length=LONG, required=False, textarea=True, rows=3
    )
    submit_label = "Save the viewing record"

    def clean(self):
        data = super().clean()
        day, time = data.get("viewed_on"), data.get("viewed_time")
        if day and time:
            viewed_at = timezone.make_aware(datetime.combine(day, time))
            now = timezone.localtime()
            if day > now.date():
                self.add_error("viewed_on", NOT_IN_FUTURE)
            elif viewed_at > now:
                self.add_error("viewed_time", TIME_NOT_IN_FUTURE.format(now=f"{now:%H:%M}"))
            data["viewed_at"] = viewed_at
        return data


PASTORAL_TASK_HINT = (
    "The DSL, a deputy, or pastoral staff. Pastoral staff see only the tasks given to them: "
    "the case reference, what needs doing and by when. They never see the case record."
)


class TaskForm(CaseForm):
    required_messages = {
        "title": "Write what needs doing.",
        "owner": "Choose who will do it.",
        "due_on": "Enter the date it is due by.",
    }
    title = SafeTextField(label="What needs doing", max_length=SHORT)
    owner = forms.ModelChoiceField(
        label="Who will do it",
        help_text="The DSL or a deputy: only they can open this case to see the task.",
        queryset=None,
        empty_label=None,
    )
    due_on = _date("Due by")
    submit_label = "Add the task"

    def __init__(self, *args, staff, pastoral=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        field.queryset = staff
        pastoral_ids = {person.pk for person in pastoral}
        if pastoral_ids:
            field.help_text = PASTORAL_TASK_HINT
            field.label_from_instance = lambda person: (
                f"{person} (pastoral staff)" if person.pk in pastoral_ids else str(person)
            )

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        today = timezone.localdate()
        if due < today:
            raise forms.ValidationError(DUE_NOT_IN_PAST)
        if due > today + timedelta(days=366 * DUE_WITHIN_YEARS):
            raise forms.ValidationError(DUE_TOO_FAR)
        return due


class TriageOverrideForm(CaseForm):
    """The DSL's decision on each part of the triage outcome, starting from the current one.

    A reason is needed where the decision differs from the checklist's (the service says so
    too; the form shows every missing reason at once)."""

    referral = forms.ChoiceField(
        label="Does this need an immediate referral to the police or children's social care?",
        choices=list(assessment.DECIDED_REFERRAL_LABELS.items()),
        widget=forms.RadioSelect,
    )
    referral_reason = SafeTextField(
        label="Your reason about the referral",
        max_length=LONG,
        required=False,
        textarea=True,
        rows=3,
    )
    urgency = forms.ChoiceField(
        label=assessment.TITLES[assessment.URGENCY],
        # The DSL's words, with what the checklist told the reporter beside them.
        choices=[(u, f"{workflow.URGENCY_ONCE_ACKNOWLEDGED[u]} ({u.label})") for u in Urgency],
        widget=forms.RadioSelect,
    )
    urgency_reason = SafeTextField(
        label="Your reason about the urgency",
        max_length=LONG,
        required=False,
        textarea=True,
        rows=3,
    )
    typology = forms.ChoiceField(
        label=assessment.TITLES[assessment.TYPOLOGY],
        help_text="Aggravated: an adult, malice, coercion, or made or shared without the "
        "agreement of the child in it. Experimental: made and shared willingly between young "
        "people, with none of those.",
        choices=list(TYPOLOGY_LABELS.items()),
        widget=forms.RadioSelect,
    )
    typology_reason = SafeTextField(
        label="Your reason about the type", max_length=LONG, required=False, textarea=True, rows=3
    )
    sextortion = forms.ChoiceField(
        label=assessment.TITLES[assessment.SEXTORTION],
        choices=[
            (assessment.SEXTORTION_YES, "Yes: someone made threats or demands"),
            (assessment.SEXTORTION_NO, "No"),
        ],
        widget=forms.RadioSelect,
    )
    sextortion_reason = SafeTextField(
        label="Your reason about sextortion", max_length=LONG, required=False, textarea=True, rows=3
    )
    required_messages = services.CHOOSE_A_VALUE
    submit_label = "Save the decision"

    def __init__(self, *args, current: assessment.Assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        for part in assessment.PARTS:
            line = current[part]
            field = self.fields[part]
            checklist = f"The checklist says: {line.checklist.label}."
            field.help_text = f"{checklist} {field.help_text}".strip()
            self.fields[
                f"{part}_reason"
            ].help_text = "Needed if you decide differently from the checklist."
            values = [value for value, _ in field.choices]
            if line.current.value in values:
                self.initial.setdefault(part, line.current.value)

    def clean(self):
        data = super().clean()
        values = {part: data.get(part) for part in assessment.PARTS if data.get(part)}
        reasons = {part: data.get(f"{part}_reason", "") for part in assessment.PARTS}
        missing = services.reasons_missing(self.current, values, reasons)
        for part, message in missing.items():
            if part in values:
                self.add_error(f"{part}_reason", message)
        return data


class NoteForm(CaseForm):
    required_messages = {
        "text": "Write the note.",
    }
    dated_field = "happened_on"
    text = SafeTextField(label="Note", max_length=LONG, textarea=True)
    happened_on = _date(
        "Date it happened",
        help_text="Today unless what the note is about happened earlier: a phone call "
        "yesterday, a conversation on Friday. Left empty, it is today.",
        required=False,
    )
    happened_time = _happened_time("it happened")
    submit_label = "Add the note"

    def clean_happened_on(self):
        return _past_or_today(self.cleaned_data["happened_on"])


# A pupil's details for a referral ------------------------------------------------------------

# Three answers for a yes/no fact about a pupil: blank is "not recorded", never "no".
YES_NO_NOT_RECORDED = [("yes", "Yes"), ("no", "No"), ("", "Not recorded")]
CARER_SLOTS = 3
AGENCY_SLOTS = 3
SAY_CARER_NAME = "Enter the name of this parent or carer, or clear their other boxes."
SAY_AGENCY_NAME = "Enter which agency, or clear its contact."
UPN_SHAPE = "Enter the UPN as a letter then 12 digits, like A123456789012."
_UPN = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")


def _three_valued(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=YES_NO_NOT_RECORDED, required=False, widget=forms.RadioSelect
    )


class PupilDetailsForm(forms.Form):
    """What a referral asks about a child. Every field may stay "not recorded"."""

    sex = forms.ChoiceField(
        label="Sex",
        choices=[*Sex.choices, ("", "Not recorded")],
        required=False,
        widget=forms.RadioSelect,
    )
    upn = SafeTextField(
        label="UPN (unique pupil number)",
        max_length=20,
        required=False,
        help_text="A letter then 12 digits, like A123456789012.",
    )
    address = SafeTextField(label="Home address", max_length=SHORT * 2, required=False,
                            textarea=True, rows=3)  # fmt: skip
    child_protection_plan = _three_valued("Child protection plan")
    child_in_need = _three_valued("Child in need")
    looked_after = _three_valued("Looked after")
    sen = forms.ChoiceField(
        label="SEN support or EHCP",
        choices=[*SenProvision.choices, ("", "Not recorded")],
        required=False,
        widget=forms.RadioSelect,
    )
    previous_concerns = _three_valued("Earlier safeguarding concerns")

    FLAGS = ("child_protection_plan", "child_in_need", "looked_after", "previous_concerns")

    def __init__(self, *args, pupil, **kwargs):
        initial = {
            "sex": pupil.sex,
            "upn": pupil.upn,
            "address": pupil.address,
            "sen": pupil.sen,
            **{name: {True: "yes", False: "no", None: ""}[getattr(pupil, name)]
               for name in self.FLAGS},
        }  # fmt: skip
        for n, carer in enumerate(pupil.carers.all()[:CARER_SLOTS], start=1):
            initial |= {
                f"carer_{n}_name": carer.name,
                f"carer_{n}_relationship": carer.relationship,
                f"carer_{n}_phone": carer.phone,
                f"carer_{n}_email": carer.email,
                f"carer_{n}_parental_responsibility": {True: "yes", False: "no", None: ""}[
                    carer.parental_responsibility
                ],
            }
        for n, agency in enumerate(pupil.agencies.all()[:AGENCY_SLOTS], start=1):
            initial |= {f"agency_{n}": agency.agency, f"agency_{n}_contact": agency.contact}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for n in range(1, CARER_SLOTS + 1):
            self.fields[f"carer_{n}_name"] = SafeTextField(
                label="Name", max_length=SHORT, required=False
            )
            self.fields[f"carer_{n}_relationship"] = SafeTextField(
                label="Relationship to the pupil",
                help_text="Mother, father, foster carer...",
                max_length=100,
                required=False,
            )
            self.fields[f"carer_{n}_phone"] = SafeTextField(
                label="Phone", max_length=100, required=False
            )
            self.fields[f"carer_{n}_email"] = SafeTextField(
                label="Email", max_length=254, required=False
            )
            self.fields[f"carer_{n}_parental_responsibility"] = _three_valued(
                "Parental responsibility"
            )
        for n in range(1, AGENCY_SLOTS + 1):
            self.fields[f"agency_{n}"] = SafeTextField(
                label="Agency",
                help_text="Social care, Early Help, CAMHS, a youth worker...",
                max_length=SHORT,
                required=False,
            )
            self.fields[f"agency_{n}_contact"] = SafeTextField(
                label="The worker and how to reach them", max_length=300, required=False
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "sex",
            Field.text("upn", field_width=10),
            "address",
            "child_protection_plan",
            "child_in_need",
            "looked_after",
            "sen",
            "previous_concerns",
            *[
                Div(
                    HTML(
                        f'<h2 class="govuk-heading-m">Parent or carer {n}'
                        f"{' (who to contact first)' if n == 1 else ''}</h2>"
                    ),
                    f"carer_{n}_name",
                    f"carer_{n}_relationship",
                    f"carer_{n}_phone",
                    f"carer_{n}_email",
                    f"carer_{n}_parental_responsibility",
                )
                for n in range(1, CARER_SLOTS + 1)
            ],
            HTML('<h2 class="govuk-heading-m">Other agencies working with the pupil</h2>'),
            *[Div(f"agency_{n}", f"agency_{n}_contact") for n in range(1, AGENCY_SLOTS + 1)],
            Submit("submit", "Save"),
        )

    def clean_upn(self):
        upn = "".join(self.cleaned_data.get("upn", "").split()).upper()
        if upn and not _UPN.match(upn):
            raise forms.ValidationError(UPN_SHAPE)
        return upn

    def clean(self):
        data = super().clean()
        for n in range(1, CARER_SLOTS + 1):
            others = ("relationship", "phone", "email")
            if not data.get(f"carer_{n}_name") and any(data.get(f"carer_{n}_{o}") for o in others):
                self.add_error(f"carer_{n}_name", SAY_CARER_NAME)
        for n in range(1, AGENCY_SLOTS + 1):
            if not data.get(f"agency_{n}") and data.get(f"agency_{n}_contact"):
                self.add_error(f"agency_{n}", SAY_AGENCY_NAME)
        return data

    def details(self) -> dict:
        """The pupil's fields, carers and agencies as `update_pupil_details` takes them."""
        data = self.cleaned_data
        yes_no = {"yes": True, "no": False, "": None}
        fields = {
            "sex": data["sex"],
            "upn": data["upn"],
            "address": data["address"],
            "sen": data["sen"],
            **{name: yes_no[data[name]] for name in self.FLAGS},
        }
        carers = [
            {
                "name": data[f"carer_{n}_name"],
                "relationship": data[f"carer_{n}_relationship"],
                "phone": data[f"carer_{n}_phone"],
                "email": data[f"carer_{n}_email"],
                "parental_responsibility": yes_no[data[f"carer_{n}_parental_responsibility"]],
            }
            for n in range(1, CARER_SLOTS + 1)
            if data[f"carer_{n}_name"]
        ]
        agencies = [
            {"agency": data[f"agency_{n}"], "contact": data[f"agency_{n}_contact"]}
            for n in range(1, AGENCY_SLOTS + 1)
            if data[f"agency_{n}"]
        ]
        return {"fields": fields, "carers": carers, "agencies": agencies}


ENTER_A_REFERENCE = "Enter the other case's reference, for example SG-7K3M-Q9XD."
SAY_WHY_LINKED = "Write how the cases are linked."
SAY_WHY_DUPLICATE = "Write why this case is a duplicate, for example who reported it first."
NO_SUCH_CASE = "There is no case {reference} at this school. Check the reference."


class OtherCaseForm(CaseForm):
    """Names another case of the same school by its reference (`other_case` once valid)."""

    reference = SafeTextField(
        label="The other case's reference",
        help_text="For example, SG-7K3M-Q9XD. It is at the top of the case's page.",
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, incident=None, cases=None, **kwargs):
        super().__init__(*args, incident=incident, **kwargs)
        self.fields["reference"].error_messages["required"] = ENTER_A_REFERENCE
        self.cases = cases  # the cases the signed-in person may link this one to
        self.other_case = None

    def clean_reference(self):
        typed = self.cleaned_data["reference"]
        # "sg-7k3m q9xd", "7K3MQ9XD" and "SG-7K3M-Q9XD" are the same case.
        chars = re.sub(r"[^0-9A-Z]", "", typed.upper())
        chars = chars[2:] if chars.startswith("SG") and len(chars) == 10 else chars
        reference = f"SG-{chars[:4]}-{chars[4:]}" if len(chars) == 8 else typed.strip()
        self.other_case = self.cases.filter(reference=reference).first()
        if self.other_case is None:
            raise forms.ValidationError(NO_SUCH_CASE.format(reference=reference or typed))
        return reference


class LinkCaseForm(OtherCaseForm):
    required_messages = {"reason": "Choose how the cases are linked."}
    reason = forms.ChoiceField(
        label="How are they linked?", choices=CaseLink.Reason.choices, widget=forms.RadioSelect
    )
    explanation = SafeTextField(
        label="Say more (optional unless another reason)",
        max_length=LONG,
        textarea=True,
        required=False,
    )
    submit_label = "Link the cases"

    def clean(self):
        data = super().clean()
        if data.get("reason") == CaseLink.Reason.OTHER and not data.get("explanation", "").strip():
            self.add_error("explanation", SAY_WHY_LINKED)
        return data


class DuplicateForm(OtherCaseForm):
    required_messages = {"reason": SAY_WHY_DUPLICATE}
    reason = SafeTextField(label="Why is this case a duplicate?", max_length=LONG, textarea=True)
    submit_label = "Close as a duplicate"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].label = "The case this one duplicates"


SAY_WHY_ADDED = "Write why this pupil is being added to the case."
SAY_WHY_REMOVED = "Write why this pupil is being taken off the case."


class AddPupilForm(CaseForm):
    """A pupil found by a search of the school's list (`shown`), their part and why. The choice
    is checked against the whole list (`pupils`), not only what the search showed."""

    required_messages = {
        "pupil": "Choose the pupil.",
        "role": "Choose the pupil's part in the case.",
        "reason": SAY_WHY_ADDED,
    }
    pupil = forms.ModelChoiceField(label="Pupil", queryset=None, widget=forms.RadioSelect)
    role = forms.ChoiceField(
        label="Their part in the case", choices=PupilRole.choices, widget=forms.RadioSelect
    )
    reason = SafeTextField(label="Why are you adding them?", max_length=LONG, textarea=True)
    submit_label = "Add the pupil"

    def __init__(self, *args, pupils=None, shown=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["pupil"]
        field.queryset = pupils
        field.error_messages["invalid_choice"] = "Choose the pupil from the list."
        # Shown: the search's results. Checked: the whole list (the queryset, not these).
        field.choices = [
            (str(p.pk), f"{p.last_name}, {p.first_name} ({p.get_year_group_display()})")
            for p in shown
        ]


class PupilSearchForm(forms.Form):
    """Find a pupil on the school's list by name (posted: names stay out of URLs)."""

    q = SafeTextField(
        label="Find the pupil",
        max_length=SHORT,
        help_text="Type part of their first or last name. Accents and apostrophes do not"
        " matter: Sian finds Siân, OBrien finds O’Brien.",
        error_messages={
            "required": "Type part of the pupil's name.",
            "max_length": f"Search for {SHORT} characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"class": "govuk-input govuk-!-width-two-thirds", "dir": "auto", "spellcheck": "false"}
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(
            Submit(
                "action", "Search", css_class="govuk-button--secondary", data_module="govuk-button"
            )
        )


class RemovePupilForm(CaseForm):
    required_messages = {
        "involvement": "Choose the pupil to take off the case.",
        "reason": SAY_WHY_REMOVED,
    }
    involvement = forms.ModelChoiceField(
        label="Pupil to take off the case", queryset=None, widget=forms.RadioSelect
    )
    reason = SafeTextField(
        label="Why are you taking them off?",
        help_text="For example: named by mistake, or the wrong pupil of the same name.",
        max_length=LONG,
        textarea=True,
    )
    submit_label = "Take the pupil off the case"

    def __init__(self, *args, involvements=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["involvement"].queryset = involvements
        self.fields["involvement"].label_from_instance = lambda i: (
            f"{i.pupil} ({i.get_role_display().lower()})"
        )


class SearchForm(forms.Form):
    q = SafeTextField(
        label="Search cases",
        max_length=SHORT,
        required=False,
        help_text="A case reference, a pupil's name, or words in what was reported or recorded.",
        error_messages={"max_length": f"Search for {SHORT} characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"class": "govuk-input govuk-!-width-two-thirds", "dir": "auto", "spellcheck": "false"}
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", "Search", data_module="govuk-button"))
