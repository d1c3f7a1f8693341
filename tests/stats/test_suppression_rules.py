"""The published form of a count: 'c' below the threshold, 0 for none, else rounded to 5."""

import pytest

from stats.suppression import (
    SUPPRESSED,
    round_count,
    suppress,
    suppress_column,
    suppress_single,
)


@pytest.mark.parametrize(
    ("value", "rounded"), [(5, 5), (7, 5), (8, 10), (12, 10), (13, 15), (102, 100), (103, 105)]
)
def test_counts_are_rounded_to_the_nearest_five(value, rounded):
    assert round_count(value) == rounded


def test_one_or_two_cases_are_shown_as_c_and_zero_as_zero():
    assert suppress_single(1, 5) == SUPPRESSED
    assert suppress_single(2, 5) == SUPPRESSED
    assert suppress_single(4, 5) == SUPPRESSED
    assert suppress_single(0, 5) == 0
    assert suppress_single(5, 5) == 5


def test_the_threshold_is_the_trusts_own():
    assert suppress_single(6, 8) == SUPPRESSED
    assert suppress_single(8, 8) == 10


def test_a_threshold_below_three_is_raised_so_small_counts_never_round_to_zero():
    assert suppress_single(1, 1) == SUPPRESSED
    assert suppress_single(2, 2) == SUPPRESSED
    assert suppress_single(3, 1) == 5


def test_totals_come_from_unrounded_counts_then_rounded():
    # 7 + 7 + 7 = 21 -> 20; rounding first would give 5 + 5 + 5 = 15.
    table = suppress_column([7, 7, 7], 5)
    assert table.cells == ((5,), (5,), (5,))
    assert table.column_totals == (20,)


def test_a_lone_suppressed_cell_takes_the_next_smallest_with_it():
    table = suppress_column([3, 0, 20, 7, 40], 5)
    assert [row[0] for row in table.cells] == [SUPPRESSED, 0, 20, SUPPRESSED, 40]
    assert table.column_totals == (70,)


def test_a_small_total_is_suppressed_with_its_only_cell():
    table = suppress_column([0, 2, 0], 5)
    assert [row[0] for row in table.cells] == [0, SUPPRESSED, 0]
    assert table.column_totals == (SUPPRESSED,)


def test_the_overall_total_is_never_hidden_to_protect_a_cell():
    table = suppress([[3, 10, 6], [12, 40, 9], [8, 8, 8]], 5, row_totals=True, column_totals=True)
    assert table.grand_total == round_count(104)
    assert table.cells[0][0] == SUPPRESSED
    assert table.secondary, "the 3 needed company in its row and column"


def test_a_table_with_nothing_in_it_is_all_zeros():
    table = suppress([[0, 0], [0, 0]], 5, row_totals=True, column_totals=True)
    assert table.cells == ((0, 0), (0, 0))
    assert table.grand_total == 0
