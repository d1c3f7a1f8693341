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


@pytest.mark.django_db(transaction=True)
def test_a_writer_that_waited_for_the_lock_follows_the_record_written_meanwhile(postgres):
    """The second writer asks for the chain's head while the first still holds the chain: it
    waits, and once the first commits it reads the head the first wrote, not the one there was
    when it asked (one statement locks and reads: migration 0010)."""
    from django.db import transaction

    holding = threading.Event()
    release = threading.Event()
    second: list = []

    def first_writer() -> None:
        try:
            with transaction.atomic():
                audit.record("test.first", target_type="test", target_id="first")
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    def second_writer() -> None:
        try:
            second.append(audit.record("test.second", target_type="test", target_id="second"))
        except BaseException as exc:  # reported by the main thread
            second.append(exc)
        finally:
            connection.close()

    audit.record("test.before", target_type="test", target_id="before")
    first = threading.Thread(target=first_writer)
    first.start()
    assert holding.wait(30)
    waiting = threading.Thread(target=second_writer)
    waiting.start()
    # It cannot finish while the first writer holds the chain.
    waiting.join(timeout=1)
    assert waiting.is_alive() and second == []
    release.set()
    first.join(30)
    waiting.join(30)

    [written] = second
    assert isinstance(written, AuditEvent), written
    newest_before = AuditEvent.objects.get(action="test.first")
    assert (written.seq, written.previous_hash) == (newest_before.seq + 1, newest_before.hash)
    assert audit.first_broken_event() is None


@pytest.mark.django_db(transaction=True)
def test_a_record_written_outside_a_transaction_costs_two_statements_and_no_transaction(
    postgres, cast
):
    """A page's record of who looked is written outside any transaction: the head, then an
    INSERT that takes the chain's lock for its own statement. No BEGIN, no COMMIT."""
    from django.test.utils import CaptureQueriesContext

    audit.record("test.first", school=cast.school_a)
    with CaptureQueriesContext(connection) as queries:
        second = audit.record("test.second", school=cast.school_a)
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert statements == ["SELECT", "INSERT"], statements
    first = AuditEvent.objects.get(action="test.first")
    assert (second.seq, second.previous_hash) == (first.seq + 1, first.hash)
    assert AuditEvent.objects.get(pk=second.pk).hash == second.hash
    assert audit.first_broken_event() is None
