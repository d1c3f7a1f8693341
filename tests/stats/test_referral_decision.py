"""Statistics count the DSL's current decision on immediate referral, not the checklist's flag,
and show the checklist's beside it; "not known yet" is its own line, never counted as "no"."""

from stats import queries
from stats.dashboard import build_dashboard
from stats.periods import Period
from stats.queries import Scope
from tests.stats.conftest import at

YEAR = Period(2025)


def test_a_closed_case_counts_as_referred_by_the_dsls_decision(cast, make_case):
    october = at(2025, 10, 1)
    # The checklist could not tell; the DSL decided to refer.
    make_case(cast.school_a, october, status="closed", referral="not_known", decided_referral="yes")
    # The checklist said refer; the DSL decided not to.
    make_case(cast.school_a, october, status="closed", referral="yes", decided_referral="no")
    # Nobody decided and the checklist could not tell: not a referral, not "no" either.
    make_case(cast.school_a, october, status="closed", referral="not_known")
    counts = dict(queries.cases_by_outcome(Scope(school=cast.school_a), YEAR))
    assert counts == {"referred": 1, "managed_in_school": 2}


def test_the_referral_figure_shows_the_current_decision_beside_the_checklists(cast, make_case):
    october = at(2025, 10, 1)
    for _ in range(6):
        make_case(cast.school_a, october, referral="not_known", decided_referral="yes")
    for _ in range(5):
        make_case(cast.school_a, october, referral="not_known")
    for _ in range(7):
        make_case(cast.school_a, october, referral="no")
    dashboard = build_dashboard(Scope(school=cast.school_a), YEAR)
    figure = next(f for f in dashboard.figures if f.key == "referral")
    assert figure.columns == ("Current decision", "The checklist, when reported")
    rows = {row.label: row.values for row in figure.rows}
    # A school's own figures are exact.
    assert rows == {"Yes": (6, 0), "Not known yet": (5, 11), "No": (7, 7)}
    assert figure.total_row.values == (18, 18)
    # The trust's are rounded to 5 (stats.suppression); 6 -> 5, 11 -> 10, 7 -> 5.
    dashboard = build_dashboard(Scope(trust=cast.trust_a), YEAR)
    figure = next(f for f in dashboard.figures if f.key == "referral")
    rows = {row.label: row.values for row in figure.rows}
    assert rows == {"Yes": (5, 0), "Not known yet": (5, 10), "No": (5, 5)}
    assert figure.total_row.values == (20, 20)
