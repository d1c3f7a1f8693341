"""Reading term dates pasted from a local authority's calendar, one line each.

A line with two dates is a span, with one date a single day; the words before the first date
name it. Holidays, half terms, training (INSET) days and bank holidays are days the school is
closed; any other span is a term. Lines without a whole date (headings, a year on its own) are
skipped and listed. What `as_text()` writes reads back the same.

    Autumn term: Wednesday 3 September 2025 to Friday 19 December 2025
    Half term	27/10/2025	31/10/2025
    INSET day - 1 September 2025
"""

import re
from dataclasses import dataclass, field
from datetime import date

from safeguarding.text import clean_text

from .models import TermDate

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAY = (
    r"(?:\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?,?\s+)?"
)
_WORDS = re.compile(
    _WEEKDAY + r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3,9})\.?,?(?:\s+(\d{4}))?", re.IGNORECASE
)
_NUMERIC = re.compile(_WEEKDAY + r"(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b", re.IGNORECASE)
_ISO = re.compile(_WEEKDAY + r"(\d{4})-(\d{1,2})-(\d{1,2})\b", re.IGNORECASE)
CLOSED_WORDS = re.compile(
    r"holiday|half[\s-]*term|break|clos|inset|training|bank|occasional|non[\s-]*pupil|"
    r"staff\s+day|in[\s-]*service|christmas|vacation|good\s+friday|may\s+day|boxing|new\s+year",
    re.IGNORECASE,
)
_SEPARATORS = " \t:;,-–—|"

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
ENDS_BEFORE_START = "it ends before it starts"
NOT_A_DATE = "{text} is not a real date"
OUT_OF_RANGE = "the year {year} is not one a school calendar would have"
TOO_MANY_DATES = "it has more than two dates: put each term or holiday on a line of its own"
TERMS_OVERLAP = "this term overlaps {other} (line {line})"


@dataclass
class Entry:
    kind: str
    name: str
    starts_on: date
    ends_on: date
    line: int


@dataclass
class Parsed:
    entries: list[Entry] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


@dataclass
class _Found:
    start: int
    end: int
    day: int
    month: int
    year: int | None


def _find_dates(line: str) -> list[_Found]:
    found: list[_Found] = []
    taken: list[tuple[int, int]] = []

    def free(match) -> bool:
        return all(match.end() <= a or match.start() >= b for a, b in taken)

    for match in _ISO.finditer(line):
        found.append(
            _Found(match.start(), match.end(), int(match[3]), int(match[2]), int(match[1]))
        )
        taken.append(match.span())
    for match in _NUMERIC.finditer(line):
        if free(match):
            year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
            found.append(_Found(match.start(), match.end(), int(match[1]), int(match[2]), year))
            taken.append(match.span())
    for match in _WORDS.finditer(line):
        month = MONTHS.get(match[2].lower())
        if month and free(match):
            year = int(match[3]) if match[3] else None
            found.append(_Found(match.start(), match.end(), int(match[1]), month, year))
            taken.append(match.span())
    found.sort(key=lambda f: f.start)
    # "27 October to 31 October 2025": a date without a year takes the next one's.
    for index in range(len(found) - 2, -1, -1):
        this, after = found[index], found[index + 1]
        if this.year is None and after.year is not None:
            this.year = after.year - (1 if this.month > after.month else 0)
    return found


def _to_date(found: _Found, text: str) -> date:
    if found.year is None:
        raise ValueError(f"{text} has no year")
    if not EARLIEST_YEAR <= found.year <= LATEST_YEAR:
        raise ValueError(OUT_OF_RANGE.format(year=found.year))
    try:
        return date(found.year, found.month, found.day)
    except ValueError:
        raise ValueError(NOT_A_DATE.format(text=text.strip())) from None


def parse_term_dates(text: str) -> Parsed:
    result = Parsed()
    for number, raw in enumerate(clean_text(text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        found = _find_dates(line)
        if not found:
            result.skipped.append(number)
            continue
        if len(found) > 2:
            result.errors.append((number, TOO_MANY_DATES))
            continue
        try:
            days = [_to_date(f, line[f.start : f.end]) for f in found]
        except ValueError as error:
            result.errors.append((number, str(error)))
            continue
        starts_on, ends_on = days[0], days[-1]
        if ends_on < starts_on:
            result.errors.append((number, ENDS_BEFORE_START))
            continue
        name = line[: found[0].start].strip(_SEPARATORS)[:100]
        closed = len(found) == 1 or bool(CLOSED_WORDS.search(name))
        kind = TermDate.Kind.CLOSED if closed else TermDate.Kind.TERM
        result.entries.append(Entry(kind, name, starts_on, ends_on, number))
    terms = sorted(
        (e for e in result.entries if e.kind == TermDate.Kind.TERM), key=lambda e: e.starts_on
    )
    for before, after in zip(terms, terms[1:], strict=False):
        if after.starts_on <= before.ends_on:
            other = before.name or "the term before"
            result.errors.append((after.line, TERMS_OVERLAP.format(other=other, line=before.line)))
    result.errors.sort()
    return result


def _written(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def as_text(rows) -> str:
    """Term dates written one a line, as `parse_term_dates` reads them."""
    lines = []
    for row in sorted(rows, key=lambda r: (r.starts_on, r.kind)):
        name = row.name or ("Term" if row.kind == TermDate.Kind.TERM else "Closed")
        if row.kind == TermDate.Kind.CLOSED and not CLOSED_WORDS.search(name):
            name = f"{name} (closed)"
        if row.starts_on == row.ends_on:
            lines.append(f"{name}: {_written(row.starts_on)}")
        else:
            lines.append(f"{name}: {_written(row.starts_on)} to {_written(row.ends_on)}")
    return "\n".join(lines)
