"""An index for "who has seen this case": the inbox and a pupil's file write one audit record
per page, naming the cases shown in data["cases"] (incidents.services.log_cases_seen). On
PostgreSQL a partial GIN index over that list finds a case's records among a school's many page
views; SQLite (development) has no such index and reads them all.
"""

from django.db import migrations

INDEX = "safeguarding_auditevent_cases_listed"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON safeguarding_auditevent"
            " USING gin ((data -> 'cases') jsonb_path_ops) WHERE action = 'incident.viewed'"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("safeguarding", "0006_audit_chain_per_school"),
    ]

    operations = [migrations.RunPython(create, drop)]
