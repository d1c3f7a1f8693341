"""Every figure is a GROUP BY in the database: no case rows come back to Python."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from stats.dashboard import build_dashboard
from stats.periods import Period
from stats.queries import Scope
from tests.stats.conftest import at


def dashboard_queries(scope):
    with CaptureQueriesContext(connection) as captured:
        build_dashboard(scope, Period(2025))
    return [q["sql"] for q in captured.captured_queries]


def test_every_query_over_cases_groups_and_the_count_does_not_grow(cast, make_case):
    make_case(
        cast.school_a, at(2025, 10, 1), factors=[("adult_involved", "yes")], year_groups=["9"]
    )
    few = dashboard_queries(Scope(trust=cast.trust_a))
    for day in range(2, 30):
        make_case(
            cast.school_a, at(2025, 10, day), factors=[("adult_involved", "yes")], year_groups=["9"]
        )
    many = dashboard_queries(Scope(trust=cast.trust_a))
    assert len(few) == len(many)
    over_cases = [sql for sql in many if '"incidents_incident"' in sql]
    assert len(over_cases) >= 6
    for sql in over_cases:
        assert "GROUP BY" in sql, sql
        assert '"account"' not in sql and '"reference"' not in sql


def test_suppressing_a_trusts_tables_together_asks_each_query_once(cast, make_case):
    for day in range(1, 12):
        make_case(cast.school_a, at(2025, 10, day), kind="sextortion" if day < 3 else "nudified")
    sql = dashboard_queries(Scope(trust=cast.trust_a))
    over_cases = [q for q in sql if '"incidents_incident"' in q]
    assert len(over_cases) == len(set(over_cases))
