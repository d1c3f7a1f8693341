"""Nothing typed is lost when a session runs out.

A form posted after the session timed out (30 minutes idle, 12 hours in all) reaches a view as
an anonymous request. Instead of throwing the body away, `access.sign_in_first()` keeps the posted
fields in the new session (on the server, never in the browser) and sends the person to sign
in. Afterwards they land on a page that shows what was kept and re-posts it, with a fresh CSRF
token, to where it was going: the view then checks and saves it as if it had never been away.
"""

import time

from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

from . import access

KEEP_FOR_SECONDS = 2 * 60 * 60


@require_safe
@access.signed_in
def unsaved(request):
    """Offer to send the kept form on. Shown once: reloading the page does not keep it again."""
    kept = request.session.pop(access.UNSAVED_SESSION_KEY, None)
    if (
        not kept
        or time.time() - kept.get("at", 0) > KEEP_FOR_SECONDS
        or not url_has_allowed_host_and_scheme(kept["path"], allowed_hosts=None)
    ):
        return redirect("safeguarding:home")
    fields = [(name, value) for name, values in kept["fields"] for value in values]
    return render(request, "safeguarding/unsaved.html", {"path": kept["path"], "fields": fields})
