from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from safeguarding import access

from .models import Outbox

LIST_LENGTH = 50


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
