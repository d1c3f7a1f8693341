"""The technical admin site (superusers, behind the same two-factor check as everything else).

The audit trail is shown read-only: nobody adds, changes or deletes records here, and the
database would refuse the last two anyway.
"""

from django.contrib import admin, messages
from django.db import transaction

from notifications.services import notify_two_factor_reset

from . import audit, people, two_factor
from .models import AuditEvent, Invitation, LeadRoleRequest, Membership, School, Trust, User


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("id", "at", "action", "actor", "school", "target_type", "target_id")
    list_filter = ("action", "school")
    search_fields = ("action", "target_id", "request_id")
    date_hierarchy = "at"
    list_select_related = ("actor", "school")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "full_name", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("email", "full_name")
    fields = ("email", "full_name", "is_active", "is_staff", "is_superuser", "last_login")
    readonly_fields = ("last_login",)
    inlines = [MembershipInline]
    actions = ["reset_two_factor"]

    @admin.action(description="Reset two-factor sign-in (lost phone and backup codes)")
    def reset_two_factor(self, request, queryset):
        # For people no school admin may reset: school admins themselves when they are the only
        # one, trust leads, technical staff. Audited like the school admins' own reset.
        for user in queryset:
            with transaction.atomic():
                two_factor.remove_two_factor(user=user, actor=request.user, request=request)
                # The person hears of it, as after a school admin's reset.
                notify_two_factor_reset(school=None, person=user)
        self.message_user(
            request,
            f"Two-factor sign-in reset for {queryset.count()} account(s). They will set it up "
            "again when they next sign in.",
            messages.SUCCESS,
        )

    def has_add_permission(self, request):
        # People join by invitation (school admins) or `createsuperuser`, never with a password
        # typed in here.
        return False

    # Changes made here are audited like the school admins' own pages: roles give access to
    # cases, and the technical flags give access to this site.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        flags = {f: getattr(obj, f) for f in ("is_active", "is_staff", "is_superuser")}
        changed = [f for f in flags if f in form.changed_data]
        if changed:
            audit.record(
                "user.flags_changed",
                actor=request.user,
                target=obj,
                request=request,
                data={f: flags[f] for f in changed} | {"via": "admin"},
            )

    def save_formset(self, request, form, formset, change):
        added = [f.instance for f in formset.forms if f.has_changed() and not f.instance.pk]
        super().save_formset(request, form, formset, change)
        removed = list(formset.deleted_objects)
        for membership in added:
            self._audit_role("role.added", request, membership)
        for membership in removed:
            self._audit_role("role.removed", request, membership)
        for membership, _fields in formset.changed_objects:
            self._audit_role("role.changed", request, membership)

    @staticmethod
    def _audit_role(action, request, membership):
        audit.record(
            action,
            actor=request.user,
            target=membership.user,
            school=membership.school,
            request=request,
            data={
                "role": membership.role,
                "trust": membership.trust_id,
                "via": "admin",
            },
        )


@admin.register(Trust)
class TrustAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "suppression_threshold")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "trust", "urn")
    list_filter = ("trust",)
    search_fields = ("name", "urn")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Shown for support; school admins invite and withdraw on their own pages, audited."""

    list_display = ("school", "created_at", "expires_at", "accepted_at", "withdrawn_at")
    list_filter = ("school",)
    exclude = ("token_hash",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LeadRoleRequest)
class LeadRoleRequestAdmin(admin.ModelAdmin):
    """For a school with no DSL and no trust yet, nobody there can confirm its first DSL: the
    support team does, here, with their name on the audit trail beside the one who asked."""

    list_display = ("person", "role", "school", "requested_by", "requested_at", "outcome")
    list_filter = ("outcome", "role")
    list_select_related = ("person", "school", "requested_by")
    actions = ["confirm", "decline"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, decide) -> None:
        for lead_request in queryset:
            try:
                decide(actor=request.user, lead_request=lead_request, request=request)
            except people.PeopleError as error:
                self.message_user(request, f"{lead_request}: {error.message}", messages.ERROR)

    @admin.action(description="Confirm (give the role)")
    def confirm(self, request, queryset):
        self._decide(request, queryset, people.confirm_lead_role)

    @admin.action(description="Decline")
    def decline(self, request, queryset):
        self._decide(request, queryset, people.decline_lead_role)
