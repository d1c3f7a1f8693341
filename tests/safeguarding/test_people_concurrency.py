"""Two admins removing a school's last two DSLs at the same moment: only one may succeed."""

import threading

import pytest
from django.db import connection, transaction

from safeguarding import people
from safeguarding.models import Membership, Role


@pytest.mark.django_db(transaction=True)
def test_the_second_removal_waits_and_is_refused(postgres, cast):
    school = cast.school_a
    Membership.objects.create(user=cast.deputy, school=school, role=Role.DSL)
    for dsl in (cast.dsl, cast.deputy):
        Membership.objects.get_or_create(user=dsl, school=school, role=Role.STAFF)
    first_removed, first_may_commit = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def first_admin():
        try:
            with transaction.atomic():
                people.remove_role(actor=cast.admin, school=school, person=cast.dsl, role=Role.DSL)
                first_removed.set()
                first_may_commit.wait(timeout=30)
            outcomes["first"] = "removed"
        except Exception as exc:
            outcomes["first"] = exc
        finally:
            first_removed.set()
            connection.close()

    def second_admin():
        try:
            people.remove_role(actor=cast.admin, school=school, person=cast.deputy, role=Role.DSL)
            outcomes["second"] = "removed"
        except Exception as exc:
            outcomes["second"] = exc
        finally:
            connection.close()

    first = threading.Thread(target=first_admin)
    first.start()
    assert first_removed.wait(timeout=30)
    # The first removal is written but not committed: the second must wait for it.
    second = threading.Thread(target=second_admin)
    second.start()
    second.join(timeout=2)
    assert second.is_alive(), "the second removal did not wait for the first"
    first_may_commit.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert outcomes["first"] == "removed"
    assert isinstance(outcomes["second"], people.PeopleError)
    assert outcomes["second"].message == people.LAST_DSL
    assert list(
        Membership.objects.filter(school=school, role=Role.DSL).values_list("user", flat=True)
    ) == [cast.deputy.pk]
