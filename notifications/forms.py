"""The school's escalation times, as its DSL or school admin sets them."""

from datetime import time

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout
from django import forms

from .models import NotificationSettings

URGENT_MIN, URGENT_MAX = 5, 240
DAY_ENDS_EARLIEST, DAY_ENDS_LATEST = time(12, 0), time(20, 0)

URGENT_RANGE = f"Enter a whole number of minutes from {URGENT_MIN} to {URGENT_MAX}"
DAY_ENDS_FORMAT = "Enter a time using the 24-hour clock, like 17:00"
DAY_ENDS_RANGE = "Enter a time from 12:00 to 20:00"


class NotificationSettingsForm(forms.ModelForm):
    urgent_acknowledge_minutes = forms.IntegerField(
        label="Urgent concerns: minutes before the other safeguarding leads are told",
        help_text=(
            "Urgent means a child may be in danger or needs a referral now. If nobody "
            "acknowledges the concern in this many minutes, your other DSLs and deputies are "
            "emailed; if it is still waiting after the same time again, so is your trust lead. "
            f"From {URGENT_MIN} to {URGENT_MAX} minutes."
        ),
        min_value=URGENT_MIN,
        max_value=URGENT_MAX,
        # A text box (as GOV.UK advises for numbers), styled like every other input.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": URGENT_RANGE,
            "invalid": URGENT_RANGE,
            "min_value": URGENT_RANGE,
            "max_value": URGENT_RANGE,
        },
    )
    school_day_ends_at = forms.TimeField(
        label="Other concerns: acknowledged by this time on the next school day",
        help_text=(
            "Concerns that are not urgent must be acknowledged by this time on the next school "
            "day (a weekday in term, from the school's term dates), or your other DSLs and "
            "deputies are emailed. "
            "Use the 24-hour clock, from 12:00 to 20:00."
        ),
        input_formats=["%H:%M", "%H.%M"],
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
        error_messages={"required": DAY_ENDS_FORMAT, "invalid": DAY_ENDS_FORMAT},
    )

    class Meta:
        model = NotificationSettings
        fields = ["urgent_acknowledge_minutes", "school_day_ends_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ends_at = self.initial.get("school_day_ends_at")
        if isinstance(ends_at, time):  # shown as 17:00, not 17:00:00
            self.initial["school_day_ends_at"] = ends_at.strftime("%H:%M")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("urgent_acknowledge_minutes", field_width=4),
            Field.text("school_day_ends_at", field_width=5),
        )

    def clean_school_day_ends_at(self):
        value = self.cleaned_data["school_day_ends_at"]
        if not DAY_ENDS_EARLIEST <= value <= DAY_ENDS_LATEST:
            raise forms.ValidationError(DAY_ENDS_RANGE)
        return value
