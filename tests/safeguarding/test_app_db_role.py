"""`manage.py create_app_db_role`: on PostgreSQL the app runs as a role that can append audit
records but never change, remove or unprotect them, while using every other table normally."""

import re
import uuid
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg import errors

from safeguarding.management.commands.create_app_db_role import NOT_THE_OWNER

pytestmark = pytest.mark.django_db(transaction=True)

AUDIT = "safeguarding_auditevent"


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
