"""Forms check the shape of input only. Every text field is a SafeTextField (no imagery)."""

import calendar
import json
from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Div, Field, Layout
from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from guidance.checklist import YES_NO_UNKNOWN, Question
from safeguarding.text import SafeTextField

from . import journey
from .models import CameToLight, Location, PupilRole, YearGroup, YesNoUnknown

ACCOUNT_MAX = 5000
PLATFORM_MAX = 200
ADULTS_MAX = 1000
DEVICE_MAX = 500
VIEWED_BY_MAX = 500
VIEWED_WHEN_MAX = 200
NAME_MAX = 100
FOLLOW_UP_MAX = 5000
CSV_MAX = 400_000

FUTURE_DATE_MESSAGE = "The date must be today or in the past"
DATE_PART_MESSAGES = (
    "Enter the day as a number, for example 27",
    "Enter the month as a number, for example 3",
    "Enter the year as a number, for example 2026",
)
# Only part of a date known: a made-up day would be recorded as fact, so the date is left out
# and the rest said in words.
DATE_INCOMPLETE_MESSAGES = (
    "Enter the day too. If you only know the month, leave the date blank and say roughly "
    "when in 'What happened'",
    "Enter the month too, or leave the date blank and say roughly when in 'What happened'",
    "Enter the year too, for example 2026",
)
DATE_FULL_YEAR_MESSAGE = "Enter the year in full, for example 2026"
DATE_DAYS_IN_MONTH_MESSAGE = "{month} {year} has {days} days: check the day"
ACKNOWLEDGE_MESSAGE = "Confirm that you have read what to do and what not to do"
ADULTS_DESCRIPTION_MESSAGE = "Say who the adult is, in words"
DEVICE_DETAILS_MESSAGE = "Say what the device is and where it is now, or write 'not known'"
VIEWED_BY_MESSAGE = "Say who saw it, for example 'I did'"
YES_NO_UNKNOWN_MESSAGE = "Select yes, no or not known"
CHOICE_MESSAGE = "Select an answer, or 'Not known'"
# Where a question's own words make a clearer message than the general one.
QUESTION_MESSAGES = {"image_nature": "Select what kind of image it is, or 'Not known'"}


def _helper(*fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if fields:
        helper.layout = Layout(*fields)
    return helper


class AcknowledgeForm(forms.Form):
    acknowledged = forms.BooleanField(
        label="I have read this. I will not look at, copy, save, share or delete any images.",
        error_messages={"required": ACKNOWLEDGE_MESSAGE},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.checkbox("acknowledged"))


class NotInFutureDateField(DateInputField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.error_messages["invalid"] = "Enter a real date, for example 27 3 2026"
        # The GOV.UK pack calls a bad day "not a valid date"; say what each box needs.
        for box, message, incomplete in zip(
            self.fields, DATE_PART_MESSAGES, DATE_INCOMPLETE_MESSAGES, strict=True
        ):
            box.validators = [RegexValidator(r"^[0-9]+$", message)]
            box.error_messages["incomplete"] = incomplete

    def compress(self, data_list):
        try:
            return super().compress(data_list)
        except (forms.ValidationError, TypeError, ValueError, OverflowError):
            raise self._why_not_a_date(data_list) from None

    def _why_not_a_date(self, data_list) -> forms.ValidationError:
        """A specific message where one helps: '29 2 2026' or '14 3 26'."""
        try:
            day, month, year = (int(part) for part in data_list)
        except (TypeError, ValueError):
            day = month = year = 0
        if 0 <= year < 100 and 1 <= month <= 12:
            return forms.ValidationError(DATE_FULL_YEAR_MESSAGE, code="invalid")
        if 1900 <= year <= 9999 and 1 <= month <= 12 and day > 28:
            days = calendar.monthrange(year, month)[1]
            message = DATE_DAYS_IN_MONTH_MESSAGE.format(
                month=calendar.month_name[month], year=year, days=days
            )
            return forms.ValidationError(message, code="invalid")
        return forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value):
        super().validate(value)
        if value and value > timezone.localdate():
            raise forms.ValidationError(FUTURE_DATE_MESSAGE, code="future")
        if value and value.year < 100:
            raise forms.ValidationError(DATE_FULL_YEAR_MESSAGE, code="invalid")
        if value and value.year < 1900:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


def question_field(question: Question, *, required: bool = True) -> forms.ChoiceField:
    """A checklist question as radios, worded as the checklist version words it."""
    if question.answer_type == YES_NO_UNKNOWN:
        choices, message = list(YesNoUnknown.choices), YES_NO_UNKNOWN_MESSAGE
    else:
        choices = [(c.value, c.label) for c in question.choices]
        message = QUESTION_MESSAGES.get(question.id, CHOICE_MESSAGE)
    return forms.ChoiceField(
        label=question.text,
        help_text=question.help,
        choices=choices,
        widget=forms.RadioSelect,
        required=required,
        error_messages={"required": message, "invalid_choice": message},
    )


def _question_radios(question: Question, **kwargs) -> Field:
    inline = question.answer_type == YES_NO_UNKNOWN and question.id not in journey.FOLLOW_UPS
    return Field.radios(question.id, inline=inline, **kwargs)


class WhatHappenedForm(forms.Form):
    """What happened, with the checklist's questions about the image's nature and, apart from
    it, threats or demands (journey.WHAT_QUESTION_IDS): a threat never hides the image."""

    came_to_light = forms.ChoiceField(
        label="How did you find out?",
        choices=CameToLight.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you found out"},
    )
    happened_on = NotInFutureDateField(
        label="When did it happen?",
        required=False,
        require_all_fields=False,
        help_text=(
            "For example 27 3 2026. If you do not know the exact day, leave it blank and say "
            "roughly when in 'What happened'."
        ),
    )
    location = forms.ChoiceField(
        label="Where did it happen?",
        choices=Location.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where it happened, or 'Not known'"},
    )
    platform = SafeTextField(
        label="Which app, website or game? (optional)",
        max_length=PLATFORM_MAX,
        required=False,
        help_text=f"For example Snapchat, Instagram or WhatsApp. Up to {PLATFORM_MAX} characters.",
        error_messages={
            "max_length": f"The app or website must be {PLATFORM_MAX} characters or fewer"
        },
    )
    account = SafeTextField(
        label="What happened?",
        max_length=ACCOUNT_MAX,
        textarea=True,
        rows=8,
        help_text=(
            "Write down the facts: who said what, when and where. Use the child's own words "
            "where you can, in quotation marks. Do not add your opinion and do not describe the "
            f"image itself. Up to {ACCOUNT_MAX:,} characters."
        ),
        error_messages={
            "required": "Say what happened, in words",
            "max_length": f"What happened must be {ACCOUNT_MAX:,} characters or fewer",
        },
    )

    def __init__(self, *args, checklist, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = journey.what_questions(checklist)
        own = dict(self.fields)
        self.fields.clear()
        for question in self.questions:
            self.fields[question.id] = question_field(question)
        self.fields.update(own)
        self.helper = _helper(
            *(_question_radios(q, legend_size="m") for q in self.questions),
            Field.radios("came_to_light", legend_size="m"),
            Field("happened_on", context={"legend_size": "govuk-fieldset__legend--m"}),
            Field.radios("location", legend_size="m"),
            Field.text("platform", label_size="s"),
            Field.textarea("account", label_size="m", max_characters=ACCOUNT_MAX, threshold=80),
        )

    def to_draft(self) -> tuple[dict, dict[str, str]]:
        """(what happened, the checklist answers given here)."""
        data = dict(self.cleaned_data)
        answers = {q.id: data.pop(q.id) for q in self.questions}
        happened_on: date | None = data.pop("happened_on")
        data["happened_on"] = happened_on.isoformat() if happened_on else ""
        return data, answers

    @staticmethod
    def initial_from_draft(saved: dict, answers: dict[str, str]) -> dict:
        initial = {**saved, **{k: v for k, v in answers.items() if k in journey.WHAT_QUESTION_IDS}}
        if initial.get("happened_on"):
            initial["happened_on"] = date.fromisoformat(initial["happened_on"])
        else:
            initial.pop("happened_on", None)
        return initial


ROLE_FIELD_KWARGS = {
    "label": "Their part in it",
    "choices": PupilRole.choices,
    "widget": forms.RadioSelect,
    "error_messages": {"required": "Select the pupil's part in it"},
}


def _isolated(last_name: str, first_name: str) -> str:
    """ "Last, First" with a left-to-right mark after each name (an option's text cannot hold
    <bdi>), so the last name stays first when the names are written right to left. Marks after,
    not before: typing a name's first letters in the list still finds it."""
    return f"{last_name}\u200e, {first_name}\u200e"


class PupilSearchForm(forms.Form):
    q = SafeTextField(
        label="Search the pupil list",
        max_length=NAME_MAX,
        required=False,
        help_text="Type part of a first or last name, then select Search.",
        error_messages={"max_length": f"Search for {NAME_MAX} characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("q", label_size="s", field_width=20, data_pupil_search="", dir="auto")
        )


class ChoosePupilForm(forms.Form):
    pupil = forms.ChoiceField(
        label="Pupil",
        error_messages={
            "required": "Select a pupil from the list",
            "invalid_choice": "Select a pupil from the list",
        },
    )
    role = forms.ChoiceField(**ROLE_FIELD_KWARGS)

    def __init__(self, *args, pupils=(), **kwargs):
        super().__init__(*args, prefix="choose", **kwargs)
        self.fields["pupil"].choices = [("", "Select a pupil")] + [
            (str(p.pk), f"{_isolated(p.last_name, p.first_name)} ({p.get_year_group_display()})")
            for p in pupils
        ]
        self.helper = _helper(
            Field.select("pupil", data_pupil_select=""), Field.radios("role", legend_size="s")
        )

    def started(self) -> bool:
        """Whether anything was chosen here (the page has two ways to add a pupil)."""
        return any(self.data.get(self.add_prefix(name)) for name in self.fields)


class NewPupilForm(forms.Form):
    first_name = SafeTextField(
        label="First name",
        max_length=NAME_MAX,
        help_text=f"Up to {NAME_MAX} characters.",
        error_messages={
            "required": "Enter the pupil's first name",
            "max_length": f"The first name must be {NAME_MAX} characters or fewer",
        },
    )
    last_name = SafeTextField(
        label="Last name",
        max_length=NAME_MAX,
        help_text=f"Up to {NAME_MAX} characters. If you do not know it, write 'Not known'.",
        error_messages={
            "required": "Enter the pupil's last name, or 'Not known'",
            "max_length": f"The last name must be {NAME_MAX} characters or fewer",
        },
    )
    year_group = forms.ChoiceField(
        label="Year group",
        choices=[("", "Select a year group")] + list(YearGroup.choices),
        error_messages={"required": "Select the pupil's year group"},
    )
    role = forms.ChoiceField(**ROLE_FIELD_KWARGS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="new", **kwargs)
        self.helper = _helper(
            Field.text("first_name", field_width=20, dir="auto"),
            Field.text("last_name", field_width=20, dir="auto"),
            Field.select("year_group"),
            Field.radios("role", legend_size="s"),
        )

    def started(self) -> bool:
        """Whether anything was typed or chosen here."""
        return any(self.data.get(self.add_prefix(name), "").strip() for name in self.fields)


def _follow_up_fields() -> dict[str, forms.Field]:
    """The words asked for after a "yes" (journey.FOLLOW_UPS), as new fields for one form."""
    return {
        "adults_description": SafeTextField(
            label="Who is the adult?",
            max_length=ADULTS_MAX,
            required=False,
            textarea=True,
            rows=3,
            help_text=(
                "In words, for example 'a man she met on Instagram who says he is 17'. "
                f"Up to {ADULTS_MAX:,} characters."
            ),
            error_messages={
                "max_length": f"Who the adult is must be {ADULTS_MAX:,} characters or fewer"
            },
        ),
        "device_details": SafeTextField(
            label="What is the device, and where is it now?",
            max_length=DEVICE_MAX,
            required=False,
            help_text=(
                "For example 'Maya's phone: she still has it' or 'Jake's tablet, locked in the "
                "head of year's office'."
            ),
            error_messages={
                "max_length": f"What the device is must be {DEVICE_MAX} characters or fewer"
            },
        ),
        "imagery_viewed_by": SafeTextField(
            label="Who saw it?",
            max_length=VIEWED_BY_MAX,
            required=False,
            help_text=(
                "For example 'I did' or 'Mr Patel, teaching assistant'. Say who saw it, never "
                "what it showed."
            ),
            error_messages={
                "max_length": f"Who saw it must be {VIEWED_BY_MAX} characters or fewer"
            },
        ),
        "imagery_viewed_when": SafeTextField(
            label="Roughly when? (optional)",
            max_length=VIEWED_WHEN_MAX,
            required=False,
            help_text="For example 'Tuesday at lunchtime' or 'about 10am today'.",
            error_messages={"max_length": f"When must be {VIEWED_WHEN_MAX} characters or fewer"},
        ),
    }


FOLLOW_UP_REQUIRED_MESSAGES = {
    "adults_description": ADULTS_DESCRIPTION_MESSAGE,
    "device_details": DEVICE_DETAILS_MESSAGE,
    "imagery_viewed_by": VIEWED_BY_MESSAGE,
}


def _follow_up_layout(name: str) -> Field:
    if name == "adults_description":
        return Field.textarea(name, max_characters=ADULTS_MAX, threshold=80, dir="auto")
    return Field.text(name, dir="auto")


def _ask_if_block(fields, conditions: dict[str, list[str]], shown: bool) -> Div:
    """A question (or the words after a "yes") that applies only given other answers on the
    page. Shown to everyone without JavaScript; with it, hidden until the answers call for it
    (static/incidents/ask-if.js). The server decides what was asked either way."""
    css = "app-ask-if" if shown else "app-ask-if app-ask-if--hidden"
    return Div(*fields, css_class=css, data_ask_if=json.dumps(conditions, sort_keys=True))


def pupil_ages_hint(pupils: list[dict], today: date) -> str:
    """Who of the named pupils is under 13, from the dates of birth on the school's list, as HTML
    for the "under 13" question's hint; a pupil without one is said to have none. Each pupil is
    a dict with "name", "roles" and "born" (a date or None)."""
    if not pupils:
        return ""

    def line(pupil):
        born = pupil.get("born")
        if born is None:
            return format_html(
                "<bdi>{}</bdi> ({}): no date of birth on the school's list",
                pupil["name"],
                pupil["roles"],
            )
        age = journey.age_on(born, today)
        return format_html(
            "<bdi>{}</bdi> ({}): {} years old{}, born {}",
            pupil["name"],
            pupil["roles"],
            age,
            ", under 13" if age < 13 else "",
            f"{born.day} {born:%B %Y}",
        )

    items = format_html_join("", "<li>{}</li>", ((line(p),) for p in pupils))
    return format_html(
        '<span class="govuk-!-display-block govuk-!-margin-top-2">Ages today of the pupils '
        'you named:</span><ul class="govuk-list govuk-list--bullet govuk-hint '
        'govuk-!-margin-bottom-0">{}</ul>',
        items,
    )


class ChecklistForm(forms.Form):
    """The Questions page: the checklist's staff questions not asked on "What happened", each
    only when its `ask_if` holds, with the words asked for after some "yes" answers."""

    def __init__(self, *args, checklist, earlier_answers=None, ages_hint="", **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        self.earlier_answers = dict(earlier_answers or {})
        questions = journey.page_questions(checklist)
        on_page = {q.id for q in questions}
        asked = journey.asked_answers(
            checklist, {**self.earlier_answers, **self._current_answers(questions)}
        )
        self.questions: list[Question] = []
        self.follow_ups: list[str] = []
        follow_up_fields = _follow_up_fields()
        sections: dict[str, list] = {}
        for question in questions:
            elsewhere = [(qid, values) for qid, values in question.ask_if if qid not in on_page]
            if not all(asked.get(qid) in values for qid, values in elsewhere):
                continue  # depends on an earlier page's answer, which rules it out
            self.questions.append(question)
            field = question_field(question, required=False)
            if question.id == "sexual_acts_under_13" and ages_hint:
                field.help_text = format_html("{}{}", question.help, ages_hint)
            self.fields[question.id] = field
            conditions = {qid: list(values) for qid, values in question.ask_if if qid in on_page}
            shown = question.is_asked(asked)
            parts = [_question_radios(question, legend_size="s")]
            for name in journey.FOLLOW_UPS.get(question.id, ()):
                self.fields[name] = follow_up_fields[name]
                self.follow_ups.append(name)
                revealed = shown and asked.get(question.id) == "yes"
                parts.append(
                    _ask_if_block([_follow_up_layout(name)], {question.id: ["yes"]}, revealed)
                )
            sections.setdefault(question.section, []).append((conditions, shown, parts))
        layout = []
        for section, entries in sections.items():
            heading = format_html('<h2 class="govuk-heading-m">{}</h2>', section)
            heading = HTML(heading.replace("{", "&#123;"))
            conditions, shown, _parts = entries[0]
            if conditions and all(entry[0] == conditions for entry in entries):
                # The whole section waits for the same answer: its heading waits with it.
                parts = [part for entry in entries for part in entry[2]]
                layout.append(_ask_if_block([heading, *parts], conditions, shown))
                continue
            layout.append(heading)
            for conditions, shown, parts in entries:
                layout.extend([_ask_if_block(parts, conditions, shown)] if conditions else parts)
        self.helper = _helper(*layout)

    def _current_answers(self, questions) -> dict[str, str]:
        source = self.data if self.is_bound else self.initial
        return {q.id: source.get(q.id) for q in questions if source.get(q.id)}

    def clean(self):
        cleaned = super().clean()
        given = {q.id: cleaned[q.id] for q in self.questions if cleaned.get(q.id)}
        asked = journey.asked_answers(self.checklist, {**self.earlier_answers, **given})
        for question in self.questions:
            if not question.is_asked(asked):
                self._forget(question.id)
            elif question.id not in asked and question.id not in self._errors:
                field = self.fields[question.id]
                self.add_error(question.id, field.error_messages["required"])
        needed = journey.follow_ups_asked(asked)
        for name in self.follow_ups:
            if name not in needed:
                self._forget(name)
            elif (
                name in FOLLOW_UP_REQUIRED_MESSAGES
                and not cleaned.get(name)
                and name not in self._errors
            ):
                self.add_error(name, FOLLOW_UP_REQUIRED_MESSAGES[name])
        return cleaned

    def _forget(self, name: str) -> None:
        """Not asked, given the other answers: neither its answer nor its error counts."""
        self.cleaned_data.pop(name, None)
        if name in self._errors:
            del self._errors[name]

    def answers(self) -> dict[str, str]:
        return {q.id: self.cleaned_data[q.id] for q in self.questions if q.id in self.cleaned_data}

    def details(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[name] for name in self.follow_ups if self.cleaned_data.get(name)
        }


class FollowUpForm(forms.Form):
    text = SafeTextField(
        label="What else do you need to tell the safeguarding lead?",
        max_length=FOLLOW_UP_MAX,
        textarea=True,
        help_text=(
            "This is added to your report. Your report itself is not changed. "
            f"Up to {FOLLOW_UP_MAX:,} characters."
        ),
        error_messages={
            "required": "Write the further information",
            "max_length": f"Further information must be {FOLLOW_UP_MAX:,} characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.textarea("text", label_size="m", max_characters=FOLLOW_UP_MAX, threshold=80)
        )


class PupilImportForm(forms.Form):
    csv_text = SafeTextField(
        label="Paste the pupil list",
        max_length=CSV_MAX,
        textarea=True,
        rows=12,
        help_text=(
            "Copy the rows from your spreadsheet or MIS export, or open a CSV file in a text "
            "editor and copy it all, with the heading row first: first_name, last_name, "
            "year_group, date_of_birth, mis_id (Forename, Surname, Year, DOB and UPN are "
            "understood too). Columns may be separated by commas, semicolons or "
            "tabs. Dates as 2014-09-27 or 27/09/2014. The MIS id may be blank. Up to 5,000 rows. "
            "Each child's details for a referral (sex, UPN, address, parents or carers, SEN, "
            "protection plan, child in need, looked after, other agencies) can come too: the "
            "columns read are listed above."
        ),
        error_messages={
            "required": "Paste the pupil list",
            "max_length": f"The list must be {CSV_MAX:,} characters or fewer: import it in parts",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("csv_text", label_size="m"))
