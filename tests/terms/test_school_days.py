"""What counts as a school day: the school's term dates, else its trust's, else weekdays."""

from datetime import date

import pytest

from terms.models import TermDate
from terms.school_days import SchoolCalendar, calendar_for


def term(owner, name, starts_on, ends_on, kind=TermDate.Kind.TERM):
    return TermDate.objects.create(
        **owner, kind=kind, name=name, starts_on=starts_on, ends_on=ends_on
    )


@pytest.fixture
def year_2025_26(cast):
    """Oakwood's own dates: autumn with a half term and a training day, then spring."""
    school = {"school": cast.school_a}
    term(school, "Autumn term", date(2025, 9, 3), date(2025, 12, 19))
    term(school, "Half term", date(2025, 10, 27), date(2025, 10, 31), TermDate.Kind.CLOSED)
    term(school, "INSET day", date(2025, 11, 14), date(2025, 11, 14), TermDate.Kind.CLOSED)
    term(school, "Spring term", date(2026, 1, 5), date(2026, 3, 27))
    return calendar_for(cast.school_a)


def test_no_dates_means_every_weekday(cast):
    calendar = calendar_for(cast.school_a)
    assert not calendar.known and calendar.source == ""
    assert calendar.is_school_day(date(2025, 12, 24))  # a Wednesday
    assert not calendar.is_school_day(date(2025, 12, 27))  # a Saturday
    assert calendar.next_school_day(date(2025, 12, 26)) == date(2025, 12, 29)


def test_holidays_half_terms_and_closed_days_are_not_school_days(year_2025_26):
    calendar = year_2025_26
    assert calendar.source == "school"
    assert calendar.is_school_day(date(2025, 10, 24))
    assert not calendar.is_school_day(date(2025, 10, 28))  # half term
    assert not calendar.is_school_day(date(2025, 11, 14))  # training day
    assert not calendar.is_school_day(date(2025, 12, 22))  # Christmas holiday
    assert calendar.next_school_day(date(2025, 10, 24)) == date(2025, 11, 3)
    assert calendar.next_school_day(date(2025, 12, 19)) == date(2026, 1, 5)
    assert calendar.nth_school_day(date(2026, 1, 5), 5) == date(2026, 1, 9)
    # The fifth school day from the Thursday before the training day skips it and the weekend.
    assert calendar.nth_school_day(date(2025, 11, 13), 5) == date(2025, 11, 20)


def test_a_new_term_is_told_from_a_day_within_one(year_2025_26):
    calendar = year_2025_26
    assert calendar.opens_a_new_term(date(2025, 12, 10)) is None
    assert calendar.opens_a_new_term(date(2025, 12, 19)).name == "Spring term"
    assert calendar.opens_a_new_term(date(2025, 12, 28)).name == "Spring term"
    # Half term is a holiday inside the autumn term, not a new term.
    assert calendar.opens_a_new_term(date(2025, 10, 24)) is None


def test_after_the_last_entered_term_weekdays_count_again(year_2025_26):
    calendar = year_2025_26
    assert calendar.known_until == date(2026, 3, 27)
    assert calendar.is_school_day(date(2026, 4, 1))
    assert calendar.next_school_day(date(2026, 3, 27)) == date(2026, 3, 30)
    assert calendar.opens_a_new_term(date(2026, 3, 27)) is None


def test_a_school_without_its_own_dates_uses_its_trusts(cast):
    term({"trust": cast.trust_a}, "Summer term", date(2026, 4, 13), date(2026, 7, 22))
    calendar = calendar_for(cast.school_a)
    assert calendar.source == "trust"
    assert not calendar.is_school_day(date(2026, 7, 23)) or calendar.known_until < date(2026, 7, 23)
    assert calendar_for(cast.school_b).source == ""  # another trust's dates are not Elm Park's
    term({"school": cast.school_a}, "Summer term", date(2026, 4, 15), date(2026, 7, 20))
    assert calendar_for(cast.school_a).source == "school"
    assert calendar_for(cast.school_a).terms[0].starts_on == date(2026, 4, 15)


def test_the_pure_calendar_needs_no_database():
    class Row:
        def __init__(self, kind, starts_on, ends_on):
            self.kind, self.name, self.starts_on, self.ends_on = kind, "", starts_on, ends_on

    calendar = SchoolCalendar.of(
        [
            Row("term", date(2026, 4, 13), date(2026, 7, 22)),
            Row("term", date(2026, 9, 2), date(2026, 12, 18)),
        ],
        "school",
    )
    assert calendar.opens_a_new_term(date(2026, 7, 22)).starts_on == date(2026, 9, 2)
    assert calendar.opens_a_new_term(date(2026, 8, 20)).starts_on == date(2026, 9, 2)
    assert calendar.nth_school_day(date(2026, 9, 2), 5) == date(2026, 9, 8)
