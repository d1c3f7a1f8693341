"""Term dates pasted from a local authority's calendar."""

from datetime import date

from terms.models import TermDate
from terms.parse import ENDS_BEFORE_START, as_text, parse_term_dates

LA_CALENDAR = """\
School term and holiday dates 2025 to 2026

Autumn term: Wednesday 3 September 2025 to Friday 19 December 2025
Half term\t27/10/2025\t31/10/2025
Christmas holiday: 22 December 2025 to 2 January 2026
Spring term 2026-01-05 2026-03-27
INSET day - Mon 1st Sept 2025
Summer term: 13 April to 22 July 2026
"""


def test_a_pasted_calendar_is_read_line_by_line():
    parsed = parse_term_dates(LA_CALENDAR)
    assert parsed.errors == []
    assert parsed.skipped == [1]  # the heading has no whole date
    got = [(e.kind, e.name, e.starts_on, e.ends_on) for e in parsed.entries]
    assert got == [
        ("term", "Autumn term", date(2025, 9, 3), date(2025, 12, 19)),
        ("closed", "Half term", date(2025, 10, 27), date(2025, 10, 31)),
        ("closed", "Christmas holiday", date(2025, 12, 22), date(2026, 1, 2)),
        ("term", "Spring term", date(2026, 1, 5), date(2026, 3, 27)),
        ("closed", "INSET day", date(2025, 9, 1), date(2025, 9, 1)),
        ("term", "Summer term", date(2026, 4, 13), date(2026, 7, 22)),
    ]


def test_mistakes_are_named_by_line():
    parsed = parse_term_dates(
        "Autumn term: 19 December 2025 to 3 September 2025\n"
        "Spring: 31/02/2026 to 27/03/2026\n"
        "Summer term: 13 April 2026 to 22 July 2026\n"
        "Summer 2: 1 July 2026 to 24 July 2026\n"
    )
    assert parsed.errors[0] == (1, ENDS_BEFORE_START)
    assert parsed.errors[1][0] == 2 and "not a real date" in parsed.errors[1][1]
    assert parsed.errors[2][0] == 4 and "overlaps Summer term (line 3)" in parsed.errors[2][1]


def test_what_is_saved_reads_back_the_same():
    rows = [
        TermDate(kind=e.kind, name=e.name, starts_on=e.starts_on, ends_on=e.ends_on)
        for e in parse_term_dates(LA_CALENDAR).entries
    ]
    again = parse_term_dates(as_text(rows))
    assert again.errors == [] and again.skipped == []
    assert sorted((e.kind, e.name, e.starts_on, e.ends_on) for e in again.entries) == sorted(
        (r.kind, r.name, r.starts_on, r.ends_on) for r in rows
    )
