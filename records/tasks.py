import logging

from celery import shared_task

from . import services, storage, work

logger = logging.getLogger(__name__)


@shared_task(name="records.chase")
def chase() -> int:
    """Reminders and escalations about files and subject access requests (every 15 minutes)."""
    return len(work.chase())


@shared_task(name="records.purge_unsent_archives")
def purge_unsent_archives() -> int:
    return services.purge_unsent_archives()


@shared_task(name="records.clear_disposed_storage")
def clear_disposed_storage() -> int:
    """Nightly, where the worker connects as the tables' owner (records/storage.py); otherwise
    run `manage.py clear_disposed_storage` as the owner."""
    try:
        return storage.clear_disposed()
    except storage.StorageError as error:
        logger.warning("records: %s", error)
        return 0
