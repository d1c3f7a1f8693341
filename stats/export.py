"""The dashboard as CSV rows: the same suppressed figures, with a header saying how to read them."""

from __future__ import annotations

from .dashboard import Dashboard
from .suppression import ROUND_TO, SYMBOLS

TRUST_SCHOOLS_NOTE = (
    "The figures cover the schools in the trust today, including their cases from before "
    "they joined; a school that left is not counted, even in past years."
)

EXACT_NOTE = (
    "Exact figures for the school's safeguarding leads: nothing is hidden or rounded. Small "
    "numbers could identify a child, so keep this within the school's safeguarding team."
)


def dashboard_rows(dashboard: Dashboard, *, product_name: str) -> list[list[object]]:
    rows: list[list[object]] = [
        [f"{product_name}: statistics"],
        ["For", dashboard.scope_name],
        ["Period", dashboard.period.label],
        [
            "Threshold",
            EXACT_NOTE
            if dashboard.exact
            else f"Counts below {dashboard.threshold} are not shown. Other counts are rounded "
            f"to the nearest {ROUND_TO}; totals are worked out before rounding.",
        ],
        ["Symbols", *(f"{symbol} = {meaning}" for symbol, meaning in SYMBOLS)],
        *([["Schools", TRUST_SCHOOLS_NOTE]] if dashboard.for_trust else []),
        ["Cases in the period", dashboard.total_cases],
        [
            "Median hours from report to acknowledgement",
            "none acknowledged" if dashboard.median_hours is None else dashboard.median_hours,
        ],
    ]
    for figure in dashboard.figures:
        rows.append([])
        rows.append([figure.title])
        header = [figure.row_heading, *figure.columns]
        if figure.has_row_totals:
            header.append(figure.total_heading)
        rows.append(header)
        for row in (*figure.rows, *([figure.total_row] if figure.total_row else [])):
            line = [row.label, *row.values]
            if figure.has_row_totals:
                line.append(row.total)
            rows.append(line)
        if figure.note:
            rows.append([figure.note])
    return rows
