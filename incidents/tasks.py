"""Background jobs of the incidents app. Tasks take ids (or nothing) and call services."""

from celery import shared_task

from . import services


@shared_task(name="incidents.purge_expired_drafts")
def purge_expired_drafts() -> int:
    """Delete report drafts past their seven days (run hourly by beat)."""
    return services.purge_expired_drafts()
