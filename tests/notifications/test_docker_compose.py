"""docker-compose.yml runs the whole service, and sets only settings the app reads.

Migrations run in a one-shot service as the database owner, which then makes the
least-privilege role (`create_app_db_role`); web, workers and beat connect as that role only.
Alerts have a worker of their own; the web server runs as two replicas behind a load balancer
that passes on each client's address; every long-running service has a health check that means
something, time to finish its work when stopped, and is restarted when it exits.
Docker is not available where the tests run: these read the files, they do not start them."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker-alerts", "worker", "beat")
WORKERS = ("worker-alerts", "worker")
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
    assert set(services) >= {
        "postgres",
        "redis",
        "migrate",
        "web",
        "proxy",
        "worker-alerts",
        "worker",
    }
    assert "beat" in services
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
    for name in WORKERS:
        assert command(services[name]).startswith("celery -A safeguarding worker")
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
        # Settings that must not run in production (no mail server, a test mailbox) stop the
        # whole stack here: web, workers and beat wait for this service to succeed.
        "python manage.py check --deploy",
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


def test_email_must_be_a_real_mail_server(compose):
    # No default: `docker compose up` refuses without EMAIL_URL, and settings refuse a test
    # mailbox (tests/safeguarding/test_deploy_check.py). No mail catcher is part of the stack.
    assert "mailpit" not in compose["services"]
    for name in (*APP_SERVICES, "migrate"):
        email_url = compose["services"][name]["environment"]["EMAIL_URL"]
        assert email_url.startswith("${EMAIL_URL:?"), name
    example = (ROOT / ".env.example").read_text()
    assert "\nEMAIL_URL=\n" in example


def worker_queues(service: dict) -> set[str]:
    (queues,) = [p for p in service["command"] if p.startswith("--queues=")]
    return set(queues.removeprefix("--queues=").split(","))


def test_alerts_have_a_worker_of_their_own_and_every_queue_a_worker():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    from safeguarding.celery import app

    routed = {route["queue"] for route in app.conf.task_routes.values()}
    assert worker_queues(services["worker-alerts"]) == {"alerts"} == routed
    assert worker_queues(services["worker"]) == {app.conf.task_default_queue}
    # Distinct node names: each worker's watchdog pings that worker alone.
    names = [p for w in WORKERS for p in services[w]["command"] if p.startswith("--hostname=")]
    assert len(set(names)) == len(WORKERS)


def test_health_checks_read_what_the_processes_keep_fresh(compose):
    services = compose["services"]
    for name in WORKERS:
        check = " ".join(services[name]["healthcheck"]["test"])
        hostname = next(p for p in services[name]["command"] if p.startswith("--hostname="))
        node = hostname.removeprefix("--hostname=").replace("%h", "$$HOSTNAME")
        assert f"python -m notifications.liveness worker {node} 60" in check, name
    beat = " ".join(services["beat"]["healthcheck"]["test"])
    assert "notifications.liveness beat 60" in beat
    web = " ".join(services["web"]["healthcheck"]["test"])
    assert "notifications.liveness web http://127.0.0.1:8000/health/live/" in web


def test_a_worker_that_stops_taking_tasks_exits_and_is_restarted(compose):
    # The watchdog (notifications/worker_steps.py) makes the process exit; restart acts on it.
    from notifications import worker_steps

    assert worker_steps.STALL_SECONDS <= 120
    for name in (*APP_SERVICES,):
        assert compose["services"][name]["restart"] == "unless-stopped", name


def seconds(value: str) -> float:
    match = re.fullmatch(r"(\d+)(s|m)", value)
    assert match, value
    return int(match[1]) * (60 if match[2] == "m" else 1)


def test_stopping_leaves_time_to_finish_a_send(compose):
    from notifications import services

    for name in WORKERS:
        grace = seconds(compose["services"][name]["stop_grace_period"])
        assert grace > services.SEND_DEADLINE + 10, name
    assert seconds(compose["services"]["web"]["stop_grace_period"]) >= 25
    assert seconds(compose["services"]["beat"]["stop_grace_period"]) >= 10


def nginx_directives(text: str) -> list[str]:
    """deploy/nginx.conf's directives, one string each, comments and blank lines left out."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line.rstrip(";").strip() for line in lines if line and line not in ("}",)]


def test_web_runs_as_two_replicas_behind_a_load_balancer_that_passes_on_the_client(compose):
    services = compose["services"]
    web, proxy = services["web"], services["proxy"]
    assert web["deploy"]["replicas"] == 2
    # Two replicas cannot share one host port: only the balancer publishes one.
    assert "ports" not in web
    assert proxy["ports"] == ["127.0.0.1:8000:8000"]
    assert proxy["image"].startswith("nginx:")
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert proxy["restart"] == "unless-stopped"
    assert "/health/live/" in " ".join(proxy["healthcheck"]["test"])

    (mount,) = proxy["volumes"]
    source, target, mode = mount.split(":")
    assert (target, mode) == ("/etc/nginx/nginx.conf", "ro")
    directives = nginx_directives((ROOT / source).read_text())
    assert "stream {" in directives  # TCP: requests pass through untouched
    assert "upstream web {" in directives
    assert any(d.startswith("server web:8000 ") and " resolve" in d for d in directives)
    assert "proxy_pass web" in directives
    # Each connection names its client, and gunicorn reads that as REMOTE_ADDR: otherwise the
    # audit trail and the per-client password reset limit would see the balancer for everyone.
    assert "proxy_protocol on" in directives
    web_command = command(web)
    assert "--proxy-protocol=v1" in web_command
    # gunicorn reads the PROXY line at the start of a connection only: one request each.
    assert "--keep-alive=0" in web_command
    assert "--worker-class=gthread" in web_command


def test_alerts_and_everything_else_are_on_separate_queues_and_workers(compose):
    """New-case alerts never wait behind digests: what each scheduled job and each kind of
    message is put on, and which worker takes it."""
    from django.conf import settings

    from notifications.models import ALERT_KINDS, DEFAULT_QUEUE, Kind, Outbox

    def queue_of(task: str) -> str:
        return settings.CELERY_TASK_ROUTES.get(task, {}).get("queue", DEFAULT_QUEUE)

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    on_alerts = {task for task in scheduled if queue_of(task) == "alerts"}
    assert on_alerts == {
        "notifications.tasks.relay_pending",
        "notifications.tasks.escalate_unacknowledged",
    }
    assert queue_of("notifications.tasks.send_daily_digests") == DEFAULT_QUEUE != "alerts"
    for kind in Kind:
        expected = "alerts" if kind in ALERT_KINDS else DEFAULT_QUEUE
        assert Outbox(kind=kind).queue == expected, kind
    assert Kind.NEW_CASE in ALERT_KINDS

    services = compose["services"]
    assert worker_queues(services["worker-alerts"]) == {"alerts"}
    assert worker_queues(services["worker"]) == {DEFAULT_QUEUE}
    # Neither waits for the other's tasks: each takes one task at a time per process.
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
