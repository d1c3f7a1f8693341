"""The page's tables, its charts and the tidy CSV show the same suppressed figures, cell for
cell."""

import csv
import io
import re
from html import unescape

from django.urls import reverse

from stats.export import COLUMN_MEASURES, TREND_BREAKDOWNS
from tests.stats.conftest import at


def page_tables(html: str) -> dict[str, list[list[str]]]:
    """figure key -> the table's rows (label, then each figure), as the page shows them."""
    tables = {}
    for key, section in re.findall(
        r'<section[^>]*aria-labelledby="figure-([\w-]+)">(.*?)</section>', html, re.S
    ):
        body = section.split('<tbody class="govuk-table__body">', 1)[1]
        rows = []
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            rows.append([unescape(c.strip()) for c in cells])
        tables[key] = rows
    return tables


def chart_values(html: str, key: str) -> list[str]:
    """The figure drawn beside each bar of the figure's first chart."""
    section = re.search(rf'aria-labelledby="figure-{key}">(.*?)</section>', html, re.S).group(1)
    svg = section.split("</svg>", 1)[0]
    return re.findall(r'<text x="\d+" y="\d+" fill="#0b0c0c">([^<]*)</text>', svg)


def tidy_figure(rows: list[dict[str, str]], figure) -> list[list[str]]:
    """The figure's table rebuilt from the tidy CSV: each cell looked up by what it is."""

    def shown(**match) -> str:
        match.setdefault("time_identifier", "Autumn term")  # the period, unless a month
        (found,) = [r for r in rows if all(r[k] == v for k, v in match.items())]
        # A value with its flag, as the page shows it ("50.0 u"), or the flag alone ("c").
        return " ".join(part for part in (found["value"], found["flag"]) if part)

    measures = COLUMN_MEASURES.get(figure.key, {})
    table = []
    for line in (*figure.rows, figure.total_row):
        if line is None:
            continue
        if figure.key == "month":
            if line is figure.total_row:
                cells = [
                    shown(measure="Cases", breakdown_by="All cases", time_identifier="Autumn term")
                ]
            else:
                month, year = line.label.split()
                when = {"time_identifier": month, "time_period": year}
                cells = [shown(measure="Cases", breakdown_by="All cases", **when)]
        elif figure.key.startswith("trend_"):
            if line is figure.total_row:  # the figure by kind, outcome or referral
                continue
            measure, breakdown_by = TREND_BREAKDOWNS[figure.key]
            month, year = line.label.split()
            when = {"time_identifier": month, "time_period": year}
            cells = [
                shown(measure=measure, breakdown_by=breakdown_by, breakdown=column, **when)
                for column in figure.columns
            ]
            cells.append(shown(measure="Cases", breakdown_by="All cases", **when))
        elif figure.key == "rates":
            cells = [
                shown(school_name=line.label, breakdown_by="Outcome", breakdown="Total"),
                shown(school_name=line.label, measure="Pupils on roll"),
                shown(school_name=line.label, measure="Cases per 1,000 pupils on roll"),
            ]
        elif figure.key == "school":
            where = (
                {"geographic_level": "Multi-academy trust"}
                if line is figure.total_row
                else {"school_name": line.label}
            )
            cells = [
                shown(breakdown_by="Outcome", breakdown=column, **where)
                for column in (*figure.columns, "Total")
            ]
        else:
            breakdown = "Total" if line is figure.total_row else line.label
            cells = [
                shown(
                    breakdown_by=figure.row_heading,
                    breakdown=breakdown,
                    measure=measures.get(column, "Cases"),
                )
                for column in figure.columns
            ]
        table.append([line.label, *cells])
    return table


def test_page_charts_and_csv_agree(cast, client_for, make_case):
    # Uneven counts across schools, kinds, outcomes and months: some shown, some 'c'.
    for day in range(1, 9):
        make_case(cast.school_a, at(2025, 10, day), kind="nudified", status="referred")
    for day in range(1, 3):
        make_case(cast.school_a, at(2025, 11, day), kind="sextortion")
    cast.school_b.trust = cast.trust_a
    cast.school_b.save(update_fields=["trust"])
    for day in range(1, 7):
        make_case(cast.school_b, at(2025, 9, day), kind="ai_generated", status="closed")

    client = client_for(cast.trust_lead)
    query = {"year": "2025", "term": "autumn"}
    response = client.get(reverse("stats:trust_dashboard", args=["northfield"]), query)
    html = response.content.decode()
    dashboard = response.context["dashboard"]
    export = client.get(reverse("stats:trust_export", args=["northfield"]), query)
    text = export.content.decode("utf-8-sig")

    tables = page_tables(html)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert "c" in {cell for rows in tables.values() for row in rows for cell in row[1:]}
    for figure in dashboard.figures:
        if figure.key.startswith("trend_"):
            assert tables[figure.key][:-1] == tidy_figure(rows, figure), figure.key
            continue  # a line chart: see test_trends
        assert tables[figure.key] == tidy_figure(rows, figure), figure.key
        shown = [row[1] for row in tables[figure.key] if row[0] != "Total"]
        if figure.key in ("school", "rates"):
            shown = [row[-1] for row in tables[figure.key] if row[0] != "Total"]
        if figure.key == "time_taken":
            shown = [row[2] for row in tables[figure.key]]  # the medians' chart comes first
        assert shown and chart_values(html, figure.key) == shown, figure.key


def test_a_figure_shown_in_two_tables_reads_the_same_in_both(cast, client_for, make_case):
    """The trends' totals are the figures by month, kind, outcome and referral, hidden alike."""
    kinds = ["nudified"] * 9 + ["sextortion"] * 2 + ["ai_generated"] * 6 + ["real_nudes"]
    for index, kind in enumerate(kinds):
        make_case(cast.school_a, at(2025, 9 + index % 3, 1 + index), kind=kind)
    response = client_for(cast.trust_lead).get(
        reverse("stats:trust_dashboard", args=["northfield"]), {"year": "2025", "term": "autumn"}
    )
    tables = page_tables(response.content.decode())
    by_kind = [row[1] for row in tables["kind"]]  # each kind, then the total
    assert tables["trend_kind"][-1][1:] == by_kind[:-1] + by_kind[-1:]
    by_month = [row[1] for row in tables["month"][:-1]]
    assert [row[-1] for row in tables["trend_kind"][:-1]] == by_month
    assert [row[-1] for row in tables["trend_outcome"][:-1]] == by_month
    assert [row[-1] for row in tables["trend_referral"][:-1]] == by_month
    assert "c" in by_kind
