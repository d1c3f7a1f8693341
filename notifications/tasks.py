"""Celery tasks: ids in, services do the work. Scheduled in settings.CELERY_BEAT_SCHEDULE."""

from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=services.MAX_ATTEMPTS)
def send_outbox_message(self, outbox_id: int) -> str:
    """Send one outbox row's email; retry with backoff while the mail server fails.

    Returns what happened ('sent', 'skipped', 'retry', 'failed'): a word, never content.
    """
    result = services.deliver(outbox_id)
    # In-process (no broker) the row simply stays pending for the relay: a retry here would
    # hold the member of staff's request.
    if result == services.RETRY and not self.request.is_eager:
        countdown = services.backoff(self.request.retries + 1).total_seconds()
        raise self.retry(countdown=countdown)
    return result


@shared_task(acks_late=True, ignore_result=True)
def relay_pending() -> None:
    """Send what is still waiting (broker was down, or a retry is due)."""
    services.relay_pending()


@shared_task(acks_late=True, ignore_result=True)
def escalate_unacknowledged() -> None:
    """Escalate new cases nobody has acknowledged in time."""
    services.escalate_unacknowledged()


@shared_task(acks_late=True, ignore_result=True)
def remind_tasks() -> None:
    """Due-today and overdue reminders to each task's owner (once each)."""
    services.remind_tasks()


@shared_task(acks_late=True, ignore_result=True)
def send_daily_digests() -> None:
    """The school-day summary of open items for each DSL and deputy (once a day)."""
    services.send_daily_digests()
