from django.contrib import admin
from django.utils.html import format_html_join

from .models import ChecklistVersion


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(admin.ModelAdmin):
    """Read-only: versions come from the files in guidance/content/ and never change."""

    list_display = ("version", "published", "question_count", "awaiting_count", "loaded_at")
    fields = (
        "version",
        "published",
        "summary",
        "content_sha256",
        "loaded_at",
        "questions_awaiting_confirmation",
        "content",
    )
    readonly_fields = fields

    @admin.display(description="Questions")
    def question_count(self, obj):
        return len(obj.content.get("questions", []))

    @admin.display(description="Awaiting confirmation")
    def awaiting_count(self, obj):
        return len(obj.checklist().awaiting_confirmation)

    @admin.display(description="Wording awaiting confirmation")
    def questions_awaiting_confirmation(self, obj):
        items = obj.checklist().awaiting_confirmation
        return format_html_join(
            "\n", "<p>{} ({})<br>{}</p>", ((item.id, item.source, item.text) for item in items)
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
