"""Pastoral staff's tasks: where the school allows it, the safeguarding leads give tasks to
pastoral staff, who see those tasks alone (the case reference, what to do, by when) and mark
them done. Never the case record: access.pastoral_tasks_for decides what they see."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from notifications.models import ABOUT_A_TASK, Outbox
from safeguarding import access
from safeguarding.models import Role

from . import services


@access.school_role(Role.PASTORAL)
@require_safe
def my_tasks(request, school):
    tasks = access.pastoral_tasks_for(request.user, school).order_by("done_at", "due_on", "pk")
    # Seeing their tasks is reading what they were told about them.
    Outbox.objects.filter(
        recipient=request.user, school=school, kind__in=ABOUT_A_TASK, read_at__isnull=True
    ).update(read_at=timezone.now())
    return render(
        request,
        "cases/my_tasks.html",
        {
            "school": school,
            "open_tasks": [task for task in tasks if not task.is_done],
            "done_tasks": [task for task in tasks if task.is_done],
        },
    )


@access.school_role(Role.PASTORAL)
@require_POST
def my_task_done(request, school, task: int):
    found = access.get_pastoral_task(request, school, task)
    try:
        services.complete_task(task=found, actor=request.user, request=request)
    except services.CaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Task marked as done. The safeguarding lead can see it is.")
    return redirect("cases:my_tasks", school=school.slug)
