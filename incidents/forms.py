"""Forms check the shape of input only. Every text field is a SafeTextField (no imagery)."""

import calendar
from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Layout
from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.html import format_html

from safeguarding.text import SafeTextField

from .models import CameToLight, Kind, Location, PupilRole, YearGroup, YesNoUnknown

ACCOUNT_MAX = 5000
PLATFORM_MAX = 200
ADULTS_MAX = 1000
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


class WhatHappenedForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is it about?",
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what it is about, or 'Not sure'"},
    )
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.radios("kind", legend_size="m"),
            Field.radios("came_to_light", legend_size="m"),
            Field("happened_on", context={"legend_size": "govuk-fieldset__legend--m"}),
            Field.radios("location", legend_size="m"),
            Field.text("platform", label_size="s"),
            Field.textarea("account", label_size="m", max_characters=ACCOUNT_MAX, threshold=80),
        )

    def to_draft(self) -> dict:
        data = dict(self.cleaned_data)
        happened_on: date | None = data.pop("happened_on")
        data["happened_on"] = happened_on.isoformat() if happened_on else ""
        return data

    @staticmethod
    def initial_from_draft(saved: dict) -> dict:
        initial = dict(saved)
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


class AdultsForm(forms.Form):
    adults_involved = forms.ChoiceField(
        label="Is an adult involved in any way?",
        choices=YesNoUnknown.choices,
        widget=forms.RadioSelect,
        help_text="For example an adult who made, asked for, sent or was sent the image.",
        error_messages={"required": "Select yes, no or not known"},
    )
    adults_description = SafeTextField(
        label="Who is the adult? (if yes)",
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
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.radios("adults_involved", legend_size="m"),
            Field.textarea("adults_description", max_characters=ADULTS_MAX, threshold=80),
        )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("adults_involved") == YesNoUnknown.YES
            and not cleaned.get("adults_description")
            and "adults_description" not in self.errors
        ):
            self.add_error("adults_description", ADULTS_DESCRIPTION_MESSAGE)
        return cleaned


class ChecklistForm(forms.Form):
    """The guidance checklist's questions, less the ones earlier steps already answered."""

    def __init__(self, *args, checklist, skip=(), **kwargs):
        super().__init__(*args, **kwargs)
        layout = []
        section = None
        for question in checklist.questions:
            if question.id in skip:
                continue
            if question.section != section:
                section = question.section
                heading = format_html('<h2 class="govuk-heading-m">{}</h2>', section)
                layout.append(HTML(heading.replace("{", "&#123;")))
            if question.answer_type == "yes_no_unknown":
                choices = list(YesNoUnknown.choices)
                message = "Select yes, no or not known"
            else:
                choices = [(c.value, c.label) for c in question.choices]
                message = "Select an answer"
            self.fields[question.id] = forms.ChoiceField(
                label=question.text,
                help_text=question.help,
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={"required": message, "invalid_choice": message},
            )
            layout.append(
                Field.radios(
                    question.id,
                    legend_size="s",
                    inline=question.answer_type == "yes_no_unknown",
                )
            )
        self.helper = _helper(*layout)


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
            "tabs. Dates as 2014-09-27 or 27/09/2014. The MIS id may be blank. Up to 5,000 rows."
        ),
        error_messages={
            "required": "Paste the pupil list",
            "max_length": f"The list must be {CSV_MAX:,} characters or fewer: import it in parts",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("csv_text", label_size="m"))
