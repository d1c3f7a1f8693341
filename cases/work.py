"""What needs a DSL or deputy now at one school, for their home page (`case_work`).

Only references, statuses and dates are shown there, so the home page is not seeing a case
(cases/README.md): nothing from a case's record (pupils, what was reported, its triage outcome,
task titles) until they open it. It costs the same few queries however many cases there are.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, IntegerField, Q, When
from django.utils import timezone

from incidents.models import Incident, Status

from .models import Task
from .workflow import OPEN_STATUSES

# How many of each are listed by reference on the home page; the count links to all of them.
LISTED = 5


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


def case_work(school, user, *, today: date | None = None) -> CaseWork:
    """Unacknowledged cases (oldest first), open cases assigned to `user`, referred cases
    waiting for the agency's outcome, and open cases' tasks overdue or due today. Five queries."""
    today = today or timezone.localdate()
    cases = Incident.objects.filter(school=school)
    counts = cases.aggregate(
        unacknowledged=Count("pk", filter=Q(status=Status.NEW)),
        assigned_to_me=Count("pk", filter=Q(assigned_to=user, status__in=OPEN_STATUSES)),
        awaiting_outcome=Count("pk", filter=Q(status=Status.REFERRED)),
    )
    work = CaseWork(today=today, **counts)
    if work.unacknowledged:
        work.oldest_unacknowledged = list(
            cases.filter(status=Status.NEW)
            .only("reference", "submitted_at", "status")
            .order_by("submitted_at", "id")[:LISTED]
        )
    if work.assigned_to_me:
        work.mine = list(
            cases.filter(assigned_to=user, status__in=OPEN_STATUSES)
            .only("reference", "submitted_at", "status")
            .order_by("submitted_at", "id")[:LISTED]
        )
    due = Task.objects.filter(
        incident__school=school,
        incident__status__in=OPEN_STATUSES,
        done_at__isnull=True,
        due_on__lte=today,
    )
    task_counts = due.aggregate(
        tasks_overdue=Count("pk", filter=Q(due_on__lt=today)),
        tasks_due_today=Count("pk", filter=Q(due_on=today)),
        my_tasks_due=Count("pk", filter=Q(owner=user)),
    )
    for name, value in task_counts.items():
        setattr(work, name, value)
    if work.tasks_overdue or work.tasks_due_today:
        # Yours first, then the longest overdue.
        work.tasks_due = list(
            due.annotate(
                not_mine=Case(When(owner=user, then=0), default=1, output_field=IntegerField())
            )
            .select_related("incident", "owner")
            .only(
                "due_on",
                "owner__full_name",
                "owner__email",
                "incident__reference",
                "incident__status",
            )
            .order_by("not_mine", "due_on", "id")[:LISTED]
        )
    return work
