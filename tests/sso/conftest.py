"""A real OpenID Connect provider (npm `oidc-provider`, installed by package.json) on 127.0.0.1,
playing a school's Microsoft tenant, another tenant and Google Workspace, and the helpers that
walk a sign-in through it: the Django test client is the browser here, `requests` the browser
at the provider.
"""

import json
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.core.cache import cache
from django.test import Client

from sso.models import SignInProvider
from tests.conftest import post_form, require

ROOT = Path(__file__).resolve().parents[2]
IDP_SCRIPT = ROOT / "tests" / "sso" / "idp.mjs"
TENANT_A = "0a0a0a0a-1111-4222-8333-444455556666"
TENANT_B = "0b0b0b0b-1111-4222-8333-444455556666"
GOOGLE_DOMAIN = "elmpark.sch.uk"
CALLBACK = "http://testserver/sign-in/callback/"
CLIENTS = {
    f"/ms/{TENANT_A}": ("oakwood-app", "oakwood-secret"),
    f"/ms/{TENANT_B}": ("other-tenant-app", "other-secret"),
    "/google": ("elmpark-app", "elmpark-secret"),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Idp:
    port: int
    accounts_file: Path
    accounts: dict = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def account(self, login: str, **claims) -> None:
        """Add or change an account at the provider (re-read on every use)."""
        entry = self.accounts.setdefault(login, {"claims": {}})
        amr = claims.pop("amr", None)
        if amr is not None:
            entry["amr"] = amr
        entry["claims"].update(claims)
        self._save()

    def disable(self, login: str) -> None:
        self.accounts[login]["disabled"] = True
        self._save()

    def _save(self) -> None:
        self.accounts_file.write_text(json.dumps(self.accounts))


@pytest.fixture(scope="module")
def idp_server(tmp_path_factory):
    node = shutil.which("node")
    require(node is not None, "Node.js (node on PATH)")
    require(
        (ROOT / "node_modules" / "oidc-provider").exists(),
        "npm's oidc-provider (make setup, or npm ci)",
    )
    folder = tmp_path_factory.mktemp("idp")
    port = _free_port()
    accounts_file = folder / "accounts.json"
    accounts_file.write_text("{}")
    config = {
        "port": port,
        "accounts_file": str(accounts_file),
        "issuers": [
            {
                "prefix": prefix,
                "clients": [
                    {
                        "client_id": client_id,
                        "client_secret": secret,
                        "redirect_uris": [CALLBACK],
                        "token_endpoint_auth_method": "client_secret_post",
                    }
                ],
            }
            for prefix, (client_id, secret) in CLIENTS.items()
        ],
    }
    config_file = folder / "config.json"
    config_file.write_text(json.dumps(config))
    process = subprocess.Popen(
        [node, str(IDP_SCRIPT), str(config_file)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if line.startswith("ready"):
                break
            if process.poll() is not None:
                pytest.fail(f"the test OpenID provider did not start: {line}")
        else:
            pytest.fail("the test OpenID provider did not start in 20 s")
        yield Idp(port=port, accounts_file=accounts_file)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def idp(idp_server, settings):
    """The provider, with settings pointing Microsoft's and Google's issuers at it."""
    settings.SSO_ISSUERS = {
        "microsoft": f"{idp_server.base}/ms/{{tenant}}",
        "google": f"{idp_server.base}/google",
    }
    cache.clear()
    idp_server.accounts.clear()
    idp_server._save()
    return idp_server


@pytest.fixture
def oakwood_microsoft(cast):
    """Oakwood Academy signs in with its Microsoft tenant A."""
    return SignInProvider.objects.create(
        school=cast.school_a,
        kind=SignInProvider.Kind.MICROSOFT,
        tenant_id=TENANT_A,
        client_id="oakwood-app",
        client_secret="oakwood-secret",
    )


@pytest.fixture
def elmpark_google(cast):
    """Elm Park School signs in with Google Workspace (elmpark.sch.uk)."""
    return SignInProvider.objects.create(
        school=cast.school_b,
        kind=SignInProvider.Kind.GOOGLE,
        hosted_domain=GOOGLE_DOMAIN,
        client_id="elmpark-app",
        client_secret="elmpark-secret",
    )


class Browser:
    """One person's browser: the Django test client for us, a requests session at the provider."""

    def __init__(self):
        self.client = Client()
        self.at_idp = requests.Session()

    def start(self, provider: SignInProvider, next_url: str = ""):
        data = {"provider": provider.pk}
        if next_url:
            data["next"] = next_url
        return post_form(self.client, "/sign-in/start/", data)

    def join(self, school_slug: str, token: str):
        return post_form(self.client, "/sign-in/start/", {"school": school_slug, "token": token})

    def authorize(self, response, login: str | None) -> str:
        """Follow our redirect through the provider (signing in as `login` where it asks) until
        it sends the browser back to us; returns that callback address (path and query)."""
        assert response.status_code == 302, response.status_code
        url = response["Location"]
        for _ in range(10):
            if url.startswith(CALLBACK):
                parts = urlsplit(url)
                return f"{parts.path}?{parts.query}"
            if "/interaction/" in url and not url.endswith("/abort"):
                assert login is not None, "the provider asked for a sign-in"
                answer = self.at_idp.post(
                    url, data={"login": login, "password": "any"}, allow_redirects=False
                )
            else:
                answer = self.at_idp.get(url, allow_redirects=False)
            assert answer.status_code in (302, 303), (answer.status_code, answer.text[:500])
            url = urljoin(url, answer.headers["Location"])
        raise AssertionError("the provider never sent the browser back")

    def sign_in(self, provider: SignInProvider, login: str, next_url: str = ""):
        callback = self.authorize(self.start(provider, next_url), login)
        return self.client.get(callback)


def query_of(url: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def browser_for():
    return Browser


def sign_in_with_school_account(client, user, *, second_factor_done: bool = True):
    """A session as the callback leaves it (signed in through the provider of the person's
    school or trust, just checked), with the second factor done where the person has one: for
    tests of what such a session may reach, without a round trip to a provider."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safeguarding.models import Membership
    from sso import services
    from sso.oidc import BACKEND
    from sso.views import CHECKED_AT_SESSION_KEY, PROVIDER_SESSION_KEY

    client.force_login(user, backend=BACKEND)
    session = client.session
    membership = Membership.objects.filter(user=user).select_related("school", "trust").first()
    provider = None
    if membership is not None:
        provider = (
            services.provider_for_school(membership.school)
            if membership.school
            else services.provider_for_trust(membership.trust)
        )
    provider = provider or SignInProvider.objects.first()
    assert provider is not None, "set up a SignInProvider first"
    session[PROVIDER_SESSION_KEY] = provider.pk
    session[CHECKED_AT_SESSION_KEY] = time.time()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None and second_factor_done:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
