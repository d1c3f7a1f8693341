"""The statistics dashboard in Chromium: trend lines and bar charts beside their tables, months
still to come marked z, hidden figures marked c, and axe clean, for a trust lead and a DSL."""

from tests.browser.conftest import check_accessibility, screenshot, sign_in_in_browser
from tests.stats.conftest import at, make_case  # noqa: F401 (a fixture)


def test_the_dashboard_draws_trends_and_is_accessible(page, cast, make_case):  # noqa: F811
    kinds = ["nudified"] * 9 + ["sextortion"] * 2 + ["ai_generated"] * 6 + ["real_nudes"]
    for index, kind in enumerate(kinds):
        make_case(
            cast.school_a,
            at(2025, 9 + index % 3, 1 + index),
            kind=kind,
            status="referred" if index % 4 == 0 else "new",
        )
    sign_in_in_browser(page, cast.trust_lead)
    page.wait_for_url("**/")
    response = page.goto("/t/northfield/statistics/?year=2025&term=autumn")
    assert response is not None and response.status == 200
    trend = page.locator("section[aria-labelledby='figure-trend_kind']")
    assert trend.locator("svg[role='img'] polyline").count() >= 1
    assert trend.locator("table").count() == 1
    assert "c" in trend.locator("table").inner_text().split()
    assert page.locator("#suppressed-figures").is_visible()
    check_accessibility(page, "trust statistics")
    screenshot(page, "statistics-trust-autumn")

    page.context.clear_cookies()
    sign_in_in_browser(page, cast.dsl)
    page.wait_for_url("**/")
    response = page.goto("/s/oakwood/statistics/?year=2025&term=autumn")
    assert response is not None and response.status == 200
    assert page.locator("#exact-figures").is_visible()
    nudified = page.locator(
        "section[aria-labelledby='figure-kind'] tbody tr", has_text="Nudified photo"
    )
    assert nudified.inner_text().split()[-1] == "9"  # exact, not rounded
    check_accessibility(page, "school statistics")
    screenshot(page, "statistics-school-autumn")

    # A whole year: cases by term beside cases by month, a chart and a table.
    response = page.goto("/s/oakwood/statistics/?year=2025")
    assert response is not None and response.status == 200
    terms = page.locator("section[aria-labelledby='figure-terms']")
    assert terms.locator("svg[role='img']").count() == 1
    autumn = terms.locator("tbody tr", has_text="Autumn term")
    assert autumn.inner_text().split()[-1] == str(len(kinds))
    check_accessibility(page, "school statistics by term")
    screenshot(page, "statistics-school-year-terms")
    assert page.script_errors == []
