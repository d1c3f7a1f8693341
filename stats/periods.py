"""Academic years and terms: the only periods statistics are published for.

Simplification, stated on the dashboard: the autumn term is September to December, the spring
term January to March and the summer term April to August. Real term dates (and Easter) move
every year and differ between schools; whole months keep every figure coarsened to a month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

TERMS: dict[str, tuple[str, tuple[int, ...]]] = {
    "autumn": ("Autumn term", (9, 10, 11, 12)),
    "spring": ("Spring term", (1, 2, 3)),
    "summer": ("Summer term", (4, 5, 6, 7, 8)),
}
YEARS_OFFERED = 5
# The twelve months up to and including this one, whatever year was chosen.
LAST_12_MONTHS = "last_12_months"
LAST_12_MONTHS_LABEL = "Last 12 months"


def academic_year_of(day: dt.date) -> int:
    """The calendar year the academic year containing `day` started in."""
    return day.year if day.month >= 9 else day.year - 1


def current_academic_year() -> int:
    return academic_year_of(timezone.localdate())


def years_offered() -> list[int]:
    latest = current_academic_year()
    return list(range(latest, latest - YEARS_OFFERED, -1))


def year_label(year: int) -> str:
    return f"{year} to {year + 1}"


@dataclass(frozen=True)
class Period:
    year: int
    term: str = ""  # "" for the whole academic year

    @property
    def months(self) -> list[dt.date]:
        """The first day of each month in the period, in order."""
        if self.term == LAST_12_MONTHS:
            this_month = timezone.localdate().replace(day=1)
            months = []
            for back in range(11, -1, -1):
                index = this_month.year * 12 + this_month.month - 1 - back
                months.append(dt.date(index // 12, index % 12 + 1, 1))
            return months
        numbers = TERMS[self.term][1] if self.term else (9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8)
        return [dt.date(self.year if m >= 9 else self.year + 1, m, 1) for m in numbers]

    @property
    def start(self) -> dt.datetime:
        return _local_midnight(self.months[0])

    @property
    def end(self) -> dt.datetime:
        """Exclusive: midnight at the start of the month after the period."""
        last = self.months[-1]
        following = dt.date(last.year + (last.month == 12), last.month % 12 + 1, 1)
        return _local_midnight(following)

    @property
    def label(self) -> str:
        if self.term == LAST_12_MONTHS:
            first, last = self.months[0], self.months[-1]
            return f"{LAST_12_MONTHS_LABEL}, {first:%B %Y} to {last:%B %Y}"
        year = f"academic year {year_label(self.year)}"
        return f"{TERMS[self.term][0]}, {year}" if self.term else year[0].upper() + year[1:]

    @property
    def slug(self) -> str:
        if self.term == LAST_12_MONTHS:
            return f"last-12-months-to-{self.months[-1]:%Y-%m}"
        return f"{self.year}-{self.year + 1}" + (f"-{self.term}" if self.term else "")


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(settings.TIME_ZONE))
