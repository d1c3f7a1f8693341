"""Unfinished reports are deleted seven days after they were last saved, by a periodic task."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from incidents import tasks
from incidents.models import ReportDraft
from incidents.services import DRAFT_LIFETIME, purge_expired_drafts


def test_a_draft_lasts_seven_days_from_its_last_save(journey, cast):
    j = journey(cast.teacher)
    before = timezone.now()
    j.start()
    assert timedelta(days=7) == DRAFT_LIFETIME
    assert before + DRAFT_LIFETIME <= j.draft.expires_at <= timezone.now() + DRAFT_LIFETIME
    ReportDraft.objects.update(expires_at=timezone.now() + timedelta(hours=1))
    j.what()
    assert j.draft.expires_at > timezone.now() + timedelta(days=6)


def test_expired_drafts_are_purged_and_live_ones_kept(journey, cast):
    old, live = journey(cast.teacher), journey(cast.dsl)
    old.start()
    live.start()
    ReportDraft.objects.filter(pk=old.draft_id).update(expires_at=timezone.now())
    assert purge_expired_drafts() == 1
    assert list(ReportDraft.objects.values_list("pk", flat=True)) == [live.draft.pk]


def test_the_purge_task_runs_the_service_and_is_scheduled(journey, cast):
    j = journey(cast.teacher)
    j.start()
    ReportDraft.objects.update(expires_at=timezone.now() - timedelta(days=1))
    assert tasks.purge_expired_drafts.delay().get() == 1
    assert not ReportDraft.objects.exists()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks.purge_expired_drafts.name in scheduled
