"""Staff who have not read the current staff briefing are reminded when they sign in.

Signing in (safeguarding.auth_views.after_sign_in) notes whether the person is due a reminder;
the first page they then open shows it as a banner with a link, once. Reporting comes first:
pages of the report journey never show it (it waits for the next page), and neither do the
sign-in and two-factor pages, a rescued form, the home page (which has its own reminder) or the
briefing itself.
"""

from .services import CHANGED, briefing_state

SESSION_KEY = "_briefing_reminder"
# Pages that never show it. Namespace alone (every page in it) or "namespace:name".
QUIET = {
    "incidents:report_start",
    "incidents:report_what",
    "incidents:report_who",
    "incidents:report_checklist",
    "incidents:report_outcome",
    "incidents:report_check",
    "incidents:report_discard",
    "incidents:report_submitted",
    "safeguarding:login",
    "safeguarding:two_factor_setup",
    "safeguarding:two_factor_verify",
    "safeguarding:two_factor_backup_codes",
    "safeguarding:unsaved",
    "briefing",
}
# Pages that show their own reminder, or are the briefing: the banner is spent there.
SPENT = {"safeguarding:home", "briefing:read", "briefing:confirm"}


def note_at_sign_in(request, user) -> None:
    """Called as a sign-in (password or school account) succeeds."""
    from safeguarding.models import Role

    request.session.pop(SESSION_KEY, None)
    if not user.memberships.filter(role__in=Role.school_roles()).exists():
        return
    state = briefing_state(user)
    if not state.is_read:
        request.session[SESSION_KEY] = {
            "changed": state.state == CHANGED,
            # Shown only once the second step of signing in is done, where there is one.
            "second_step": user.has_two_factor_device() or user.needs_two_factor,
        }


def _page(request) -> tuple[str, str]:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "", ""
    return match.namespace, f"{match.namespace}:{match.url_name}"


def briefing_reminder(request):
    """Context processor: `sign_in_briefing` is {"changed": bool} on the page that shows it."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return {}
    user = request.user
    due = session[SESSION_KEY]
    if not user.is_authenticated:
        return {}
    if due.get("second_step") and not user.is_verified():
        return {}
    namespace, name = _page(request)
    if name in SPENT:
        session.pop(SESSION_KEY, None)
        return {}
    if not name or name in QUIET or namespace in QUIET:
        return {}
    session.pop(SESSION_KEY, None)
    return {"sign_in_briefing": due}
