"""The database itself refuses to change or remove audit records.

PostgreSQL: one trigger function raises for UPDATE, DELETE (row triggers) and TRUNCATE (statement
trigger). SQLite: BEFORE UPDATE / BEFORE DELETE triggers that abort (SQLite has no TRUNCATE).
Only a table owner who disables the triggers on purpose can get round them; the safeguarding
`flush` command does that for test databases only (settings.AUDIT_TRAIL_ERASABLE_BY_FLUSH).
"""

from django.db import migrations

MESSAGE = "The audit trail is append-only: records cannot be changed or removed."

POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION safeguarding_auditevent_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE} (% refused)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$
    """,
    """
    CREATE TRIGGER safeguarding_auditevent_no_update_or_delete
    BEFORE UPDATE OR DELETE ON safeguarding_auditevent
    FOR EACH ROW EXECUTE FUNCTION safeguarding_auditevent_refuse_change()
    """,
    """
    CREATE TRIGGER safeguarding_auditevent_no_truncate
    BEFORE TRUNCATE ON safeguarding_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION safeguarding_auditevent_refuse_change()
    """,
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS safeguarding_auditevent_no_truncate ON safeguarding_auditevent",
    "DROP TRIGGER IF EXISTS safeguarding_auditevent_no_update_or_delete"
    " ON safeguarding_auditevent",
    "DROP FUNCTION IF EXISTS safeguarding_auditevent_refuse_change()",
]

SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER safeguarding_auditevent_no_update
    BEFORE UPDATE ON safeguarding_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} (UPDATE refused)'); END
    """,
    f"""
    CREATE TRIGGER safeguarding_auditevent_no_delete
    BEFORE DELETE ON safeguarding_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} (DELETE refused)'); END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS safeguarding_auditevent_no_update",
    "DROP TRIGGER IF EXISTS safeguarding_auditevent_no_delete",
]


def _run(schema_editor, statements_by_vendor):
    statements = statements_by_vendor.get(schema_editor.connection.vendor)
    if statements is None:
        raise NotImplementedError(
            f"No append-only triggers for {schema_editor.connection.vendor}: "
            "the audit trail must be protected by the database."
        )
    for statement in statements:
        # params=None: the driver must not read the trigger's own % placeholder as a parameter.
        schema_editor.execute(statement, params=None)


def install(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_INSTALL, "sqlite": SQLITE_INSTALL})


def remove(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_REMOVE, "sqlite": SQLITE_REMOVE})


class Migration(migrations.Migration):
    dependencies = [
        ("safeguarding", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, remove),
    ]
