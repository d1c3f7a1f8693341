"""The newcomer path: the README's two commands, the Makefile behind them, and a fresh SQLite
app with demo data that starts and serves the sign-in page with no services at all."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]


def fresh_machine_section() -> str:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"^## Run it on a fresh machine\n(.*?)(?=^## )", readme, re.S | re.M)
    assert match, "README needs a 'Run it on a fresh machine' section"
    return match.group(1)


def test_the_readme_gives_exactly_two_commands_for_a_fresh_machine():
    blocks = re.findall(r"```sh\n(.*?)```", fresh_machine_section(), re.S)
    commands = [line.strip() for block in blocks for line in block.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]


def test_the_readme_says_what_the_product_is_for_before_the_commands():
    readme = (ROOT / "README.md").read_text()
    intro = readme[: readme.index("## Run it on a fresh machine")]
    for audience in ("School staff", "safeguarding leads", "Trust leads", "No imagery"):
        assert audience in intro


def dry_run(target: str) -> str:
    return dry_run_with(target)


def dry_run_with(target: str, *variables: str) -> str:
    # Not as a sub-make of `make test`: no inherited flags, no "Entering directory" lines.
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}
    result = subprocess.run(
        ["make", "--no-print-directory", "--dry-run", "--always-make", target, *variables],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_sets_everything_up_then_serves_on_port_8000():
    steps = dry_run("run")
    expected = [
        "-m venv .venv",
        'pip install --quiet -e ".[dev]"',
        "npm ci",
        "npm run build",
        "manage.py migrate",
        "manage.py seed_demo",
        "manage.py runserver 127.0.0.1:8000",
    ]
    positions = [steps.find(step) for step in expected]
    assert -1 not in positions, steps
    assert positions == sorted(positions), steps


def test_make_run_on_another_port_prints_and_links_to_that_port():
    steps = dry_run_with("run", "HOST_PORT=127.0.0.1:8135")
    assert "SITE_URL=http://127.0.0.1:8135 .venv/bin/python manage.py seed_demo" in steps
    assert "SITE_URL=http://127.0.0.1:8135 .venv/bin/python manage.py runserver 127.0.0.1:8135" in (
        steps
    )


def test_make_test_sets_up_then_runs_the_test_command_without_a_server():
    steps = dry_run("test")
    assert "npm run build" in steps and 'pip install --quiet -e ".[dev]"' in steps
    assert steps.rstrip().endswith(".venv/bin/python tests/run.py")
    assert "runserver" not in steps


@pytest.mark.parametrize("target", ["lint", "worker", "beat"])
def test_the_other_make_targets_exist(target):
    assert dry_run(target).strip()


def test_front_end_dependencies_are_pinned():
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    versions = package["dependencies"]
    assert re.fullmatch(r"6\.\d+\.\d+", versions["govuk-frontend"])
    assert re.fullmatch(r"\d+\.\d+\.\d+", versions["sass"])
    assert lock["packages"]["node_modules/govuk-frontend"]["version"] == versions["govuk-frontend"]
    assert package["scripts"]["build"]


def built(name: str) -> Path:
    path = ROOT / "static" / "build" / name
    require(path.exists() and path.stat().st_size > 0, f"built assets (`npm run build`): {name}")
    return path


def test_the_built_css_uses_no_gds_font_and_loads_nothing_else():
    css = built("app.css").read_text()
    assert "@font-face" not in css
    assert "GDS Transport" not in css
    assert "font-family:system-ui" in css
    assert "url(" not in css  # no fonts, no crown, no images fetched by the stylesheet
    assert ".govuk-button" in css and ".govuk-service-navigation" in css
    assert ".govuk-header__logo" not in css and ".govuk-footer__crown" not in css


def test_the_built_script_is_a_module_that_initialises_govuk_frontend():
    script = built("app.js").read_text()
    assert 'import { initAll } from "./govuk-frontend.min.js"' in script
    assert "initAll()" in script
    assert "initAll" in built("govuk-frontend.min.js").read_text()
    shipped = {p.name for p in (ROOT / "static" / "build").iterdir()}
    assert not any(name.endswith((".woff", ".woff2", ".png")) for name in shipped), shipped


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_a_fresh_sqlite_app_with_demo_data_serves_the_sign_in_page(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL", "PRODUCTION", "DEBUG"}
    }
    env.update(VAR_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    manage = [sys.executable, "manage.py"]

    def run(*args):
        result = subprocess.run(
            [*manage, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
        return result.stdout

    run("migrate", "--noinput", "-v", "0")
    printed = run("seed_demo")
    assert "demo_totp_code" in printed
    assert (tmp_path / "db.sqlite3").exists()

    port = free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        status, body = 0, ""
        while time.monotonic() < deadline:
            try:
                status, body = fetch(f"http://127.0.0.1:{port}/sign-in/")
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                time.sleep(0.3)
        assert status == 200, (tmp_path / "server.log").read_text()
        assert "Sign in" in body and "Safeguarding Record" in body
        css_status, _ = fetch(f"http://127.0.0.1:{port}/static/build/app.css")
        assert css_status == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
