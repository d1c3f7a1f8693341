"""Production settings pass Django's deployment checklist, and refuse to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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
            "ALLOWED_HOSTS",
            "SITE_URL",
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
        ALLOWED_HOSTS="safeguarding.example",
        SITE_URL="https://safeguarding.example",
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
    }
    missing = run_manage(tmp_path, "check", **production)
    assert missing.returncode != 0
    assert "AUDIT_HMAC_KEY" in missing.stderr
    short = run_manage(tmp_path, "check", AUDIT_HMAC_KEY="too-short", **production)
    assert short.returncode != 0
    assert "AUDIT_HMAC_KEY must be 32 or more" in short.stderr
    enough = run_manage(tmp_path, "check", AUDIT_HMAC_KEY=os.urandom(32).hex(), **production)
    assert enough.returncode == 0, enough.stderr
