"""A pupil a member of staff added while reporting exists because a report named them. Only
those who see the school's cases (the DSL and deputies) may learn that; the school admin, who
keeps the pupil list but sees no cases, must not (issue 13, point 5)."""

import pytest
from django.urls import reverse

from incidents.models import Pupil
from incidents.services import import_pupils


@pytest.fixture
def named_in_a_report(cast):
    Pupil.objects.create(
        school=cast.school_a, first_name="Jake", last_name="Turner", year_group="9", mis_id="X"
    )
    return Pupil.objects.create(
        school=cast.school_a,
        first_name="Maya",
        last_name="Okafor",
        year_group="9",
        added_from_report=True,
    )


def pupil_list(client) -> str:
    return client.get(reverse("incidents:pupils", kwargs={"school": "oakwood"})).content.decode()


def test_the_dsl_and_deputy_see_who_was_added_in_a_report(cast, client_for, named_in_a_report):
    for member in (cast.dsl, cast.deputy):
        body = pupil_list(client_for(member))
        assert "Okafor" in body and "Added in a report" in body
        assert "2 pupils at" in body


def test_the_school_admin_does_not(cast, client_for, named_in_a_report):
    body = pupil_list(client_for(cast.admin))
    assert "Added in a report" not in body
    # Not even as a pupil with no date of birth and no MIS id, which would say the same.
    assert "Okafor" not in body and "Turner" in body
    assert "1 pupil at" in body


def test_importing_the_list_does_not_tell_the_admin_either(cast, named_in_a_report):
    csv = "UPN,Forename,Surname,Year,DOB\nM1,Maya,Okafor,9,2011-05-06\n"
    result = import_pupils(actor=cast.admin, school=cast.school_a, csv_text=csv)
    # She was matched to the pupil added in the report (who keeps it), but to the admin she is
    # new to the list, as she is for them.
    assert (result.created, result.updated) == (1, 0)
    named_in_a_report.refresh_from_db()
    assert named_in_a_report.mis_id == "M1" and not named_in_a_report.added_from_report
