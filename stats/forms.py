from django import forms

from .periods import (
    LAST_12_MONTHS,
    LAST_12_MONTHS_LABEL,
    TERMS,
    Period,
    current_academic_year,
    year_label,
    years_offered,
)


class PeriodForm(forms.Form):
    """Which academic year and term to show. Read from the query string."""

    year = forms.TypedChoiceField(
        label="Academic year", coerce=int, required=False, empty_value=None
    )
    term = forms.ChoiceField(label="Term", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, year_label(y)) for y in years_offered()]
        self.fields["term"].choices = [
            ("", "Whole year"),
            *((key, label) for key, (label, _) in TERMS.items()),
            (LAST_12_MONTHS, f"{LAST_12_MONTHS_LABEL} (any year)"),
        ]

    def period(self) -> Period:
        """The chosen period. A year left out means this academic year (so `?term=spring` is
        this year's spring term); a year or term that is not offered is dropped, keeping the
        rest: see `not_offered`."""
        if not self.is_bound:
            return Period(current_academic_year())
        self.is_valid()
        year = self.cleaned_data.get("year") or current_academic_year()
        return Period(year, self.cleaned_data.get("term") or "")

    @property
    def not_offered(self) -> bool:
        """The link asked for a year or term that is not offered (a typo, a far-off year)."""
        return self.is_bound and not self.is_valid()
