"""Browser tests: Playwright's sync API driving Debian's Chromium against Django's live server.

Fixtures and helpers for every browser test:
- `browser`: one headless Chromium per test module (skipped locally if /usr/bin/chromium is
  missing, a failure when CI=true).
- `page`: a fresh context and page per test, with `base_url` set to the live server.
- `check_accessibility(page, name)`: runs axe-core on the page and fails on any violation.
- `screenshot(page, name)`: saves test-artifacts/<name>.png (full page) and returns its path.
- `current_totp_code(user)`: the code the user's authenticator app would show now.
- `sign_in_in_browser(page, user, password=PASSWORD)`: email, password and (where the user has
  a device) the two-factor code, through the real pages.
"""

import re
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, require

CHROMIUM = Path("/usr/bin/chromium")
# Playwright cannot download its own browser here; Debian's needs these to run headless in CI.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, one per test module.

    While Playwright's sync API is running, its event loop counts as running in this thread and
    Django refuses database calls as "async unsafe". So the override is set only while
    Playwright runs, and Playwright stops at the end of each browser test module: tests outside
    tests/browser/ never run with it.
    """
    require(CHROMIUM.exists(), "Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1024, "height": 768},
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    page.script_errors = errors
    yield page
    context.close()


_axe = Axe()


def check_accessibility(page, name: str = "") -> None:
    """axe-core over the whole page: any violation fails the test, listed by rule and element."""
    results = _axe.run(page)
    violations = results.response["violations"]
    if violations:
        lines = [f"axe found {len(violations)} violation(s) on {name or page.url}:"]
        for violation in violations:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.extend(f"    {target}" for target in targets)
        pytest.fail("\n".join(lines))


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def current_totp_code(user) -> str:
    """The code the person's app shows. Each code works once: if this one was used (the same
    person signed in again within its 30 seconds), wait for the next, as a person would."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()
    assert device is not None, f"{user.email} has no confirmed TOTP device"
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    while totp.t() <= device.last_t:  # t() reads the clock each time
        time.sleep(0.2)
    return f"{totp.token():0{device.digits}d}"


def sign_in_in_browser(page, user, password: str = PASSWORD) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        page.wait_for_url(re.compile(r"/two-factor/check/"))
        page.locator("input[autocomplete=one-time-code]").fill(current_totp_code(user))
        page.get_by_role("button", name="Continue").click()


def pytest_collection_modifyitems(items):
    for item in items:
        if str(Path(__file__).parent) in str(item.fspath):
            item.add_marker(pytest.mark.browser)
