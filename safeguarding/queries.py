"""Numbers and short lists from several tables in one query each, for pages that show a
little of everything (the home page): `count_of` makes a count a column of the outer row;
`short_lists` reads several short lists, from any tables, in one UNION ALL."""

from typing import NamedTuple

from django.db import connection
from django.db.models import (
    BigIntegerField,
    CharField,
    DateField,
    DateTimeField,
    F,
    Func,
    IntegerField,
    Subquery,
    UUIDField,
    Value,
)
from django.db.models.functions import Cast


def count_of(queryset) -> Subquery:
    """How many rows `queryset` has, as a column of each outer row (it may use OuterRef)."""
    return Subquery(
        queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


class Row(NamedTuple):
    """One row of `short_lists`: `kind` says which list; the other columns are what that list
    gave (None where it gave nothing)."""

    kind: str
    school: int | None
    case: object  # a case's id
    task: int | None
    reference: str | None
    status: str | None
    at: object  # a datetime
    on: object  # a date
    person: object  # a person's id
    name: str | None
    email: str | None


_COLUMNS = {
    "school": BigIntegerField(),
    "case": UUIDField(),
    "task": BigIntegerField(),
    "reference": CharField(),
    "status": CharField(),
    "at": DateTimeField(),
    "on": DateField(),
    "person": UUIDField(),
    "name": CharField(),
    "email": CharField(),
}


def short_lists(parts) -> list[Row]:
    """Several lists in one query. `parts`: (kind, queryset, columns), where the queryset may be
    ordered and sliced (its first N rows: SQLite allows neither inside a UNION, so there the
    part reads the rows whose ids the slice picks) and `columns` maps Row's names to expressions on
    its rows. Rows come back in no particular order: sort each list as it needs."""
    selects = []
    for kind, queryset, columns in parts:
        rows = queryset
        if (
            queryset.query.is_sliced
            and not connection.features.supports_slicing_ordering_in_compound
        ):
            rows = queryset.model.objects.filter(pk__in=queryset.values("pk"))
        values = {"row_kind": Value(kind, output_field=CharField())}
        for name, output_field in _COLUMNS.items():
            # A typed NULL: PostgreSQL matches a UNION's columns two parts at a time.
            values[f"row_{name}"] = columns.get(name, Cast(Value(None), output_field))
        if not rows.query.is_sliced:
            rows = rows.order_by()
        selects.append(rows.annotate(**values).values_list(*values))
    if not selects:
        return []
    union = selects[0].union(*selects[1:], all=True) if len(selects) > 1 else selects[0]
    return [Row(*values) for values in union]
