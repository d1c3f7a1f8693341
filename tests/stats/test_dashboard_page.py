"""The page: a chart and a table of the same figures for each, a legend, no inline code."""

import re

from django.urls import reverse

from stats.periods import current_academic_year
from tests.stats.conftest import at


def test_each_figure_has_a_chart_a_table_and_the_legend(cast, client_for, make_case):
    for day in range(1, 8):
        make_case(cast.school_a, at(2025, 10, day), factors=[("adult_involved", "yes")])
    response = client_for(cast.trust_lead).get(
        reverse("stats:trust_dashboard", args=["northfield"]), {"year": "2025", "term": "autumn"}
    )
    html = response.content.decode()
    dashboard = response.context["dashboard"]
    charts = sum(len(f.charts) for f in dashboard.figures)
    assert html.count("<svg") == charts >= len(dashboard.figures)
    assert html.count('role="img"') == charts
    assert html.count("<table") == len(dashboard.figures)
    # Each table scrolls inside its own region on a phone rather than widening the page.
    assert html.count('<div class="app-table-scroll" role="region"') == len(dashboard.figures)
    for symbol in ("c", "0", "z", "x", "u"):
        assert f'<dt class="govuk-summary-list__key">{symbol}</dt>' in html
    assert "Autumn term, academic year 2025 to 2026" in html
    assert '<option value="autumn" selected>' in html
    assert 'href="/t/northfield/statistics.csv?year=2025&amp;term=autumn"' in html


def test_the_page_has_no_inline_styles_or_scripts(cast, client_for, make_case):
    make_case(cast.school_a, at(2025, 10, 1))
    response = client_for(cast.dsl).get(reverse("stats:school_dashboard", args=["oakwood"]))
    html = response.content.decode()
    assert " style=" not in html and "<style" not in html
    assert all(' src="' in tag for tag in re.findall(r"<script[^>]*>", html))
    assert "Content-Security-Policy" in response.headers


def test_an_unknown_year_or_term_falls_back_to_this_academic_year(cast, client_for):
    response = client_for(cast.trust_lead).get(
        reverse("stats:trust_dashboard", args=["northfield"]), {"year": "1900", "term": "x"}
    )
    assert response.status_code == 200
    assert response.context["dashboard"].period.term == ""


def test_a_year_that_is_not_offered_says_which_period_is_shown_instead(cast, client_for):
    client = client_for(cast.trust_lead)
    url = reverse("stats:trust_dashboard", args=["northfield"])
    this_year = current_academic_year()
    for query in ({"year": "2099"}, {"year": "abc"}, {"year": str(this_year - 40)}):
        response = client.get(url, query)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="period-not-offered"' in html, query
        assert f"academic year {this_year} to {this_year + 1}." in html
    assert 'id="period-not-offered"' not in client.get(url).content.decode()


def test_a_term_without_a_year_is_that_term_this_year(cast, client_for):
    response = client_for(cast.trust_lead).get(
        reverse("stats:trust_dashboard", args=["northfield"]), {"year": "", "term": "spring"}
    )
    period = response.context["dashboard"].period
    assert (period.year, period.term) == (current_academic_year(), "spring")
    assert 'id="period-not-offered"' not in response.content.decode()
    assert f"statistics.csv?year={period.year}&amp;term=spring" in response.content.decode()


def test_a_bad_term_keeps_the_good_year(cast, client_for):
    year = current_academic_year() - 1
    response = client_for(cast.trust_lead).get(
        reverse("stats:trust_dashboard", args=["northfield"]), {"year": year, "term": "winter"}
    )
    period = response.context["dashboard"].period
    assert (period.year, period.term) == (year, "")
    assert 'id="period-not-offered"' in response.content.decode()
