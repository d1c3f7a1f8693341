"""What is due about files at a school: for the files page, the DSL's home and reminders.

`due_work(school)` gathers it; `chase()` (beat, every 15 minutes from 07:00) tells the school's
leads once per occasion through notifications.notify_file_work: a leaver's file due today or
overdue, a transfer not accepted (or an export not confirmed received) within 5 days of
sending, a retention review due, a subject access request due within a week or overdue.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from incidents.models import Pupil
from notifications import services as notifications
from notifications.models import Kind
from safeguarding.models import Role, School

from . import services
from .models import SecureExport, SubjectAccessRequest, Transfer

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


def digest_counts(school: School, *, today: date | None = None) -> dict[str, int]:
    """The file work in a DSL's daily summary (notifications.open_items): numbers only, never
    a name or a reference."""
    work = due_work(school, today=today)
    return {
        "files_to_send": len(work.to_send),
        "files_to_send_overdue": work.to_send_overdue,
        "files_not_acknowledged": work.waiting_overdue,
        "files_to_accept": len(work.incoming),
        "reviews_due": work.reviews_due,
        "requests_due_soon": work.requests_due_soon,
        "requests_overdue": work.requests_overdue,
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
