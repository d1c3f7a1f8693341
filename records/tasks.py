from celery import shared_task

from . import services, work


@shared_task(name="records.chase")
def chase() -> int:
    """Reminders and escalations about files and subject access requests (every 15 minutes)."""
    return len(work.chase())


@shared_task(name="records.purge_unsent_archives")
def purge_unsent_archives() -> int:
    return services.purge_unsent_archives()
