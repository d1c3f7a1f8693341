"""Security headers on representative pages, signed out and signed in (SECURITY.md)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import sign_in

ROOT = Path(__file__).resolve().parents[2]

# Exactly the policy SECURITY.md asks for: no data: images, no 'unsafe-inline', nothing framed.
EXPECTED_CSP = {
    "default-src": {"'self'"},
    "img-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "font-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}


def parse_csp(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = set(words[1:])
    return directives


def assert_common_headers(response):
    csp = response.get("Content-Security-Policy", "")
    assert parse_csp(csp) == EXPECTED_CSP, csp
    assert "data:" not in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Request-Id"]


SIGNED_OUT_PAGES = ["/sign-in/", "/guidance/right-now/", "/password-reset/", "/no-such-page/"]
# Who opens what: each person's everyday pages, plus a page that does not exist.
SIGNED_IN_PAGES = {
    "teacher": ["/", "/my-reports/", "/s/oakwood/report/", "/account/"],
    "dsl": ["/", "/s/oakwood/cases/", "/s/oakwood/pupils/", "/s/oakwood/statistics/"],
    "admin": ["/", "/s/oakwood/people/"],
    "trust_lead": ["/", "/t/northfield/statistics/"],
    "outsider": ["/"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("path", SIGNED_OUT_PAGES)
def test_signed_out_pages_carry_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == (404 if path == "/no-such-page/" else 200)
    assert_common_headers(response)


def test_signed_in_pages_carry_the_headers_and_are_never_cached(cast):
    for who, paths in SIGNED_IN_PAGES.items():
        client = sign_in(Client(), getattr(cast, who))
        for path in [*paths, "/no-such-page/"]:
            response = client.get(path)
            assert response.status_code in (200, 302, 404), (who, path, response.status_code)
            assert (response.status_code == 404) == (path == "/no-such-page/"), (who, path)
            assert_common_headers(response)
            assert response["Cache-Control"] == "no-store", (who, path)


def test_a_page_a_person_may_not_see_is_not_cached_either(client, cast):
    # An outsider asking for a school's page gets a 404, still marked no-store.
    sign_in(client, cast.outsider)
    response = client.get("/s/oakwood/people/")
    assert response.status_code in (403, 404)
    assert response["Cache-Control"] == "no-store"
    assert_common_headers(response)


PRODUCTION_PROBE = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("collectstatic", "--noinput", verbosity=0)
from django.test import Client
client = Client(HTTP_HOST="safeguarding.example")
plain = client.get("/sign-in/")
secure = client.get("/sign-in/", secure=True)
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "secure": [secure.status_code, dict(secure.headers)],
    "cookies": {name: dict(morsel) for name, morsel in secure.cookies.items()},
}))
"""


def test_production_settings_add_hsts_and_https_only(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "DEBUG", "EMAIL_URL"}
    }
    env.update(
        PRODUCTION="true",
        SECRET_KEY="k" * 20 + os.urandom(24).hex(),
        AUDIT_HMAC_KEY=os.urandom(32).hex(),
        AUDIT_LAST_UNKEYED_ID="0",
        ALLOWED_HOSTS="safeguarding.example",
        SITE_URL="https://safeguarding.example",
        EMAIL_URL="smtp+tls://alerts:secret@mail.safeguarding.example:587",
        VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="safeguarding.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    probe = json.loads(result.stdout.strip().splitlines()[-1])

    status, location = probe["plain"]
    assert status == 301 and location.startswith("https://safeguarding.example/")

    status, headers = probe["secure"]
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert parse_csp(headers["Content-Security-Policy"]) == EXPECTED_CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    csrf = probe["cookies"]["__Host-csrftoken"]
    assert csrf["secure"] is True
    assert csrf["path"] == "/"
    assert csrf["samesite"] == "Lax"
