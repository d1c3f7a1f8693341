"""The audit trail becomes one hash chain per school (plus one for events with no school), so
writers at different schools never wait on one lock.

Every record written so far keeps its place in the single chain it was written in, now called
the legacy chain (`chain` = "legacy", no `seq`): it still verifies as before. Adding the columns
changes no row (PostgreSQL stores the new column's value for existing rows in the catalogue, and
no UPDATE trigger fires). Each school's chain starts from the legacy chain's last hash, so records
removed from the end of it are noticed too. On SQLite the table is rebuilt, which drops its
triggers: they are put back at once.

Stop the app while this runs: a server still running the old code would append to no chain.
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
        ("safeguarding", "0005_canonical_emails"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.CharField(default="legacy", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash_scheme",
            field=models.CharField(
                choices=[
                    ("sha256", "SHA-256, unkeyed (records written before the chain was keyed)"),
                    ("hmac-sha256", "HMAC-SHA256 with AUDIT_HMAC_KEY (the single chain)"),
                    (
                        "hmac-sha256-chain",
                        "HMAC-SHA256 with AUDIT_HMAC_KEY, over the record, its chain and its "
                        "place in it",
                    ),
                ],
                default="hmac-sha256-chain",
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("chain", "seq"), name="one_record_per_chain_place"
            ),
        ),
        migrations.RunPython(reinstall_sqlite_triggers, migrations.RunPython.noop),
    ]
