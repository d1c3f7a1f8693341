"""docker-compose.yml runs the whole service, and sets only settings the app reads.

Migrations run in a one-shot service as the database owner, which then makes the
least-privilege role (`create_app_db_role`); web, worker and beat connect as that role only."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
APP_ROLE = "safeguarding_app"
# postgres://user:${PASSWORD...}@host:port/database, with the password interpolated by compose.
POSTGRES_URL = re.compile(
    r"^postgres://(?P<user>[a-z_][a-z0-9_]*):\$\{(?P<password>[A-Z][A-Z0-9_]*)[^}]*\}"
    r"@(?P<server>[^/]+)/(?P<database>\w+)$"
)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def names_settings_read() -> set[str]:
    source = (ROOT / "safeguarding" / "settings.py").read_text()
    return set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", source))


def command(service: dict) -> str:
    value = service["command"]
    return " ".join(value) if isinstance(value, list) else value


def database_url(service: dict) -> dict:
    match = POSTGRES_URL.match(service["environment"]["DATABASE_URL"])
    assert match, service["environment"]["DATABASE_URL"]
    return match.groupdict()


def test_every_service_is_there_with_a_health_check(compose):
    services = compose["services"]
    assert set(services) >= {"postgres", "redis", "migrate", "web", "worker", "beat", "mailpit"}
    for name, service in services.items():
        if name == "migrate":
            # One-shot: it exits when done, and what waits for it waits for its exit code.
            assert service["restart"] == "no"
            assert "healthcheck" not in service
            continue
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"


def test_the_app_runs_gunicorn_a_worker_and_beat_in_production_mode(compose):
    services = compose["services"]
    assert command(services["web"]).startswith("gunicorn safeguarding.wsgi:application")
    assert command(services["worker"]).startswith("celery -A safeguarding worker")
    assert command(services["beat"]).startswith("celery -A safeguarding beat")
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["PRODUCTION"] == "true"
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:")
        assert database_url(services[name])["server"].startswith("postgres:")
        assert services[name]["build"] == "."
        assert services[name]["image"] == services["migrate"]["image"]
    assert (ROOT / "Dockerfile").exists()


def test_the_migrate_service_migrates_as_the_owner_then_makes_the_app_role(compose):
    services = compose["services"]
    migrate = services["migrate"]
    postgres = services["postgres"]["environment"]
    owner = database_url(migrate)
    assert owner["user"] == postgres["POSTGRES_USER"]
    assert owner["password"] == "POSTGRES_PASSWORD"
    assert owner["database"] == postgres["POSTGRES_DB"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert migrate["build"] == "."
    assert migrate["environment"]["PRODUCTION"] == "true"
    # The role is made only once migrate has succeeded, with its password from the environment.
    steps = [step.strip() for step in command(migrate).removeprefix("sh -c ").split("&&")]
    assert steps == [
        "python manage.py migrate --noinput",
        f"python manage.py create_app_db_role {APP_ROLE} --execute --password-env APP_DB_PASSWORD",
    ]
    assert migrate["environment"]["APP_DB_PASSWORD"].startswith("${APP_DB_PASSWORD:?")


def test_web_worker_and_beat_connect_as_the_app_role_once_migrate_has_finished(compose):
    services = compose["services"]
    owner = database_url(services["migrate"])
    for name in APP_SERVICES:
        service = services[name]
        app = database_url(service)
        assert app["user"] == APP_ROLE != owner["user"], name
        assert app["password"] == "APP_DB_PASSWORD", name
        assert (app["server"], app["database"]) == (owner["server"], owner["database"]), name
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "migrate" not in command(service), f"{name} runs migrations"
        # The owner's password is given to the migrate service (and PostgreSQL) alone.
        for value in service["environment"].values():
            assert "POSTGRES_PASSWORD" not in str(value), name


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
    # The migrate service is also given the app role's password, which its own command reads.
    migrate = compose["services"]["migrate"]
    unknown = set(migrate["environment"]) - read
    assert unknown == {"APP_DB_PASSWORD"}
    assert "--password-env APP_DB_PASSWORD" in command(migrate)


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
