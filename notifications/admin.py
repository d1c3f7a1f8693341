from django.contrib import admin

from .models import NotificationSettings, Outbox


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ["school", "urgent_acknowledge_minutes", "school_day_ends_at"]
    search_fields = ["school__name"]


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    """Read-only: delivery state, for support. Rows hold references and ids, no case details."""

    list_display = ["id", "kind", "reference", "school", "status", "attempts", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["reference"]
    readonly_fields = [f.name for f in Outbox._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
