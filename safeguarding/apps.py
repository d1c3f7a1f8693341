from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "safeguarding"
    verbose_name = "Organisations, people and audit"

    def ready(self):
        from . import signals  # noqa: F401  (sign-in auditing)
