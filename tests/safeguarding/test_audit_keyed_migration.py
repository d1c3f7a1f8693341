"""Migration 0004 marks records written before the chain was keyed as unkeyed, and 0006 puts
every record written before the split by school in the single legacy chain: they all still
verify, new records go to their school's chain, which starts from the legacy chain's last record,
and the table stays append-only (on SQLite both migrations rebuild the table, which would
otherwise drop its triggers)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import hashlib, hmac, json, sys
from datetime import datetime, timezone
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

call_command("migrate", "safeguarding", "0003", verbosity=0)
previous = "0" * 64
for n in range(3):
    at = datetime(2026, 1, 1, 10, n, tzinfo=timezone.utc)
    payload = {"at": at.isoformat(), "actor": None, "action": f"test.old_{n}",
               "target_type": "test", "target_id": str(n), "school": None, "ip_address": None,
               "request_id": "", "data": {"n": n}, "previous_hash": previous}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO safeguarding_auditevent (at, action, target_type, target_id,"
            " request_id, data, previous_hash, hash) VALUES (%s, %s, 'test', %s, '', %s, %s, %s)",
            [at, f"test.old_{n}", str(n), json.dumps({"n": n}), previous, digest],
        )
    previous = digest
# The single keyed chain, as the code between 0004 and 0006 wrote it.
call_command("migrate", "safeguarding", "0005", verbosity=0)
for n in range(3, 5):
    at = datetime(2026, 1, 1, 10, n, tzinfo=timezone.utc)
    payload = {"at": at.isoformat(), "actor": None, "action": f"test.keyed_{n}",
               "target_type": "test", "target_id": str(n), "school": None, "ip_address": None,
               "request_id": "", "data": {"n": n}, "previous_hash": previous}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    digest = hmac.new(settings.AUDIT_HMAC_KEY.encode(), canonical.encode(),
                      hashlib.sha256).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO safeguarding_auditevent (at, action, target_type, target_id,"
            " request_id, data, previous_hash, hash, hash_scheme)"
            " VALUES (%s, %s, 'test', %s, '', %s, %s, %s, 'hmac-sha256')",
            [at, f"test.keyed_{n}", str(n), json.dumps({"n": n}), previous, digest],
        )
    previous = digest
call_command("migrate", verbosity=0)

from safeguarding import audit
from safeguarding.models import AuditEvent

call_command("verify_audit")
new = audit.record("test.new")
assert new.hash_scheme == "hmac-sha256-chain" and new.previous_hash == previous, new
assert (new.chain, new.seq) == ("none", 1), new
print(sorted(set(AuditEvent.objects.values_list("chain", flat=True))))
call_command("verify_audit")
print(sorted(AuditEvent.objects.values_list("hash_scheme", flat=True)))
try:
    with transaction.atomic():
        AuditEvent.objects.filter(pk=new.pk).update(action="test.rewritten")
    print("UPDATE ALLOWED")
except DatabaseError as error:
    print("UPDATE REFUSED", error)
"""


def run(database_url: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"PRODUCTION", "CELERY_BROKER_URL"}}
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="safeguarding.settings")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return result.stdout


def check(output: str) -> None:
    assert "Audit trail intact: 5 records in 1 chain (3 written before the chain was keyed" in (
        output
    )
    assert "Audit trail intact: 6 records in 2 chains (3 written before the chain was keyed" in (
        output
    )
    assert "['legacy', 'none']" in output
    assert (
        "['hmac-sha256', 'hmac-sha256', 'hmac-sha256-chain', 'sha256', 'sha256', 'sha256']"
        in output
    )
    assert "UPDATE REFUSED" in output and "append-only" in output


def test_on_sqlite(tmp_path):
    check(run(f"sqlite:///{tmp_path / 'db.sqlite3'}"))


def test_on_postgres(postgres):
    name = f"sg_audit_migration_{uuid.uuid4().hex[:10]}"
    params = connection.get_connection_params()
    host, port, user = params.get("host") or "127.0.0.1", params.get("port") or 5432, params["user"]
    admin = psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        check(run(f"postgres://{user}@{host}:{port}/{name}"))
    finally:
        admin.execute(f'DROP DATABASE "{name}"')
        admin.close()
