"""The dashboard as published: the figures from `queries`, suppressed by `suppression`.

The page and the CSV export are both drawn from `build_dashboard()`, so they cannot disagree.
Nothing here carries a name of a person, free text, a case reference or a date finer than a
month: only school names, enums, month labels and suppressed counts.
"""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from dataclasses import dataclass, replace

from django.utils import timezone

from guidance.checklist import all_checklists
from incidents.models import Kind

from . import queries, summary
from .charts import BarChart, LineChart, bar_chart, line_chart
from .periods import TERMS, Period
from .queries import Scope
from .rates import FEW_CASES, LOW_RELIABILITY, rate
from .suppression import (
    NOT_APPLICABLE,
    SUPPRESSED,
    Shown,
    SuppressedTable,
    TableSpec,
    effective_threshold,
    exact,
    suppress,
    suppress_linked,
    suppress_single,
)

DEFAULT_THRESHOLD = 5
OTHER_SCHOOLS = "Other schools"


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[Shown, ...]
    total: Shown | None = None


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    row_heading: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    total_row: Row | None = None
    total_heading: str = ""
    charts: tuple[BarChart | LineChart, ...] = ()
    note: str = ""

    @property
    def has_row_totals(self) -> bool:
        return bool(self.total_heading)


@dataclass(frozen=True)
class Dashboard:
    scope_name: str
    period: Period
    threshold: int
    total_cases: Shown
    median_hours: Shown | None  # None: no acknowledged cases
    figures: tuple[Figure, ...]
    for_trust: bool = False
    # A school's own figures for its DSLs and deputies, who see every case anyway: exact, no
    # suppression or rounding. Figures that leave the school (a trust's) are always suppressed.
    exact: bool = False


def threshold_for(scope: Scope) -> int:
    trust = scope.trust or (scope.school.trust if scope.school else None)
    configured = trust.suppression_threshold if trust else DEFAULT_THRESHOLD
    return effective_threshold(configured)


def build_dashboard(scope: Scope, period: Period) -> Dashboard:
    """A trust's figures are suppressed; a school's own (its DSLs' view) are exact. A trust's
    tables that share figures (the months, kinds, outcomes and referral lines of the trends)
    are suppressed together, so a figure hidden in one is hidden in all.
    Figures come from the summary table, first brought up to date for the scope."""
    if summary.enabled():
        summary.catch_up(scope)
    if scope.school is not None:
        return _build(scope, period)
    linked = _Linked()
    token = _LINKED.set(linked)
    try:
        _build(scope, period)  # collects the tables' counts
        linked.results = suppress_linked(linked.specs, _links(linked.specs), threshold_for(scope))
        return _build(scope, period)
    finally:
        _LINKED.reset(token)


def _build(scope: Scope, period: Period) -> Dashboard:
    is_exact = scope.school is not None
    # None: publish exactly (see `_table`).
    threshold: int | None = None if is_exact else threshold_for(scope)
    by_month = _by_month(scope, period, threshold)
    by_term = _by_term(scope, period, threshold)
    figures = [by_month, *([by_term] if by_term else []), _by_kind(scope, period, threshold)]
    if scope.school is None:
        rates, by_school = _by_school_and_outcome(scope, period, threshold_for(scope))
        figures += [by_school, rates]
    else:
        by_outcome = _by_outcome(scope, period, threshold)
        roll = dict(_q(_source().pupils_on_roll, scope, period)).get(scope.school.pk, 0)
        total = by_outcome.total_row.values[0]
        figures += [by_outcome, _rates_figure([(scope.school.name, total, total, roll)])]
    figures += [
        _typology(scope, period, threshold),
        _referral(scope, period, threshold),
        _factors(scope, period, threshold),
        _year_group_bands(scope, period, threshold),
        _time_taken(scope, period, threshold),
        *(_trend(scope, period, threshold, dimension) for dimension in TREND_DIMENSIONS),
    ]

    median, acknowledged = queries.median_from_histogram(
        _q(_source().hours_to_acknowledgement, scope, period)
    )
    if acknowledged == 0:
        median_shown: Shown | None = None
    elif threshold is not None and acknowledged < threshold:
        median_shown = suppress_single(acknowledged, threshold)  # 'c'
    else:
        median_shown = median
    return Dashboard(
        scope_name=scope.name,
        period=period,
        threshold=threshold_for(scope),
        total_cases=by_month.total_row.values[0],
        median_hours=median_shown,
        figures=tuple(figures),
        for_trust=scope.school is None,
        exact=is_exact,
    )


class _Linked:
    """Tables published in more than one place, suppressed together (`suppress_linked`): the
    first pass collects each table's counts, the second hands out the linked results. The
    queries' answers are kept from the first pass, so the database is asked once."""

    def __init__(self) -> None:
        self.specs: dict[str, TableSpec] = {}
        self.results: dict[str, SuppressedTable] | None = None
        self.answers: dict[tuple, list] = {}


_LINKED: ContextVar[_Linked | None] = ContextVar("stats_linked_tables", default=None)


def _source():
    """Where figures are counted: the summary table (PostgreSQL), else the cases themselves.
    Both answer alike (tests/stats/test_summary_property.py)."""
    return summary if summary.enabled() else queries


def _q(query, *args):
    """`query(*args)`, asked once per dashboard however many passes build it."""
    linked = _LINKED.get()
    if linked is None:
        return query(*args)
    key = (query.__name__, *args)
    if key not in linked.answers:
        linked.answers[key] = query(*args)
    return linked.answers[key]


def _table(
    counts: list[list[int]],
    threshold: int | None,
    *,
    row_totals: bool,
    column_totals: bool,
    key: str = "",
) -> SuppressedTable:
    """THE choice between exact figures (threshold None: a school's own) and suppressed ones;
    a table with a `key` is suppressed with the others it shares figures with."""
    if threshold is None:
        return exact(counts, row_totals=row_totals, column_totals=column_totals)
    linked = _LINKED.get()
    if linked is not None and key:
        spec = TableSpec(counts, row_totals, column_totals)
        if linked.results is None:
            linked.specs[key] = spec
        else:
            if linked.specs[key] != spec:
                raise RuntimeError(f"table {key} changed between passes")
            return linked.results[key]
    return suppress(counts, threshold, row_totals=row_totals, column_totals=column_totals)


def _links(specs: dict[str, TableSpec]) -> list[list[tuple[str, tuple[int, int]]]]:
    """Which positions of the trust's tables hold the same figure."""
    months = len(specs["month"].counts)
    links = []
    for i in range(months + 1):  # each month, then the total
        link = [("month", (i, 0))]
        for dimension in TREND_DIMENSIONS:
            width = len(specs[f"trend_{dimension}"].counts[0])
            link.append((f"trend_{dimension}", (i, width)))
        links.append(link)
    margins = (("kind", "trend_kind"), ("school", "trend_outcome"), ("referral", "trend_referral"))
    for figure, trend in margins:
        counts = specs[figure].counts
        columns = len(specs[trend].counts[0])
        for j in range(columns):
            if figure == "school":  # outcomes across, under the schools
                links.append([(figure, (len(counts), j)), (trend, (months, j))])
            else:  # categories down the side, the current decision in column 0
                links.append([(figure, (j, 0)), (trend, (months, j))])
    return links + _term_links(specs)


def _term_links(specs: dict[str, TableSpec]) -> list[list[tuple[str, tuple[int, int]]]]:
    """A whole year's terms: each term's months are the figure by month's, each term's total
    the figure by term's, and the terms' total the year's."""
    links: list[list[tuple[str, tuple[int, int]]]] = []
    if "terms" in specs:  # a whole academic year: its terms are sums of its months
        year_months = [m for _, (_, numbers) in TERMS.items() for m in numbers]
        for t, key in enumerate(TERMS):
            numbers = TERMS[key][1]
            for i, number in enumerate(numbers):
                month_row = _ACADEMIC_ORDER.index(number)
                links.append([(f"term_{key}", (i, 0)), ("month", (month_row, 0))])
            links.append([(f"term_{key}", (len(numbers), 0)), ("terms", (t, 0))])
        links.append([("terms", (len(TERMS), 0)), ("month", (len(year_months), 0))])
    return links


_ACADEMIC_ORDER = (9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8)  # the month figure's rows, a year


def month_label(month: dt.date) -> str:
    return month.strftime("%B %Y")


def factor_labels() -> dict[str, str]:
    """Each immediate-referral factor's label, current checklist's factors first, in its order."""
    labels: dict[str, str] = {}
    for checklist in reversed(all_checklists()):  # newest first
        for question in checklist.referral_factors:
            labels.setdefault(question.id, question.factor_label)
    return labels


def factor_label(code: str) -> str:
    return factor_labels().get(code) or code.replace("_", " ").strip().capitalize()


def _one_column(
    key: str,
    title: str,
    row_heading: str,
    labels: list[str],
    counts: list[int],
    threshold: int | None,
) -> Figure:
    table = _table([[n] for n in counts], threshold, row_totals=False, column_totals=True, key=key)
    rows = tuple(Row(label, cells) for label, cells in zip(labels, table.cells, strict=True))
    return Figure(
        key=key,
        title=title,
        row_heading=row_heading,
        columns=("Cases",),
        rows=rows,
        total_row=Row("Total", table.column_totals),
        charts=(bar_chart(title, [(row.label, row.values[0]) for row in rows]),),
    )


def _by_month(scope: Scope, period: Period, threshold: int | None) -> Figure:
    counts = dict(_q(_source().cases_by_month, scope, period))
    months = period.months
    figure = _one_column(
        "month",
        "Cases by month reported",
        "Month",
        [month_label(m) for m in months],
        [counts.get((m.year, m.month), 0) for m in months],
        threshold,
    )
    return _months_to_come_not_applicable(figure, months)


def _months_to_come_not_applicable(figure: Figure, months: list[dt.date]) -> Figure:
    """A month that has not started yet is 'z' (not applicable), never a 0 that reads as a
    month without cases. Its count is a true 0, which suppression never hides nor uses to
    hide another figure, so marking it afterwards gives nothing away."""
    this_month = timezone.localdate().replace(day=1)
    if months[-1] <= this_month:
        return figure
    rows = tuple(
        Row(
            row.label,
            tuple(NOT_APPLICABLE for _ in row.values),
            None if row.total is None else NOT_APPLICABLE,
        )
        if month > this_month
        else row
        for row, month in zip(figure.rows, months, strict=True)
    )
    return replace(
        figure,
        rows=rows,
        charts=tuple(
            bar_chart(chart.title, [(row.label, row.values[0]) for row in rows])
            for chart in figure.charts
        ),
        note="z: a month still to come.",
    )


def _by_term(scope: Scope, period: Period, threshold: int | None) -> Figure | None:
    """The academic year's three terms, each the sum of its months (None for a shorter period,
    which is one term or less, or spans two years). For a trust, each term is suppressed with
    the months it adds up (tables `term_<key>`, not shown themselves) and the year's total."""
    if period.term:
        return None
    counts = dict(_q(_source().cases_by_month, scope, period))
    this_month = timezone.localdate().replace(day=1)
    terms, labels, to_come = [], [], []
    for key, (label, numbers) in TERMS.items():
        months = [m for m in period.months if m.month in numbers]
        in_term = [counts.get((m.year, m.month), 0) for m in months]
        _table(
            [[n] for n in in_term],
            threshold,
            row_totals=False,
            column_totals=True,
            key=f"term_{key}",
        )  # registers the term's months with the linked tables
        terms.append(sum(in_term))
        labels.append(label)
        to_come.append(months[0] > this_month)
    figure = _one_column("terms", "Cases by term", "Term", labels, terms, threshold)
    rows = tuple(
        Row(row.label, (NOT_APPLICABLE,)) if later else row
        for row, later in zip(figure.rows, to_come, strict=True)
    )
    under_way = any(m <= this_month for m in period.months) and period.months[-1] > this_month
    return replace(
        figure,
        rows=rows,
        charts=(bar_chart("Cases by term", [(row.label, row.values[0]) for row in rows]),),
        note=(
            "Terms as whole months: autumn September to December, spring January to March, "
            "summer April to August, so they add up to the months above (a school's own term "
            "dates differ by a few days, and figures are never split finer than a month)."
            + (
                " A term under way counts its cases so far; z: a term still to come."
                if under_way
                else ""
            )
        ),
    )


def _by_kind(scope: Scope, period: Period, threshold: int | None) -> Figure:
    counts = dict(_q(_source().cases_by_kind, scope, period))
    return _one_column(
        "kind",
        "Cases by kind of concern",
        "Kind of concern",
        [label for _, label in Kind.choices],
        [counts.get(value, 0) for value, _ in Kind.choices],
        threshold,
    )


def _by_outcome(scope: Scope, period: Period, threshold: int | None) -> Figure:
    counts = dict(_q(_source().cases_by_outcome, scope, period))
    return _one_column(
        "outcome",
        "Cases by outcome",
        "Outcome",
        [label for _, label in queries.OUTCOMES],
        [counts.get(value, 0) for value, _ in queries.OUTCOMES],
        threshold,
    )


def _typology(scope: Scope, period: Period, threshold: int | None) -> Figure:
    counts = dict(_q(_source().cases_by_typology, scope, period))
    figure = _one_column(
        "typology",
        "Cases by type",
        "Type",
        [label for _, label in queries.TYPOLOGIES],
        [counts.get(value, 0) for value, _ in queries.TYPOLOGIES],
        threshold,
    )
    return replace(
        figure,
        note=(
            "The type the DSL decided where they recorded one, else the checklist's. "
            "Aggravated: an adult was involved, or there was coercion, malice or an image made "
            "or shared without the pictured child's knowledge. Experimental: willing peers, no "
            "malice."
        ),
    )


def _by_school_and_outcome(scope: Scope, period: Period, threshold: int) -> tuple[Figure, Figure]:
    """The schools by outcome, and their rates per 1,000 pupils from the same published
    counts."""
    outcome_keys = [value for value, _ in queries.OUTCOMES]
    per_school: dict[int, list[int]] = {}
    for school_id, outcome, n in _q(_source().cases_by_school_and_outcome, scope, period):
        per_school.setdefault(school_id, [0] * len(outcome_keys))[outcome_keys.index(outcome)] += n

    roll = dict(_q(_source().pupils_on_roll, scope, period))
    labels: list[str] = []
    counts: list[list[int]] = []
    rolls: list[int] = []
    other = [0] * len(outcome_keys)
    other_roll = 0
    for school_id, name in scope.schools():
        row = per_school.get(school_id, [0] * len(outcome_keys))
        if 0 < sum(row) < threshold:
            other = [a + b for a, b in zip(other, row, strict=True)]
            other_roll += roll.get(school_id, 0)
        else:
            labels.append(name)
            counts.append(row)
            rolls.append(roll.get(school_id, 0))
    if any(other):
        labels.append(OTHER_SCHOOLS)
        counts.append(other)
        rolls.append(other_roll)
    if not counts:
        counts, labels, rolls = [[0] * len(outcome_keys)], [OTHER_SCHOOLS], [0]

    table = _table(counts, threshold, row_totals=True, column_totals=True, key="school")
    rows = tuple(
        Row(label, cells, total)
        for label, cells, total in zip(labels, table.cells, table.row_totals, strict=True)
    )
    outcome_labels = tuple(label for _, label in queries.OUTCOMES)
    rates = _rates_figure(
        [(row.label, row.total, sum(n), r) for row, n, r in zip(rows, counts, rolls, strict=True)]
    )
    return rates, Figure(
        key="school",
        title="Cases by school and outcome",
        row_heading="School",
        columns=outcome_labels,
        rows=rows,
        total_row=Row("Total", table.column_totals, table.grand_total),
        total_heading="All outcomes",
        charts=(
            bar_chart("Cases by school", [(row.label, row.total) for row in rows]),
            bar_chart(
                "Cases by outcome", list(zip(outcome_labels, table.column_totals, strict=True))
            ),
        ),
        note=(
            f"Schools with fewer than {threshold} cases in the period are counted together "
            f"as “{OTHER_SCHOOLS}”."
        ),
    )


TREND_DIMENSIONS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "kind": ("Trend: cases by month and kind of concern", tuple(Kind.choices)),
    "outcome": ("Trend: cases by month and outcome", queries.OUTCOMES),
    "referral": (
        "Trend: cases by month and the current decision on immediate referral",
        queries.REFERRAL_LINES,
    ),
}


def _trend(scope: Scope, period: Period, threshold: int | None, dimension: str) -> Figure:
    """Months down the side, the groups across, with totals both ways: the monthly totals are
    the figure by month, the group totals the figure by kind, outcome or referral."""
    title, groups = TREND_DIMENSIONS[dimension]
    keys = [key for key, _ in groups]
    months = period.months
    counts = [[0] * len(keys) for _ in months]
    index = {(m.year, m.month): i for i, m in enumerate(months)}
    for month, group, n in _q(_source().cases_by_month_and, scope, period, dimension):
        if month in index and group in keys:
            counts[index[month]][keys.index(group)] += n
    table = _table(counts, threshold, row_totals=True, column_totals=True, key=f"trend_{dimension}")
    labels = tuple(label for _, label in groups)
    rows = tuple(
        Row(month_label(m), cells, total)
        for m, cells, total in zip(months, table.cells, table.row_totals, strict=True)
    )
    figure = Figure(
        key=f"trend_{dimension}",
        title=title,
        row_heading="Month",
        columns=labels,
        rows=rows,
        total_row=Row("Total", table.column_totals, table.grand_total),
        total_heading="All cases",
    )
    figure = _months_to_come_not_applicable(figure, months)
    return replace(figure, charts=(line_chart(title, labels, figure.rows),))


# A 90th percentile of fewer values is close to the single slowest case, so it is not shown
# where figures leave the school.
MIN_FOR_PERCENTILE = 10


def _time_taken(scope: Scope, period: Period, threshold: int | None) -> Figure:
    """Median and 90th percentile hours from report to acknowledgement and to the first
    decision, from histograms of whole hours (never case rows)."""
    lines = (
        ("Report to acknowledgement", _q(_source().hours_to_acknowledgement, scope, period)),
        ("Report to first decision", _q(_source().hours_to_first_decision, scope, period)),
    )
    rows = []
    for label, histogram in lines:
        median, cases = queries.percentile_from_histogram(histogram, 0.5)
        p90, _ = queries.percentile_from_histogram(histogram, 0.9)
        if cases == 0:
            rows.append(Row(label, (0, NOT_APPLICABLE, NOT_APPLICABLE)))
        elif threshold is None:
            rows.append(Row(label, (cases, median, p90)))
        else:
            shown_cases = suppress_single(cases, threshold)
            shown_median = median if cases >= threshold else SUPPRESSED
            shown_p90 = p90 if cases >= max(threshold, MIN_FOR_PERCENTILE) else SUPPRESSED
            rows.append(Row(label, (shown_cases, shown_median, shown_p90)))
    return Figure(
        key="time_taken",
        title="Time taken, in hours",
        row_heading="Time taken",
        columns=("Cases", "Median hours", "90th percentile hours"),
        rows=tuple(rows),
        charts=(
            bar_chart("Median hours", [(row.label, row.values[1]) for row in rows]),
            bar_chart("90th percentile hours", [(row.label, row.values[2]) for row in rows]),
        ),
        note=(
            "Whole hours, rounded down, including nights and weekends. Half the cases took "
            "the median or less; nine in ten took the 90th percentile or less. The first "
            "decision is the DSL's first recorded decision or decision on the checklist's "
            "outcome; cases without one yet are not counted. z: no such cases"
            + (
                ""
                if threshold is None
                else f"; the 90th percentile is shown from {MIN_FOR_PERCENTILE} cases"
            )
            + "."
        ),
    )


def _rates_figure(schools: list[tuple[str, Shown, int, int]]) -> Figure:
    """(name, published cases, unrounded cases, pupils on roll) for each school or group."""
    rows = tuple(
        Row(name, (published, roll, rate(published, cases, roll)))
        for name, published, cases, roll in schools
    )
    return Figure(
        key="rates",
        title="Cases per 1,000 pupils on roll",
        row_heading="School",
        columns=("Cases", "Pupils on roll", "Cases per 1,000 pupils"),
        rows=rows,
        charts=(
            bar_chart("Cases per 1,000 pupils on roll", [(r.label, r.values[2]) for r in rows]),
        ),
        note=(
            "Rates are worked out from the cases as shown here (rounded, where figures are "
            "rounded), so they give nothing more away; a hidden count hides its rate. "
            f"{LOW_RELIABILITY}: based on fewer than {FEW_CASES} cases, so a case more or less "
            "would change it a lot. Pupils on roll in the period, from the school's pupil list: "
            "everyone on it who had not left before the period began (pupils who left since "
            "are counted, and so are pupils who joined since, as the list has no joining "
            "dates; pupils added while reporting are not counted); x: the school has no pupil "
            "list."
        ),
    )


def _referral(scope: Scope, period: Period, threshold: int | None) -> Figure:
    """Immediate referral: the current decision (the DSL's, else the checklist's) beside what
    the checklist gave when the concern was reported."""
    lines = [value for value, _ in queries.REFERRAL_LINES]
    counts = [[0, 0] for _ in lines]
    for checklist, current, n in _q(_source().referral_lines, scope, period):
        if current in lines:
            counts[lines.index(current)][0] += n
        if checklist in lines:
            counts[lines.index(checklist)][1] += n
    table = _table(counts, threshold, row_totals=False, column_totals=True, key="referral")
    labels = [label for _, label in queries.REFERRAL_LINES]
    rows = tuple(Row(label, cells) for label, cells in zip(labels, table.cells, strict=True))
    title = "Immediate referral to the police or children's social care"
    return Figure(
        key="referral",
        title=title,
        row_heading="Immediate referral",
        columns=("Current decision", "The checklist, when reported"),
        rows=rows,
        total_row=Row("Total", table.column_totals),
        charts=(bar_chart(f"{title}: current decision", [(r.label, r.values[0]) for r in rows]),),
        note=(
            "The current decision is the DSL's where they recorded one, else the checklist's. "
            "“Not known yet”: a reason to refer could not be answered when the concern was "
            "reported, and the DSL decides."
        ),
    )


def _factors(scope: Scope, period: Period, threshold: int | None) -> Figure:
    answers = [value for value, _ in queries.FACTOR_ANSWERS]
    per_factor: dict[str, list[int]] = {}
    for factor, answer, n in _q(_source().factors_applied, scope, period):
        if answer in answers:
            per_factor.setdefault(factor, [0] * len(answers))[answers.index(answer)] += n
    known = list(factor_labels())
    factors = known + sorted(set(per_factor) - set(known))
    for factor in factors:
        per_factor.setdefault(factor, [0] * len(answers))
    table = _table(
        [per_factor[f] for f in factors], threshold, row_totals=False, column_totals=False
    )
    rows = tuple(Row(factor_label(f), cells) for f, cells in zip(factors, table.cells, strict=True))
    return Figure(
        key="factors",
        title="How often each immediate-referral factor applied",
        row_heading="Factor",
        columns=tuple(f"Answered “{label.lower()}”" for _, label in queries.FACTOR_ANSWERS),
        rows=rows,
        charts=(
            (bar_chart("Cases where each factor applied", [(r.label, r.values[0]) for r in rows]),)
            if rows
            else ()
        ),
        note="A case can have more than one factor, so these figures are not added up.",
    )


def _year_group_bands(scope: Scope, period: Period, threshold: int | None) -> Figure:
    counts = dict(_q(_source().cases_by_year_group_band, scope, period))
    labels = [label for _, label, _ in queries.YEAR_GROUP_BANDS]
    table = _table(
        [[counts.get(key, 0)] for key, _, _ in queries.YEAR_GROUP_BANDS],
        threshold,
        row_totals=False,
        column_totals=False,
    )
    rows = tuple(Row(label, cells) for label, cells in zip(labels, table.cells, strict=True))
    return Figure(
        key="year_groups",
        title="Cases by year group of the pupils involved",
        row_heading="Year groups",
        columns=("Cases",),
        rows=rows,
        total_row=Row("Total", (NOT_APPLICABLE,)),
        charts=(bar_chart("Cases by year group", [(r.label, r.values[0]) for r in rows]),),
        note=(
            "A case involving pupils from more than one band counts in each, so the bands "
            "do not add up to a total."
        ),
    )
