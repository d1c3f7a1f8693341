"""Who did it defaults to the signed-in person; school admins, who never see a case, are never
offered as having done something on one."""

import re

from django.urls import reverse

from .conftest import make_incident


def selected(html: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="([^"]+)"[^>]*selected', select).group(1)


def options(html: str, name: str) -> str:
    return re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)


def test_a_task_is_given_to_the_signed_in_person_unless_they_choose(cast, client_for):
    incident = make_incident(cast.school_a, cast.teacher)
    url = reverse("cases:add_task", kwargs={"reference": incident.reference})
    for person in (cast.dsl, cast.deputy):
        html = client_for(person).get(url).content.decode()
        assert selected(html, "owner") == str(person.pk)


def test_removal_is_offered_by_the_signed_in_person_and_never_by_an_admin(cast, client_for):
    incident = make_incident(cast.school_a, cast.teacher)
    url = reverse("cases:removal_offered", kwargs={"reference": incident.reference})
    html = client_for(cast.deputy).get(url).content.decode()
    assert selected(html, "offered_by") == str(cast.deputy.pk)
    people = options(html, "offered_by")
    assert cast.teacher.full_name in people
    assert cast.admin.full_name not in people
