from django import forms

from .periods import TERMS, Period, current_academic_year, year_label, years_offered


class PeriodForm(forms.Form):
    """Which academic year and term to show. Read from the query string."""

    year = forms.TypedChoiceField(label="Academic year", coerce=int)
    term = forms.ChoiceField(label="Term", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, year_label(y)) for y in years_offered()]
        self.fields["term"].choices = [("", "Whole year")] + [
            (key, label) for key, (label, _) in TERMS.items()
        ]

    def period(self) -> Period:
        """The chosen period, or this academic year when nothing valid was chosen."""
        if self.is_bound and self.is_valid():
            return Period(self.cleaned_data["year"], self.cleaned_data["term"])
        return Period(current_academic_year())
