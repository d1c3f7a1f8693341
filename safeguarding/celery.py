"""The Celery app. With no broker configured, tasks run in-process (CELERY_TASK_ALWAYS_EAGER)."""

import os

from celery import Celery

from notifications.worker_steps import WakeRelayOnConnect, Watchdog

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")

app = Celery("safeguarding")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Every worker exits when it stops taking tasks (so it is restarted), and wakes the outbox relay
# whenever it (re)connects to the broker.
app.steps["worker"].add(Watchdog)
app.steps["consumer"].add(WakeRelayOnConnect)
