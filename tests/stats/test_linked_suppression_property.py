"""Tables that share figures (trends by month and kind, by month and outcome, the figure by
month, the figure by kind) are suppressed together: no hidden figure can be worked out from
all of them at once, and a shared figure is hidden in every table or in none.

The reader solves every table's equations together, shared figures being one unknown, with
shown figures taken as exact (stronger than the real reader, who sees them rounded).
"""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from stats.suppression import SUPPRESSED, TableSpec, suppress_linked

SMALLISH = st.one_of(st.integers(0, 9), st.integers(0, 40))


@st.composite
def trends(draw):
    months = draw(st.integers(1, 5))
    kinds = draw(st.integers(1, 4))
    outcomes = draw(st.integers(1, 3))
    # One set of cases, counted by month and kind and by month and outcome.
    by_kind = [[draw(SMALLISH) for _ in range(kinds)] for _ in range(months)]
    by_outcome = []
    for row in by_kind:
        total = sum(row)
        split = sorted(draw(st.integers(0, total)) for _ in range(outcomes - 1))
        edges = [0, *split, total]
        by_outcome.append([edges[k + 1] - edges[k] for k in range(outcomes)])
    return by_kind, by_outcome, draw(st.integers(1, 8))


def build(by_kind, by_outcome):
    months, kinds, outcomes = len(by_kind), len(by_kind[0]), len(by_outcome[0])
    specs = {
        "month_kind": TableSpec(by_kind, True, True),
        "month_outcome": TableSpec(by_outcome, True, True),
        "month": TableSpec([[sum(row)] for row in by_kind], False, True),
        "kind": TableSpec([[sum(col)] for col in zip(*by_kind, strict=True)], False, True),
    }
    links = [
        [("month", (i, 0)), ("month_kind", (i, kinds)), ("month_outcome", (i, outcomes))]
        for i in range(months)
    ]
    links += [[("kind", (j, 0)), ("month_kind", (months, j))] for j in range(kinds)]
    links.append(
        [
            ("month", (months, 0)),
            ("kind", (kinds, 0)),
            ("month_kind", (months, kinds)),
            ("month_outcome", (months, outcomes)),
        ]
    )
    return specs, links


def grid(spec, table):
    """The table extended with its margins: a number, 'c', or None (not shown)."""
    n_rows, n_cols = len(spec.counts), len(spec.counts[0])
    out = [list(row) for row in table.cells]
    for i, row in enumerate(out):
        row.append(table.row_totals[i] if table.row_totals is not None else None)
    bottom = list(table.column_totals) if table.column_totals is not None else [None] * n_cols
    bottom.append(table.grand_total if table.grand_total is not None else None)
    out.append(bottom)
    assert len(out) == n_rows + 1
    return out


def fixed_unknowns(grids, links):
    """The hidden (or unshown) figures fixed by every table's line equations together."""
    shared = {}
    for k, link in enumerate(links):
        for name, pos in link:
            shared[(name, pos)] = ("link", k)
    unknowns, equations = {}, []
    for name, g in grids.items():
        n_rows, n_cols = len(g) - 1, len(g[0]) - 1

        def key(pos, name=name):
            return shared.get((name, pos), (name, pos))

        lines = [
            [(1, (i, j)) for j in range(n_cols)] + [(-1, (i, n_cols))] for i in range(n_rows + 1)
        ]
        lines += [
            [(1, (i, j)) for i in range(n_rows)] + [(-1, (n_rows, j))] for j in range(n_cols + 1)
        ]
        for line in lines:
            terms = {}
            for coefficient, (i, j) in line:
                if g[i][j] is SUPPRESSED or g[i][j] is None:
                    unknowns.setdefault(key((i, j)), len(unknowns))
                    terms[key((i, j))] = terms.get(key((i, j)), 0) + coefficient
            if terms:
                equations.append(terms)
    order = list(unknowns)
    rows = [[Fraction(e.get(u, 0)) for u in order] for e in equations]
    pivot_row = 0
    for col in range(len(order)):
        pivot = next((r for r in range(pivot_row, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[pivot_row], rows[pivot] = rows[pivot], rows[pivot_row]
        lead = rows[pivot_row][col]
        rows[pivot_row] = [x / lead for x in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivot_row += 1
    fixed = set()
    for row in rows[:pivot_row]:
        nonzero = [k for k, x in enumerate(row) if x != 0]
        if len(nonzero) == 1:
            fixed.add(order[nonzero[0]])
    return fixed, shared


@settings(max_examples=300, deadline=None)
@given(trends())
def test_no_hidden_figure_is_fixed_by_all_the_tables_together(trend):
    by_kind, by_outcome, threshold = trend
    specs, links = build(by_kind, by_outcome)
    results = suppress_linked(specs, links, threshold)
    grids = {name: grid(specs[name], results[name]) for name in specs}
    # A shared figure is hidden everywhere or nowhere.
    for link in links:
        hidden = {
            grids[name][pos[0]][pos[1]] == SUPPRESSED
            for name, pos in link
            if grids[name][pos[0]][pos[1]] is not None
        }
        assert len(hidden) <= 1, link
    fixed, shared = fixed_unknowns(grids, links)
    for name, table in results.items():
        for pos in table.primary:
            assert shared.get((name, pos), (name, pos)) not in fixed, (name, pos)


def test_the_joint_reader_catches_a_month_hidden_in_one_table_but_shown_in_another():
    by_kind = [[1, 0], [6, 0], [10, 10]]
    by_outcome = [[1], [6], [20]]
    specs, links = build(by_kind, by_outcome)
    together = suppress_linked(specs, links, 5)
    grids = {name: grid(specs[name], together[name]) for name in specs}
    fixed, shared = fixed_unknowns(grids, links)
    month_0 = shared[("month", (0, 0))]
    assert grids["month"][0][0] == SUPPRESSED and month_0 not in fixed
    # Showing the other months in the figure by month alone gives month 0 away.
    grids["month"][1][0], grids["month"][2][0] = 6, 20
    fixed, _ = fixed_unknowns(grids, links)
    assert month_0 in fixed


@st.composite
def years(draw):
    return [draw(SMALLISH) for _ in range(12)], draw(st.integers(1, 8))


@settings(max_examples=300, deadline=None)
@given(years())
def test_no_hidden_month_or_term_is_fixed_by_the_months_terms_and_year_together(year):
    """The figure by term (each the sum of its months) beside the figure by month, linked as
    the dashboard links them (`dashboard._term_links`)."""
    from stats.dashboard import _ACADEMIC_ORDER, _term_links
    from stats.periods import TERMS

    months, threshold = year
    by_number = dict(zip(_ACADEMIC_ORDER, months, strict=True))
    specs = {"month": TableSpec([[n] for n in months], False, True)}
    for key, (_, numbers) in TERMS.items():
        specs[f"term_{key}"] = TableSpec([[by_number[m]] for m in numbers], False, True)
    specs["terms"] = TableSpec(
        [[sum(by_number[m] for m in numbers)] for _, numbers in TERMS.values()], False, True
    )
    links = _term_links(specs)
    results = suppress_linked(specs, links, threshold)
    grids = {name: grid(specs[name], results[name]) for name in specs}
    for link in links:
        hidden = {grids[name][pos[0]][pos[1]] == SUPPRESSED for name, pos in link}
        assert len(hidden) <= 1, link
    fixed, shared = fixed_unknowns(grids, links)
    for name, table in results.items():
        for pos in table.primary:
            assert shared.get((name, pos), (name, pos)) not in fixed, (name, pos)
