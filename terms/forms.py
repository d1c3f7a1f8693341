from crispy_forms_gds.helper import FormHelper
from django import forms

from safeguarding.text import SafeTextField

from .parse import parse_term_dates

MAX_LENGTH = 20_000


class TermDatesForm(forms.Form):
    dates = SafeTextField(
        label="Term dates and days the school is closed",
        help_text=(
            "One term, holiday or closed day a line: its name, then its first and last day. "
            "Paste them from your local authority's calendar, or type them."
        ),
        required=False,
        max_length=MAX_LENGTH,
        textarea=True,
        rows=14,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        self.parsed = parse_term_dates(cleaned.get("dates", ""))
        if self.parsed.errors:
            raise forms.ValidationError(
                [f"Line {line}: {reason}." for line, reason in self.parsed.errors]
            )
        return cleaned
