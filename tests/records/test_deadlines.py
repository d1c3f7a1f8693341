"""Deadlines of a file's life, with term dates and without, by time travel (dates passed in)."""

from datetime import date

import pytest

from records.deadlines import calendar_months_after, review_due_on, within_five_days
from terms.school_days import SchoolCalendar, Span

CALENDAR = SchoolCalendar(
    terms=(
        Span("Autumn term", date(2025, 9, 3), date(2025, 12, 19)),
        Span("Spring term", date(2026, 1, 5), date(2026, 3, 27)),
        Span("Summer term", date(2026, 4, 13), date(2026, 7, 22)),
        Span("Autumn term", date(2026, 9, 2), date(2026, 12, 18)),
    ),
    closed=(Span("Half term", date(2026, 2, 16), date(2026, 2, 20)),),
    source="school",
)


@pytest.mark.parametrize(
    ("left", "due", "why"),
    [
        (date(2026, 2, 4), date(2026, 2, 9), "in-year: 5 days, not school days"),
        (date(2026, 2, 13), date(2026, 2, 18), "in-year, even into half term"),
        (date(2026, 3, 27), date(2026, 4, 17), "last day of term: 5th school day of the next"),
        (date(2026, 4, 1), date(2026, 4, 17), "left in the Easter holiday"),
        (date(2026, 7, 22), date(2026, 9, 8), "end of the year: 5th school day in September"),
    ],
)
def test_a_leavers_file_is_due_within_5_days_or_the_first_5_days_of_term(left, due, why):
    assert within_five_days(left, CALENDAR) == due, why


def test_without_term_dates_it_is_always_5_days():
    assert within_five_days(date(2026, 7, 22), SchoolCalendar()) == date(2026, 7, 27)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 3, 10), date(2026, 4, 10)),  # the same date next month
        (date(2026, 3, 3), date(2026, 4, 7)),  # 3 April is Good Friday, 6 Easter Monday
        (date(2026, 1, 31), date(2026, 3, 2)),  # no 31 February: 28th, a Saturday -> Monday
        (date(2026, 7, 25), date(2026, 8, 25)),  # across the summer holiday, not extended
        (date(2026, 7, 31), date(2026, 9, 1)),  # 31 August 2026 is a bank holiday
        (date(2026, 11, 25), date(2026, 12, 29)),  # 25-28 December: Christmas and Boxing Day
    ],
)
def test_a_subject_access_request_is_due_one_calendar_month_later(received, due):
    assert calendar_months_after(received, 1) == due


def test_school_holidays_never_extend_the_month():
    """The month is worked out from the date alone: the school's calendar is not an input,
    and the summer holiday in it changes nothing (the leaving deadline, by contrast, moves)."""
    received = date(2026, 7, 16)
    assert calendar_months_after(received, 1) == date(2026, 8, 17)  # 16 August is a Sunday
    assert within_five_days(date(2026, 7, 22), CALENDAR) > date(2026, 9, 1)


def test_an_extension_adds_up_to_two_months():
    assert calendar_months_after(date(2026, 3, 3), 3) == date(2026, 6, 3)


def test_the_review_is_25_years_after_birth_or_the_schools_rule():
    assert review_due_on(date(2001, 5, 14), 25) == date(2026, 5, 14)
    assert review_due_on(date(2008, 2, 29), 25) == date(2033, 2, 28)
    assert review_due_on(date(2001, 5, 14), 30) == date(2031, 5, 14)
    assert review_due_on(None, 25) is None
