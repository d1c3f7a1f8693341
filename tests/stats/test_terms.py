"""Cases by term beside cases by month: each term the sum of its months, exact for a school's
leads, hidden with its months for a trust (so a term cannot give a hidden month away), z for a
term still to come, and its own period in the CSV."""

import csv
import io

from django.urls import reverse
from django.utils import timezone

from stats.dashboard import build_dashboard
from stats.periods import TERMS, Period, current_academic_year
from stats.queries import Scope
from stats.suppression import NOT_APPLICABLE, SUPPRESSED
from tests.stats.conftest import at

YEAR = Period(2025)


def figure(dashboard, key):
    return next((f for f in dashboard.figures if f.key == key), None)


def by_term(dashboard):
    return {row.label: row.values[0] for row in figure(dashboard, "terms").rows}


def test_a_school_sees_its_cases_by_term_exactly_beside_the_months(cast, make_case):
    for month, day in ((10, 3), (11, 20), (12, 31)):
        make_case(cast.school_a, at(2025, month, day))
    make_case(cast.school_a, at(2026, 2, 2))
    make_case(cast.school_a, at(2026, 8, 31, 23, 30))  # last evening of the summer term
    make_case(cast.school_a, at(2026, 9, 1, 0, 30))  # the next year's autumn
    dashboard = build_dashboard(Scope(school=cast.school_a), YEAR)
    keys = [f.key for f in dashboard.figures]
    assert keys.index("terms") == keys.index("month") + 1
    assert by_term(dashboard) == {"Autumn term": 3, "Spring term": 1, "Summer term": 1}
    assert figure(dashboard, "terms").total_row.values == (5,) == (dashboard.total_cases,)


def test_a_trust_cannot_work_out_a_hidden_month_from_the_terms(cast, make_case):
    # Autumn: 3 cases in September only; spring and summer 12 each.
    for _ in range(3):
        make_case(cast.school_a, at(2025, 9, 10))
    for _ in range(12):
        make_case(cast.school_a, at(2026, 1, 10))
        make_case(cast.school_a, at(2026, 5, 10))
    dashboard = build_dashboard(Scope(trust=cast.trust_a), YEAR)
    terms = by_term(dashboard)
    months = {row.label: row.values[0] for row in figure(dashboard, "month").rows}
    assert months["September 2025"] == SUPPRESSED
    assert terms["Autumn term"] == SUPPRESSED  # the same three cases
    # ...and so that the year's total minus the shown terms does not give it away either:
    assert SUPPRESSED in (terms["Spring term"], terms["Summer term"]) or (
        figure(dashboard, "terms").total_row.values[0] == SUPPRESSED
    )


def test_a_term_or_the_last_12_months_has_no_figure_by_term(cast):
    for term in (*TERMS, "last_12_months"):
        dashboard = build_dashboard(Scope(school=cast.school_a), Period(2025, term))
        assert figure(dashboard, "terms") is None


def test_terms_still_to_come_are_z(cast, make_case):
    make_case(cast.school_a, timezone.now())
    this_month = timezone.localdate().replace(day=1)
    year = Period(current_academic_year())
    shown = by_term(build_dashboard(Scope(school=cast.school_a), year))
    for label, numbers in TERMS.values():
        first = next(m for m in year.months if m.month in numbers)
        assert (shown[label] == NOT_APPLICABLE) == (first > this_month), label


def test_each_term_is_its_own_period_in_the_csv(cast, client_for, make_case):
    make_case(cast.school_a, at(2025, 10, 3))
    response = client_for(cast.dsl).get(
        reverse("stats:school_export", args=["oakwood"]), {"year": 2025}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    terms = {
        r["time_identifier"]: r["value"]
        for r in rows
        if r["time_identifier"].endswith("term") and r["breakdown_by"] == "All cases"
    }
    assert terms == {"Autumn term": "1", "Spring term": "0", "Summer term": "0"}
    assert {r["time_period"] for r in rows if r["time_identifier"] == "Autumn term"} == {"202526"}
