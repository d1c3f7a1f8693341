"""Each figure counts the right cases, in the database, on SQLite and PostgreSQL alike."""

import datetime as dt

import pytest
from django.urls import reverse

from safeguarding.models import School
from stats import queries
from stats.dashboard import OTHER_SCHOOLS, build_dashboard
from stats.periods import Period
from stats.queries import Scope
from stats.suppression import SUPPRESSED
from tests.stats.conftest import at

YEAR = Period(2025)


def test_months_follow_local_time_at_the_edges_of_the_year(cast, make_case):
    make_case(cast.school_a, at(2025, 8, 31, 23, 30))  # August: the year before
    make_case(cast.school_a, at(2025, 9, 1, 0, 30))  # still 31 August in UTC
    make_case(cast.school_a, at(2026, 1, 1, 0, 15))  # midnight in GMT: 1 January
    make_case(cast.school_a, at(2026, 8, 31, 23, 59))
    make_case(cast.school_a, at(2026, 9, 1, 0, 1))  # next year
    counts = dict(queries.cases_by_month(Scope(trust=cast.trust_a), YEAR))
    assert counts == {(2025, 9): 1, (2026, 1): 1, (2026, 8): 1}


def test_a_term_counts_only_its_months(cast, make_case):
    make_case(cast.school_a, at(2025, 12, 31, 23, 0))
    make_case(cast.school_a, at(2026, 1, 5))
    make_case(cast.school_a, at(2026, 3, 31, 22, 0))
    make_case(cast.school_a, at(2026, 4, 1, 9, 0))
    spring = dict(queries.cases_by_month(Scope(trust=cast.trust_a), Period(2025, "spring")))
    assert spring == {(2026, 1): 1, (2026, 3): 1}


def test_a_trust_counts_only_its_own_schools_and_a_school_only_itself(cast, make_case):
    sister = School.objects.create(name="Birch Primary", slug="birch", trust=cast.trust_a)
    make_case(cast.school_a, at(2025, 10, 1))
    make_case(sister, at(2025, 10, 2))
    make_case(cast.school_b, at(2025, 10, 3))
    assert dict(queries.cases_by_kind(Scope(trust=cast.trust_a), YEAR)) == {"nudified": 2}
    assert dict(queries.cases_by_kind(Scope(school=cast.school_a), YEAR)) == {"nudified": 1}
    assert dict(queries.cases_by_kind(Scope(trust=cast.trust_b), YEAR)) == {"nudified": 1}


def test_outcomes_are_referred_managed_in_school_or_open(cast, make_case):
    october = at(2025, 10, 1)
    make_case(cast.school_a, october, status="referred")
    make_case(cast.school_a, october, status="closed", referral="yes")
    make_case(cast.school_a, october, status="closed", referral="no")
    make_case(cast.school_a, october, status="managed_in_school")
    for status in ("new", "acknowledged", "under_review"):
        make_case(cast.school_a, october, status=status)
    counts = dict(queries.cases_by_outcome(Scope(school=cast.school_a), YEAR))
    assert counts == {"referred": 2, "managed_in_school": 2, "open": 3}
    by_school = queries.cases_by_school_and_outcome(Scope(trust=cast.trust_a), YEAR)
    assert sorted(by_school) == sorted(
        [
            (cast.school_a.pk, "referred", 2),
            (cast.school_a.pk, "managed_in_school", 2),
            (cast.school_a.pk, "open", 3),
        ]
    )


def test_factors_are_counted_by_answer(cast, make_case):
    october = at(2025, 10, 1)
    make_case(
        cast.school_a, october, factors=[("adult_involved", "yes"), ("immediate_risk", "yes")]
    )
    make_case(cast.school_a, october, factors=[("adult_involved", "not_known")])
    make_case(cast.school_a, october, factors=[("adult_involved", "yes")])
    counts = sorted(queries.factors_applied(Scope(trust=cast.trust_a), YEAR))
    assert counts == [
        ("adult_involved", "not_known", 1),
        ("adult_involved", "yes", 2),
        ("immediate_risk", "yes", 1),
    ]


def test_hours_to_acknowledgement_are_whole_hours_rounded_down(cast, make_case):
    october = at(2025, 10, 1, 8, 0)
    for minutes in (20, 90, 150, 59 + 3 * 60, 26 * 60 + 59):
        make_case(cast.school_a, october, acknowledged_after=dt.timedelta(minutes=minutes))
    make_case(cast.school_a, october)  # not acknowledged yet
    histogram = queries.hours_to_acknowledgement(Scope(trust=cast.trust_a), YEAR)
    assert sorted(histogram) == [(0, 1), (1, 1), (2, 1), (3, 1), (26, 1)]
    assert queries.median_from_histogram(histogram) == (2, 5)


def test_year_group_bands_count_each_case_once_per_band(cast, make_case):
    october = at(2025, 10, 1)
    make_case(cast.school_a, october, year_groups=["R", "6"])
    make_case(cast.school_a, october, year_groups=["8", "10"])
    make_case(cast.school_a, october, year_groups=["13"])
    counts = dict(queries.cases_by_year_group_band(Scope(trust=cast.trust_a), YEAR))
    assert counts == {"primary": 1, "y7_9": 1, "y10_11": 1, "y12_13": 1}


def test_the_dashboard_rounds_folds_and_suppresses(cast, make_case):
    big = School.objects.create(name="Ash Grove School", slug="ash", trust=cast.trust_a)
    School.objects.create(name="Cedar Infants", slug="cedar", trust=cast.trust_a)
    for day in range(1, 13):  # 12 cases at Ash Grove: 10 open, 2 referred
        make_case(
            big,
            at(2025, 11, day),
            reporter=cast.teacher,
            status="new" if day > 2 else "referred",
            acknowledged_after=dt.timedelta(hours=5),
        )
    make_case(cast.school_a, at(2025, 11, 20), status="new")  # Oakwood: 1 case
    dashboard = build_dashboard(Scope(trust=cast.trust_a), YEAR)
    assert dashboard.total_cases == 15  # 13, rounded
    assert dashboard.median_hours == 5
    school = next(f for f in dashboard.figures if f.key == "school")
    rows = {row.label: (row.values, row.total) for row in school.rows}
    assert "Oakwood Academy" not in rows  # folded: one case
    assert rows["Cedar Infants"] == ((0, 0, 0), 0)  # a true zero
    assert rows[OTHER_SCHOOLS][1] == SUPPRESSED
    assert rows["Ash Grove School"][0][0] == SUPPRESSED  # 2 referred
    # The 1 open case at Oakwood could be worked out from the open column: it is not.
    assert rows["Ash Grove School"][0][2] == SUPPRESSED or rows[OTHER_SCHOOLS][0][2] == SUPPRESSED
    month = next(f for f in dashboard.figures if f.key == "month")
    assert {r.label: r.values[0] for r in month.rows}["November 2025"] == 15


@pytest.mark.parametrize("threshold", [5, 8])
def test_the_trusts_threshold_applies(cast, make_case, threshold):
    cast.trust_a.suppression_threshold = threshold
    cast.trust_a.save()
    for day in range(1, 7):
        make_case(cast.school_a, at(2025, 10, day))
    dashboard = build_dashboard(Scope(trust=cast.trust_a), YEAR)
    assert dashboard.total_cases == (5 if threshold == 5 else SUPPRESSED)


def test_a_standalone_school_and_a_school_that_moved_trust(cast, make_case, client_for):
    """Figures follow the schools in the trust today: the page and the CSV's metadata say so."""
    standalone = School.objects.create(name="Lone Oak School", slug="lone-oak", trust=None)
    for day in range(1, 8):
        make_case(standalone, at(2025, 10, day))
        make_case(cast.school_b, at(2025, 10, day))
    period = Period(2025)
    assert build_dashboard(Scope(trust=cast.trust_a), period).total_cases == 0

    # Elm Park moves from Riverside to Northfield, bringing last year's cases with it.
    cast.school_b.trust = cast.trust_a
    cast.school_b.save(update_fields=["trust"])
    assert build_dashboard(Scope(trust=cast.trust_a), period).total_cases == 5
    assert build_dashboard(Scope(trust=cast.trust_b), period).total_cases == 0

    client = client_for(cast.trust_lead)
    page = client.get(reverse("stats:trust_dashboard", args=["northfield"]), {"year": 2025})
    html = page.content.decode()
    assert "A school that joined the trust brings its earlier cases with it" in html
    assert "Lone Oak" not in html
    meta = client.get(reverse("stats:trust_metadata", args=["northfield"]), {"year": 2025})
    assert "including their cases from before they joined" in meta.content.decode("utf-8-sig")
