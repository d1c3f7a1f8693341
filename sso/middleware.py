"""Leavers: a session signed in with a school account is checked with the provider again.

Every SSO_RECHECK_SECONDS (15 minutes, half the idle limit) the next page opened goes to the
provider with prompt=none: no page there, just a yes (the same person, still allowed) or a no
(switched off, signed out there, another person), and a no signs the person out here. Should the
check not happen in time (only forms sent, or the provider unreachable), the session ends once
the last yes is older than the 30-minute idle limit; anything being sent is kept for after
signing in again (safeguarding/unsaved.py).
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.urls import Resolver404, resolve
from requests.exceptions import RequestException

from safeguarding import audit

from . import services
from .models import SignInProvider

EXEMPT_URL_NAMES = {"sso:callback", "sso:start", "safeguarding:logout"}


class RecheckWithProviderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .views import CHECKED_AT_SESSION_KEY, PROVIDER_SESSION_KEY

        if request.user.is_authenticated and PROVIDER_SESSION_KEY in request.session:
            age = time.time() - request.session.get(CHECKED_AT_SESSION_KEY, 0)
            if age > settings.SSO_RECHECK_SECONDS and not self._exempt(request):
                response = self._recheck(request, age)
                if response is not None:
                    return response
        return self.get_response(request)

    @staticmethod
    def _exempt(request) -> bool:
        try:
            return resolve(request.path_info).view_name in EXEMPT_URL_NAMES
        except Resolver404:
            return False

    def _recheck(self, request, age: float):
        from safeguarding.access import sign_in_first

        from .oidc import Purpose, StartFlow
        from .views import PROVIDER_SESSION_KEY

        provider = SignInProvider.objects.filter(
            pk=request.session[PROVIDER_SESSION_KEY], enabled=True
        ).first()
        if provider is not None and request.method == "GET":
            try:
                flow = StartFlow(
                    provider, purpose=Purpose.RECHECK, next_url=request.get_full_path()
                )
                return flow.redirect(request)
            except (RequestException, services.SignInRefused, KeyError, ValueError):
                pass  # the provider is unreachable: carry on until the idle limit
        if provider is None or age > settings.SESSION_COOKIE_AGE:
            user = request.user
            audit.record(
                "sso.recheck_overdue",
                actor=user,
                target=user,
                request=request,
                data={"provider": provider.pk if provider else None, "seconds": int(age)},
            )
            logout(request)
            return sign_in_first(request)
        return None
