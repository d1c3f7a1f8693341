"""Statistical disclosure control: the one place that decides what a published count looks like.

Pure functions, no Django. The dashboard and the CSV export both show what `suppress()` returns.

Rules (see ../shared/GUIDANCE.md, after Ofqual, DfE and NHS Digital practice):
- a count of 1 up to the threshold (exclusive) is primary-suppressed and shown as 'c';
- a true zero is shown as 0 and never suppressed;
- every other count is rounded to the nearest 5; totals are summed from the unrounded counts
  and then rounded;
- secondary suppression: no 'c' may be recoverable from what is shown. A table with its totals
  is a set of linear equations (each row and each column adds up to its total). A hidden value
  can be worked out from the shown ones exactly when, in the graph whose nodes are the table's
  lines and whose edges are its hidden entries, that entry is a bridge (it lies on no cycle).
  So for every 'c' that lies on no cycle we suppress the cheapest further entries that close a
  cycle through it - preferring the smallest cells, then totals - and repeat until stable.
  Because this covers any combination of rows and columns, it also defeats the simple
  "total minus the other cells" differencing.
- the overall total is never chosen as a secondary suppression: it is shared by every table on
  the dashboard, so hiding it in one would be undone by the others. (It is only ever hidden as
  a primary suppression, i.e. when there are fewer cases than the threshold in the period, and
  then it is hidden everywhere.)

Totals that are not shown (a table without row totals, say) are treated as unknown to the
reader, which is what they are.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

SUPPRESSED = "c"
NOT_APPLICABLE = "z"
ROUND_TO = 5
# Below 3, a count of 1 or 2 would round to 0 and pass for a true zero.
MIN_THRESHOLD = 3
# A total costs more to hide than a cell of the same size: totals are what readers use most.
TOTAL_COST_FACTOR = 2

Shown = int | str
Position = tuple[int, int]

SYMBOLS: tuple[tuple[str, str], ...] = (
    (
        SUPPRESSED,
        "fewer cases than the threshold, or hidden so that such a figure cannot be "
        "worked out from the totals",
    ),
    ("0", "a true zero: no cases"),
    (NOT_APPLICABLE, "not applicable"),
)


def effective_threshold(threshold: int) -> int:
    return max(int(threshold), MIN_THRESHOLD)


def round_count(value: int) -> int:
    """To the nearest multiple of 5 (an integer is never exactly half way)."""
    return (value + ROUND_TO // 2) // ROUND_TO * ROUND_TO


@dataclass(frozen=True)
class SuppressedTable:
    """What may be published of a table of counts.

    `cells[i][j]`, `row_totals[i]`, `column_totals[j]` and `grand_total` hold an int (rounded,
    or 0) or 'c'. Margins the caller did not ask for are None.
    """

    cells: tuple[tuple[Shown, ...], ...]
    row_totals: tuple[Shown, ...] | None
    column_totals: tuple[Shown, ...] | None
    grand_total: Shown | None
    primary: frozenset[Position]
    secondary: frozenset[Position]


def suppress(
    counts: Sequence[Sequence[int]],
    threshold: int,
    *,
    row_totals: bool,
    column_totals: bool,
    also_hidden: frozenset[Position] = frozenset(),
) -> SuppressedTable:
    """Apply the rules above to a rectangular table of non-negative counts.

    `also_hidden`: entries hidden elsewhere (a margin this table shares with another), hidden
    here too, with complementary suppression as for a primary one.

    Positions index the table extended with its totals: row `len(counts)` holds the column
    totals, column `len(counts[0])` the row totals, and their corner the grand total. The grand
    total is shown when both margins are.
    """
    n_rows = len(counts)
    n_cols = len(counts[0]) if n_rows else 0
    if n_rows == 0 or n_cols == 0:
        return SuppressedTable(
            cells=tuple(() for _ in range(n_rows)),
            row_totals=() if row_totals else None,
            column_totals=() if column_totals else None,
            grand_total=0 if row_totals and column_totals else None,
            primary=frozenset(),
            secondary=frozenset(),
        )
    if any(len(row) != n_cols for row in counts):
        raise ValueError("counts must be rectangular")
    if any(value < 0 for row in counts for value in row):
        raise ValueError("counts cannot be negative")
    threshold = effective_threshold(threshold)

    values = _extended(counts)
    shown = _shown_positions(n_rows, n_cols, row_totals=row_totals, column_totals=column_totals)
    protected = {(n_rows, n_cols)}
    if n_cols == 1:
        protected.add((n_rows, 0))  # a one-column table's column total is the grand total
    if n_rows == 1:
        protected.add((0, n_cols))

    primary = {pos for pos in shown if 0 < values[pos[0]][pos[1]] < threshold}
    hidden = set(primary) | {pos for pos in also_hidden if pos in shown}
    changed = True
    while changed:
        changed = False
        for pos in sorted(hidden, key=lambda p: (values[p[0]][p[1]], p)):
            path = _cheapest_cycle_completion(pos, values, hidden, shown, protected)
            added = [p for p in path if p not in hidden and p in shown]
            if added:
                hidden.update(added)
                changed = True

    def show(i: int, j: int) -> Shown:
        if (i, j) in hidden:
            return SUPPRESSED
        return round_count(values[i][j])

    return SuppressedTable(
        cells=tuple(tuple(show(i, j) for j in range(n_cols)) for i in range(n_rows)),
        row_totals=tuple(show(i, n_cols) for i in range(n_rows)) if row_totals else None,
        column_totals=tuple(show(n_rows, j) for j in range(n_cols)) if column_totals else None,
        grand_total=show(n_rows, n_cols) if row_totals and column_totals else None,
        primary=frozenset(primary),
        secondary=frozenset(hidden - primary),
    )


def exact(counts: Sequence[Sequence[int]], *, row_totals: bool, column_totals: bool):
    """The table as it is, every count and total exact: for a school's own DSLs, who see every
    case anyway. Never for figures that leave the school."""
    n_rows = len(counts)
    n_cols = len(counts[0]) if n_rows else 0
    values = _extended(counts) if n_rows and n_cols else [[0]]
    return SuppressedTable(
        cells=tuple(tuple(row) for row in counts),
        row_totals=tuple(values[i][n_cols] for i in range(n_rows)) if row_totals else None,
        column_totals=tuple(values[n_rows][j] for j in range(n_cols)) if column_totals else None,
        grand_total=values[n_rows][n_cols]
        if n_rows and n_cols and row_totals and column_totals
        else (0 if row_totals and column_totals else None),
        primary=frozenset(),
        secondary=frozenset(),
    )


def suppress_column(counts: Sequence[int], threshold: int) -> SuppressedTable:
    """A one-column table (categories down the side) with its total underneath."""
    return suppress([[n] for n in counts], threshold, row_totals=False, column_totals=True)


def suppress_single(count: int, threshold: int) -> Shown:
    """A figure shown on its own, with no totals to difference it against."""
    if count == 0:
        return 0
    if count < effective_threshold(threshold):
        return SUPPRESSED
    return round_count(count)


def _extended(counts: Sequence[Sequence[int]]) -> list[list[int]]:
    rows = [list(row) + [sum(row)] for row in counts]
    rows.append([sum(col) for col in zip(*rows, strict=True)])
    return rows


def _shown_positions(
    n_rows: int, n_cols: int, *, row_totals: bool, column_totals: bool
) -> set[Position]:
    shown = {(i, j) for i in range(n_rows) for j in range(n_cols)}
    if row_totals:
        shown |= {(i, n_cols) for i in range(n_rows)}
    if column_totals:
        shown |= {(n_rows, j) for j in range(n_cols)}
    if row_totals and column_totals:
        shown.add((n_rows, n_cols))
    return shown


def _cheapest_cycle_completion(
    target: Position,
    values: list[list[int]],
    hidden: set[Position],
    shown: set[Position],
    protected: set[Position],
) -> list[Position]:
    """The cheapest set of entries which, once hidden, puts `target` on a cycle of hidden ones.

    Dijkstra from the target's row line to its column line over every other entry: already
    hidden (or never shown) entries are free; a shown non-zero entry costs its value; zeros and
    protected totals cannot be used. Returns [] when the target already lies on a cycle.
    """
    n_rows = len(values) - 1
    n_cols = len(values[0]) - 1

    def cost(pos: Position) -> int | None:
        if pos == target:
            return None
        if pos in hidden or pos not in shown:
            return 0
        value = values[pos[0]][pos[1]]
        if value == 0 or pos in protected:
            return None
        is_total = pos[0] == n_rows or pos[1] == n_cols
        return value * TOTAL_COST_FACTOR if is_total else value

    # Nodes: ("r", i) for row lines 0..n_rows, ("c", j) for column lines 0..n_cols.
    start, goal = ("r", target[0]), ("c", target[1])
    best: dict[tuple[str, int], int] = {start: 0}
    came_from: dict[tuple[str, int], tuple[tuple[str, int], Position]] = {}
    queue: list[tuple[int, tuple[str, int]]] = [(0, start)]
    while queue:
        dist, node = heapq.heappop(queue)
        if node == goal:
            break
        if dist > best.get(node, dist):
            continue
        kind, index = node
        if kind == "r":
            steps = [(("c", j), (index, j)) for j in range(n_cols + 1)]
        else:
            steps = [(("r", i), (i, index)) for i in range(n_rows + 1)]
        for neighbour, pos in steps:
            step = cost(pos)
            if step is None:
                continue
            if dist + step < best.get(neighbour, dist + step + 1):
                best[neighbour] = dist + step
                came_from[neighbour] = (node, pos)
                heapq.heappush(queue, (dist + step, neighbour))
    if goal not in best:
        # Cannot happen for non-negative counts (see tests/stats/test_suppression_property.py):
        # a non-zero entry always has non-zero neighbours through the totals.
        raise RuntimeError(f"no complementary suppression found for {target}")
    path: list[Position] = []
    node = goal
    while node != start:
        node, pos = came_from[node]
        path.append(pos)
    return path


@dataclass(frozen=True)
class TableSpec:
    counts: Sequence[Sequence[int]]
    row_totals: bool
    column_totals: bool


Link = Sequence[tuple[str, Position]]


def suppress_linked(
    specs: dict[str, TableSpec], links: Sequence[Link], threshold: int
) -> dict[str, SuppressedTable]:
    """Suppress tables that publish the same figure more than once (a trend table's monthly
    totals are the monthly figure; its totals by kind are the figure by kind). Each link names
    the positions, one per table, holding the same figure: once it is hidden in one table it
    is hidden in all, each table completing its cycles around it, until nothing changes. So
    a figure is hidden everywhere or nowhere, and every table still passes the rules above."""
    forced: dict[str, set[Position]] = {name: set() for name in specs}
    while True:
        results = {
            name: suppress(
                spec.counts,
                threshold,
                row_totals=spec.row_totals,
                column_totals=spec.column_totals,
                also_hidden=frozenset(forced[name]),
            )
            for name, spec in specs.items()
        }
        changed = False
        for link in links:
            if any(pos in results[name].primary | results[name].secondary for name, pos in link):
                for name, pos in link:
                    if pos not in forced[name]:
                        forced[name].add(pos)
                        changed = True
        if not changed:
            return results
