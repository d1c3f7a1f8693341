"""School sign-in with Microsoft Entra ID or Google Workspace (OpenID Connect).

A SignInProvider is one school's or one trust's app registration, set up by the technical admin.
An ExternalIdentity links one account at one identity provider (its issuer and stable subject
id) to one person here. Accounts are found only through that link, never by email address.
"""

import os
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from safeguarding.models import School, Trust, User

TENANT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HOSTED_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class SignInProvider(models.Model):
    """How staff of one school, or of every school in one trust, sign in with their work account."""

    class Kind(models.TextChoices):
        MICROSOFT = "microsoft", "Microsoft 365 (Microsoft Entra ID)"
        GOOGLE = "google", "Google Workspace"

    school = models.OneToOneField(
        School,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sign_in_provider",
        help_text="The school whose staff sign in this way. Leave empty for a trust.",
    )
    trust = models.OneToOneField(
        Trust,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sign_in_provider",
        help_text="A trust: its leads and every school of it without its own set-up.",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    tenant_id = models.CharField(
        "Directory (tenant) ID",
        max_length=36,
        blank=True,
        help_text="Microsoft only: the school's Directory (tenant) ID, as Entra ID shows it "
        "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).",
    )
    hosted_domain = models.CharField(
        "Google Workspace domain",
        max_length=253,
        blank=True,
        help_text="Google only: the school's primary Google Workspace domain, e.g. oakwood.sch.uk.",
    )
    client_id = models.CharField("Client ID", max_length=200)
    client_secret = models.CharField(
        "Client secret",
        max_length=500,
        blank=True,
        help_text="Either type the secret here, or leave this empty and name an environment "
        "variable that holds it below.",
    )
    client_secret_env = models.CharField(
        "Client secret environment variable",
        max_length=100,
        blank=True,
        help_text="The name of an environment variable of the web server holding the secret.",
    )
    enabled = models.BooleanField(default=True)
    password_sign_in = models.BooleanField(
        "Staff may also sign in with a password",
        default=True,
        help_text="The school admin can switch this off once staff sign in with their work "
        "account.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "sign-in provider"
        constraints = [
            models.CheckConstraint(
                name="sign_in_provider_school_or_trust",
                condition=(
                    Q(school__isnull=False, trust__isnull=True)
                    | Q(school__isnull=True, trust__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.school or self.trust}"

    @property
    def label(self) -> str:
        """What the sign-in button calls it."""
        return "Microsoft" if self.kind == self.Kind.MICROSOFT else "Google"

    @property
    def issuer(self) -> str:
        """The issuer its ID tokens must carry. settings.SSO_ISSUERS holds the templates, so the
        tests can point them at a provider on 127.0.0.1."""
        template = settings.SSO_ISSUERS[self.kind]
        return template.format(tenant=self.tenant_id)

    def secret(self) -> str:
        if self.client_secret:
            return self.client_secret
        if self.client_secret_env:
            return os.environ.get(self.client_secret_env, "")
        return ""

    def clean(self):
        errors = {}
        if (self.school_id is None) == (self.trust_id is None):
            errors["school"] = "Choose a school or a trust, not both."
        self.tenant_id = self.tenant_id.strip().lower()
        self.hosted_domain = self.hosted_domain.strip().lower()
        if self.kind == self.Kind.MICROSOFT:
            if not TENANT_ID.match(self.tenant_id):
                errors["tenant_id"] = (
                    "Enter the Directory (tenant) ID from Entra ID, like "
                    "01234567-89ab-cdef-0123-456789abcdef."
                )
            self.hosted_domain = ""
        elif self.kind == self.Kind.GOOGLE:
            if not HOSTED_DOMAIN.match(self.hosted_domain):
                errors["hosted_domain"] = (
                    "Enter the school's Google Workspace domain, like oakwood.sch.uk."
                )
            self.tenant_id = ""
        if not self.client_secret and not self.client_secret_env:
            errors["client_secret"] = (
                "Type the client secret, or name the environment variable holding it."
            )
        if errors:
            raise ValidationError(errors)


class ExternalIdentity(models.Model):
    """One account at an identity provider, linked to one person here.

    Found by (issuer, subject) alone: the subject is the provider's stable id for the account, so
    a changed name or email address at the provider still finds the same person, and nobody is
    ever matched by email address.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    provider = models.ForeignKey(
        SignInProvider, null=True, on_delete=models.SET_NULL, related_name="identities"
    )
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    linked_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "linked work account"
        verbose_name_plural = "linked work accounts"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_link_per_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.issuer}"
