"""The standard permission cast on every case URL.

A case exists only for the DSL and deputies of its school: everyone else gets 404 (and the
denial is audited), and the imagery viewing record is the DSL's alone (deputy: 403).
"""

import pytest
from django.urls import reverse

from cases import services
from safeguarding.models import AuditEvent
from tests.conftest import post_form

from .conftest import RECORD_PAGES

CASE_PAGES = ["detail", "status", *RECORD_PAGES]
CASE_POSTS = ["acknowledge", "task_done"]
NOT_ALLOWED = [
    "teacher",
    "admin",
    "teacher_b",
    "dsl_b",
    "trust_lead",
    "other_trust_lead",
    "outsider",
]


@pytest.fixture
def task(cast, incident):
    return services.add_task(
        incident=incident,
        actor=cast.dsl,
        title="Speak to the pupil's form tutor",
        owner=cast.deputy,
        due_on=incident.submitted_at.date(),
    )


def case_url(name, incident, task):
    kwargs = {"reference": incident.reference}
    if name == "task_done":
        kwargs["task"] = task.pk
    return reverse(f"cases:{name}", kwargs=kwargs)


def school_urls(cast, pupil):
    return [
        reverse("cases:inbox", kwargs={"school": cast.school_a.slug}),
        reverse("cases:pupil_file", kwargs={"school": cast.school_a.slug, "pupil": pupil.pk}),
    ]


@pytest.mark.parametrize("member", NOT_ALLOWED)
def test_everyone_but_the_schools_dsl_and_deputies_is_refused_everywhere(
    cast, incident, pupil, task, client_for, member
):
    user = getattr(cast, member)
    client = client_for(user)
    # The school's own staff know the school exists, so its inbox and pupil pages say 403;
    # a case is 404 for them as for everyone.
    same_school = member in ("teacher", "admin")
    expected = [
        (url, 404) for url in (case_url(n, incident, task) for n in CASE_PAGES + CASE_POSTS)
    ]
    expected += [(url, 403 if same_school else 404) for url in school_urls(cast, pupil)]
    for url, status in expected:
        denials = AuditEvent.objects.filter(action="access.denied", actor=user).count()
        assert client.get(url).status_code == status, url
        assert post_form(client, url, {"text": "x"}).status_code == status, url
        assert AuditEvent.objects.filter(action="access.denied", actor=user).count() == denials + 2
    # Nothing was viewed, nothing changed.
    assert not AuditEvent.objects.filter(action=services.CASE_VIEWED).exists()
    incident.refresh_from_db()
    assert incident.status == "new"


@pytest.mark.parametrize("member", ["dsl", "deputy"])
def test_the_schools_dsl_and_deputy_open_every_case_page(
    cast, incident, pupil, task, client_for, member
):
    client = client_for(getattr(cast, member))
    for name in CASE_PAGES:
        url = case_url(name, incident, task)
        expected = 403 if (name == "imagery_viewing" and member == "deputy") else 200
        assert client.get(url).status_code == expected, url
    for url in school_urls(cast, pupil):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("name", CASE_POSTS)
def test_post_only_actions_refuse_get(cast, incident, task, client_for, name):
    response = client_for(cast.dsl).get(case_url(name, incident, task))
    assert response.status_code == 405


def test_a_deputy_cannot_record_viewing_imagery_and_the_refusal_is_audited(
    cast, incident, client_for
):
    url = reverse("cases:imagery_viewing", kwargs={"reference": incident.reference})
    response = post_form(
        client_for(cast.deputy),
        url,
        {
            "viewed_on": "2026-01-05",
            "viewed_time": "10:00",
            "reason": "To confirm.",
            "others_present": "Dana Lee",
        },
    )
    assert response.status_code == 403
    denial = AuditEvent.objects.get(action="access.denied", actor=cast.deputy)
    assert denial.data["status"] == 403
    assert denial.school == cast.school_a


def test_anonymous_people_are_sent_to_sign_in(client, incident, cast, pupil, task):
    for name in CASE_PAGES:
        response = client.get(case_url(name, incident, task))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("safeguarding:login"))
    for url in school_urls(cast, pupil):
        assert client.get(url).status_code == 302


def test_another_schools_pupil_is_404_for_this_schools_dsl(cast, client_for):
    from .conftest import make_pupil

    other = make_pupil(cast.school_b, "Ben", "Cole")
    url = reverse("cases:pupil_file", kwargs={"school": cast.school_a.slug, "pupil": other.pk})
    assert client_for(cast.dsl).get(url).status_code == 404


def test_incidents_visible_to_is_empty_for_everyone_but_reviewers(cast, incident):
    from safeguarding.access import incidents_visible_to

    assert list(incidents_visible_to(cast.dsl)) == [incident]
    assert list(incidents_visible_to(cast.deputy)) == [incident]
    for member in NOT_ALLOWED:
        assert not incidents_visible_to(getattr(cast, member)).exists(), member


def test_every_case_view_declares_its_access_policy():
    from cases import urls

    for pattern in urls.urlpatterns:
        assert hasattr(pattern.callback, "access_policy"), pattern.name
