"""Celery tasks for statistics. Scheduled in settings.CELERY_BEAT_SCHEDULE."""

from celery import shared_task

from . import summary


@shared_task(acks_late=True, ignore_result=True)
def catch_up_summary() -> int:
    """Recount the school-months changed since the last catch-up, so a dashboard seldom has
    any left to recount itself. Cheap when nothing changed; a missed run loses nothing (the
    marks stay until counted)."""
    return summary.catch_up() if summary.enabled() else 0
