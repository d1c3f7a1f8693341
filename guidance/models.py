"""Published checklist versions, as loaded from guidance/content/ (never changed once loaded),
and who has read the staff briefing of which version."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .checklist import Checklist, content_sha256

VERSION_IS_FIXED = "Checklist version {version} is published and cannot be changed."


class ChecklistVersion(models.Model):
    version = models.CharField(max_length=20, unique=True)
    published = models.DateField()
    summary = models.TextField(blank=True)
    content = models.JSONField(help_text="The version's questions and advice, as published.")
    content_sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published", "-version"]

    def __str__(self) -> str:
        return self.version

    def save(self, *args, **kwargs):
        self.content_sha256 = content_sha256(self.content)
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("content_sha256", flat=True)
            if stored and stored[0] != self.content_sha256:
                raise ValueError(VERSION_IS_FIXED.format(version=self.version))
        super().save(*args, **kwargs)

    def checklist(self) -> Checklist:
        return Checklist.from_dict(self.content)


class BriefingConfirmation(models.Model):
    """A member of staff confirmed they read the staff briefing of one checklist version."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="briefing_confirmations"
    )
    version = models.CharField(max_length=20)
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-confirmed_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="one_confirmation_a_version")
        ]

    def __str__(self) -> str:
        return f"{self.user} read the briefing of {self.version}"
