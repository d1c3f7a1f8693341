"""Nothing typed is lost when a session runs out, and nobody else ever sees it.

A form posted after the session timed out (30 minutes idle, 12 hours in all) reaches a view as
an anonymous request. Instead of throwing the body away, `keep()` (from access.sign_in_first)
keeps the posted fields in the new session (on the server, never in the browser), with who was
signed in on this browser when it was posted, and sends the person to sign in. Afterwards they
land on a page that shows what was kept and re-posts it, with a fresh CSRF token, to where it
was going: the view then checks and saves it as if it had never been away.

The kept text goes back only to the person who typed it, and only if they may still open the
page it was for (the same draft, the same case: access.may_open). Anyone else who signs in on
that browser discards it at once (`discard_unless_owner`, on every sign-in), as does a sign-in
when nobody can say who typed it.

Who was signed in is known from the session while it lasts; once it has expired, from a signed
cookie (OWNER_COOKIE) that every signed-in response refreshes and signing out removes.
"""

import time

from django.conf import settings
from django.core import signing
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

from . import access, audit

KEEP_FOR_SECONDS = 2 * 60 * 60
SESSION_KEY = "_unsaved_post"
OWNER_COOKIE = "__Host-signed_in_here" if settings.PRODUCTION else "signed_in_here"
_OWNER_SALT = "safeguarding.unsaved.owner"


def _owner_cookie_age() -> int:
    return int(settings.SESSION_ABSOLUTE_LIMIT.total_seconds()) + KEEP_FOR_SECONDS


def owner_of_browser(request) -> str | None:
    """The id of the person last signed in on this browser, if the cookie says so."""
    try:
        return request.get_signed_cookie(
            OWNER_COOKIE, salt=_OWNER_SALT, max_age=_owner_cookie_age()
        )
    except (KeyError, signing.BadSignature):
        return None


def keep(request, *, owner=None) -> None:
    """Keep an anonymous POST's fields for `owner` (default: who was signed in here)."""
    owner = owner or owner_of_browser(request)
    request.session[SESSION_KEY] = {
        "path": request.get_full_path(),
        "fields": [
            [name, values] for name, values in request.POST.lists() if name != "csrfmiddlewaretoken"
        ],
        "at": time.time(),
        "owner": str(owner) if owner else None,
    }


def discard_unless_owner(request, user) -> None:
    """On signing in: kept fields that are not `user`'s own are thrown away."""
    session = getattr(request, "session", None)
    kept = session.get(SESSION_KEY) if session is not None else None
    if kept and kept.get("owner") != str(user.pk):
        del session[SESSION_KEY]
        audit.record(
            "unsaved_form.discarded",
            actor=user,
            request=request,
            data={"reason": "signed in as someone else" if kept.get("owner") else "owner unknown"},
        )


class RememberWhoIsSignedInMiddleware:
    """Refresh OWNER_COOKIE on signed-in responses (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.set_signed_cookie(
                OWNER_COOKIE,
                str(user.pk),
                salt=_OWNER_SALT,
                max_age=_owner_cookie_age(),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def forget_owner(response) -> None:
    """Signing out: this browser no longer belongs to anyone."""
    response.delete_cookie(OWNER_COOKIE, samesite="Lax")


@require_safe
@access.signed_in
def unsaved(request):
    """Offer to send the kept form on. Shown once: reloading the page does not keep it again."""
    kept = request.session.pop(SESSION_KEY, None)
    if (
        not kept
        or kept.get("owner") != str(request.user.pk)
        or time.time() - kept.get("at", 0) > KEEP_FOR_SECONDS
        or not url_has_allowed_host_and_scheme(kept["path"], allowed_hosts=None)
        or not access.may_open(request.user, kept["path"])
    ):
        return redirect("safeguarding:home")
    fields = [(name, value) for name, values in kept["fields"] for value in values]
    return render(request, "safeguarding/unsaved.html", {"path": kept["path"], "fields": fields})
