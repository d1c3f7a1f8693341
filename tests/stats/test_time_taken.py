"""Time to acknowledge and to the DSL's first decision: median and 90th percentile, exact for
a school's own leads, hidden for a trust when too few cases stand behind them."""

import datetime as dt

from cases.models import Decision, TriageOverride
from stats import queries
from stats.dashboard import build_dashboard
from stats.periods import Period
from stats.queries import Scope
from tests.stats.conftest import at

YEAR = Period(2025)
HOUR = dt.timedelta(hours=1)


def time_taken(scope):
    figure = next(f for f in build_dashboard(scope, YEAR).figures if f.key == "time_taken")
    return {row.label: row.values for row in figure.rows}


def decide(cast, incident, hours, *, override=False):
    when = incident.submitted_at + hours * HOUR
    if override:
        TriageOverride.objects.create(
            incident=incident,
            recorded_by=cast.dsl,
            recorded_at=when,
            referral="no",
            urgency="dsl_review_today",
        )
    else:
        Decision.objects.create(
            incident=incident,
            recorded_by=cast.dsl,
            recorded_at=when,
            happened_on=when.date(),
            decision="refer",
            reasons=".",
        )


def test_the_first_decision_is_the_earliest_of_a_decision_and_a_decision_on_the_outcome(
    cast, make_case
):
    first = make_case(cast.school_a, at(2025, 10, 1), acknowledged_after=HOUR)
    decide(cast, first, 2)
    second = make_case(cast.school_a, at(2025, 10, 2), acknowledged_after=3 * HOUR)
    decide(cast, second, 7)
    decide(cast, second, 4, override=True)
    make_case(cast.school_a, at(2025, 10, 3), acknowledged_after=10 * HOUR)  # not decided
    make_case(cast.school_a, at(2025, 10, 4))  # not acknowledged
    scope = Scope(school=cast.school_a)
    assert sorted(queries.hours_to_first_decision(scope, YEAR)) == [(2, 1), (4, 1)]
    assert time_taken(scope) == {
        "Report to acknowledgement": (3, 3, 10),
        "Report to first decision": (2, 2, 4),
    }
    # Three cases are too few to show a trust anything.
    assert set(time_taken(Scope(trust=cast.trust_a)).values()) == {("c", "c", "c")}


def test_a_trust_sees_the_90th_percentile_only_from_ten_cases(cast, make_case):
    for n in range(6):
        make_case(cast.school_a, at(2025, 10, 1 + n), acknowledged_after=(n + 1) * HOUR)
    shown = time_taken(Scope(trust=cast.trust_a))
    assert shown["Report to acknowledgement"] == (5, 3, "c")
    assert shown["Report to first decision"] == (0, "z", "z")
    for n in range(4):
        make_case(cast.school_a, at(2025, 11, 1 + n), acknowledged_after=20 * HOUR)
    shown = time_taken(Scope(trust=cast.trust_a))
    assert shown["Report to acknowledgement"] == (10, 5, 20)


def test_percentiles_are_nearest_rank():
    histogram = [(1, 1), (2, 1), (3, 1), (4, 1), (100, 1)]
    assert queries.percentile_from_histogram(histogram, 0.5) == (3, 5)
    assert queries.percentile_from_histogram(histogram, 0.9) == (100, 5)
    assert queries.percentile_from_histogram([], 0.9) == (None, 0)
