"""Statistics count what the DSL currently decided (after overrides), not the checklist's first
suggestion, and count an incident once: a case closed as a duplicate of another is left out of
every figure."""

from stats import queries
from stats.dashboard import build_dashboard
from stats.periods import Period
from stats.queries import Scope
from tests.stats.conftest import at

YEAR = Period(2025)


def test_a_case_closed_as_a_duplicate_is_left_out_of_every_figure(cast, make_case):
    october = at(2025, 10, 1)
    kept = make_case(
        cast.school_a,
        october,
        status="referred",
        referral="yes",
        factors=[("adult_involved", "yes")],
        year_groups=["9"],
        outcome={"typology": "aggravated"},
    )
    make_case(
        cast.school_a,
        october,
        status="closed",
        referral="yes",
        factors=[("adult_involved", "yes")],
        year_groups=["9"],
        outcome={"typology": "aggravated"},
        duplicate_of=kept,
    )
    for scope in (Scope(school=cast.school_a), Scope(trust=cast.trust_a)):
        assert dict(queries.cases_by_month(scope, YEAR)) == {(2025, 10): 1}
        assert dict(queries.cases_by_kind(scope, YEAR)) == {"nudified": 1}
        assert dict(queries.cases_by_outcome(scope, YEAR)) == {"referred": 1}
        assert queries.cases_by_school_and_outcome(scope, YEAR) == [
            (cast.school_a.pk, "referred", 1)
        ]
        assert queries.referral_lines(scope, YEAR) == [("yes", "yes", 1)]
        assert queries.factors_applied(scope, YEAR) == [("adult_involved", "yes", 1)]
        assert dict(queries.cases_by_year_group_band(scope, YEAR)) == {"y7_9": 1}
        assert dict(queries.cases_by_typology(scope, YEAR)) == {"aggravated": 1}


def test_the_type_counted_is_the_dsls_where_they_decided_one(cast, make_case):
    october = at(2025, 10, 1)
    # The checklist could not type it; the DSL typed it aggravated.
    make_case(
        cast.school_a, october, outcome={"typology": "not_yet_known"}, decided_typology="aggravated"
    )
    # The checklist said aggravated; the DSL decided experimental.
    make_case(
        cast.school_a, october, outcome={"typology": "aggravated"}, decided_typology="experimental"
    )
    # No decision: the checklist's stands, including "not typed" (no image known).
    make_case(cast.school_a, october, outcome={"typology": "not_typed"})
    make_case(cast.school_a, october, outcome={"typology": "aggravated"})
    counts = dict(queries.cases_by_typology(Scope(school=cast.school_a), YEAR))
    assert counts == {"aggravated": 2, "experimental": 1, "not_typed": 1}


def test_the_type_figure_lists_every_type_including_not_typed(cast, make_case):
    make_case(cast.school_a, at(2025, 10, 1), outcome={"typology": "not_typed"})
    figure = next(
        f for f in build_dashboard(Scope(trust=cast.trust_a), YEAR).figures if f.key == "typology"
    )
    assert [row.label for row in figure.rows] == [
        "Aggravated",
        "Experimental",
        "Not yet known",
        "Not typed: no image is known",
    ]


def test_the_kind_counted_follows_the_dsls_decision_on_sextortion(cast, make_case):
    october = at(2025, 10, 1)
    # Reported as an AI image; the DSL found there were threats: counted as sextortion.
    make_case(
        cast.school_a, october, kind="ai_generated", image_nature="ai_generated",
        decided_sextortion=True,
    )  # fmt: skip
    # Reported as sextortion with a nudified image; the DSL found no threats: nudified.
    make_case(
        cast.school_a, october, kind="sextortion", image_nature="nudified",
        threats_or_demands="yes", decided_sextortion=False,
    )  # fmt: skip
    # An older report where the threat was the only answer: no image given, so "Not sure".
    make_case(cast.school_a, october, kind="sextortion", decided_sextortion=False)
    # No decision, or one agreeing: the kind as reported.
    make_case(cast.school_a, october, kind="sextortion", image_nature="real_photo")
    make_case(cast.school_a, october, kind="nudified", decided_sextortion=False)
    counts = dict(queries.cases_by_kind(Scope(school=cast.school_a), YEAR))
    assert counts == {"sextortion": 2, "nudified": 2, "not_sure": 1}
