"""The dashboard as one tidy CSV table, and a second CSV describing its columns.

Long ("tidy") format as DfE's explore-education-statistics publishes: one row per period x
school x measure x breakdown, a numeric `value` that is empty when the figure is not shown and
a separate `flag` saying why (GSS symbols). The header is the first line, so the file loads
into Excel or Power BI without editing; what a reader needs to know (threshold, rounding,
symbols) is in the metadata CSV. The same figures as the page: both come from the Dashboard.
"""

from __future__ import annotations

from collections.abc import Iterator

from .dashboard import OTHER_SCHOOLS, Dashboard, Figure
from .periods import LAST_12_MONTHS, LAST_12_MONTHS_LABEL, TERMS
from .rates import LOW_RELIABILITY, Rate
from .suppression import NOT_APPLICABLE, ROUND_TO, SUPPRESSED, Shown

TRUST_SCHOOLS_NOTE = (
    "The figures cover the schools in the trust today, including their cases from before "
    "they joined; a school that left is not counted, even in past years."
)
EXACT_NOTE = (
    "Exact figures for the school's safeguarding leads: nothing is hidden or rounded. Small "
    "numbers could identify a child, so keep this within the school's safeguarding team."
)
NOT_AVAILABLE = "x"
TOTAL = "Total"
ALL_CASES = "All cases"

COLUMNS = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "trust_name",
    "school_name",
    "measure",
    "breakdown_by",
    "breakdown",
    "value",
    "flag",
)

# What each column of a figure counts, where it has more than one.
COLUMN_MEASURES = {
    "referral": {
        "Current decision": "Cases by the current decision on immediate referral",
        "The checklist, when reported": "Cases by the checklist's referral line when reported",
    },
    "time_taken": {
        "Cases": "Cases timed",
        "Median hours": "Median hours",
        "90th percentile hours": "90th percentile hours",
    },
    "factors": {
        "Answered “yes”": "Cases with the factor answered yes",
        "Answered “not known”": "Cases with the factor answered not known",
    },
}
TREND_BREAKDOWNS = {
    "trend_kind": ("Cases", "Kind of concern"),
    "trend_outcome": ("Cases", "Outcome"),
    "trend_referral": (
        "Cases by the current decision on immediate referral",
        "Immediate referral",
    ),
}
MEDIAN_MEASURE = "Median hours from report to acknowledgement"
PUPILS_ON_ROLL = "Pupils on roll"
RATE_MEASURE = "Cases per 1,000 pupils on roll"


def value_and_flag(shown: Shown | Rate | None) -> tuple[int | float | None, str]:
    if isinstance(shown, int):
        return shown, ""
    if isinstance(shown, Rate):
        return shown.per_thousand, LOW_RELIABILITY if shown.few_cases else ""
    if shown in (SUPPRESSED, NOT_APPLICABLE):
        return None, shown
    return None, NOT_AVAILABLE


def tidy_rows(dashboard: Dashboard, *, trust_name: str) -> list[list[object]]:
    return [list(COLUMNS), *_data_rows(dashboard, trust_name=trust_name)]


def _data_rows(dashboard: Dashboard, *, trust_name: str) -> Iterator[list[object]]:
    period = dashboard.period
    if period.term == LAST_12_MONTHS:
        first, last = period.months[0], period.months[-1]
        time_period = f"{first:%Y%m}-{last:%Y%m}"
        time_identifier = LAST_12_MONTHS_LABEL
    else:
        time_period = f"{period.year}{(period.year + 1) % 100:02d}"
        time_identifier = TERMS[period.term][0] if period.term else "Academic year"
    if dashboard.for_trust:
        level, school = "Multi-academy trust", ""
    else:
        level, school = "School", dashboard.scope_name

    def row(measure, breakdown_by, breakdown, shown, *, when=None, where=None):
        return [
            *(when or (time_period, time_identifier)),
            *(where or (level, trust_name, school)),
            measure,
            breakdown_by,
            breakdown,
            *value_and_flag(shown),
        ]

    yield row("Cases", ALL_CASES, TOTAL, dashboard.total_cases)
    median = NOT_APPLICABLE if dashboard.median_hours is None else dashboard.median_hours
    yield row(MEDIAN_MEASURE, ALL_CASES, TOTAL, median)
    for figure in dashboard.figures:
        if figure.key == "month":
            for line in figure.rows:
                month, year = line.label.rsplit(" ", 1)
                yield row("Cases", ALL_CASES, TOTAL, line.values[0], when=(year, month))
        elif figure.key == "terms":
            # Each term a period of its own, as explore-education-statistics names them; the
            # total is the year's, already the first row.
            for line in figure.rows:
                yield row("Cases", ALL_CASES, TOTAL, line.values[0], when=(time_period, line.label))
        elif figure.key == "school":
            yield from _school_rows(figure, row, trust_name)
        elif figure.key in TREND_BREAKDOWNS:
            # Only the cells: the totals are the rows of the month and group figures.
            measure, breakdown_by = TREND_BREAKDOWNS[figure.key]
            for line in figure.rows:
                month, year = line.label.rsplit(" ", 1)
                for column, shown in zip(figure.columns, line.values, strict=True):
                    yield row(measure, breakdown_by, column, shown, when=(year, month))
        elif figure.key == "rates":
            yield from _rate_rows(figure, row, trust_name, level)
        else:
            measures = COLUMN_MEASURES.get(figure.key, {})
            lines = [*figure.rows, *([figure.total_row] if figure.total_row else [])]
            for line in lines:
                breakdown = TOTAL if line is figure.total_row else line.label
                for column, shown in zip(figure.columns, line.values, strict=True):
                    measure = measures.get(column, "Cases")
                    yield row(measure, figure.row_heading, breakdown, shown)


def _school_rows(figure: Figure, row, trust_name: str) -> Iterator[list[object]]:
    """Schools down the side, outcomes across: each school its own row group."""
    for line in figure.rows:
        level = "School group" if line.label == OTHER_SCHOOLS else "School"
        where = (level, trust_name, line.label)
        for column, shown in zip(figure.columns, line.values, strict=True):
            yield row("Cases", "Outcome", column, shown, where=where)
        yield row("Cases", "Outcome", TOTAL, line.total, where=where)
    if figure.total_row:  # the whole trust, by outcome
        for column, shown in zip(figure.columns, figure.total_row.values, strict=True):
            yield row("Cases", "Outcome", column, shown)
        yield row("Cases", "Outcome", TOTAL, figure.total_row.total)


def _rate_rows(figure: Figure, row, trust_name: str, level: str) -> Iterator[list[object]]:
    """Pupils on roll and the rate, for each school (the cases are in the other figures)."""
    for line in figure.rows:
        if level != "School":
            level = "School group" if line.label == OTHER_SCHOOLS else "School"
        where = (level, trust_name, line.label)
        _cases, roll, per_thousand = line.values
        yield row(PUPILS_ON_ROLL, ALL_CASES, TOTAL, roll, where=where)
        yield row(RATE_MEASURE, ALL_CASES, TOTAL, per_thousand, where=where)


def metadata_rows(dashboard: Dashboard, *, product_name: str) -> list[list[object]]:
    """One row per column of the data file: its name, kind, label and what it holds."""
    if dashboard.exact:
        how = EXACT_NOTE
    else:
        how = (
            f"Counts below {dashboard.threshold} are not shown (flag c), and so is any figure "
            "from which such a count could be worked out. Other counts are rounded to the "
            f"nearest {ROUND_TO}; totals are worked out before rounding, so they may not equal "
            "the sum of the rounded figures."
        )
    scope_note = f" {TRUST_SCHOOLS_NOTE}" if dashboard.for_trust else ""
    return [
        ["col_name", "col_type", "label", "description"],
        [
            "time_period",
            "Time",
            "Period",
            "The academic year as YYYYyy (202526 is September 2025 to August 2026), or the "
            "calendar year of a month.",
        ],
        [
            "time_identifier",
            "Time",
            "Period type",
            "Academic year; Autumn term (September to December); Spring term (January to "
            "March); Summer term (April to August); Last 12 months (time_period YYYYMM-YYYYMM, "
            "the first and last month); or a month's name. Cases are counted in "
            "the month they were reported.",
        ],
        [
            "geographic_level",
            "Geography",
            "Level",
            "Multi-academy trust (the whole trust), School, or School group (schools with few "
            "cases, counted together as “Other schools”).",
        ],
        ["trust_name", "Geography", "Trust", "The trust the figures are for."],
        [
            "school_name",
            "Geography",
            "School",
            "The school, or empty for the whole trust." + scope_note,
        ],
        [
            "measure",
            "Filter",
            "Measure",
            "What the value counts, such as Cases. Cases closed as a duplicate of another are "
            "not counted. Referral and type are the DSL's current decision where they recorded "
            "one, else the checklist's.",
        ],
        [
            "breakdown_by",
            "Filter",
            "Breakdown by",
            "What the cases are split by (Kind of concern, Outcome, Type, Factor, ...), or "
            f"“{ALL_CASES}”.",
        ],
        [
            "breakdown",
            "Filter",
            "Breakdown",
            f"The group within the breakdown, or “{TOTAL}” for all of them.",
        ],
        [
            "value",
            "Indicator",
            "Value",
            "A whole number (a rate per 1,000 pupils to one decimal place); empty when flagged "
            f"c, z or x. {how} Rates per 1,000 pupils on roll are worked out from the count as "
            "shown; pupils on roll are those on the school's pupil list who had not left before "
            "the period began (the list has no joining dates, so pupils who joined since count "
            "too).",
        ],
        [
            "flag",
            "Flag",
            "Flag",
            "Empty when the value is shown. c: hidden to protect children's privacy; "
            "z: not applicable (a month still to come, a total that would count a case twice, "
            "no cases acknowledged); x: not available (a school with no pupil list); u: low "
            "reliability, a rate based on fewer than 10 cases (the value is shown). "
            f"Source: {product_name}.",
        ],
    ]
