from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = "Sign-in with Microsoft or Google"
    default_auto_field = "django.db.models.BigAutoField"
