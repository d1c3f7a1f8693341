"""Generic error pages: no detail, a reference id staff can quote to support.

The reference is the request id (also in the X-Request-Id header and the logs), so support can
find what went wrong without the page ever showing it.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string

from .middleware import current_request_id

REFERENCE_PROMPT = "If you need help, quote this reference:"
TOO_LONG_MESSAGE = (
    "What you sent was too long to be read, so nothing was saved. If you were pasting a pupil "
    "list, paste it in smaller parts, for example a few year groups at a time."
)


def _context(title: str, message: str) -> dict:
    return {"title": title, "message": message, "reference": current_request_id() or "-"}


def _page(request, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "errors/error.html", _context(title, message), status=status)


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return _page(request, 400, "What you sent was too long", TOO_LONG_MESSAGE)
    return _page(request, 400, "Sorry, there is a problem", "We could not understand that request.")


def permission_denied(request, exception=None):
    return _page(
        request,
        403,
        "You do not have access to this page",
        "Your role at this school does not include this page. "
        "Ask your school admin if you think it should.",
    )


def csrf_failure(request, reason: str = ""):
    """A form sent without its security token, usually because the page sat open too long."""
    return _page(
        request,
        403,
        "Your form could not be sent",
        "This can happen if a page was open for a long time or you signed out in another tab. "
        "Go back, reload the page and try again. Nothing was saved.",
    )


def not_found(request, exception=None):
    return _page(
        request,
        404,
        "Page not found",
        "If you typed the web address, check it is correct. "
        "If you pasted it, check you copied the entire address.",
    )


def server_error(request):
    # Rendered without the request: its context processors may need the database or session
    # that has just failed, and an error inside the error page would hide the reference.
    context = _context(
        "Sorry, there is a problem with the service",
        "Try again later. If you were sending a form, check whether it was saved before "
        "sending it again.",
    )
    context["product_name"] = settings.PRODUCT_NAME
    return HttpResponseServerError(render_to_string("errors/error.html", context))


class NotFoundPageMiddleware:
    """A 404 raised by a view (another school's case, a withdrawn invitation) gets our page
    even with DEBUG on, as in `make run`: the framework's debug page would show someone trying
    the demo every route in the product instead of "Page not found"."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return not_found(request, exception)
        return None
