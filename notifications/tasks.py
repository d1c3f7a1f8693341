"""Celery tasks: ids in, services do the work. Scheduled in settings.CELERY_BEAT_SCHEDULE;
queues in settings.CELERY_TASK_ROUTES (alerts and the relay on their own queue and worker)."""

from celery import shared_task

from . import liveness, services


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=5)
def send_outbox_message(self, outbox_id: int) -> str:
    """Send one outbox row's email, once.

    Returns what happened ('sent', 'skipped', 'retry', 'failed', 'held'): a word, never
    content. A temporary failure leaves the row waiting with a backoff for the relay. A row
    another sender holds is looked at again when its lease runs out: this is how a task
    redelivered after its worker was killed mid-send (CELERY_TASK_REJECT_ON_WORKER_LOST) still
    sends a row whose claim died with that worker.
    """
    result = services.deliver(outbox_id)
    if result == services.HELD and not self.request.is_eager:
        raise self.retry(countdown=services.lease_left(outbox_id) + 1)
    return result


@shared_task(acks_late=True, ignore_result=True)
def relay_pending(recovered: bool = False) -> None:
    """Publish a send task for what is due (broker was down, a retry is due, a sender died)."""
    services.relay_pending(recovered=recovered)


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


@shared_task(acks_late=True, ignore_result=True)
def send_briefing_reminders() -> None:
    """The weekly one-line reminder to staff who have not read the current staff briefing."""
    services.send_briefing_reminders()


@shared_task(bind=True, ignore_result=True)
def worker_alive(self) -> None:
    """Sent by a worker's watchdog to that worker alone: running it proves the worker still
    takes tasks from the broker and runs them."""
    liveness.touch(liveness.worker_name(self.request.hostname))
