"""Changing a school's or a trust's term dates: the whole list at once, one audit event."""

from django.db import transaction

from safeguarding import audit
from safeguarding.models import School, Trust, User

from .models import TermDate
from .parse import Entry

TERM_DATES_CHANGED = "term_dates.changed"


@transaction.atomic
def replace_term_dates(
    *,
    actor: User,
    entries: list[Entry],
    school: School | None = None,
    trust: Trust | None = None,
    request=None,
) -> bool:
    """Make `entries` the school's (or the trust's) term dates. False when nothing changed.

    An empty list removes a school's own dates, so its trust's apply again.
    """
    if (school is None) == (trust is None):
        raise ValueError("Term dates belong to a school or a trust")
    owned = (
        TermDate.objects.filter(school=school) if school else TermDate.objects.filter(trust=trust)
    )
    before = sorted(owned.values_list("kind", "name", "starts_on", "ends_on"))
    after = sorted((e.kind, e.name, e.starts_on, e.ends_on) for e in entries)
    if before == after:
        return False
    owned.delete()
    TermDate.objects.bulk_create(
        TermDate(
            school=school,
            trust=trust,
            kind=e.kind,
            name=e.name,
            starts_on=e.starts_on,
            ends_on=e.ends_on,
        )
        for e in entries
    )
    audit.record(
        TERM_DATES_CHANGED,
        actor=actor,
        target=school or trust,
        school=school,
        request=request,
        data={
            "terms": sum(e.kind == TermDate.Kind.TERM for e in entries),
            "closed": sum(e.kind == TermDate.Kind.CLOSED for e in entries),
            "first": str(min((e.starts_on for e in entries), default="")),
            "last": str(max((e.ends_on for e in entries), default="")),
        },
    )
    return True
