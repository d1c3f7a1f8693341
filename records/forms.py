"""Forms for a file's life. They check the shape of the input; services check the rest."""

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.utils import timezone

from safeguarding.models import School
from safeguarding.text import SafeTextField

from .models import DisclosureItem, Exemption, LegalHold, SecureExport, SubjectAccessRequest

SHORT, LONG = 200, 5000
NOT_IN_FUTURE = "The date must be today or in the past."


def _date(label: str, **kwargs) -> forms.DateField:
    widget = forms.DateInput(attrs={"type": "date", "class": "govuk-input govuk-input--width-10"})
    return forms.DateField(label=label, widget=widget, **kwargs)


def _past(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(NOT_IN_FUTURE)
    return value


class RecordsForm(forms.Form):
    required_messages: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        for name, message in self.required_messages.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message
        # Arabic or Hebrew typed into a box reads right to left as it is typed.
        for field in self.fields.values():
            if type(field.widget) in (forms.TextInput, forms.Textarea):
                field.widget.attrs.setdefault("dir", "auto")


class LeavingForm(RecordsForm):
    leaving_date = _date(
        "Last day at this school",
        required=False,
        help_text="Leave it empty if the pupil is no longer leaving.",
    )
    destination = SafeTextField(
        label="The school they are going to",
        help_text="As you know it: the school's name and town. Leave empty if not known yet.",
        max_length=SHORT,
        required=False,
    )


class SendForm(RecordsForm):
    to_school = forms.ModelChoiceField(
        label="The pupil's new school",
        queryset=School.objects.none(),
        empty_label="Choose a school",
        help_text="Schools that use this service, in any trust. If the school is not listed, "
        "send the file as a secure export instead.",
    )
    keep_other_names = forms.BooleanField(
        label="Keep other pupils' names in the file",
        required=False,
        help_text="Other pupils are shown as 'another pupil' unless the new school needs to "
        "know who they are.",
    )
    other_names_reason = SafeTextField(
        label="Why the new school needs other pupils' names",
        max_length=LONG,
        required=False,
        textarea=True,
        rows=3,
    )
    required_messages = {"to_school": "Choose the pupil's new school."}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_school"].queryset = School.objects.exclude(pk=school.pk).order_by("name")
        self.fields["to_school"].label_from_instance = lambda s: (
            f"{s.name}{f' (URN {s.urn})' if s.urn else ''}"
        )


class AcceptForm(RecordsForm):
    NEW = "new"
    pupil = forms.ChoiceField(label="Who is this pupil on your list?", widget=forms.RadioSelect)
    required_messages = {"pupil": "Choose the pupil on your list, or add them to it."}

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (
                str(p.pk),
                f"{p.first_name} {p.last_name}, {p.get_year_group_display()}"
                + (f", MIS id {p.mis_id}" if p.mis_id else ""),
            )
            for p in candidates
        ]
        choices.append((self.NEW, "Not on our list yet: add them from the file"))
        self.fields["pupil"].choices = choices
        if len(choices) == 1:
            self.initial.setdefault("pupil", self.NEW)


class ReasonForm(RecordsForm):
    reason = SafeTextField(label="Why", max_length=LONG, textarea=True, rows=4)
    required_messages = {"reason": "Write the reason."}

    def __init__(self, *args, label: str = "Why", hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].help_text = hint


class ExportForm(RecordsForm):
    recipient_school = SafeTextField(
        label="The school it is for",
        help_text="The new school's name and town.",
        max_length=SHORT,
    )
    required_messages = {"recipient_school": "Enter the school the file is for."}


class ExportSentForm(RecordsForm):
    sent_on = _date("Date sent", validators=[_past])
    method = forms.ChoiceField(
        label="How it was sent", choices=SecureExport.Method.choices, widget=forms.RadioSelect
    )
    sent_to = SafeTextField(
        label="Who it was sent to",
        help_text="Their name and role, such as the new school's DSL.",
        max_length=SHORT,
    )
    required_messages = {
        "sent_on": "Enter the date it was sent.",
        "method": "Choose how it was sent.",
        "sent_to": "Enter who it was sent to.",
    }


class ReceiptForm(RecordsForm):
    confirmed_on = _date("Date they confirmed they received it", validators=[_past])
    confirmed_by = SafeTextField(label="Who confirmed it", max_length=SHORT)
    required_messages = {
        "confirmed_on": "Enter the date they confirmed it.",
        "confirmed_by": "Enter who confirmed it.",
    }


class RuleForm(RecordsForm):
    years_after_birth = forms.IntegerField(
        label="Review a file this many years after the pupil's date of birth",
        min_value=1,
        max_value=100,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )
    reason = SafeTextField(
        label="Why, and where the rule comes from",
        help_text="For example: the school's records management policy, agreed by governors.",
        max_length=LONG,
        textarea=True,
        rows=3,
    )
    required_messages = {
        "years_after_birth": "Enter a number of years from 1 to 100.",
        "reason": "Write why the school chose this rule.",
    }


class KeepForm(RecordsForm):
    reason = SafeTextField(
        label="Why the file is being kept", max_length=LONG, textarea=True, rows=4
    )
    next_review_on = _date("Review it again on")
    required_messages = {
        "reason": "Write why the file is being kept.",
        "next_review_on": "Enter the date of the next review.",
    }


class DisposeForm(RecordsForm):
    confirm = forms.BooleanField(
        label="I understand that the pupil's name and the file's contents will be removed for "
        "good and cannot be brought back",
    )
    required_messages = {"confirm": "Tick the box to confirm."}


class HoldForm(RecordsForm):
    kind = forms.ChoiceField(
        label="Why the file must be kept", choices=LegalHold.Kind.choices, widget=forms.RadioSelect
    )
    reason = SafeTextField(
        label="Details",
        help_text="Who asked for it to be kept, and their reference. Say what would end it.",
        max_length=LONG,
        textarea=True,
        rows=4,
    )
    required_messages = {
        "kind": "Choose why the file must be kept.",
        "reason": "Write the details.",
    }


class RequestForm(RecordsForm):
    requester_name = SafeTextField(label="Who asked", max_length=SHORT)
    relationship = forms.ChoiceField(
        label="Who they are",
        choices=SubjectAccessRequest.Relationship.choices,
        widget=forms.RadioSelect,
    )
    how_received = forms.ChoiceField(
        label="How they asked",
        choices=SubjectAccessRequest.How.choices,
        widget=forms.RadioSelect,
        help_text="A request can be made in any way, including by speaking to any member of staff.",
    )
    received_on = _date("Date the school received it", validators=[_past])
    required_messages = {
        "requester_name": "Enter who asked.",
        "relationship": "Choose who they are.",
        "how_received": "Choose how they asked.",
        "received_on": "Enter the date the school received the request.",
    }


class ExtendForm(RecordsForm):
    months = forms.TypedChoiceField(
        label="How much longer",
        choices=[(1, "One further month"), (2, "Two further months")],
        coerce=int,
        widget=forms.RadioSelect,
    )
    reason = SafeTextField(
        label="Why the request is complex",
        help_text="Tell the person who asked, and why, within the first month.",
        max_length=LONG,
        textarea=True,
        rows=3,
    )
    required_messages = {"months": "Choose how much longer.", "reason": "Write why it is complex."}


class ItemForm(RecordsForm):
    choice = forms.ChoiceField(
        label="What to do with this item",
        choices=DisclosureItem.Choice.choices,
        widget=forms.RadioSelect,
    )
    exemption = forms.ChoiceField(
        label="Exemption (if withheld)",
        choices=[("", "Choose an exemption"), *Exemption.choices],
        required=False,
    )
    note = SafeTextField(
        label="Why",
        help_text="For a withheld item, why the exemption applies; for one disclosed in full, "
        "why other people's details can be shared.",
        max_length=LONG,
        textarea=True,
        rows=3,
        required=False,
    )
    extra_redactions = SafeTextField(
        label="Other words to remove",
        help_text="One a line: a nickname, another person's name the file does not know.",
        max_length=LONG,
        textarea=True,
        rows=2,
        required=False,
    )
    required_messages = {"choice": "Choose what to do with this item."}


class EndRequestForm(RecordsForm):
    outcome = forms.ChoiceField(
        label="What happened",
        choices=[
            (SubjectAccessRequest.Status.WITHDRAWN, "The requester withdrew it"),
            (
                SubjectAccessRequest.Status.CLOSED,
                "Closed without disclosure (for example, who asked could not be confirmed, or "
                "the school holds nothing about the pupil)",
            ),
        ],
        widget=forms.RadioSelect,
    )
    reason = SafeTextField(
        label="Why",
        help_text="What the requester said, or why nothing will be disclosed.",
        max_length=LONG,
        textarea=True,
        rows=3,
    )
    ended_on = _date("Date", validators=[_past])
    required_messages = {
        "outcome": "Choose what happened.",
        "reason": "Write why.",
        "ended_on": "Enter the date.",
    }


class AnsweredForm(RecordsForm):
    answered_on = _date("Date the disclosure was sent", validators=[_past])
    required_messages = {"answered_on": "Enter the date the disclosure was sent."}
