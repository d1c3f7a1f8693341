"""The page: a chart and a table of the same figures for each, a legend, no inline code."""

import re

from django.urls import reverse

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
    for symbol in ("c", "0", "z"):
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
