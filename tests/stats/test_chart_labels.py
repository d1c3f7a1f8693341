"""Chart labels fit the label column: a long one wraps onto a second line instead of running
past the chart's left edge, where it was cut off ("aring of real nudes or semi…")."""

import re

from django.urls import reverse

from stats.charts import BAR_HEIGHT, MAX_LINE_CHARS, bar_chart, wrap_label
from tests.stats.conftest import at


def label_lines(html: str) -> list[list[str]]:
    """The text of each bar's label, line by line, as the page draws it."""
    return [
        re.findall(r"<tspan[^>]*>([^<]*)</tspan>", block)
        for block in re.findall(r'<text text-anchor="end"[^>]*>(.*?)</text>', html)
    ]


def test_every_label_line_on_the_page_fits_the_label_column(cast, client_for, make_case):
    make_case(cast.school_a, at(2025, 10, 1), kind="real_nudes")
    html = (
        client_for(cast.trust_lead)
        .get(reverse("stats:trust_dashboard", args=["northfield"]), {"year": "2025"})
        .content.decode()
    )
    labels = label_lines(html)
    assert labels
    for lines in labels:
        assert 1 <= len(lines) <= 2
        assert all(len(line) <= MAX_LINE_CHARS for line in lines), lines
    # The long ones are readable in full where they fit in two lines.
    assert ["Sharing of real", "nudes or semi-nudes"] in labels
    # Longer ones are cut at a space and marked.
    assert ["A child may be at", "immediate risk of …"] in labels


def test_wrapping_breaks_at_spaces_and_marks_what_was_left_out():
    assert wrap_label("Not sure") == ["Not sure"]
    lines = wrap_label(
        "A child may have been pressured, blackmailed or groomed, or may not be able to agree"
    )
    assert lines == ["A child may have", "been pressured, …"]
    assert wrap_label("x" * 40) == ["x" * (MAX_LINE_CHARS - 1) + "…"]


def test_charts_are_drawn_narrow_and_shown_no_wider_than_the_stylesheet_allows(
    cast, client_for, make_case
):
    """640 units scaled down to a phone's 360px made 14-unit text about 8px high."""
    make_case(cast.school_a, at(2025, 10, 1))
    html = (
        client_for(cast.dsl)
        .get(reverse("stats:school_dashboard", args=["oakwood"]), {"year": "2025"})
        .content.decode()
    )
    assert html.count('<figure class="app-chart') == html.count("<svg")
    for width in re.findall(r'viewBox="0 0 (\d+) \d+"', html):
        assert int(width) <= 400


def test_rows_with_two_line_labels_do_not_overlap():
    chart = bar_chart("t", [("Sharing of real nudes or semi-nudes", 5), ("Not sure", 0)])
    first, second = chart.bars
    assert first.lines[-1].y < second.lines[0].y - 12
    assert second.y >= first.y + BAR_HEIGHT
    assert chart.height >= second.y + BAR_HEIGHT
