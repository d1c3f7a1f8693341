"""Request-wide protections. Each class does one thing; the order lives in settings."""

import contextvars
import logging
import secrets
import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import resolve
from django.urls.exceptions import Resolver404

_request_id = contextvars.ContextVar("request_id", default="")

MULTIPART_REFUSED = (
    "This service does not accept files or images. Describe what you were told in words instead."
)


def current_request_id() -> str:
    return _request_id.get()


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class RequestIdMiddleware:
    """Give every request a random id, shown on error pages and written to the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = secrets.token_hex(8)
        token = _request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-Id"] = request.request_id
        return response


class AllowedMethodsMiddleware:
    """Nothing here is changed by PUT, PATCH or DELETE: refuse them before any view sees them,
    so a view written as "POST, else show the form" can never treat them as a GET."""

    ALLOWED = frozenset({"GET", "HEAD", "POST", "OPTIONS"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.ALLOWED:
            response = HttpResponse("Method not allowed.", status=405, content_type="text/plain")
            response["Allow"] = ", ".join(sorted(self.ALLOWED))
            return response
        return self.get_response(request)


class RefuseMultipartMiddleware:
    """No imagery, ever: refuse any multipart body before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Stripped as Django strips it before parsing: " multipart/..." is multipart to Django.
        content_type = request.META.get("CONTENT_TYPE", "").strip().lower()
        if content_type.startswith("multipart/"):
            return HttpResponse(MULTIPART_REFUSED, status=415, content_type="text/plain")
        return self.get_response(request)


class AbsoluteSessionLimitMiddleware:
    """Sign people out 12 hours after they signed in, however active they have been."""

    SESSION_KEY = "_signed_in_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            signed_in_at = request.session.get(self.SESSION_KEY)
            limit = settings.SESSION_ABSOLUTE_LIMIT.total_seconds()
            if signed_in_at is None:
                request.session[self.SESSION_KEY] = time.time()
            elif time.time() - signed_in_at > limit:
                from .access import sign_in_first  # access imports this module

                owner = request.user.pk
                logout(request)
                return sign_in_first(request, owner=owner)
        return self.get_response(request)


# Views a signed-in person who still owes a two-factor check may reach.
TWO_FACTOR_EXEMPT_URL_NAMES = {
    "safeguarding:login",
    "safeguarding:logout",
    "safeguarding:two_factor_setup",
    "safeguarding:two_factor_verify",
    # Passkeys: using one at sign-in, and adding the first (django-otp-webauthn refuses to add
    # one for someone who already has a second factor they have not used in this session).
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:js-i18n-catalog",
    # Not the backup codes page: new codes would let someone past the check with a password.
    "safeguarding:password_reset",
    "safeguarding:password_reset_done",
    "safeguarding:password_reset_confirm",
    "safeguarding:password_reset_complete",
    "guidance:right_now",
}


class TwoFactorRequiredMiddleware:
    """DSLs, deputies, school admins and trust leads see nothing until their second factor is
    checked. This covers every view, the Django admin included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and self._needs_check(request):
            if user.has_two_factor_device():
                return redirect("safeguarding:two_factor_verify")
            return redirect("safeguarding:two_factor_setup")
        return self.get_response(request)

    @staticmethod
    def _needs_check(request) -> bool:
        if request.path.startswith(
            settings.STATIC_URL
            if settings.STATIC_URL.startswith("/")
            else "/" + settings.STATIC_URL
        ):
            return False
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        if match.view_name in TWO_FACTOR_EXEMPT_URL_NAMES:
            return False
        # Staff who turned two-factor on themselves are held to it too.
        return request.user.needs_two_factor or request.user.has_two_factor_device()


class NoStoreForSignedInMiddleware:
    """Pages shown to a signed-in person must never sit in a shared computer's cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response
