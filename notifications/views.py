from datetime import time

from django.contrib import messages
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from safeguarding import access, audit
from safeguarding.models import Role

from . import health as service_health
from . import services
from .forms import URGENT_MAX, NotificationSettingsForm
from .models import NotificationSettings, Outbox

LIST_LENGTH = 50

SETTINGS_CHANGED = "notification_settings.changed"
SETTINGS_FIELDS = ("urgent_acknowledge_minutes", "school_day_ends_at")
SAVED = "Notification settings saved."
NOTHING_CHANGED = "Nothing was changed."


@access.signed_in
@require_safe
def notification_list(request):
    """The signed-in person's own notifications, newest first."""
    notifications = Outbox.objects.filter(recipient=request.user).select_related("school")
    return render(
        request,
        "notifications/list.html",
        {"notifications": notifications[:LIST_LENGTH]},
    )


@access.signed_in
@require_POST
def mark_all_read(request):
    Outbox.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("notifications:list")


@access.school_role(Role.DSL, Role.SCHOOL_ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def school_settings(request, school):
    """How long the school's leads have to acknowledge a new concern before it is escalated."""
    current = NotificationSettings.for_school(school)
    before = {name: getattr(current, name) for name in SETTINGS_FIELDS}
    form = NotificationSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            changed = {
                name: _audit_value(getattr(saved, name))
                for name in SETTINGS_FIELDS
                if getattr(saved, name) != before[name]
            }
            if changed:
                audit.record(
                    SETTINGS_CHANGED,
                    actor=request.user,
                    target=saved,
                    school=school,
                    request=request,
                    data=changed,
                )
        messages.success(request, SAVED if changed else NOTHING_CHANGED)
        return redirect("notifications:settings", school=school.slug)
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "school": school, "urgent_max": URGENT_MAX},
    )


def _audit_value(value):
    return value.strftime("%H:%M") if isinstance(value, time) else value


# --- Alerts that did not get through -------------------------------------------------------

RESENT_MESSAGE = "Sent again. If it still does not arrive, tell them in person."
DEALT_WITH_MESSAGE = "Marked as dealt with."


@access.school_role(Role.DSL, Role.DEPUTY_DSL)
@require_safe
def undelivered(request, school):
    """Alerts about concerns at the school that were refused or are late, with what to do."""
    return render(
        request,
        "notifications/undelivered.html",
        {
            "school": school,
            "alerts": services.undelivered_alerts_at([school]),
            "limit_minutes": int(services.DELIVERY_LIMIT.total_seconds() // 60),
        },
    )


def _undelivered_alert(request, school, outbox_id: int) -> Outbox:
    found = [row for row in services.undelivered_alerts_at([school]) if row.pk == outbox_id]
    if not found:
        access.deny(request, 404, school=school, reason="not an undelivered alert here")
    return found[0]


@access.school_role(Role.DSL, Role.DEPUTY_DSL)
@require_POST
def resend(request, school, outbox_id: int):
    outbox = _undelivered_alert(request, school, outbox_id)
    services.resend(actor=request.user, outbox=outbox, request=request)
    messages.success(request, RESENT_MESSAGE)
    return redirect("notifications:undelivered", school=school.slug)


@access.school_role(Role.DSL, Role.DEPUTY_DSL)
@require_POST
def dealt_with(request, school, outbox_id: int):
    outbox = _undelivered_alert(request, school, outbox_id)
    services.mark_dealt_with(actor=request.user, outbox=outbox, request=request)
    messages.success(request, DEALT_WITH_MESSAGE)
    return redirect("notifications:undelivered", school=school.slug)


# --- For the service operator's monitoring -------------------------------------------------


@access.public
@require_safe
@never_cache
def health(request):
    """Whether alerts are getting through: 200 when every check passes, 503 when one fails.
    Counts and ages only; the operator's page in the technical admin names the cases."""
    report = service_health.report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@access.public
@require_safe
@never_cache
def health_live(request):
    """The web server answers and reaches the database (the container's health check)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
