"""The dashboard's figures, each one GROUP BY in the database, never case rows in Python.

Every function takes a `Scope` (a trust's schools, or one school) and a `Period`, and returns
small lists of (group, count) pairs: at most one pair per month, kind, school, factor, hour or
band. Suppression happens afterwards, in `stats.dashboard`, on these unrounded counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, Least, NullIf, TruncMonth
from django.utils import timezone

from cases.models import Decision, TriageOverride
from guidance.triage import TYPOLOGY_LABELS
from incidents.models import (
    NATURE_KINDS,
    Incident,
    IncidentPupil,
    Kind,
    Pupil,
    ReferralLine,
    Status,
    TriggeredFactor,
    YearGroup,
)
from safeguarding.models import School, Trust

from .periods import Period

# Outcome buckets. Closed cases carry no record of which route they took, so a closed case
# counts as referred when its current decision on immediate referral is "yes": the DSL's
# decision where they recorded one, else the checklist's. "Not known yet" is not a referral.
REFERRED = "referred"
MANAGED_IN_SCHOOL = "managed_in_school"
OPEN = "open"
OUTCOMES: tuple[tuple[str, str], ...] = (
    (REFERRED, "Referred"),
    (MANAGED_IN_SCHOOL, "Managed in school"),
    (OPEN, "Still open"),
)
OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED, Status.UNDER_REVIEW)

YEAR_GROUP_BANDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "primary",
        "Nursery to Year 6",
        (YearGroup.NURSERY, YearGroup.RECEPTION, *(str(n) for n in range(1, 7))),
    ),
    ("y7_9", "Years 7 to 9", ("7", "8", "9")),
    ("y10_11", "Years 10 and 11", ("10", "11")),
    ("y12_13", "Years 12 and 13", ("12", "13")),
)

FACTOR_ANSWERS: tuple[tuple[str, str], ...] = (("yes", "Yes"), ("not_known", "Not known"))


@dataclass(frozen=True)
class Scope:
    """Whose cases: every school in a trust, or one school."""

    trust: Trust | None = None
    school: School | None = None

    @property
    def name(self) -> str:
        return self.school.name if self.school else self.trust.name

    def schools(self) -> list[tuple[int, str]]:
        if self.school is not None:
            return [(self.school.pk, self.school.name)]
        return list(
            School.objects.filter(trust=self.trust).order_by("name").values_list("id", "name")
        )

    def incident_filter(self, period: Period, prefix: str = "") -> Q:
        """Cases of this scope submitted in the period, leaving out those closed as a duplicate
        of another (an incident counts once: `Incident.objects.not_duplicates`); `prefix` for
        related models."""
        if self.school is not None:
            where = Q(**{f"{prefix}school_id": self.school.pk})
        else:
            where = Q(**{f"{prefix}school__trust_id": self.trust.pk})
        return where & Q(
            **{
                f"{prefix}submitted_at__gte": period.start,
                f"{prefix}submitted_at__lt": period.end,
                f"{prefix}duplicate_of__isnull": True,
            }
        )


# The referral line, three-valued, as the checklist gave it and as currently decided.
REFERRAL_LINES: tuple[tuple[str, str], ...] = (
    (ReferralLine.YES, "Yes"),
    (ReferralLine.NOT_KNOWN, "Not known yet"),
    (ReferralLine.NO, "No"),
)


def current_referral_is(value: str) -> Q:
    """Cases whose current decision on immediate referral is `value`: the DSL's, else the
    checklist's (as `Incident.objects.with_current_decision` reads it)."""
    return Q(decided_referral=value) | Q(decided_referral="", referral=value)


# The typology, as currently decided: the DSL's where they decided one, else the checklist's.
NOT_YET_KNOWN_TYPOLOGY = "not_yet_known"
TYPOLOGIES: tuple[tuple[str, str], ...] = tuple(TYPOLOGY_LABELS.items())


def current_typology() -> Coalesce:
    """The DSL's typology where they decided one, else the checklist's; an outcome stored
    without one (none is, since typologies were added) counts as not yet known."""
    return Coalesce(
        NullIf("decided_typology", Value("")),
        NullIf(KeyTextTransform("typology", "outcome"), Value("")),
        Value(NOT_YET_KNOWN_TYPOLOGY),
        output_field=CharField(),
    )


def current_kind() -> Case:
    """The kind as the DSL decided it: sextortion when they decided there were threats or
    demands; when they decided there were none on a case reported as sextortion, the image's
    nature the reporter gave (else "Not sure"); otherwise the kind as reported."""
    by_nature = [
        When(image_nature=nature, then=Value(kind))
        for nature, kind in NATURE_KINDS.items()
        if kind != Kind.SEXTORTION
    ]
    return Case(
        When(decided_sextortion=True, then=Value(Kind.SEXTORTION)),
        When(
            Q(decided_sextortion=False, kind=Kind.SEXTORTION),
            then=Case(*by_nature, default=Value(Kind.NOT_SURE), output_field=CharField()),
        ),
        default=F("kind"),
        output_field=CharField(),
    )


def outcome_of_case() -> Case:
    """THE definition of a case's outcome bucket (see the comment on REFERRED above)."""
    return Case(
        When(status=Status.REFERRED, then=Value(REFERRED)),
        When(Q(status=Status.CLOSED) & current_referral_is(ReferralLine.YES), then=Value(REFERRED)),
        When(status__in=OPEN_STATUSES, then=Value(OPEN)),
        default=Value(MANAGED_IN_SCHOOL),
        output_field=CharField(),
    )


def year_group_band(field: str = "pupil__year_group") -> Case:
    return Case(
        *(When(**{f"{field}__in": groups}, then=Value(key)) for key, _, groups in YEAR_GROUP_BANDS),
        default=Value(""),
        output_field=CharField(),
    )


class WholeHoursBetween(Func):
    """Whole hours from the first datetime to the second, rounded down, in the database."""

    arity = 2
    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL and the SQL standard
        return super().as_sql(
            compiler,
            connection,
            template="CAST(FLOOR(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600) AS integer)",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            # julianday is a float: two hours apart can come out as 1.99999... hours, so the
            # difference is rounded to whole milliseconds before it is cut to whole hours.
            template=(
                "CAST(FLOOR(ROUND((julianday(%(expressions)s)) * 86400000) / 3600000.0) AS integer)"
            ),
            arg_joiner=") - julianday(",
            **extra,
        )


def _cases(scope: Scope, period: Period):
    return Incident.objects.filter(scope.incident_filter(period)).order_by()


def cases_by_month(scope: Scope, period: Period) -> list[tuple[tuple[int, int], int]]:
    rows = (
        _cases(scope, period)
        .annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    return [((month.year, month.month), n) for month, n in rows]


def cases_by_month_and(
    scope: Scope, period: Period, dimension: str
) -> list[tuple[tuple[int, int], str, int]]:
    """((year, month), group, cases) for a trend: `dimension` is "kind", "outcome" or
    "referral" (each as currently decided, as in the figures without months)."""
    group = {
        "kind": current_kind(),
        "outcome": outcome_of_case(),
        "referral": Coalesce(NullIf("decided_referral", Value("")), "referral"),
    }[dimension]
    rows = (
        _cases(scope, period)
        .annotate(month=TruncMonth("submitted_at"), group=group)
        .values("month", "group")
        .annotate(n=Count("id"))
        .values_list("month", "group", "n")
    )
    return [((month.year, month.month), key, n) for month, key, n in rows]


def cases_by_kind(scope: Scope, period: Period) -> list[tuple[str, int]]:
    return list(
        _cases(scope, period)
        .annotate(current_kind=current_kind())
        .values("current_kind")
        .annotate(n=Count("id"))
        .values_list("current_kind", "n")
    )


def cases_by_typology(scope: Scope, period: Period) -> list[tuple[str, int]]:
    return list(
        _cases(scope, period)
        .annotate(typology=current_typology())
        .values("typology")
        .annotate(n=Count("id"))
        .values_list("typology", "n")
    )


def cases_by_school_and_outcome(scope: Scope, period: Period) -> list[tuple[int, str, int]]:
    return list(
        _cases(scope, period)
        .annotate(bucket=outcome_of_case())
        .values("school_id", "bucket")
        .annotate(n=Count("id"))
        .values_list("school_id", "bucket", "n")
    )


def cases_by_outcome(scope: Scope, period: Period) -> list[tuple[str, int]]:
    return list(
        _cases(scope, period)
        .annotate(bucket=outcome_of_case())
        .values("bucket")
        .annotate(n=Count("id"))
        .values_list("bucket", "n")
    )


def referral_lines(scope: Scope, period: Period) -> list[tuple[str, str, int]]:
    """(the checklist's referral line, the current decision, number of cases)."""
    return list(
        _cases(scope, period)
        .with_current_decision()
        .values("referral", "current_referral")
        .annotate(n=Count("id"))
        .values_list("referral", "current_referral", "n")
    )


def factors_applied(scope: Scope, period: Period) -> list[tuple[str, str, int]]:
    """How many cases had each immediate-referral factor answered yes / not known."""
    return list(
        TriggeredFactor.objects.filter(scope.incident_filter(period, prefix="incident__"))
        .order_by()
        .values("factor", "answer")
        # One row per case and factor (a unique constraint), so rows are cases: no DISTINCT.
        .annotate(n=Count("id"))
        .values_list("factor", "answer", "n")
    )


def hours_to_acknowledgement(scope: Scope, period: Period) -> list[tuple[int, int]]:
    """(whole hours, number of cases) for acknowledged cases: a histogram, not rows."""
    return list(
        _cases(scope, period)
        .filter(acknowledged_at__isnull=False)
        .annotate(hours=WholeHoursBetween("acknowledged_at", "submitted_at"))
        .values("hours")
        .annotate(n=Count("id"))
        .values_list("hours", "n")
    )


def _first_record(model) -> Subquery:
    return Subquery(
        model.objects.filter(incident=OuterRef("pk"))
        .order_by("recorded_at")
        .values("recorded_at")[:1]
    )


def hours_to_first_decision(scope: Scope, period: Period) -> list[tuple[int, int]]:
    """(whole hours, number of cases) from report to the DSL's first recorded decision: a
    decision with its reasons, or a decision on the checklist's outcome, whichever came
    first. Cases with neither are left out."""
    decision, override = _first_record(Decision), _first_record(TriageOverride)
    return list(
        _cases(scope, period)
        # Each NULL (none recorded) replaced by the other, so LEAST never sees one.
        .annotate(decided_at=Least(Coalesce(decision, override), Coalesce(override, decision)))
        .filter(decided_at__isnull=False)
        .annotate(hours=WholeHoursBetween("decided_at", "submitted_at"))
        .values("hours")
        .annotate(n=Count("id"))
        .values_list("hours", "n")
    )


def percentile_from_histogram(
    histogram: list[tuple[int, int]], fraction: float
) -> tuple[int | None, int]:
    """(the nearest-rank percentile, the number of values) of a histogram of whole hours."""
    total = sum(n for _, n in histogram)
    if total == 0:
        return None, 0
    rank = max(1, math.ceil(fraction * total))
    seen = 0
    for hours, n in sorted(histogram):
        seen += n
        if seen >= rank:
            return hours, total
    raise AssertionError("unreachable")


def cases_by_year_group_band(scope: Scope, period: Period) -> list[tuple[str, int]]:
    """Cases involving a pupil in each band; a case with pupils in two bands counts in both."""
    return list(
        IncidentPupil.objects.filter(scope.incident_filter(period, prefix="incident__"))
        .order_by()
        .annotate(band=year_group_band())
        .values("band")
        .annotate(n=Count("incident_id", distinct=True))
        .values_list("band", "n")
    )


def pupils_on_roll(scope: Scope, period: Period | None = None) -> list[tuple[int, int]]:
    """(school id, pupils on roll in the period) from each school's pupil list: imported pupils
    whose details are held, not pupils a reporter added while reporting, who had not left
    before the period began (a transfer's leaving date), so a past year counts the pupils who
    left since. The list holds no joining dates: pupils who joined after the period are
    counted too. Without a period: today's roll."""
    since = (
        timezone.localdate() if period is None else min(period.start.date(), timezone.localdate())
    )
    where = Q(school_id=scope.school.pk) if scope.school else Q(school__trust_id=scope.trust.pk)
    return list(
        Pupil.objects.on_list()
        .filter(where, added_from_report=False)
        .filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=since))
        .order_by()
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    )


def median_from_histogram(histogram: list[tuple[int, int]]) -> tuple[int | None, int]:
    """(the lower median, the number of values) of a histogram of whole hours."""
    total = sum(n for _, n in histogram)
    if total == 0:
        return None, 0
    position = (total - 1) // 2
    seen = 0
    for hours, n in sorted(histogram):
        seen += n
        if seen > position:
            return hours, total
    raise AssertionError("unreachable")
