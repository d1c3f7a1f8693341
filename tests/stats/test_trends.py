"""Trends over time, for an academic year, a term or the last 12 months: months still to come
are 'z' (not applicable), never a 0 that reads as a month without cases."""

import csv
import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone

from stats.dashboard import build_dashboard, month_label
from stats.periods import Period, current_academic_year
from stats.queries import Scope
from stats.suppression import NOT_APPLICABLE
from tests.stats.conftest import at


def test_months_still_to_come_are_z_on_the_page_and_in_its_chart(cast, client_for, make_case):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    make_case(cast.school_a, timezone.now() - dt.timedelta(minutes=5))
    response = client_for(cast.trust_lead).get(
        reverse("stats:trust_dashboard", args=["northfield"])
    )
    figure = next(f for f in response.context["dashboard"].figures if f.key == "month")
    months = Period(current_academic_year()).months
    shown = {row.label: row.values[0] for row in figure.rows}
    for month in months:
        if month > this_month:
            assert shown[month_label(month)] == NOT_APPLICABLE
        else:
            assert shown[month_label(month)] != NOT_APPLICABLE
    assert shown[month_label(this_month)] == "c"  # one case this month, suppressed for a trust
    bars = {bar.label: bar for bar in figure.charts[0].bars}
    future = [m for m in months if m > this_month]
    for month in future:
        assert bars[month_label(month)].width == 0 and not bars[month_label(month)].suppressed
    html = response.content.decode()
    if future:
        assert "z: a month still to come." in html


def test_a_past_year_has_no_z(cast, make_case):
    figure = next(
        f
        for f in build_dashboard(
            Scope(school=cast.school_a), Period(current_academic_year() - 1)
        ).figures
        if f.key == "month"
    )
    assert all(row.values == (0,) for row in figure.rows)
    assert figure.total_row.values == (0,)


def months_back(n: int) -> dt.datetime:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - n
    return at(index // 12, index % 12 + 1, 15)


def test_the_last_12_months_run_to_this_month_whatever_the_year(cast, client_for, make_case):
    for _ in range(3):
        make_case(cast.school_a, months_back(11))  # the first of the twelve months
    make_case(cast.school_a, months_back(12))  # a month too early
    make_case(cast.school_a, months_back(0))
    client = client_for(cast.dsl)
    url = reverse("stats:school_dashboard", args=["oakwood"])
    response = client.get(url, {"year": "2022", "term": "last_12_months"})
    dashboard = response.context["dashboard"]
    months = dashboard.period.months
    assert len(months) == 12 and months[-1] == timezone.localdate().replace(day=1)
    assert dashboard.total_cases == 4
    trend = next(f for f in dashboard.figures if f.key == "trend_kind")
    assert [row.total for row in trend.rows] == [3] + [0] * 10 + [1]
    html = response.content.decode()
    assert f"Last 12 months, {months[0]:%B %Y} to {months[-1]:%B %Y}" in html
    assert '<option value="last_12_months" selected>' in html
    export = client.get(
        reverse("stats:school_export", args=["oakwood"]), {"term": "last_12_months"}
    )
    assert export["Content-Disposition"].endswith(f'last-12-months-to-{months[-1]:%Y-%m}.csv"')
    headline = next(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert headline["time_identifier"] == "Last 12 months"
    assert headline["time_period"] == f"{months[0]:%Y%m}-{months[-1]:%Y%m}"
    assert headline["value"] == "4"
