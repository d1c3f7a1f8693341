"""Trends over time: months still to come are 'z' (not applicable), never a 0 that reads as a
month without cases."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from stats.dashboard import build_dashboard, month_label
from stats.periods import Period, current_academic_year
from stats.queries import Scope
from stats.suppression import NOT_APPLICABLE


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
