from datetime import time

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from safeguarding import access, audit
from safeguarding.models import Role

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
