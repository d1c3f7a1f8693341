"""Liveness files for the worker and beat containers' health checks, and the check itself.

A worker's watchdog sends that worker (alone) a task every few seconds; running it touches the
worker's file. Beat touches its file on every tick. Docker's health check reads the file's age:

    python -m notifications.liveness worker celery@$HOSTNAME 60
    python -m notifications.liveness beat 60

exits 0 when the file was touched in the last 60 seconds, 1 otherwise. The web server's check
asks it over HTTP, as one of ALLOWED_HOSTS (0 on a 200 answer):

    python -m notifications.liveness web http://127.0.0.1:8000/health/live/

Nothing here imports Django, so the check is quick.
"""

import os
import re
import sys
import time
from pathlib import Path


def directory() -> Path:
    # The same folder as settings.VAR_DIR.
    base = os.environ.get("VAR_DIR") or Path(__file__).resolve().parent.parent / "var"
    return Path(base) / "alive"


def worker_name(hostname: str) -> str:
    return "worker-" + re.sub(r"[^A-Za-z0-9_.@-]", "_", hostname)


def touch(name: str) -> None:
    path = directory() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path)


def age(name: str) -> float | None:
    """Seconds since `name` was last touched; None if it never was."""
    try:
        return time.time() - (directory() / name).stat().st_mtime
    except FileNotFoundError:
        return None


def web_answers(url: str) -> bool:
    import urllib.error
    import urllib.request

    if not url.startswith(("http://", "https://")):
        return False
    host = (os.environ.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip()
    request = urllib.request.Request(url, headers={"Host": host.lstrip(".")})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "web":
        answers = web_answers(argv[1])
        print(f"web: {'answers' if answers else 'does not answer'} at {argv[1]}")
        return 0 if answers else 1
    if len(argv) == 3 and argv[0] == "worker":
        name, limit = worker_name(argv[1]), float(argv[2])
    elif len(argv) == 2 and argv[0] == "beat":
        name, limit = "beat", float(argv[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    seconds = age(name)
    if seconds is None or seconds > limit:
        print(f"{name}: {'never alive' if seconds is None else f'silent for {seconds:.0f} s'}")
        return 1
    print(f"{name}: alive {seconds:.0f} s ago")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
