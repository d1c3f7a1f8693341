"""The technical admin sets up each school's or trust's sign-in with Microsoft or Google."""

from django import forms
from django.contrib import admin

from safeguarding import audit

from .models import ExternalIdentity, SignInProvider


class SignInProviderForm(forms.ModelForm):
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
        audit.record(
            "sso.unlinked",
            actor=request.user,
            target=obj.user,
            request=request,
            data={"identity": obj.pk, "via": "admin"},
        )
        super().delete_model(request, obj)
