"""The case page's `when` filter writes dates exactly as Django's `date` filter does."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

FORMATS = ["j F Y, H:i", "j F Y", "j M Y", "j M Y, H:i", "d/m/Y", "H:i", "l j F Y", r"j \o\f F"]


def both(value, format_string: str) -> tuple[str, str]:
    source = '{% load case_dates %}{{ value|date:"' + format_string + '" }}|'
    source += '{{ value|when:"' + format_string + '" }}'
    django_date, ours = Template(source).render(Context({"value": value})).split("|")
    return django_date, ours


@pytest.mark.parametrize("format_string", FORMATS)
def test_when_writes_what_date_writes(format_string):
    start = datetime(2026, 1, 1, 0, 5, tzinfo=UTC)
    # Every month, both sides of the clock change, single- and double-digit days and hours.
    values = [start + timedelta(days=d, hours=h) for d in range(0, 400, 9) for h in (0, 7, 13)]
    values += [timezone.localtime(v) for v in values[:20]]
    values += [date(2026, 3, 29), date(2026, 10, 25), date(999, 1, 2), time(9, 30), None, ""]
    for value in values:
        if type(value) is date and ("H" in format_string or "i" in format_string):
            continue  # a time of a date alone is an error in a template, either way
        django_date, ours = both(value, format_string)
        assert ours == django_date, (value, format_string)
