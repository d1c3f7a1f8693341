"""The deadlines of a file's life, as pure functions of dates (and the school's term dates).

- Sending the file to a new school: "within 5 days for an in-year transfer or within the first
  5 days of the start of a new term" (KCSIE Part two). A pupil whose last day ends a term (or
  who leaves in a holiday) is due by the fifth school day of the next term; any other within 5
  days of leaving. The same rule chases a file sent but not accepted, or not confirmed received.
- A subject access request: one calendar month from the day it arrived, to the same date of
  the next month (the month's last day when it has no such date), moved to the next working
  day when that is a weekend or a bank holiday in England (ICO). School holidays never extend
  it; an extension adds up to two further months.
- A file's retention review: the pupil's date of birth plus the school's rule (25 years by
  default, IRMS Information Management Toolkit for Schools).
"""

from datetime import date, timedelta

import holidays
from dateutil.relativedelta import relativedelta

from terms.school_days import SchoolCalendar

TRANSFER_DAYS = 5
DEFAULT_RETENTION_YEARS = 25
MAX_EXTENSION_MONTHS = 2


def within_five_days(day: date, calendar: SchoolCalendar) -> date:
    """The day by which something started on `day` (a pupil leaving, a file sent) is due."""
    new_term = calendar.opens_a_new_term(day)
    if new_term is not None:
        return calendar.nth_school_day(new_term.starts_on, TRANSFER_DAYS)
    return day + timedelta(days=TRANSFER_DAYS)


def _bank_holidays(years) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=years)


def next_working_day_from(day: date) -> date:
    """`day` itself if it is a weekday and not a bank holiday in England, else the next one."""
    bank = _bank_holidays(range(day.year, day.year + 2))
    while day.weekday() >= 5 or day in bank:
        day += timedelta(days=1)
    return day


def calendar_months_after(received_on: date, months: int = 1) -> date:
    return next_working_day_from(received_on + relativedelta(months=months))


def review_due_on(date_of_birth: date | None, years: int) -> date | None:
    if date_of_birth is None:
        return None
    return date_of_birth + relativedelta(years=years)
