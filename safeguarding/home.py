"""What waits for a DSL or deputy at each of their schools, for their home page: cases and
tasks (cases/work.py), files and requests (records/work.py), and new safeguarding leads to
confirm. The same few queries however many schools, cases, tasks, leavers or requests there
are: one row of numbers per school, one query for every short list, and the calendars of the
schools with leavers' files to send (only when there are some).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import F, OuterRef, Q
from django.utils import timezone

from cases import work as case_work
from records import work as file_work
from terms.school_days import calendars_for

from .models import LeadRoleRequest
from .queries import count_of, short_lists

LEAVER = "leaver"


@dataclass
class LeadWork:
    cases: case_work.CaseWork
    files: file_work.FileCounts
    # New DSLs and deputies waiting for a second person (people.lead_confirmers); the page
    # shows the number to the school's DSLs only.
    leads_to_confirm: int


def leads_to_confirm(user):
    """Requests at the outer row's school that `user` may confirm: not their own, not made
    by them."""
    return LeadRoleRequest.objects.filter(
        school=OuterRef("pk"), outcome=LeadRoleRequest.Outcome.WAITING
    ).exclude(Q(requested_by=user) | Q(person=user))


def lead_work(schools, *, user, today: date | None = None) -> dict[int, LeadWork]:
    """school id -> LeadWork for `schools`, where `user` is a DSL or deputy."""
    today = today or timezone.localdate()
    schools = list(schools)
    if not schools:
        return {}
    counts = {
        row.pk: row
        for row in file_work.schools_with_counts(schools, today).annotate(
            **case_work.count_expressions(user, today),
            leads_to_confirm=count_of(leads_to_confirm(user)),
        )
    }
    parts = [part for school in schools for part in case_work.listed(school, user, today)]
    parts.append(
        (LEAVER, file_work.to_send(schools), {"school": F("school_id"), "on": F("leaving_date")})
    )
    rows: dict[int, dict[str, list]] = {school.pk: {} for school in schools}
    for row in short_lists(parts):
        rows[row.school].setdefault(row.kind, []).append(row)
    with_leavers = [school for school in schools if rows[school.pk].get(LEAVER)]
    calendars = calendars_for(with_leavers) if with_leavers else {}
    return {
        school.pk: LeadWork(
            cases=case_work.case_work(counts[school.pk], rows[school.pk], user, today),
            files=file_work.file_counts(
                counts[school.pk],
                [row.on for row in rows[school.pk].get(LEAVER, [])],
                calendars.get(school.pk),
                today,
            ),
            leads_to_confirm=counts[school.pk].leads_to_confirm,
        )
        for school in schools
    }
