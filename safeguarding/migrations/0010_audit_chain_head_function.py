"""On PostgreSQL, one statement takes a chain's lock and reads its head.

audit.record() took the chain's advisory lock and then read the chain's newest record: two
round trips on every page that writes an audit record. A plain SELECT cannot do both, since
its snapshot is taken before it waits for the lock, so it could read a head that another writer
has since moved on. This function can: it is VOLATILE, so the SELECT inside it takes a fresh
snapshot after the lock is held, and sees every record committed before.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION safeguarding_audit_chain_head(lock_key bigint, chain_name text)
RETURNS TABLE (head_hash text, head_seq bigint)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN QUERY
        SELECT e.hash::text, e.seq::bigint
        FROM safeguarding_auditevent AS e
        WHERE e.chain = chain_name
        ORDER BY e.seq DESC
        LIMIT 1;
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS safeguarding_audit_chain_head(bigint, text);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("safeguarding", "0009_pastoral_staff"),
    ]

    operations = [migrations.RunPython(create, drop)]
