"""Two requests writing audit records at the same moment must not fork the chain."""

import threading

import pytest
from django.db import connection

from safeguarding import audit
from safeguarding.models import AuditEvent

WRITES_PER_THREAD = 40


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain(postgres):
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            start.wait()
            for n in range(WRITES_PER_THREAD):
                audit.record("test.concurrent", target_type="test", target_id=name, data={"n": n})
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert AuditEvent.objects.count() == 2 * WRITES_PER_THREAD
    # Both writers really ran at once: their records interleave.
    writers_in_order = list(AuditEvent.objects.values_list("target_id", flat=True))
    assert writers_in_order != sorted(writers_in_order)
    previous_hashes = list(AuditEvent.objects.values_list("previous_hash", flat=True))
    assert len(set(previous_hashes)) == len(previous_hashes), "two records share a parent"
    assert audit.first_broken_event() is None
