"""Create (or bring up to date) the least-privilege PostgreSQL role the app runs as.

Migrations run as the database owner; the web server, worker and beat connect as this role.
It may read and write the ordinary tables, but on the audit table it may only SELECT and
INSERT: it cannot UPDATE, DELETE or TRUNCATE records, and (not being the owner) cannot ALTER the
table or disable its triggers. It is not a superuser, so it cannot set
session_replication_role either.

Run it as the owner, against the app's database, after `migrate`. Tables added by later
migrations (run by the same owner) get the ordinary rights automatically; running the command
again is harmless. By default it prints the SQL; --execute runs it.

The owner needs only CREATEROLE, not to be a superuser (managed PostgreSQL services never make
it one). So the role is created with PostgreSQL's defaults (no superuser, CREATEDB, CREATEROLE,
REPLICATION or BYPASSRLS, which only a superuser may name), and a role of that name that already
has any of them is refused rather than silently kept. The database's CONNECT and TEMPORARY rights
are granted when the owner owns the database; otherwise the role has them as every role does
(PUBLIC), unless the database's owner took them away.
"""

import os
import re

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from safeguarding.models import AuditEvent

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Attributes the app's role must never have, as pg_roles names them.
FORBIDDEN_ATTRIBUTES = {
    "rolsuper": "SUPERUSER",
    "rolcreatedb": "CREATEDB",
    "rolcreaterole": "CREATEROLE",
    "rolreplication": "REPLICATION",
    "rolbypassrls": "BYPASSRLS",
}
TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_RIGHTS = "USAGE, SELECT, UPDATE"
NOT_THE_OWNER = "The app's role must not be the owner the command runs as."


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class Command(BaseCommand):
    help = (
        "Print (or with --execute, run) the SQL creating a PostgreSQL role for the app that may "
        "only SELECT and INSERT audit records. Run it as the database owner."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the role's name: lower-case letters, digits, _")
        parser.add_argument(
            "--execute", action="store_true", help="run the SQL instead of printing it"
        )
        parser.add_argument(
            "--password-env",
            metavar="VARIABLE",
            help="with --execute: set the role's password from this environment variable",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, name, execute, password_env, database, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError("create_app_db_role is for PostgreSQL databases only.")
        if not ROLE_NAME.match(name):
            raise CommandError(
                "The role name must be lower-case letters, digits and _ (at most 63)."
            )
        password = None
        if password_env:
            if not execute:
                raise CommandError("--password-env needs --execute: passwords are never printed.")
            password = os.environ.get(password_env)
            if not password:
                raise CommandError(f"The environment variable {password_env} is not set.")
        if name == connection.get_connection_params().get("user", ""):
            raise CommandError(NOT_THE_OWNER)

        statements = self.statements(connection, name, password)
        if not execute:
            for statement in statements:
                self.stdout.write(statement + ";")
            return
        with transaction.atomic(using=database), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            f"Role {name} can now use the database; audit records: SELECT and INSERT only."
        )

    def statements(self, connection, name: str, password: str | None) -> list[str]:
        qn = connection.ops.quote_name
        role = qn(name)
        audit_table = AuditEvent._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_database(), current_schema(), pg_get_serial_sequence(%s, 'id'),"
                " (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),"
                " (SELECT pg_get_userbyid(datdba) = current_user FROM pg_database"
                "  WHERE datname = current_database())",
                [audit_table],
            )
            database, schema, audit_sequence, superuser, owns_database = cursor.fetchone()
            cursor.execute(
                "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls"
                " FROM pg_roles WHERE rolname = %s",
                [name],
            )
            existing = cursor.fetchone()
        held = [
            keyword
            for (column, keyword), value in zip(
                FORBIDDEN_ATTRIBUTES.items(), existing or (), strict=False
            )
            if value
        ]
        schema = qn(schema)
        login = "LOGIN"
        if held and superuser:
            login += "".join(f" NO{keyword}" for keyword in FORBIDDEN_ATTRIBUTES.values())
        elif held:
            raise CommandError(
                f"The role {name} already exists and has {', '.join(held)}, which the app's role "
                "must not have and only a superuser can take away. Ask whoever runs the database "
                "server to remove them, or choose another name."
            )
        if password is not None:
            login += f" PASSWORD {quote_literal(password)}"
        statements = [
            # CREATE ROLE's defaults are what the app needs: no superuser, CREATEDB, CREATEROLE,
            # REPLICATION or BYPASSRLS (naming them needs a superuser).
            "DO $$ BEGIN IF NOT EXISTS "
            f"(SELECT FROM pg_roles WHERE rolname = {quote_literal(name)}) "
            f"THEN CREATE ROLE {role}; END IF; END $$",
            f"ALTER ROLE {role} {login}",
        ]
        if superuser or owns_database:
            statements.append(f"GRANT CONNECT, TEMPORARY ON DATABASE {qn(database)} TO {role}")
        statements += [
            f"GRANT USAGE ON SCHEMA {schema} TO {role}",
            f"GRANT {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA {schema} TO {role}",
            f"GRANT {SEQUENCE_RIGHTS} ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {TABLE_RIGHTS} ON TABLES TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
            f"GRANT {SEQUENCE_RIGHTS} ON SEQUENCES TO {role}",
            # The audit trail: read and append, nothing else.
            f"REVOKE ALL ON TABLE {qn(audit_table)} FROM {role}",
            f"GRANT SELECT, INSERT ON TABLE {qn(audit_table)} TO {role}",
        ]
        if audit_sequence:
            statements += [
                f"REVOKE ALL ON SEQUENCE {audit_sequence} FROM {role}",
                f"GRANT USAGE ON SEQUENCE {audit_sequence} TO {role}",
            ]
        return statements
