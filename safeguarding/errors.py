"""Generic error pages: no detail, a reference id staff can quote to support."""

from django.shortcuts import render

from .middleware import current_request_id


def _page(request, status: int, title: str, message: str):
    context = {"title": title, "message": message, "reference": current_request_id() or "-"}
    return render(request, "errors/error.html", context, status=status)


def bad_request(request, exception=None):
    return _page(request, 400, "Sorry, there is a problem", "We could not understand that request.")


def permission_denied(request, exception=None):
    return _page(
        request,
        403,
        "You do not have access to this page",
        "Your role at this school does not include this page. "
        "Ask your school admin if you think it should.",
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
    return _page(
        request,
        500,
        "Sorry, there is a problem with the service",
        "Nothing you entered has been shared. Try again later.",
    )
