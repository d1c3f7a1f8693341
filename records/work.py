"""What is due about files at a school: for the files page, the DSL's home and reminders.

`due_work(school)` gathers it, pupil by pupil, for the files page and `chase()`; the DSL's home
and daily summary show only numbers (`FileCounts`), counted by the database in a fixed number
of queries however many files there are (`count_expressions`, `to_send`, `file_counts`).
`chase()` (beat, every 15 minutes from 07:00) tells the school's
leads once per occasion through notifications.notify_file_work: a leaver's file due today or
overdue, a transfer not accepted (or an export not confirmed received) within 5 days of
sending, a retention review due, a subject access request due within a week or overdue.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.db.models import Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from incidents.models import IncidentPupil, Pupil
from notifications import services as notifications
from notifications.models import Kind
from safeguarding.models import Role, School
from safeguarding.queries import count_of
from terms.school_days import SchoolCalendar, calendars_for

from . import deadlines, services
from .models import (
    ReceivedFile,
    RetentionPolicy,
    RetentionReview,
    SecureExport,
    SubjectAccessRequest,
    Transfer,
)

REQUEST_DUE_SOON_DAYS = 7
REVIEW_AHEAD_DAYS = 30
CHASE_FROM = time(7, 0)


@dataclass
class Leaver:
    pupil: Pupil
    state: services.FileState


@dataclass
class DueWork:
    today: date
    to_send: list[Leaver] = field(default_factory=list)
    waiting: list[Leaver] = field(default_factory=list)
    incoming: list[Transfer] = field(default_factory=list)
    reviews_due: int = 0
    requests: list[SubjectAccessRequest] = field(default_factory=list)

    @property
    def to_send_overdue(self) -> int:
        return sum(leaver.state.overdue(self.today) for leaver in self.to_send)

    @property
    def waiting_overdue(self) -> int:
        return sum(leaver.state.overdue(self.today) for leaver in self.waiting)

    @property
    def requests_overdue(self) -> int:
        return sum(r.deadline < self.today for r in self.requests)

    @property
    def requests_due_soon(self) -> int:
        soon = self.today + timedelta(days=REQUEST_DUE_SOON_DAYS)
        return sum(self.today <= r.deadline <= soon for r in self.requests)

    @property
    def anything(self) -> bool:
        return bool(
            self.to_send or self.waiting or self.incoming or self.reviews_due or self.requests
        )


def leavers(school: School):
    """Pupils with a leaving date whose file is held at `school`."""
    return (
        services.pupils_with_files(school)
        .filter(leaving_date__isnull=False)
        .order_by("leaving_date", "last_name")
    )


def due_work(school: School, *, today: date | None = None) -> DueWork:
    today = today or timezone.localdate()
    work = DueWork(today=today)
    for pupil in leavers(school):
        state = services.file_state(pupil, school)
        if state.stage == "to_send":
            work.to_send.append(Leaver(pupil, state))
        elif state.stage == "sent":
            work.waiting.append(Leaver(pupil, state))
    # A file sent for a pupil with no leaving date recorded is waiting all the same.
    shown = {leaver.pupil.pk for leaver in work.waiting}
    for transfer in Transfer.objects.filter(from_school=school, status__in=Transfer.OPEN):
        if transfer.pupil_id not in shown:
            work.waiting.append(Leaver(transfer.pupil, services.file_state(transfer.pupil, school)))
            shown.add(transfer.pupil_id)
    for export in SecureExport.objects.filter(
        school=school, sent_on__isnull=False, receipt_confirmed_on__isnull=True, withdrawn_at=None
    ):
        if export.pupil_id not in shown:
            work.waiting.append(Leaver(export.pupil, services.file_state(export.pupil, school)))
            shown.add(export.pupil_id)
    work.to_send.sort(key=lambda leaver: leaver.state.due_on)
    work.waiting.sort(key=lambda leaver: leaver.state.due_on or today)
    work.incoming = list(
        Transfer.objects.filter(to_school=school, status__in=Transfer.OPEN)
        .select_related("from_school")
        .order_by("sent_at")
    )
    due, _ = services.retention_queue(school, today=today)
    work.reviews_due = len(due)
    work.requests = list(
        SubjectAccessRequest.objects.filter(
            school=school, status=SubjectAccessRequest.Status.OPEN
        ).select_related("pupil")
    )
    work.requests.sort(key=lambda r: r.deadline)
    return work


# --- The same, as numbers: the DSL's home and daily summary -----------------------------------
# Each condition below is `services.file_state`, `services.retention_queue` or `due_work` said
# in SQL, on a pupil's row (the school is the pupil's: files are sent only for a school's own
# pupils). tests/records/test_file_counts.py checks they agree with `due_work`.


def _transfers():
    return Transfer.objects.filter(pupil=OuterRef("pk"), from_school=OuterRef("school"))


def _exports():
    """The file's exports not withdrawn."""
    return SecureExport.objects.filter(
        pupil=OuterRef("pk"), school=OuterRef("school"), withdrawn_at__isnull=True
    )


def _has_file() -> Q:
    """`services.pupils_with_files`, on a pupil's row."""
    return Q(details_removed_at__isnull=True) & (
        Q(
            Exists(
                IncidentPupil.objects.filter(
                    pupil=OuterRef("pk"), incident__school=OuterRef("school")
                )
            )
        )
        | Q(Exists(ReceivedFile.objects.filter(pupil=OuterRef("pk"), school=OuterRef("school"))))
    )


def _transferred() -> Q:
    """Accepted by the new school, or its export confirmed received."""
    return Q(Exists(_transfers().filter(status=Transfer.Status.ACCEPTED))) | Q(
        Exists(_exports().filter(receipt_confirmed_on__isnull=False))
    )


def _open_transfer():
    return _transfers().filter(status__in=Transfer.OPEN)


def _sent_export():
    return _exports().filter(sent_on__isnull=False)


def to_send(schools):
    """Leavers whose file is still to send (`file_state` "to_send"), at `schools`."""
    return (
        Pupil.objects.filter(school__in=schools, leaving_date__isnull=False)
        .filter(_has_file())
        .exclude(_transferred())
        .exclude(Exists(_open_transfer()))
        .exclude(Exists(_sent_export()))
    )


def _waiting(school_pupils):
    """Files sent (a transfer open, an export sent and not confirmed received), each with the
    day it is due (`file_state` "sent")."""
    return school_pupils.filter(
        Q(Exists(_open_transfer()))
        | Q(Exists(_sent_export().filter(receipt_confirmed_on__isnull=True)))
    ).annotate(
        due=Coalesce(
            Subquery(_open_transfer().order_by("-sent_at").values("due_on")[:1]),
            Subquery(_sent_export().order_by("-created_at").values("due_on")[:1]),
        )
    )


def _review_due(school_pupils, today: date):
    """Files due for review by `today` (`retention_queue`): the next review set when the file
    was last kept, else the date of birth plus the school's rule. The birthday is compared as
    year, month and day, so it is the same on SQLite and PostgreSQL: a birthday on 29 February
    is due on 28 February in a year without one, as `deadlines.review_due_on` says."""
    kept = RetentionReview.objects.filter(
        pupil=OuterRef("pk"), school=OuterRef("school"), decision=RetentionReview.Decision.KEEP
    ).order_by("-decided_at", "-id")
    years = Coalesce(
        Subquery(
            RetentionPolicy.objects.filter(school=OuterRef("school"))
            .order_by("-version")
            .values("years_after_birth")[:1]
        ),
        Value(deadlines.DEFAULT_RETENTION_YEARS),
        output_field=IntegerField(),
    )
    month, day = today.month, today.day
    if (month, day) == (2, 28) and (today + timedelta(days=1)).day == 1:
        day = 29
    birthday = Q(review_year__lt=today.year) | Q(
        Q(date_of_birth__month__lt=month)
        | Q(date_of_birth__month=month, date_of_birth__day__lte=day),
        review_year=today.year,
    )
    return school_pupils.annotate(
        kept=Exists(kept),
        kept_until=Subquery(kept.values("next_review_on")[:1]),
        review_year=ExtractYear("date_of_birth") + years,
    ).filter(Q(kept=True, kept_until__lte=today) | Q(birthday, kept=False))


def schools_with_counts(schools, today: date):
    """`schools` (a queryset) with the numbers of `FileCounts` but those to send, as columns
    (`file_counts` reads them back), to annotate further."""
    return _with_counts(today, tuple(sorted(school.pk for school in schools))).all()


@lru_cache(maxsize=256)
def _with_counts(today: date, school_ids: tuple[int, ...]):
    # Built once a day for the same schools, in each process: building these expressions was
    # most of the DSL home's own time. Never evaluated here, so never holds rows: each caller
    # gets a copy (`.all()`) to run.
    return School.objects.filter(pk__in=school_ids).annotate(**count_expressions(today))


def count_expressions(today: date) -> dict:
    """The numbers of `FileCounts` but those to send, as expressions on a row of schools."""
    pupils = Pupil.objects.filter(school=OuterRef("pk"))
    waiting = _waiting(pupils)
    requests = SubjectAccessRequest.objects.filter(
        school=OuterRef("pk"), status=SubjectAccessRequest.Status.OPEN
    ).annotate(deadline=Coalesce("extended_to", "due_on"))
    return {
        "files_waiting": count_of(waiting),
        "files_waiting_overdue": count_of(waiting.exclude(_transferred()).filter(due__lt=today)),
        "files_incoming": count_of(
            Transfer.objects.filter(to_school=OuterRef("pk"), status__in=Transfer.OPEN)
        ),
        "files_reviews_due": count_of(_review_due(pupils.filter(_has_file()), today)),
        "requests_open": count_of(requests),
        "requests_overdue": count_of(requests.filter(deadline__lt=today)),
        "requests_due_soon": count_of(
            requests.filter(
                deadline__gte=today,
                deadline__lte=today + timedelta(days=REQUEST_DUE_SOON_DAYS),
            )
        ),
    }


@dataclass
class FileCounts:
    """What is due about files at a school, as numbers (the same as `due_work`'s)."""

    today: date
    to_send: int = 0
    to_send_overdue: int = 0
    waiting: int = 0
    waiting_overdue: int = 0
    incoming: int = 0
    reviews_due: int = 0
    requests: int = 0
    requests_overdue: int = 0
    requests_due_soon: int = 0

    @property
    def anything(self) -> bool:
        return bool(
            self.to_send or self.waiting or self.incoming or self.reviews_due or self.requests
        )


def file_counts(
    counts, leaving_dates: list[date], calendar: SchoolCalendar | None, today: date
) -> FileCounts:
    """A school's FileCounts from its row of `count_expressions`, the leaving dates of its
    leavers `to_send` and its calendar (needed only when there are any)."""
    return FileCounts(
        today=today,
        to_send=len(leaving_dates),
        to_send_overdue=sum(
            today > deadlines.within_five_days(leaving_date, calendar)
            for leaving_date in leaving_dates
        ),
        waiting=counts.files_waiting,
        waiting_overdue=counts.files_waiting_overdue,
        incoming=counts.files_incoming,
        reviews_due=counts.files_reviews_due,
        requests=counts.requests_open,
        requests_overdue=counts.requests_overdue,
        requests_due_soon=counts.requests_due_soon,
    )


def file_counts_at(school: School, *, today: date | None = None) -> FileCounts:
    """One school's FileCounts: two queries, three with leavers' files to send."""
    today = today or timezone.localdate()
    counts = schools_with_counts([school], today).get()
    leaving_dates = list(to_send([school]).values_list("leaving_date", flat=True))
    calendar = calendars_for([school])[school.pk] if leaving_dates else None
    return file_counts(counts, leaving_dates, calendar, today)


def digest_counts(school: School, *, today: date | None = None) -> dict[str, int]:
    """The file work in a DSL's daily summary (notifications.open_items): numbers only, never
    a name or a reference."""
    counts = file_counts_at(school, today=today)
    return {
        "files_to_send": counts.to_send,
        "files_to_send_overdue": counts.to_send_overdue,
        "files_not_acknowledged": counts.waiting_overdue,
        "files_to_accept": counts.incoming,
        "reviews_due": counts.reviews_due,
        "requests_due_soon": counts.requests_due_soon,
        "requests_overdue": counts.requests_overdue,
    }


def chase(*, now: datetime | None = None) -> list[int]:
    """Remind and escalate, once per occasion. Safe to run as often as wanted."""
    now = timezone.localtime(now or timezone.now())
    if now.time() < CHASE_FROM:
        return []
    today = now.date()
    queued: list[int] = []
    schools = School.objects.filter(memberships__role__in=Role.case_reviewers()).distinct()
    for school in schools:
        leads = notifications.dsls(school)
        everyone = notifications.case_reviewers(school)

        def tell(kind, key, recipients, reference="", school=school):
            queued.extend(
                notifications.notify_file_work(
                    kind=kind, key=key, school=school, recipients=recipients, reference=reference
                )
            )

        work = due_work(school, today=today)
        for leaver in work.to_send:
            due = leaver.state.due_on
            if due == today:
                tell(Kind.FILE_TO_SEND, f"{leaver.pupil.pk}:{due}", leads)
            elif due < today:
                tell(Kind.FILE_OVERDUE, f"{leaver.pupil.pk}:{due}", everyone)
        for leaver in work.waiting:
            state = leaver.state
            if not state.overdue(today):
                continue
            if state.transfer is not None:
                tell(
                    Kind.FILE_NOT_ACCEPTED,
                    str(state.transfer.pk),
                    everyone,
                    state.transfer.reference,
                )
            elif state.export is not None:
                tell(
                    Kind.RECEIPT_NOT_CONFIRMED,
                    str(state.export.pk),
                    everyone,
                    state.export.reference,
                )
        due_reviews, _ = services.retention_queue(school, today=today)
        for review in due_reviews:
            tell(Kind.REVIEW_DUE, f"{review.pupil.pk}:{review.due_on}", leads)
        for sar in work.requests:
            if sar.deadline < today:
                tell(Kind.REQUEST_OVERDUE, f"{sar.pk}:{sar.deadline}", everyone, sar.reference)
            elif sar.deadline <= today + timedelta(days=REQUEST_DUE_SOON_DAYS):
                tell(Kind.REQUEST_DUE, f"{sar.pk}:{sar.deadline}", leads, sar.reference)
    return queued
