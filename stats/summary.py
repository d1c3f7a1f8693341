"""The dashboard's figures from the summary table (`stats.models.SummaryCount`).

Counting: `_measures()` is the GROUP BY of each measure over the cases (the definitions in
`stats.queries`: current kind, type, outcome, referral line, factors, year-group bands, whole
hours), by school and month. `rebuild()` counts every case again; `catch_up()` recounts the
school-months that database triggers marked stale (`SummaryStale`, written in the same
transaction as each change, so no committed change goes unmarked) and runs before every
dashboard and CSV, and every minute from beat (`stats.tasks.catch_up_summary`). Each
school-month is recounted under its own advisory lock, by statements that start after the lock
is held, so the last recount of a month sees every change committed before it.

Reading: the functions below answer exactly as their namesakes in `stats.queries` do, adding up
a few rows per school and month instead of scanning the cases.
On a database other than PostgreSQL (a developer's SQLite) there are no triggers, and the
dashboard asks `stats.queries` directly (`enabled()`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import CharField, Count, DateField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, Least, NullIf, TruncMonth

from cases.models import Decision, TriageOverride
from incidents.models import Incident, IncidentPupil, TriggeredFactor

from . import queries
from .models import SummaryCount
from .periods import Period, _local_midnight
from .queries import Scope

KIND, TYPOLOGY, OUTCOME, REFERRAL = "kind", "typology", "outcome", "referral"
FACTOR, BAND, ACK_HOURS, DECISION_HOURS = "factor", "band", "ack_hours", "decision_hours"
_LOCK_BASE = 0x57A75 << 40
_BATCH = 400  # school-months recounted per statement


def enabled() -> bool:
    return connection.vendor == "postgresql"


# Counting --------------------------------------------------------------------------------


def _grouped(qs: QuerySet, measure: str, key, key2=None, school="school_id", month=None, n=None):
    return (
        qs.order_by()
        .annotate(
            s_school=F(school),
            s_month=month or TruncMonth("submitted_at", output_field=DateField()),
            s_measure=Value(measure, output_field=CharField()),
            s_key=key,
            s_key2=key2 if key2 is not None else Value("", output_field=CharField()),
        )
        .values("s_school", "s_month", "s_measure", "s_key", "s_key2")
        .annotate(s_cases=n or Count("id"))
    )


# As `IncidentQuerySet.with_current_decision` reads it.
_current_referral = Coalesce(NullIf("decided_referral", Value("")), "referral")


def _measures(where: Q) -> list[QuerySet]:
    """Each measure's GROUP BY over the cases in `where` (a filter on Incident, its fields
    prefixed 'incident__' for the related tables)."""
    cases = Incident.objects.filter(where, duplicate_of__isnull=True)
    related = Q(incident__in=cases)
    via = {
        "school": "incident__school_id",
        "month": TruncMonth("incident__submitted_at", output_field=DateField()),
    }
    decision, override = queries._first_record(Decision), queries._first_record(TriageOverride)
    as_text = {"output_field": CharField()}
    return [
        _grouped(cases, KIND, queries.current_kind()),
        _grouped(cases, TYPOLOGY, queries.current_typology()),
        _grouped(cases, OUTCOME, queries.outcome_of_case()),
        _grouped(cases, REFERRAL, F("referral"), _current_referral),
        _grouped(TriggeredFactor.objects.filter(related), FACTOR, F("factor"), F("answer"), **via),
        _grouped(
            IncidentPupil.objects.filter(related),
            BAND,
            queries.year_group_band(),
            n=Count("incident_id", distinct=True),
            **via,
        ),
        _grouped(
            cases.filter(acknowledged_at__isnull=False),
            ACK_HOURS,
            Cast(queries.WholeHoursBetween("acknowledged_at", "submitted_at"), **as_text),
        ),
        _grouped(
            cases.annotate(
                decided_at=Least(Coalesce(decision, override), Coalesce(override, decision))
            ).filter(decided_at__isnull=False),
            DECISION_HOURS,
            Cast(queries.WholeHoursBetween("decided_at", "submitted_at"), **as_text),
        ),
    ]


COLUMNS = ("school_id", "month", "measure", "key", "key2", "cases")


def counted_from_cases(where: Q | None = None) -> list[tuple]:
    """The summary's rows as the cases give them now (rows of `COLUMNS`), without storing them:
    what the table must equal."""
    rows = []
    for qs in _measures(where or Q()):
        rows += qs.values_list("s_school", "s_month", "s_measure", "s_key", "s_key2", "s_cases")
    return rows


def _insert(where: Q) -> None:
    with connection.cursor() as cursor:
        for qs in _measures(where):
            sql, params = qs.query.sql_with_params()
            # Only column names and the ORM's own SQL are formatted in; values are bound.
            columns = ", ".join(COLUMNS)
            chosen = "s_school, s_month, s_measure, s_key, s_key2, s_cases"
            insert = f"INSERT INTO stats_summarycount ({columns}) SELECT {chosen} FROM ({sql}) q"  # noqa: S608
            cursor.execute(insert, params)


def _month_after(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _in_months(months: Iterable[tuple[int, dt.date]]) -> Q:
    where = Q(pk__in=[])
    for school_id, month in months:
        where |= Q(
            school_id=school_id,
            submitted_at__gte=_local_midnight(month),
            submitted_at__lt=_local_midnight(_month_after(month)),
        )
    return where


def recount(months: Iterable[tuple[int, dt.date]]) -> None:
    """Count these (school id, first of month) again from the cases, in the caller's
    transaction, each under its own lock (taken in order, so two recounts never deadlock)."""
    months = sorted(set(months))
    with transaction.atomic(), connection.cursor() as cursor:
        for school_id, month in months:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)",
                [_LOCK_BASE + (school_id << 16) + month.year * 12 + month.month - 1],
            )
        for start in range(0, len(months), _BATCH):
            batch = months[start : start + _BATCH]
            stored = Q(pk__in=[])
            for school_id, month in batch:
                stored |= Q(school_id=school_id, month=month)
            SummaryCount.objects.filter(stored).delete()
            _insert(_in_months(batch))


def catch_up(scope: Scope | None = None) -> int:
    """Recount the school-months marked stale (in `scope`, else everywhere); how many."""
    if scope is None:
        where, params = "", []
    elif scope.school is not None:
        where, params = "WHERE school_id = %s", [scope.school.pk]
    else:
        where = "WHERE school_id IN (SELECT id FROM safeguarding_school WHERE trust_id = %s)"
        params = [scope.trust.pk]
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Only the marks committed before this statement: a later change leaves its own.
            # `where` is one of three fixed strings; values are bound.
            stale = f"DELETE FROM stats_summarystale {where} RETURNING school_id, month"  # noqa: S608
            cursor.execute(stale, params)
            months = {(school_id, month) for school_id, month in cursor.fetchall()}
        if months:
            recount(months)
    return len(months)


def rebuild() -> int:
    """Count everything again from the cases; the number of summary rows."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Recounts wait; changes carry on and leave their marks for the next catch-up.
            cursor.execute("LOCK TABLE stats_summarycount IN EXCLUSIVE MODE")
            cursor.execute("DELETE FROM stats_summarystale")
            cursor.execute("DELETE FROM stats_summarycount")
        _insert(Q())
        rows = SummaryCount.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE stats_summarycount")  # so the planner knows its new size
    return rows


# Reading: the same answers as `stats.queries` ---------------------------------------------


def _rows(scope: Scope, period: Period, measure: str) -> QuerySet:
    months = period.months
    rows = SummaryCount.objects.filter(
        measure=measure, month__gte=months[0], month__lte=months[-1]
    ).order_by()
    if scope.school is not None:
        return rows.filter(school_id=scope.school.pk)
    return rows.filter(school__trust_id=scope.trust.pk)


def _sum(scope, period, measure, *by):
    return list(
        _rows(scope, period, measure).values(*by).annotate(n=Sum("cases")).values_list(*by, "n")
    )


def cases_by_month(scope: Scope, period: Period) -> list[tuple[tuple[int, int], int]]:
    # Every counted case has exactly one outcome, so a month's outcomes add up to its cases.
    return [((m.year, m.month), n) for m, n in _sum(scope, period, OUTCOME, "month")]


def cases_by_month_and(
    scope: Scope, period: Period, dimension: str
) -> list[tuple[tuple[int, int], str, int]]:
    key = "key2" if dimension == REFERRAL else "key"  # the current decision
    return [((m.year, m.month), k, n) for m, k, n in _sum(scope, period, dimension, "month", key)]


def cases_by_kind(scope: Scope, period: Period) -> list[tuple[str, int]]:
    return _sum(scope, period, KIND, "key")


def cases_by_typology(scope: Scope, period: Period) -> list[tuple[str, int]]:
    return _sum(scope, period, TYPOLOGY, "key")


def cases_by_school_and_outcome(scope: Scope, period: Period) -> list[tuple[int, str, int]]:
    return _sum(scope, period, OUTCOME, "school_id", "key")


def cases_by_outcome(scope: Scope, period: Period) -> list[tuple[str, int]]:
    return _sum(scope, period, OUTCOME, "key")


def referral_lines(scope: Scope, period: Period) -> list[tuple[str, str, int]]:
    return _sum(scope, period, REFERRAL, "key", "key2")


def factors_applied(scope: Scope, period: Period) -> list[tuple[str, str, int]]:
    return _sum(scope, period, FACTOR, "key", "key2")


def hours_to_acknowledgement(scope: Scope, period: Period) -> list[tuple[int, int]]:
    return [(int(h), n) for h, n in _sum(scope, period, ACK_HOURS, "key")]


def hours_to_first_decision(scope: Scope, period: Period) -> list[tuple[int, int]]:
    return [(int(h), n) for h, n in _sum(scope, period, DECISION_HOURS, "key")]


def cases_by_year_group_band(scope: Scope, period: Period) -> list[tuple[str, int]]:
    return _sum(scope, period, BAND, "key")


pupils_on_roll = queries.pupils_on_roll
