"""What counts as a school day at a school: its term dates, else its trust's, else Monday to
Friday.

`calendar_for(school)` reads the dates once; the `SchoolCalendar` it returns is pure. A weekday
outside every entered date (before the first term, after the last) counts as a school day, so
a school that has not yet entered next year's dates gets weekday deadlines, as if it had
entered none: a deadline then comes early, never late.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from safeguarding.models import School

from .models import TermDate

# Far more than any holiday: a guard against a loop, never reached with real dates.
_LONGEST_SEARCH = 400


@dataclass(frozen=True)
class Span:
    name: str
    starts_on: date
    ends_on: date

    def __contains__(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class SchoolCalendar:
    terms: tuple[Span, ...] = ()
    closed: tuple[Span, ...] = ()
    # Whose dates these are: "school", "trust", or "" when none were entered.
    source: str = ""

    @classmethod
    def of(cls, rows, source: str) -> "SchoolCalendar":
        terms = tuple(
            sorted(
                (Span(r.name, r.starts_on, r.ends_on) for r in rows if r.kind == "term"),
                key=lambda s: s.starts_on,
            )
        )
        closed = tuple(Span(r.name, r.starts_on, r.ends_on) for r in rows if r.kind != "term")
        return cls(terms=terms, closed=closed, source=source if rows else "")

    @property
    def known(self) -> bool:
        """Whether any term dates were entered."""
        return bool(self.terms)

    @property
    def known_until(self) -> date | None:
        return max(t.ends_on for t in self.terms) if self.terms else None

    def _within_entered_dates(self, day: date) -> bool:
        return bool(self.terms) and self.terms[0].starts_on <= day <= self.known_until

    def term_of(self, day: date) -> Span | None:
        return next((t for t in self.terms if day in t), None)

    def is_closed(self, day: date) -> bool:
        return any(day in c for c in self.closed)

    def is_school_day(self, day: date) -> bool:
        if day.weekday() >= 5 or self.is_closed(day):
            return False
        if not self._within_entered_dates(day):
            return True
        return self.term_of(day) is not None

    def next_school_day(self, after: date) -> date:
        """The first school day after `after` (not counting `after` itself)."""
        day = after
        for _ in range(_LONGEST_SEARCH):
            day += timedelta(days=1)
            if self.is_school_day(day):
                return day
        return after + timedelta(days=1)

    def school_day_on_or_after(self, day: date) -> date:
        return day if self.is_school_day(day) else self.next_school_day(day)

    def nth_school_day(self, first: date, n: int) -> date:
        """The `n`th school day counting `first` as day 1 when it is a school day."""
        day = self.school_day_on_or_after(first)
        for _ in range(n - 1):
            day = self.next_school_day(day)
        return day

    def opens_a_new_term(self, after: date) -> Span | None:
        """The term that the next school day after `after` opens, when `after` is the last
        school day of a term or a day of the holiday before one. None within a term, and when
        no term dates are known for that time."""
        nxt = self.next_school_day(after)
        term = self.term_of(nxt)
        if term is None or after in term:
            return None
        return term


def calendar_for(school: School) -> SchoolCalendar:
    """The school's own dates if it entered any, else its trust's, else none."""
    own = list(TermDate.objects.filter(school=school))
    if own:
        return SchoolCalendar.of(own, "school")
    if school.trust_id:
        trust = list(TermDate.objects.filter(trust_id=school.trust_id))
        if trust:
            return SchoolCalendar.of(trust, "trust")
    return SchoolCalendar()


def calendars_for(schools) -> dict[int, SchoolCalendar]:
    """school id -> `calendar_for(school)`, for several schools in one query."""
    schools = list(schools)
    rows = list(
        TermDate.objects.filter(
            Q(school__in=schools) | Q(trust_id__in={s.trust_id for s in schools if s.trust_id})
        )
    )
    calendars = {}
    for school in schools:
        own = [r for r in rows if r.school_id == school.pk]
        trust = [r for r in rows if school.trust_id and r.trust_id == school.trust_id]
        if own:
            calendars[school.pk] = SchoolCalendar.of(own, "school")
        elif trust:
            calendars[school.pk] = SchoolCalendar.of(trust, "trust")
        else:
            calendars[school.pk] = SchoolCalendar()
    return calendars
