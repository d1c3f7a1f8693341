"""Loading the published checklist versions into the database, and the staff briefing's
confirmations."""

from dataclasses import dataclass

from django.db import transaction

from safeguarding import audit

from . import briefing
from . import checklist as content
from .checklist import content_sha256
from .models import BriefingConfirmation
from .triage import check_checklist

VERSION_CHANGED = (
    "Checklist version {version} is already loaded with different content. A published version "
    "never changes: publish the change as a new version."
)


class ChecklistVersionChanged(Exception):
    pass


def load_checklist_versions(*, model=None, using: str = "default") -> list[str]:
    """Load every version in guidance/content/ not yet in the database; return those loaded.

    Idempotent. Refuses (and loads nothing) if a loaded version's content differs from its file.
    `model` lets the data migration pass its historical model.
    """
    if model is None:
        from .models import ChecklistVersion as model
    with transaction.atomic(using=using):
        return _load(model.objects.db_manager(using))


def _load(versions) -> list[str]:
    loaded: list[str] = []
    for path in content.content_files():
        data = content.read_content(path)
        checklist = content.Checklist.from_dict(data)
        check_checklist(checklist)
        digest = content_sha256(data)
        existing = versions.filter(version=checklist.version).first()
        if existing is not None:
            if existing.content_sha256 != digest:
                raise ChecklistVersionChanged(VERSION_CHANGED.format(version=checklist.version))
            continue
        versions.create(
            version=checklist.version,
            published=checklist.published,
            summary=checklist.summary,
            content=data,
            content_sha256=digest,
        )
        loaded.append(checklist.version)
    return loaded


# --- The staff briefing: who has read which version ----------------------------------------

READ = "read"
CHANGED = "changed"  # read an earlier version; the briefing's words have changed since
NOT_READ = "not_read"
STATE_LABELS = {
    READ: "Read",
    CHANGED: "Read an earlier version: to read what changed",
    NOT_READ: "Not read yet",
}


@dataclass(frozen=True)
class BriefingState:
    state: str
    # The confirmation that counts: for READ one of the current wording, else the latest.
    confirmation: BriefingConfirmation | None = None

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def is_read(self) -> bool:
        return self.state == READ


def _state_from(confirmations: list[BriefingConfirmation]) -> BriefingState:
    current = [c for c in confirmations if briefing.same_briefing_as_current(c.version)]
    if current:
        return BriefingState(READ, max(current, key=lambda c: c.confirmed_at))
    if confirmations:
        return BriefingState(CHANGED, max(confirmations, key=lambda c: c.confirmed_at))
    return BriefingState(NOT_READ)


def briefing_state(user) -> BriefingState:
    return _state_from(list(BriefingConfirmation.objects.filter(user=user)))


def briefing_states(users) -> dict:
    """user id -> BriefingState, in one query."""
    by_user: dict = {user.pk: [] for user in users}
    for confirmation in BriefingConfirmation.objects.filter(user__in=list(by_user)):
        by_user[confirmation.user_id].append(confirmation)
    return {pk: _state_from(found) for pk, found in by_user.items()}


@transaction.atomic
def confirm_briefing(*, actor, version: str, request=None) -> BriefingConfirmation:
    """`actor` read the briefing of checklist `version` (which must be the current one: nobody
    confirms wording they were not shown). Confirming twice keeps the first date."""
    if version != content.current_version():
        raise BriefingOutOfDate(BRIEFING_OUT_OF_DATE)
    confirmation, created = BriefingConfirmation.objects.get_or_create(user=actor, version=version)
    if created:
        audit.record(
            "briefing.confirmed",
            actor=actor,
            target=confirmation,
            request=request,
            data={"version": version},
        )
    return confirmation


BRIEFING_OUT_OF_DATE = (
    "The guidance changed while you were reading. Please read the briefing again: what changed "
    "is at the top."
)


class BriefingOutOfDate(Exception):
    pass


def staff_of(school) -> list:
    """Everyone active with a role at `school`, by name, each with `.school_roles` (labels)."""
    from safeguarding.models import Membership, Role, User

    labels = dict(Role.choices)
    people = list(
        User.objects.filter(
            is_active=True, memberships__school=school, memberships__role__in=Role.school_roles()
        )
        .distinct()
        .order_by("full_name", "email")
    )
    roles: dict = {}
    for user_id, role in Membership.objects.filter(school=school, user__in=people).values_list(
        "user_id", "role"
    ):
        roles.setdefault(user_id, []).append(labels[role])
    for person in people:
        person.school_roles = sorted(roles.get(person.pk, []))
    return people


@dataclass(frozen=True)
class SchoolFigure:
    school: object
    staff: int
    read: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.read / self.staff) if self.staff else None


def trust_figures(trust) -> list[SchoolFigure]:
    """For each of the trust's schools: how many staff, and how many have read the current
    briefing. Counts of staff, never names."""
    figures = []
    for school in trust.schools.order_by("name"):
        people = staff_of(school)
        states = briefing_states(people)
        figures.append(SchoolFigure(school, len(people), sum(s.is_read for s in states.values())))
    return figures


def staff_to_remind():
    """Active people with a role at a school who have not read the current briefing."""
    from safeguarding.models import Role, User

    people = list(
        User.objects.filter(is_active=True, memberships__role__in=Role.school_roles()).distinct()
    )
    states = briefing_states(people)
    return [person for person in people if not states[person.pk].is_read]
