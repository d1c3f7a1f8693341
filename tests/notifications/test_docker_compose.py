"""docker-compose.yml runs the whole service, and sets only settings the app reads."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def names_settings_read() -> set[str]:
    source = (ROOT / "safeguarding" / "settings.py").read_text()
    return set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", source))


def command(service: dict) -> str:
    value = service["command"]
    return " ".join(value) if isinstance(value, list) else value


def test_every_service_is_there_with_a_health_check(compose):
    services = compose["services"]
    assert set(services) >= {"postgres", "redis", "web", "worker", "beat", "mailpit"}
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"


def test_the_app_runs_gunicorn_a_worker_and_beat_in_production_mode(compose):
    services = compose["services"]
    assert "gunicorn safeguarding.wsgi:application" in command(services["web"])
    assert "manage.py migrate" in command(services["web"])
    assert command(services["worker"]).startswith("celery -A safeguarding worker")
    assert command(services["beat"]).startswith("celery -A safeguarding beat")
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["PRODUCTION"] == "true"
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:")
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:" in env["DATABASE_URL"]
        assert services[name]["build"] == "."
    assert (ROOT / "Dockerfile").exists()


def test_data_lives_in_volumes(compose):
    assert set(compose["volumes"]) >= {"postgres-data", "redis-data"}
    assert "postgres-data:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]
    assert "redis-data:/data" in compose["services"]["redis"]["volumes"]


def test_every_environment_name_the_app_is_given_is_one_settings_reads(compose):
    read = names_settings_read()
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL"} <= read
    for name in APP_SERVICES:
        unknown = set(compose["services"][name]["environment"]) - read
        assert not unknown, f"{name} sets {unknown}, which settings.py never reads"


def test_the_example_environment_file_covers_what_compose_needs():
    text = (ROOT / "docker-compose.yml").read_text()
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    example = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert interpolated <= example, interpolated - example
    assert example <= names_settings_read() | interpolated, example - names_settings_read()


def test_the_web_access_log_leaves_out_query_strings_and_referrers(compose):
    # Filters and searches put pupils' names in query strings (?pupil=...): the log line
    # carries the path only (%(U)s), never the request line, query or referrer.
    web = command(compose["services"]["web"])
    assert "--access-logformat" in web and "%(U)s" in web
    for leaky in ("%(r)s", "%(q)s", "%(f)s"):
        assert leaky not in web
