"""The DSL and a deputy acknowledge the same new case at the same moment: one wins, the other is
told it has moved on, and the timeline holds one acknowledgement."""

import threading

import pytest
from django.db import connection, transaction

from cases import services
from incidents.models import Status

from .conftest import make_incident


@pytest.mark.django_db(transaction=True)
def test_the_second_acknowledgement_waits_and_is_refused(postgres, cast):
    incident = make_incident(cast.school_a, cast.teacher)
    first_done, first_may_commit = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def dsl():
        try:
            with transaction.atomic():
                services.acknowledge(incident=incident, actor=cast.dsl)
                first_done.set()
                first_may_commit.wait(timeout=30)
            outcomes["dsl"] = "acknowledged"
        except Exception as exc:
            outcomes["dsl"] = exc
        finally:
            first_done.set()
            connection.close()

    def deputy():
        try:
            # The deputy's page was loaded while the case was still new.
            stale = type(incident).objects.get(pk=incident.pk)
            services.acknowledge(incident=stale, actor=cast.deputy)
            outcomes["deputy"] = "acknowledged"
        except Exception as exc:
            outcomes["deputy"] = exc
        finally:
            connection.close()

    first = threading.Thread(target=dsl)
    first.start()
    assert first_done.wait(timeout=30)
    second = threading.Thread(target=deputy)
    second.start()
    second.join(timeout=2)
    assert second.is_alive(), "the second acknowledgement did not wait for the first"
    first_may_commit.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert outcomes["dsl"] == "acknowledged"
    assert isinstance(outcomes["deputy"], services.CaseError)
    incident.refresh_from_db()
    assert (incident.status, incident.assigned_to) == (Status.ACKNOWLEDGED, cast.dsl)
    changes = services.case_events(incident).filter(action=services.STATUS_CHANGED)
    assert changes.count() == 1
