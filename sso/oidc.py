"""mozilla-django-oidc, set up per school instead of once in settings.

The library's sign-in request view makes the state, nonce and PKCE verifier and keeps them in the
session; its backend swaps the code for tokens and checks the ID token's signature (against the
provider's published keys), nonce and expiry. Here each flow names the SignInProvider it started
with, and the backend checks what the library leaves out (issuer and audience) before
sso.services decides whose token it is.

The backend never answers django.contrib.auth.authenticate() (it needs our `flow` argument): a
password form posted with ?code=...&state=... must not start a token exchange, and a refused
school sign-in must not count towards django-axes' password lockout.
"""

import time

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationRequestView
from requests.exceptions import RequestException

from safeguarding.backends import person_with_roles

from . import services
from .models import SignInProvider

BACKEND = "sso.oidc.SchoolSignInBackend"
# state -> what the flow is for. mozilla-django-oidc keeps state -> nonce and verifier itself.
FLOWS_SESSION_KEY = "sso_flows"


class Purpose:
    SIGN_IN = "sign_in"
    JOIN = "join"  # from an invitation: may make the first link
    RECHECK = "recheck"  # a signed-in person's account is still allowed at the provider


class StartFlow(OIDCAuthenticationRequestView):
    """Builds the redirect to the provider for one SignInProvider (not settings' one)."""

    def __init__(self, provider: SignInProvider, *, purpose: str, invitation_id=None, next_url=""):
        # The library reads a single provider from settings here; ours comes per request.
        self.provider = provider
        self.purpose = purpose
        self.invitation_id = invitation_id
        self.next_url = next_url
        config = services.discovery(provider)
        self.OIDC_OP_AUTH_ENDPOINT = config["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = provider.client_id

    def get_extra_params(self, request):
        params = {}
        if self.purpose == Purpose.RECHECK:
            params["prompt"] = "none"  # no page at the provider: just yes or no
        else:
            params["prompt"] = "select_account"
        if self.provider.kind == SignInProvider.Kind.GOOGLE:
            params["hd"] = self.provider.hosted_domain  # a hint only: the `hd` claim is checked
        return params

    def redirect(self, request):
        response = self.get(request)
        state = _state_of(response["Location"])
        flows = request.session.get(FLOWS_SESSION_KEY) or {}
        # Only as many flows as the library keeps states for.
        known = request.session.get("oidc_states", {})
        flows = {key: value for key, value in flows.items() if key in known}
        flows[state] = {
            "provider": self.provider.pk,
            "purpose": self.purpose,
            "invitation": str(self.invitation_id) if self.invitation_id else "",
            "next": self.next_url,
            "started": time.time(),
        }
        request.session[FLOWS_SESSION_KEY] = flows
        request.session.pop("oidc_login_next", None)  # ours is in the flow
        return response


def _state_of(url: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(url).query)["state"][0]


class SchoolSignInBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # Endpoints and client come from the flow's SignInProvider in authenticate().
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, flow=None, provider=None, **kwargs):
        """Only for sso.views.callback, which passes the flow the state belonged to."""
        if request is None or flow is None or provider is None:
            return None
        self.provider = provider
        self.flow = flow
        config = services.discovery(provider)
        self.OIDC_OP_TOKEN_ENDPOINT = config["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = config.get("userinfo_endpoint", "")
        self.OIDC_OP_JWKS_ENDPOINT = config["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.secret()
        self.result = None
        try:
            user = super().authenticate(request, **kwargs)
        except SuspiciousOperation as error:  # signature, nonce or expiry
            raise services.SignInRefused(services.Refusal.BAD_TOKEN, str(error)) from None
        except RequestException as error:  # the provider refused the code, or did not answer
            raise services.SignInRefused(services.Refusal.PROVIDER_ERROR, str(error)) from None
        return user

    def verify_token(self, token, **kwargs):
        import jwt

        try:
            return super().verify_token(token, **kwargs)
        except jwt.PyJWTError as error:  # expired, not yet valid, malformed
            raise SuspiciousOperation(f"ID token refused: {error}") from None

    def get_or_create_user(self, access_token, id_token, payload):
        # Never the library's email matching: sso.services decides, from the ID token alone.
        self.result = services.resolve(
            provider=self.provider,
            claims=payload,
            invitation_id=self.flow.get("invitation") or None,
            request=self.request,
        )
        return self.result.user

    def store_tokens(self, access_token, id_token):
        """Tokens are not kept: the app reads nothing from the provider after sign-in."""

    def get_user(self, user_id):
        user = person_with_roles(user_id)
        return user if user is not None and user.is_active else None


def callback_url() -> str:
    return reverse(settings.OIDC_AUTHENTICATION_CALLBACK_URL)
