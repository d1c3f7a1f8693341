"""The test command: finds PostgreSQL and Redis, then runs pytest against them.

Without them the suite runs on SQLite and names what it skipped. With CI=true a missing service
is a failure, never a skip.
"""

import os
import sys

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/safeguarding"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def _postgres_answers(url: str) -> bool:
    try:
        import psycopg

        dsn = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(dsn, connect_timeout=3):
            return True
    except Exception:
        return False


def _redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping())
    except Exception:
        return False


def main() -> int:
    ci = os.environ.get("CI") == "true"
    env = dict(os.environ)
    database_url = env.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if database_url.startswith("postgres") and _postgres_answers(database_url):
        env["DATABASE_URL"] = database_url
        print(f"tests: PostgreSQL at {database_url.split('@')[-1]}")
    elif ci:
        print(f"tests: CI=true and PostgreSQL does not answer at {database_url}", file=sys.stderr)
        return 2
    else:
        env.pop("DATABASE_URL", None)
        print("tests: PostgreSQL not found; running on SQLite (PostgreSQL-only tests skip)")

    redis_url = env.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)
    if _redis_answers(redis_url):
        env["TEST_REDIS_URL"] = redis_url
        print(f"tests: Redis at {redis_url}")
    elif ci:
        print(f"tests: CI=true and Redis does not answer at {redis_url}", file=sys.stderr)
        return 2
    else:
        env.pop("TEST_REDIS_URL", None)
        print("tests: Redis not found; tests needing a real broker and worker skip")

    # Tests run with nothing else from a developer's .env leaking in.
    env.pop("CELERY_BROKER_URL", None)
    env.pop("PRODUCTION", None)
    args = [sys.executable, "-m", "pytest", *sys.argv[1:]]
    os.execve(sys.executable, args, env)


if __name__ == "__main__":
    sys.exit(main())
