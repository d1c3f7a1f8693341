from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"

    def ready(self):
        # `manage.py runserver` with no broker runs the periodic jobs in a thread of its own
        # (schedule.py); every other process (tests, gunicorn, workers, beat) starts nothing.
        from . import schedule

        schedule.start_if_serving()
