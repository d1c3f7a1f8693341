"""Beat, watched and one at a time (settings.CELERY_BEAT_SCHEDULER).

- One beat schedules at a time: it holds a lock in Redis (the broker it publishes to) with a
  short lease, renewed on every tick. A second beat waits without scheduling and takes over
  when the first stops renewing (stopped, killed, paused); a beat that finds it has lost the
  lock stops scheduling. The jobs themselves are safe to run twice, so the moment of handover
  may double one run, never more.
- Watched: every tick touches beat's liveness file (the container's health check); the beat
  holding the lock also writes the "beat" heartbeat the health endpoint reads.
- Caught up: on taking the lock, and after a pause (ticks further apart than they should be),
  the relay and the escalation check run at once instead of at their next turn.
"""

import contextlib
import logging
import os
import time

import redis
from django.db import DatabaseError
from django_celery_beat.schedulers import DatabaseScheduler
from redis.exceptions import LockError, RedisError

from . import liveness
from .models import Heartbeat

logger = logging.getLogger(__name__)

LOCK_KEY = "safeguarding:beat-lock"
LOCK_SECONDS = float(os.environ.get("BEAT_LOCK_SECONDS", "30"))
# Ticks come at most max_interval (5 s) apart: much more than that was a pause.
PAUSE_SECONDS = 15.0
HEARTBEAT_EVERY = 10.0
CATCH_UP_TASKS = (
    "notifications.tasks.relay_pending",
    "notifications.tasks.escalate_unacknowledged",
)


class SingleBeat(DatabaseScheduler):
    def setup_schedule(self):
        super().setup_schedule()
        self.holding = False
        self.last_tick: float | None = None
        self.last_heartbeat = 0.0
        self.client = redis.Redis.from_url(
            self.app.conf.broker_url, socket_timeout=2, socket_connect_timeout=2
        )
        self.lock = self.client.lock(LOCK_KEY, timeout=LOCK_SECONDS, thread_local=False)

    def tick(self, *args, **kwargs):
        liveness.touch("beat")
        if not self.hold_lock():
            self.last_tick = None
            return min(self.max_interval, LOCK_SECONDS / 3)
        now = time.monotonic()
        if self.last_tick is None or now - self.last_tick > PAUSE_SECONDS:
            self.catch_up(paused_for=None if self.last_tick is None else now - self.last_tick)
        self.last_tick = now
        if now - self.last_heartbeat >= HEARTBEAT_EVERY:
            try:
                Heartbeat.beat("beat")
                self.last_heartbeat = now
            except DatabaseError as exc:
                logger.warning("beat: could not write its heartbeat (%s)", type(exc).__name__)
        return min(super().tick(*args, **kwargs), LOCK_SECONDS / 3)

    def hold_lock(self) -> bool:
        try:
            if self.holding:
                self.lock.reacquire()
            elif self.lock.acquire(blocking=False):
                self.holding = True
                logger.info("beat: this beat now schedules the periodic jobs")
        except LockError:
            self.holding = False
            logger.warning("beat: another beat holds the lock; this one waits")
        except RedisError as exc:
            # Cannot tell; publishing would fail too. Try again next tick.
            logger.warning("beat: cannot reach the broker for its lock (%s)", type(exc).__name__)
            return False
        return self.holding

    def catch_up(self, *, paused_for: float | None) -> None:
        if paused_for is not None:
            logger.warning("beat: ticks stopped for %.0f s; catching up", paused_for)
        for name in CATCH_UP_TASKS:
            try:
                self.app.send_task(name)
            except Exception as exc:
                logger.warning("beat: could not send %s (%s)", name, type(exc).__name__)

    def close(self):
        if self.holding:
            with contextlib.suppress(LockError, RedisError):
                self.lock.release()
            self.holding = False
        super().close()
