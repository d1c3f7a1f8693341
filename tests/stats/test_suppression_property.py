"""No suppressed figure can be worked out from what a table shows.

The reader is modelled independently of the implementation: every row and every column of a
table adds up to its total, the shown figures are taken as exact (a stronger reader than the
real one, who only sees them rounded), and a hidden figure is recoverable if it is fixed by
those equations. Two readers: one who differences a single row or column at a time, repeating
as long as it helps, and one who solves the whole system exactly.
"""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from stats.suppression import SUPPRESSED, effective_threshold, round_count, suppress

SMALLISH = st.one_of(st.integers(0, 9), st.integers(0, 60))


@st.composite
def tables(draw):
    n_rows = draw(st.integers(1, 6))
    n_cols = draw(st.integers(1, 5))
    counts = [[draw(SMALLISH) for _ in range(n_cols)] for _ in range(n_rows)]
    return {
        "counts": counts,
        "threshold": draw(st.integers(1, 10)),
        "row_totals": draw(st.booleans()),
        "column_totals": draw(st.booleans()),
    }


def extended_grid(counts, result):
    """The table with its margins as the reader sees it: a number, 'c', or None (not shown)."""
    n_cols = len(counts[0])
    grid = [list(row) for row in result.cells]
    for i, row in enumerate(grid):
        row.append(result.row_totals[i] if result.row_totals is not None else None)
    bottom = list(result.column_totals) if result.column_totals is not None else [None] * n_cols
    bottom.append(result.grand_total)
    grid.append(bottom)
    return grid


def equations(grid):
    """Each line: cells minus the line's total = 0, as (coefficient, position) lists."""
    n_rows, n_cols = len(grid) - 1, len(grid[0]) - 1
    lines = []
    for i in range(n_rows + 1):
        lines.append([(1, (i, j)) for j in range(n_cols)] + [(-1, (i, n_cols))])
    for j in range(n_cols + 1):
        lines.append([(1, (i, j)) for i in range(n_rows)] + [(-1, (n_rows, j))])
    return lines


def recovered_by_differencing(grid):
    known = {
        (i, j)
        for i, row in enumerate(grid)
        for j, value in enumerate(row)
        if isinstance(value, int)
    }
    recovered = set()
    progress = True
    while progress:
        progress = False
        for line in equations(grid):
            unknown = [pos for _, pos in line if pos not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                recovered.add(unknown[0])
                progress = True
    return recovered


def determined_by_linear_algebra(grid):
    unknowns = sorted(
        (i, j)
        for i, row in enumerate(grid)
        for j, value in enumerate(row)
        if value is SUPPRESSED or value is None
    )
    index = {pos: k for k, pos in enumerate(unknowns)}
    rows = []
    for line in equations(grid):
        vector = [Fraction(0)] * len(unknowns)
        for coefficient, pos in line:
            if pos in index:
                vector[index[pos]] += coefficient
        if any(vector):
            rows.append(vector)
    # Reduced row echelon form; a variable is fixed iff some reduced row is its unit vector.
    pivot_row = 0
    for col in range(len(unknowns)):
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
            fixed.add(unknowns[nonzero[0]])
    return fixed


def suppressed_positions(grid):
    return {
        (i, j) for i, row in enumerate(grid) for j, value in enumerate(row) if value == SUPPRESSED
    }


@settings(max_examples=400, deadline=None)
@given(tables())
def test_no_suppressed_figure_can_be_recovered_by_differencing_rows_or_columns(table):
    result = suppress(**table)
    grid = extended_grid(table["counts"], result)
    assert not (recovered_by_differencing(grid) & suppressed_positions(grid))


@settings(max_examples=400, deadline=None)
@given(tables())
def test_no_suppressed_figure_is_fixed_by_any_combination_of_the_totals(table):
    result = suppress(**table)
    grid = extended_grid(table["counts"], result)
    assert not (determined_by_linear_algebra(grid) & suppressed_positions(grid))


@settings(max_examples=300, deadline=None)
@given(tables())
def test_every_shown_figure_follows_the_rounding_and_zero_rules(table):
    result = suppress(**table)
    counts = table["counts"]
    threshold = effective_threshold(table["threshold"])
    n_rows, n_cols = len(counts), len(counts[0])
    true = [list(row) + [sum(row)] for row in counts]
    true.append([sum(true[i][j] for i in range(n_rows)) for j in range(n_cols + 1)])
    grid = extended_grid(counts, result)
    for i, row in enumerate(grid):
        for j, shown in enumerate(row):
            value = true[i][j]
            if shown is None:
                continue
            if value == 0:
                assert shown == 0, "a true zero is shown as 0"
            elif value < threshold:
                assert shown == SUPPRESSED, "a small count is never shown"
            else:
                assert shown in (SUPPRESSED, round_count(value))
                if shown != SUPPRESSED:
                    assert shown % 5 == 0 and abs(shown - value) <= 2


def test_the_checker_itself_catches_a_lone_suppressed_cell():
    # Primary suppression alone: the 3 in a column of 3 and 20 is recovered as 23 - 20.
    grid = [[SUPPRESSED, None], [20, None], [25, None]]
    assert (0, 0) in recovered_by_differencing(grid)
    assert (0, 0) in determined_by_linear_algebra(grid)


def test_the_linear_algebra_reader_sees_through_a_bridge_that_differencing_misses():
    # Two 2x2 blocks of hidden cells joined by one hidden cell: every line has two or more
    # unknowns, yet the joining cell is fixed by adding rows 0-1 and subtracting columns 0-1.
    c = SUPPRESSED
    grid = [
        [c, c, 0, 0, 10],
        [c, c, c, 0, 15],
        [0, 0, c, c, 10],
        [0, 0, c, c, 10],
        [10, 10, 10, 10, 45],
    ]
    assert not recovered_by_differencing(grid) & suppressed_positions(grid)
    assert (1, 2) in determined_by_linear_algebra(grid)
