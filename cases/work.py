"""What needs a DSL or deputy now at a school, for their home page (safeguarding/home.py).

Only references, statuses and dates are shown there, so the home page is not seeing a case
(cases/README.md): nothing from a case's record (pupils, what was reported, its triage outcome,
task titles) until they open it. The numbers are expressions on the school's row
(`count_expressions`) and the short lists are parts of one list query (`listed`), so the home
asks the same few queries however many cases and tasks there are.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, OuterRef

from incidents.models import Incident, Status
from safeguarding.models import User
from safeguarding.queries import count_of

from .models import Task
from .workflow import OPEN_STATUSES

# How many of each are listed by reference on the home page; the count links to all of them.
LISTED = 5
UNACKNOWLEDGED, MINE, TASKS = "unacknowledged", "mine", "tasks"


@dataclass
class CaseWork:
    today: date
    unacknowledged: int = 0
    oldest_unacknowledged: list[Incident] = field(default_factory=list)
    assigned_to_me: int = 0
    mine: list[Incident] = field(default_factory=list)
    awaiting_outcome: int = 0
    tasks_overdue: int = 0
    tasks_due_today: int = 0
    my_tasks_due: int = 0
    tasks_due: list[Task] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return bool(
            self.unacknowledged
            or self.assigned_to_me
            or self.awaiting_outcome
            or self.tasks_overdue
            or self.tasks_due_today
        )


def _due_tasks(school, today: date):
    """Open cases' tasks not done, due today or before."""
    return Task.objects.filter(
        incident__school=school,
        incident__status__in=OPEN_STATUSES,
        done_at__isnull=True,
        due_on__lte=today,
    )


def _mine(cases, user):
    return cases.filter(assigned_to=user, status__in=OPEN_STATUSES)


def count_expressions(user, today: date) -> dict:
    """Unacknowledged cases, open cases assigned to `user`, referred cases waiting for the
    agency's outcome, and open cases' tasks overdue or due today (and how many are `user`'s):
    each a number on a row of schools (`case_work` reads them back)."""
    cases = Incident.objects.filter(school=OuterRef("pk"))
    due = _due_tasks(OuterRef("pk"), today)
    return {
        "cases_unacknowledged": count_of(cases.filter(status=Status.NEW)),
        "cases_assigned_to_me": count_of(_mine(cases, user)),
        "cases_awaiting_outcome": count_of(cases.filter(status=Status.REFERRED)),
        "tasks_overdue": count_of(due.filter(due_on__lt=today)),
        "tasks_due_today": count_of(due.filter(due_on=today)),
        "my_tasks_due": count_of(due.filter(owner=user)),
    }


def listed(school, user, today: date) -> list[tuple[str, object, dict]]:
    """The lists at `school`, at most LISTED of each, as (kind, rows, their columns) for the
    home's one list query: the oldest unacknowledged cases, the oldest open cases assigned to
    `user`, and the tasks due, theirs first, then the longest overdue (`case_work` picks
    LISTED of their LISTED and LISTED of everyone else's)."""
    cases = Incident.objects.filter(school=school).order_by("submitted_at", "id")
    case_columns = {
        "school": F("school_id"),
        "case": F("id"),
        "reference": F("reference"),
        "status": F("status"),
        "at": F("submitted_at"),
    }
    due = _due_tasks(school, today).order_by("due_on", "id")
    task_columns = {
        "school": F("incident__school_id"),
        "task": F("id"),
        "reference": F("incident__reference"),
        "status": F("incident__status"),
        "on": F("due_on"),
        "person": F("owner_id"),
        "name": F("owner__full_name"),
        "email": F("owner__email"),
    }
    return [
        (UNACKNOWLEDGED, cases.filter(status=Status.NEW)[:LISTED], case_columns),
        (MINE, _mine(cases, user)[:LISTED], case_columns),
        (TASKS, due.filter(owner=user)[:LISTED], task_columns),
        (TASKS, due.exclude(owner=user)[:LISTED], task_columns),
    ]


def case_work(counts, rows: dict, user, today: date) -> CaseWork:
    """The school's CaseWork from its row of `count_expressions` and its `listed` rows (each
    with the columns named there)."""
    work = CaseWork(
        today=today,
        unacknowledged=counts.cases_unacknowledged,
        assigned_to_me=counts.cases_assigned_to_me,
        awaiting_outcome=counts.cases_awaiting_outcome,
        tasks_overdue=counts.tasks_overdue,
        tasks_due_today=counts.tasks_due_today,
        my_tasks_due=counts.my_tasks_due,
    )

    def case(row) -> Incident:
        return Incident(
            id=row.case, reference=row.reference, status=row.status, submitted_at=row.at
        )

    def oldest_first(kind):
        return sorted(rows.get(kind, []), key=lambda row: (row.at, row.case))

    work.oldest_unacknowledged = [case(row) for row in oldest_first(UNACKNOWLEDGED)]
    work.mine = [case(row) for row in oldest_first(MINE)]
    tasks = sorted(rows.get(TASKS, []), key=lambda row: (row.person != user.pk, row.on, row.task))[
        :LISTED
    ]
    work.tasks_due = [
        Task(
            id=row.task,
            due_on=row.on,
            owner=User(id=row.person, full_name=row.name, email=row.email),
            incident=Incident(reference=row.reference, status=row.status),
        )
        for row in tasks
    ]
    return work
