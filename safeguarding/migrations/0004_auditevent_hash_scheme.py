"""Key the audit chain: each record says how its hash was made.

Records already written were hashed with plain SHA-256, so the new column is filled with
"sha256" for them; from here on the model's default, HMAC-SHA256 with settings.AUDIT_HMAC_KEY,
applies. Adding the column changes no row (no UPDATE trigger fires). On SQLite, Django adds a
NOT NULL column with a default by rebuilding the table, which drops its triggers: they are put
back at once, in the same migration.
"""

import importlib

from django.db import migrations, models

append_only = importlib.import_module("safeguarding.migrations.0002_audit_trail_append_only")


def reinstall_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in append_only.SQLITE_REMOVE + append_only.SQLITE_INSTALL:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("safeguarding", "0003_invitation"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="hash_scheme",
            field=models.CharField(
                choices=[
                    ("sha256", "SHA-256, unkeyed (records written before the chain was keyed)"),
                    ("hmac-sha256", "HMAC-SHA256 with AUDIT_HMAC_KEY"),
                ],
                default="sha256",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash_scheme",
            field=models.CharField(
                choices=[
                    ("sha256", "SHA-256, unkeyed (records written before the chain was keyed)"),
                    ("hmac-sha256", "HMAC-SHA256 with AUDIT_HMAC_KEY"),
                ],
                default="hmac-sha256",
                max_length=16,
            ),
        ),
        migrations.RunPython(reinstall_sqlite_triggers, migrations.RunPython.noop),
    ]
