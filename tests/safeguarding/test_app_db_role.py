"""`manage.py create_app_db_role`: on PostgreSQL the app runs as a role that can append audit
records but never change, remove or unprotect them, while using every other table normally."""

import os
import re
import subprocess
import sys
import uuid
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg import errors

from safeguarding.management.commands.create_app_db_role import NOT_THE_OWNER

pytestmark = pytest.mark.django_db(transaction=True)

AUDIT = "safeguarding_auditevent"
ROOT = Path(__file__).resolve().parents[2]


def role_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", [name])
        return cursor.fetchone()[0] == 1


@pytest.fixture
def role_name(postgres):
    name = f"sg_test_app_{uuid.uuid4().hex[:10]}"
    yield name
    if role_exists(name):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{name}"')
            cursor.execute(f'DROP ROLE "{name}"')


@pytest.fixture
def app_role(role_name):
    call_command("create_app_db_role", role_name, "--execute", stdout=StringIO())
    params = connection.get_connection_params()
    conn = psycopg.connect(
        host=params.get("host") or "127.0.0.1",
        port=params.get("port") or 5432,
        dbname=params["dbname"],
        user=role_name,
        autocommit=True,
    )
    yield conn
    conn.close()


def insert_audit_row(conn) -> int:
    return conn.execute(
        f"INSERT INTO {AUDIT} (at, action, target_type, target_id, request_id, data, chain,"
        " previous_hash, hash, hash_scheme)"
        " VALUES (now(), 'test.by_app_role', 'test', '1', '', '{}', 'test', %s, %s,"
        " 'hmac-sha256-chain')"
        " RETURNING id",
        ["0" * 64, uuid.uuid4().hex * 2],
    ).fetchone()[0]


def test_printing_the_sql_creates_nothing(role_name):
    out = StringIO()
    call_command("create_app_db_role", role_name, stdout=out)
    sql = out.getvalue()
    assert f'GRANT SELECT, INSERT ON TABLE "{AUDIT}" TO "{role_name}";' in sql
    assert f'REVOKE ALL ON TABLE "{AUDIT}" FROM "{role_name}";' in sql
    assert not role_exists(role_name)


def test_the_app_role_can_append_and_read_audit_records(app_role):
    row_id = insert_audit_row(app_role)
    assert app_role.execute(f"SELECT action FROM {AUDIT} WHERE id = %s", [row_id]).fetchone() == (
        "test.by_app_role",
    )
    # The app's own lock for chaining records works for it too.
    app_role.execute("SELECT pg_advisory_lock(1), pg_advisory_unlock(1)")


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {AUDIT} SET action = 'test.rewritten'",
        f"DELETE FROM {AUDIT}",
        f"TRUNCATE {AUDIT}",
    ],
)
def test_the_app_role_may_not_change_or_remove_audit_records(app_role, statement):
    row_id = insert_audit_row(app_role)
    with pytest.raises(errors.InsufficientPrivilege, match=f"permission denied for table {AUDIT}"):
        app_role.execute(statement)
    assert app_role.execute(f"SELECT action FROM {AUDIT} WHERE id = %s", [row_id]).fetchone() == (
        "test.by_app_role",
    )


@pytest.mark.parametrize(
    "statement",
    [
        f"ALTER TABLE {AUDIT} DISABLE TRIGGER USER",
        f"ALTER TABLE {AUDIT} DISABLE TRIGGER safeguarding_auditevent_no_update_or_delete",
        f"DROP TRIGGER safeguarding_auditevent_no_update_or_delete ON {AUDIT}",
    ],
)
def test_the_app_role_may_not_switch_off_the_triggers(app_role, statement):
    with pytest.raises(
        errors.InsufficientPrivilege, match=f"must be owner of (table|relation) {AUDIT}"
    ):
        app_role.execute(statement)


def test_the_app_role_may_not_silence_triggers_with_replica_mode(app_role):
    with pytest.raises(errors.InsufficientPrivilege, match="session_replication_role"):
        app_role.execute("SET session_replication_role = replica")


def test_the_app_role_uses_other_tables_normally(app_role):
    key = uuid.uuid4().hex
    app_role.execute(
        "INSERT INTO django_session (session_key, session_data, expire_date)"
        " VALUES (%s, 'x', now())",
        [key],
    )
    app_role.execute("UPDATE django_session SET session_data = 'y' WHERE session_key = %s", [key])
    assert app_role.execute(
        "SELECT session_data FROM django_session WHERE session_key = %s", [key]
    ).fetchone() == ("y",)
    app_role.execute("DELETE FROM django_session WHERE session_key = %s", [key])
    # Tables with their own id sequences too.
    trust_id = app_role.execute(
        "INSERT INTO safeguarding_trust (name, slug, suppression_threshold)"
        " VALUES ('Role Trust', %s, 5) RETURNING id",
        [key],
    ).fetchone()[0]
    app_role.execute("DELETE FROM safeguarding_trust WHERE id = %s", [trust_id])


def test_running_it_again_is_harmless(app_role, role_name):
    call_command("create_app_db_role", role_name, "--execute", stdout=StringIO())
    insert_audit_row(app_role)
    with pytest.raises(errors.InsufficientPrivilege):
        app_role.execute(f"DELETE FROM {AUDIT}")


def test_the_owner_cannot_be_made_the_app_role(postgres):
    owner = connection.get_connection_params()["user"]
    with pytest.raises(CommandError, match=re.escape(NOT_THE_OWNER)):
        call_command("create_app_db_role", owner, stdout=StringIO())


# Issue 13, point 10: on managed PostgreSQL the owner has CREATEROLE but is never a superuser;
# naming NOSUPERUSER (or NOREPLICATION, NOBYPASSRLS) in ALTER ROLE needs a superuser, so the
# command failed there.


def manage(database_url: str, *args: str, **env) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"PRODUCTION", "CELERY_BROKER_URL"}
    }
    environment.update(DATABASE_URL=database_url, **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def createrole_owner(postgres):
    """A database owned by a role with CREATEROLE (and CREATEDB) but not a superuser."""
    suffix = uuid.uuid4().hex[:10]
    owner, database, app = (
        f"sg_test_owner_{suffix}",
        f"sg_test_cr_{suffix}",
        f"sg_test_app_{suffix}",
    )
    params = connection.get_connection_params()
    host, port = params.get("host") or "127.0.0.1", params.get("port") or 5432
    admin = psycopg.connect(
        host=host, port=port, user=params["user"], dbname="postgres", autocommit=True
    )
    admin.execute(f'CREATE ROLE "{owner}" LOGIN CREATEROLE CREATEDB NOSUPERUSER')
    admin.execute(f'CREATE DATABASE "{database}" OWNER "{owner}"')
    try:
        yield {
            "url": f"postgres://{owner}@{host}:{port}/{database}",
            "app": app,
            "connect": lambda user: psycopg.connect(
                host=host, port=port, user=user, dbname=database, autocommit=True
            ),
        }
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'DROP ROLE IF EXISTS "{app}"')
        admin.execute(f'DROP ROLE IF EXISTS "{owner}"')
        admin.close()


def test_it_works_where_the_owner_has_createrole_but_is_not_a_superuser(createrole_owner):
    url, app = createrole_owner["url"], createrole_owner["app"]
    migrated = manage(url, "migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    made = manage(
        url, "create_app_db_role", app, "--execute", "--password-env", "APP_PW", APP_PW="pw1"
    )
    assert made.returncode == 0, made.stderr[-3000:]
    again = manage(url, "create_app_db_role", app, "--execute")
    assert again.returncode == 0, again.stderr[-3000:]

    with createrole_owner["connect"](app) as conn:
        row_id = insert_audit_row(conn)
        assert conn.execute(f"SELECT id FROM {AUDIT} WHERE id = %s", [row_id]).fetchone()
        for statement in (f"DELETE FROM {AUDIT}", f"UPDATE {AUDIT} SET action = 'x'"):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement)
        attributes = conn.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls"
            " FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert attributes == (False, False, False, False, False)


def test_an_existing_role_with_too_many_rights_is_refused_not_kept(createrole_owner):
    url, app = createrole_owner["url"], createrole_owner["app"]
    with createrole_owner["connect"](createrole_owner["url"].split("//")[1].split("@")[0]) as conn:
        conn.execute(f'CREATE ROLE "{app}" LOGIN CREATEROLE')
    assert manage(url, "migrate", "--noinput", "-v", "0").returncode == 0
    refused = manage(url, "create_app_db_role", app, "--execute")
    assert refused.returncode != 0
    assert f"The role {app} already exists and has CREATEROLE" in refused.stderr
