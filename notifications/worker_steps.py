"""Two additions to every Celery worker (registered in safeguarding/celery.py).

- `Watchdog`: a worker that stops taking tasks (a broker that hangs without closing the
  connection, a pool stuck on something) looks alive to Docker and to Celery. Every few seconds
  the watchdog sends this worker alone a `worker_alive` task; if none has run for
  WORKER_STALL_SECONDS (default 90) it logs at ERROR and exits, so the container's restart
  policy starts a fresh one. Rows it was sending are sent again once their lease runs out.
- `WakeRelayOnConnect`: each time the worker (re)connects to the broker it asks the relay to
  publish what is waiting, at once, including rows whose tasks the broker may have lost: a
  recovery is acted on in seconds rather than at the relay's next turn.
"""

import logging
import os
import threading

from celery import bootsteps

logger = logging.getLogger(__name__)

STALL_SECONDS = float(os.environ.get("WORKER_STALL_SECONDS", "90"))
EXIT_CODE = 70


class Watchdog(bootsteps.StartStopStep):
    requires = {"celery.worker.components:Pool"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.stall_seconds = STALL_SECONDS
        self.every = max(min(10.0, self.stall_seconds / 4), 0.5)
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.ping: threading.Thread | None = None

    def start(self, worker):
        from . import liveness

        self.name = liveness.worker_name(worker.hostname)
        liveness.touch(self.name)  # starting counts as alive
        self.thread = threading.Thread(
            target=self.watch, args=(worker.app, worker.hostname), name="watchdog", daemon=True
        )
        self.thread.start()

    def stop(self, worker):
        self.stopping.set()

    def watch(self, app, hostname: str) -> None:
        from . import liveness

        while not self.stopping.wait(self.every):
            silent = liveness.age(self.name) or 0.0
            if silent > self.stall_seconds:
                logger.error(
                    "notifications: worker %s has run no task for %.0f s (the broker or the pool"
                    " is stuck); exiting so that it is restarted",
                    hostname,
                    silent,
                )
                os._exit(EXIT_CODE)
            # Published from a thread of its own: a broker that hangs must not stop the check.
            if self.ping is None or not self.ping.is_alive():
                self.ping = threading.Thread(
                    target=self.send_ping, args=(app, hostname), daemon=True
                )
                self.ping.start()

    def send_ping(self, app, hostname: str) -> None:
        try:
            app.send_task(
                "notifications.tasks.worker_alive", exchange="C.dq2", routing_key=hostname
            )
        except Exception as exc:
            logger.warning("notifications: watchdog could not reach the broker (%s)", exc)


class WakeRelayOnConnect(bootsteps.StartStopStep):
    requires = {"celery.worker.consumer.tasks:Tasks"}

    def start(self, consumer):
        try:
            consumer.app.send_task(
                "notifications.tasks.relay_pending", kwargs={"recovered": True}, queue="alerts"
            )
        except Exception as exc:
            logger.warning("notifications: could not wake the relay (%s)", exc)
