"""The catch-up never loses a change that commits while it runs: it takes only the marks
committed before it looked, and a change still open leaves its mark for the next one. Two real
PostgreSQL sessions."""

import psycopg
import pytest
from django.db import connection

from incidents.models import Incident
from stats import summary
from stats.periods import Period
from stats.queries import Scope
from tests.stats.conftest import at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def other_session():
    params = connection.get_connection_params()
    return psycopg.connect(
        host=params.get("host") or "127.0.0.1",
        port=params.get("port") or 5432,
        user=params["user"],
        password=params.get("password"),
        dbname=params["dbname"],
    )


def kinds(school):
    return dict(summary.cases_by_kind(Scope(school=school), Period(2025)))


def test_a_change_committed_during_a_catch_up_is_counted_by_the_next(cast, make_case):
    incident = make_case(cast.school_a, at(2025, 11, 5), kind="nudified")
    assert summary.catch_up() == 1
    with other_session() as other:
        # Another request changes the case and has not committed yet: its mark is not visible.
        other.execute(
            "UPDATE incidents_incident SET kind = 'sextortion' WHERE id = %s", [incident.pk]
        )
        assert summary.catch_up() == 0
        assert kinds(cast.school_a) == {"nudified": 1}
        other.commit()
    # Committed now, with its mark: the next catch-up (a page, the minute's job) counts it.
    assert summary.catch_up(Scope(trust=cast.trust_a)) == 1
    assert kinds(cast.school_a) == {"sextortion": 1}
    assert Incident.objects.get(pk=incident.pk).kind == "sextortion"


def test_a_change_rolled_back_leaves_no_mark(cast, make_case):
    incident = make_case(cast.school_a, at(2025, 11, 5), kind="nudified")
    summary.catch_up()
    with other_session() as other:
        other.execute(
            "UPDATE incidents_incident SET kind = 'sextortion' WHERE id = %s", [incident.pk]
        )
        other.rollback()
    assert summary.catch_up() == 0
    assert kinds(cast.school_a) == {"nudified": 1}
