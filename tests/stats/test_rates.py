"""Cases per 1,000 pupils on roll: worked out from the published (rounded) count for a trust, so
they give nothing more away; hidden with the count; marked u when based on fewer than 10 cases;
exact for a school's own leads."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Pupil
from safeguarding.models import School
from stats.dashboard import OTHER_SCHOOLS, build_dashboard
from stats.periods import Period, current_academic_year
from stats.queries import Scope
from stats.rates import Rate, rate
from tests.stats.conftest import at

YEAR = Period(2025)


def pupils(school, n, **fields):
    Pupil.objects.bulk_create(
        Pupil(school=school, first_name="P", last_name=str(i), year_group="9", **fields)
        for i in range(n)
    )


@pytest.fixture
def trust_with_rolls(cast, make_case):
    """Oakwood: 200 on roll, 12 cases. Birch: 100 on roll, 7 cases. Ash: 50 on roll, 2 cases
    (counted with Other schools). Cedar: no pupil list, 6 cases."""
    pupils(cast.school_a, 200)
    # Not on roll: a pupil who left before the year, a pupil added while reporting, a pupil
    # whose file was disposed of.
    pupils(cast.school_a, 1, leaving_date=dt.date(2025, 7, 18))
    pupils(cast.school_a, 1, added_from_report=True)
    pupils(cast.school_a, 1, details_removed_at=timezone.now())
    birch = School.objects.create(name="Birch Primary", slug="birch", trust=cast.trust_a)
    ash = School.objects.create(name="Ash Infants", slug="ash", trust=cast.trust_a)
    cedar = School.objects.create(name="Cedar High", slug="cedar", trust=cast.trust_a)
    pupils(birch, 100)
    pupils(ash, 50)
    for school, n in ((cast.school_a, 12), (birch, 7), (ash, 2), (cedar, 6)):
        for day in range(n):
            make_case(school, at(2025, 10, 1 + day))


def rates(dashboard):
    figure = next(f for f in dashboard.figures if f.key == "rates")
    return {row.label: row.values for row in figure.rows}


def test_a_trusts_rates_come_from_the_rounded_counts(cast, trust_with_rolls):
    shown = rates(build_dashboard(Scope(trust=cast.trust_a), YEAR))
    # 12 cases shown as 10: 10 per 200 pupils is 50.0, not the 60.0 the true count gives.
    assert shown["Oakwood Academy"] == (10, 200, Rate(50.0, few_cases=False))
    # 7 shown as 5, per 100 pupils; fewer than 10 cases, so marked u.
    assert shown["Birch Primary"] == (5, 100, Rate(50.0, few_cases=True))
    assert str(shown["Birch Primary"][2]) == "50.0 u"
    assert shown["Cedar High"][1:] == (0, "x")  # no pupil list
    # Ash's 2 cases are folded into Other schools, with its pupils.
    assert "Ash Infants" not in shown
    assert shown[OTHER_SCHOOLS][1] == 50


def test_a_hidden_count_hides_its_rate():
    assert rate("c", 3, 100) == "c"
    assert rate(0, 0, 100) == Rate(0.0, few_cases=True)
    assert rate(5, 6, 0) == "x"


def test_each_rate_uses_the_same_published_count_as_the_school_table(cast, trust_with_rolls):
    dashboard = build_dashboard(Scope(trust=cast.trust_a), YEAR)
    by_school = next(f for f in dashboard.figures if f.key == "school")
    totals = {row.label: row.total for row in by_school.rows}
    assert {label: values[0] for label, values in rates(dashboard).items()} == totals


def test_a_schools_own_leads_see_their_exact_rate(cast, client_for, trust_with_rolls):
    response = client_for(cast.dsl).get(
        reverse("stats:school_dashboard", args=["oakwood"]), {"year": "2025"}
    )
    assert rates(response.context["dashboard"]) == {
        "Oakwood Academy": (12, 200, Rate(60.0, few_cases=False))
    }
    assert "Cases per 1,000 pupils on roll" in response.content.decode()


def test_the_export_carries_the_rate_with_its_u_flag(cast, client_for, trust_with_rolls):
    response = client_for(cast.trust_lead).get(
        reverse("stats:trust_export", args=["northfield"]), {"year": "2025"}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    rate_rows = {
        r["school_name"]: (r["value"], r["flag"])
        for r in rows
        if r["measure"] == "Cases per 1,000 pupils on roll"
    }
    assert rate_rows["Oakwood Academy"] == ("50.0", "")
    assert rate_rows["Birch Primary"] == ("50.0", "u")
    assert rate_rows["Cedar High"] == ("", "x")


def test_the_roll_is_the_periods_a_pupil_who_left_since_counts_for_the_years_they_were_there(
    cast, make_case
):
    pupils(cast.school_a, 40)
    pupils(cast.school_a, 10, leaving_date=dt.date(2026, 3, 27))  # left in 2025 to 2026
    pupils(cast.school_a, 5, leaving_date=dt.date(2025, 8, 31))  # left the day before it began
    make_case(cast.school_a, at(2025, 10, 1))
    make_case(cast.school_a, timezone.now())
    scope = Scope(school=cast.school_a)
    assert rates(build_dashboard(scope, YEAR))["Oakwood Academy"][1] == 50
    assert rates(build_dashboard(scope, Period(2024)))["Oakwood Academy"][1] == 55
    this_year = Period(current_academic_year())
    assert rates(build_dashboard(scope, this_year))["Oakwood Academy"][1] == 40
    last_12 = build_dashboard(scope, Period(2025, "last_12_months"))
    # The March 2026 leavers were on roll in the twelve months up to this one if they began by then.
    began = last_12.period.months[0]
    assert rates(last_12)["Oakwood Academy"][1] == (50 if began <= dt.date(2026, 3, 27) else 40)
    note = next(f for f in last_12.figures if f.key == "rates").note
    assert "had not left before the period began" in note
