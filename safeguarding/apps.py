from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "safeguarding"
    verbose_name = "Organisations, people and audit"

    def ready(self):
        from . import checks, signals  # noqa: F401  (deploy checks, sign-in auditing)
