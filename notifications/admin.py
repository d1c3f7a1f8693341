from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path

from . import health, services
from .models import CaseEscalation, Heartbeat, NotificationSettings, Outbox


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ["school", "urgent_acknowledge_minutes", "school_day_ends_at"]
    search_fields = ["school__name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Outbox)
class OutboxAdmin(ReadOnlyAdmin):
    """Read-only: delivery state, for support. Rows hold references and ids, no case details.

    The operator's health page (`health/` under this admin) says whether alerts are getting
    through, and names what is not."""

    list_display = [
        "id",
        "kind",
        "reference",
        "school",
        "status",
        "failure",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "failure", "kind"]
    search_fields = ["reference", "message_id"]

    def get_urls(self):
        return [
            path(
                "health/",
                self.admin_site.admin_view(self.health_view),
                name="notifications_outbox_health",
            ),
            *super().get_urls(),
        ]

    def health_view(self, request):
        context = {
            **self.admin_site.each_context(request),
            "title": "Are alerts getting through?",
            "checks": health.checks(),
            "undelivered": services.undelivered_alerts()
            .select_related("recipient", "school")
            .order_by("created_at")[:200],
            "stranded": _with_references(services.stranded_cases().order_by("stranded_at")[:200]),
        }
        return TemplateResponse(request, "admin/notifications/health.html", context)


def _with_references(escalations) -> list[dict]:
    from incidents.models import Incident

    escalations = list(escalations)
    ids = [e.incident_id for e in escalations]
    references = dict(Incident.objects.filter(pk__in=ids).values_list("pk", "reference"))
    return [
        {"reference": references.get(e.incident_id, ""), "school": e.school, "since": e.stranded_at}
        for e in escalations
    ]


@admin.register(CaseEscalation)
class CaseEscalationAdmin(ReadOnlyAdmin):
    list_display = ["incident_id", "school", "stage", "stranded_at", "checked_at"]
    list_filter = ["stage"]


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["name", "at"]
