"""The technical admin sets up each school's or trust's sign-in with Microsoft or Google."""

from django import forms
from django.contrib import admin

from safeguarding import audit
from safeguarding.text import SafeTextField

from .models import ExternalIdentity, SignInProvider


class SignInProviderForm(forms.ModelForm):
    # Identifiers, not free text, but held to the same rules as every field a person types in.
    tenant_id = SafeTextField(
        label="Directory (tenant) ID",
        max_length=36,
        required=False,
        help_text=SignInProvider._meta.get_field("tenant_id").help_text,
    )
    hosted_domain = SafeTextField(
        label="Google Workspace domain",
        max_length=253,
        required=False,
        help_text=SignInProvider._meta.get_field("hosted_domain").help_text,
    )
    client_id = SafeTextField(label="Client ID", max_length=200)
    client_secret_env = SafeTextField(
        label="Client secret environment variable",
        max_length=100,
        required=False,
        help_text=SignInProvider._meta.get_field("client_secret_env").help_text,
    )

    class Meta:
        model = SignInProvider
        fields = (
            "school",
            "trust",
            "kind",
            "tenant_id",
            "hosted_domain",
            "client_id",
            "client_secret",
            "client_secret_env",
            "enabled",
            "password_sign_in",
        )
        widgets = {
            # Typed once, never shown back.
            "client_secret": forms.PasswordInput(render_value=False),
        }

    def clean_client_secret(self):
        secret = self.cleaned_data.get("client_secret", "")
        if not secret and self.instance.pk:
            return self.instance.client_secret  # left empty: keep the one already saved
        return secret


@admin.register(SignInProvider)
class SignInProviderAdmin(admin.ModelAdmin):
    form = SignInProviderForm
    list_display = ("__str__", "kind", "enabled", "password_sign_in")
    list_filter = ("kind", "enabled")
    fields = SignInProviderForm.Meta.fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            "sso.provider_changed" if change else "sso.provider_added",
            actor=request.user,
            target=obj,
            school=obj.school,
            request=request,
            # Which settings changed, never their values (the secret above all).
            data={"fields": sorted(form.changed_data), "via": "admin"},
        )


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    """Links are made only from invitations; support may remove one (a wrong link) here."""

    list_display = ("user", "issuer", "linked_at", "last_used_at")
    search_fields = ("user__email",)
    readonly_fields = ("user", "provider", "issuer", "subject", "linked_at", "last_used_at")

    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        self._audit_unlink(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # "Delete selected" removes several at once: each is audited all the same.
        for identity in queryset:
            self._audit_unlink(request, identity)
        super().delete_queryset(request, queryset)

    @staticmethod
    def _audit_unlink(request, identity):
        audit.record(
            "sso.unlinked",
            actor=request.user,
            target=identity.user,
            request=request,
            data={"identity": identity.pk, "via": "admin"},
        )
