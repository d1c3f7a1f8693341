"""Academic years run September to August; terms are whole months."""

import datetime as dt

from stats.periods import Period, academic_year_of


def test_the_academic_year_starts_in_september():
    assert academic_year_of(dt.date(2025, 8, 31)) == 2024
    assert academic_year_of(dt.date(2025, 9, 1)) == 2025
    assert academic_year_of(dt.date(2026, 3, 1)) == 2025


def test_terms_are_autumn_sep_dec_spring_jan_mar_summer_apr_aug():
    assert [m.month for m in Period(2025, "autumn").months] == [9, 10, 11, 12]
    assert [m.month for m in Period(2025, "spring").months] == [1, 2, 3]
    assert [m.month for m in Period(2025, "summer").months] == [4, 5, 6, 7, 8]
    assert Period(2025, "spring").months[0] == dt.date(2026, 1, 1)


def test_a_period_runs_from_local_midnight_to_local_midnight():
    year = Period(2025)
    assert year.start.isoformat() == "2025-09-01T00:00:00+01:00"
    assert year.end.isoformat() == "2026-09-01T00:00:00+01:00"
    assert Period(2025, "autumn").end.isoformat() == "2026-01-01T00:00:00+00:00"
    assert year.label == "Academic year 2025 to 2026"
    assert Period(2025, "summer").label == "Summer term, academic year 2025 to 2026"
