"""Publishing send tasks off the request thread, so that a broker that hangs never holds a
member of staff's request.

The outbox rows are already committed when `submit()` is called: publishing only makes them go
out sooner. A background thread (one per process, started on first use) publishes each batch
once; if the broker refuses or hangs it gives that batch up and the relay sends those rows.
A row records when its task was published (`queued_at`), so the relay publishes again only
rows nobody has published, or whose task has had time to run and did not.
"""

import logging
import os
import queue
import threading

from django.db import close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger(__name__)

# Batches waiting to be published; beyond this the newest are left to the relay.
MAX_WAITING = 1000


class Publisher:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: queue.Queue = queue.Queue(maxsize=MAX_WAITING)
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def submit(self, outbox_ids: list[int], *, queue_name: str) -> None:
        """Publish a send task for each row, soon, from another thread. Never blocks."""
        self._ensure_thread()
        try:
            self._waiting.put_nowait((list(outbox_ids), queue_name))
        except queue.Full:
            logger.warning(
                "notifications: %s outbox messages left for the relay (publisher busy)",
                len(outbox_ids),
            )

    def flush(self, timeout: float = 30) -> bool:
        """Wait until everything submitted so far has been tried (for tests and benchmarks)."""
        done = threading.Event()

        def wait():
            self._waiting.join()
            done.set()

        threading.Thread(target=wait, daemon=True).start()
        return done.wait(timeout)

    def _ensure_thread(self) -> None:
        # A forked process (gunicorn worker) starts its own thread: threads do not survive fork.
        with self._lock:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            if self._pid != os.getpid():
                self._waiting = queue.Queue(maxsize=MAX_WAITING)
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="outbox-publisher", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        from .models import Outbox

        while True:
            outbox_ids, queue_name = self._waiting.get()
            try:
                published = publish(outbox_ids, queue_name=queue_name)
                if published:
                    close_old_connections()
                    Outbox.objects.filter(pk__in=published, queued_at__isnull=True).update(
                        queued_at=timezone.now()
                    )
            except Exception:  # never let the thread die: the relay is the safety net
                logger.exception("notifications: the outbox publisher failed")
            finally:
                connection.close()
                self._waiting.task_done()


def publish(outbox_ids: list[int], *, queue_name: str) -> list[int]:
    """Publish one send task per row; returns the ids published.

    Stops at the first failure: a broker that refuses or hangs costs one attempt (bounded by
    the broker timeouts in settings), and the rest are left to the relay.
    """
    from .tasks import send_outbox_message

    published = []
    for outbox_id in outbox_ids:
        try:
            send_outbox_message.apply_async(args=[outbox_id], queue=queue_name)
        except Exception as exc:
            logger.warning(
                "notifications: could not queue outbox message %s (%s); the relay will send it",
                outbox_id,
                type(exc).__name__,
            )
            break
        published.append(outbox_id)
    return published


publisher = Publisher()
