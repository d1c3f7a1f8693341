"""Triggers that mark a school's month stale whenever a change could move one of its figures.

PostgreSQL only (elsewhere the dashboard counts straight from the cases: `stats.summary.enabled`).
Statement-level AFTER triggers with transition tables, so a bulk write adds one row per school
and month it touched, not one per case, in the same transaction as the write: a committed change
always leaves its mark, however it was made (the ORM, QuerySet.update, raw SQL, a cascade).
Marked: cases (any real change: create, decision fields, status, duplicate, disposal's
overwrites, delete), decisions and checklist overrides (time to first decision), referral
factors, the pupils in a case, and a pupil's year group (the year-group bands).
The month is the one a case was reported in, in settings.TIME_ZONE, as the dashboard's months.
"""

from django.conf import settings
from django.db import migrations

MONTH = "date_trunc('month', {alias}submitted_at AT TIME ZONE '{tz}')::date"
MARK = "INSERT INTO stats_summarystale (school_id, month) SELECT DISTINCT {school}, {month} "


def _install(tz: str) -> list[str]:
    month = MONTH.format(alias="i.", tz=tz.replace("'", ""))
    mark = MARK.format(school="i.school_id", month=month)
    via_incident = "JOIN incidents_incident i ON i.id = r.incident_id"
    statements = [
        f"""
        CREATE OR REPLACE FUNCTION stats_stale_incident() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {mark} FROM new_rows i;
            ELSIF TG_OP = 'DELETE' THEN
                {mark} FROM old_rows i;
            ELSE
                {mark} FROM (
                    SELECT n.school_id, n.submitted_at FROM new_rows n JOIN old_rows o
                    ON o.id = n.id WHERE n IS DISTINCT FROM o
                    UNION
                    SELECT o.school_id, o.submitted_at FROM new_rows n JOIN old_rows o
                    ON o.id = n.id WHERE n IS DISTINCT FROM o
                ) i;
            END IF;
            RETURN NULL;
        END;
        $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION stats_stale_case_child() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {mark} FROM new_rows r {via_incident};
            ELSIF TG_OP = 'DELETE' THEN
                {mark} FROM old_rows r {via_incident};
            ELSE
                {mark} FROM (SELECT incident_id FROM new_rows
                             UNION SELECT incident_id FROM old_rows) r {via_incident};
            END IF;
            RETURN NULL;
        END;
        $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION stats_stale_pupil() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            {mark} FROM new_rows n JOIN old_rows o ON o.id = n.id
                AND o.year_group IS DISTINCT FROM n.year_group
                JOIN incidents_incidentpupil r ON r.pupil_id = n.id {via_incident};
            RETURN NULL;
        END;
        $$
        """,
    ]
    tables = {
        "incidents_incident": "stats_stale_incident",
        "cases_decision": "stats_stale_case_child",
        "cases_triageoverride": "stats_stale_case_child",
        "incidents_triggeredfactor": "stats_stale_case_child",
        "incidents_incidentpupil": "stats_stale_case_child",
    }
    referencing = {
        "INSERT": "NEW TABLE AS new_rows",
        "UPDATE": "NEW TABLE AS new_rows OLD TABLE AS old_rows",
        "DELETE": "OLD TABLE AS old_rows",
    }
    for table, function in tables.items():
        for event, transition in referencing.items():
            statements.append(
                f"CREATE TRIGGER stats_stale_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    statements.append(
        "CREATE TRIGGER stats_stale_update AFTER UPDATE ON incidents_pupil "
        f"REFERENCING {referencing['UPDATE']} FOR EACH STATEMENT EXECUTE FUNCTION "
        "stats_stale_pupil()"
    )
    return statements


def _remove() -> list[str]:
    tables = [
        "incidents_incident",
        "cases_decision",
        "cases_triageoverride",
        "incidents_triggeredfactor",
        "incidents_incidentpupil",
    ]
    statements = [
        f"DROP TRIGGER IF EXISTS stats_stale_{event} ON {table}"
        for table in tables
        for event in ("insert", "update", "delete")
    ]
    statements.append("DROP TRIGGER IF EXISTS stats_stale_update ON incidents_pupil")
    statements += [
        f"DROP FUNCTION IF EXISTS {name}()"
        for name in ("stats_stale_incident", "stats_stale_case_child", "stats_stale_pupil")
    ]
    return statements


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _install(settings.TIME_ZONE):
            schema_editor.execute(statement)
        # Whatever is already there is counted by the first catch-up.
        schema_editor.execute(
            MARK.format(school="i.school_id", month=MONTH.format(alias="i.", tz=settings.TIME_ZONE))
            + "FROM incidents_incident i"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _remove():
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0001_initial"),
        ("incidents", "0007_pupil_referral_details"),
        ("cases", "0007_search_indexes"),
    ]

    operations = [migrations.RunPython(install, remove)]
