"""Cases per 1,000 pupils on roll, so schools of different sizes can be compared.

A rate is worked out from the count as published (rounded, for a trust), never from the
unrounded one, so with the pupils on roll it gives away nothing the count does not; a hidden
count hides its rate. A rate based on fewer than 10 cases is marked 'u' (low reliability, GSS).
"""

from __future__ import annotations

from dataclasses import dataclass

from .suppression import Shown

PER = 1000
FEW_CASES = 10
LOW_RELIABILITY = "u"
NOT_AVAILABLE = "x"  # the school has no pupil list


@dataclass(frozen=True)
class Rate:
    per_thousand: float
    few_cases: bool  # based on fewer than FEW_CASES cases

    def __str__(self) -> str:
        return f"{self.per_thousand:.1f}" + (f" {LOW_RELIABILITY}" if self.few_cases else "")


def rate(published: Shown, cases: int, roll: int) -> Rate | str:
    """The rate per 1,000 pupils from a published count; `cases` (unrounded) only says whether
    it rests on fewer than 10 cases."""
    if roll <= 0:
        return NOT_AVAILABLE
    if not isinstance(published, int):
        return published  # 'c' stays 'c'
    return Rate(round(published * PER / roll, 1), cases < FEW_CASES)


SYMBOLS: tuple[tuple[str, str], ...] = (
    (NOT_AVAILABLE, "not available: a rate for a school with no pupil list"),
    (LOW_RELIABILITY, f"low reliability: a rate based on fewer than {FEW_CASES} cases"),
)
