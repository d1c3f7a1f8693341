"""Production settings pass Django's deployment checklist, and refuse to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REAL_MAIL_SERVER = "smtp+tls://alerts:secret@mail.safeguarding.example:587"


def run_manage(tmp_path, *args, **overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "DEBUG",
            "SECRET_KEY",
            "AUDIT_HMAC_KEY",
            "AUDIT_LAST_UNKEYED_ID",
            "ALLOWED_HOSTS",
            "SITE_URL",
            "EMAIL_URL",
        }
    }
    env["VAR_DIR"] = str(tmp_path)
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = run_manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PRODUCTION="true",
        SECRET_KEY=os.urandom(40).hex(),
        AUDIT_HMAC_KEY=os.urandom(32).hex(),
        AUDIT_LAST_UNKEYED_ID="0",
        ALLOWED_HOSTS="safeguarding.example",
        SITE_URL="https://safeguarding.example",
        EMAIL_URL=REAL_MAIL_SERVER,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_on_development_settings(tmp_path):
    # The same check does catch something: DEBUG on, no HSTS, insecure cookies.
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr  # DEBUG on


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage(tmp_path, "check", PRODUCTION="true", ALLOWED_HOSTS="safeguarding.example")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = run_manage(tmp_path, "check", PRODUCTION="true", SECRET_KEY=os.urandom(40).hex())
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_refuses_debug(tmp_path):
    result = run_manage(
        tmp_path,
        "check",
        PRODUCTION="true",
        DEBUG="true",
        SECRET_KEY=os.urandom(40).hex(),
        ALLOWED_HOSTS="safeguarding.example",
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_refuses_to_start_without_its_own_address(tmp_path):
    # Invitation and password-reset links are built from SITE_URL: never a localhost default.
    result = run_manage(
        tmp_path,
        "check",
        PRODUCTION="true",
        SECRET_KEY=os.urandom(40).hex(),
        AUDIT_HMAC_KEY=os.urandom(32).hex(),
        AUDIT_LAST_UNKEYED_ID="0",
        ALLOWED_HOSTS="safeguarding.example",
    )
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


def test_production_refuses_to_start_without_an_audit_key(tmp_path):
    # The audit chain is keyed: without the key anyone with the database password could rewrite it.
    production = {
        "PRODUCTION": "true",
        "SECRET_KEY": os.urandom(40).hex(),
        "ALLOWED_HOSTS": "safeguarding.example",
        "SITE_URL": "https://safeguarding.example",
        "AUDIT_LAST_UNKEYED_ID": "0",
        "EMAIL_URL": REAL_MAIL_SERVER,
    }
    missing = run_manage(tmp_path, "check", **production)
    assert missing.returncode != 0
    assert "AUDIT_HMAC_KEY" in missing.stderr
    short = run_manage(tmp_path, "check", AUDIT_HMAC_KEY="too-short", **production)
    assert short.returncode != 0
    assert "AUDIT_HMAC_KEY must be 32 or more" in short.stderr
    enough = run_manage(tmp_path, "check", AUDIT_HMAC_KEY=os.urandom(32).hex(), **production)
    assert enough.returncode == 0, enough.stderr


def test_production_refuses_to_start_without_the_last_unkeyed_id(tmp_path):
    """Issue 13, point 4: without it a trail rewritten with the public unkeyed hash passed
    verify_audit, and production started happily."""
    production = {
        "PRODUCTION": "true",
        "SECRET_KEY": os.urandom(40).hex(),
        "AUDIT_HMAC_KEY": os.urandom(32).hex(),
        "ALLOWED_HOSTS": "safeguarding.example",
        "SITE_URL": "https://safeguarding.example",
        "EMAIL_URL": REAL_MAIL_SERVER,
    }
    missing = run_manage(tmp_path, "check", **production)
    assert missing.returncode != 0
    assert "Set AUDIT_LAST_UNKEYED_ID" in missing.stderr
    given = run_manage(tmp_path, "check", AUDIT_LAST_UNKEYED_ID="0", **production)
    assert given.returncode == 0, given.stderr


def test_check_deploy_fails_without_the_last_unkeyed_id(tmp_path):
    result = run_manage(tmp_path, "check", "--deploy", DEBUG="false")
    assert result.returncode != 0
    assert "safeguarding.E001" in result.stdout + result.stderr
    assert "AUDIT_LAST_UNKEYED_ID is not set" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("email_url", "says"),
    [
        (None, "Set EMAIL_URL to a real mail server"),
        ("", "Set EMAIL_URL to a real mail server"),
        # docker compose's old default, and other test mailboxes
        ("smtp://mailpit:1025", "points at a test mailbox"),
        ("smtp://MailHog:1025", "points at a test mailbox"),
        ("smtp://127.0.0.1:1025", "points at a test mailbox"),
        ("filemail://", "points at a test mailbox"),
        ("consolemail://", "points at a test mailbox"),
    ],
)
def test_production_refuses_to_start_without_a_real_mail_server(tmp_path, email_url, says):
    # DSL alerts sent into a box nobody reads would count as sent: the service must not start.
    production = {
        "PRODUCTION": "true",
        "SECRET_KEY": os.urandom(40).hex(),
        "AUDIT_HMAC_KEY": os.urandom(32).hex(),
        "AUDIT_LAST_UNKEYED_ID": "0",
        "ALLOWED_HOSTS": "safeguarding.example",
        "SITE_URL": "https://safeguarding.example",
    }
    if email_url is not None:
        production["EMAIL_URL"] = email_url
    result = run_manage(tmp_path, "check", "--deploy", **production)
    assert result.returncode != 0
    assert says in result.stderr
