"""Trust leads see only their trust; DSLs and deputies only their school; teachers nothing."""

import pytest
from django.urls import reverse

from safeguarding.models import AuditEvent
from tests.conftest import post_form

TRUST_VIEWS = ("stats:trust_dashboard", "stats:trust_export", "stats:trust_metadata")
SCHOOL_VIEWS = ("stats:school_dashboard", "stats:school_export", "stats:school_metadata")


@pytest.mark.parametrize("view", TRUST_VIEWS)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("trust_lead", 200),
        ("other_trust_lead", 404),
        ("dsl", 404),
        ("deputy", 404),
        ("teacher", 404),
        ("admin", 404),
        ("outsider", 404),
    ],
)
def test_only_the_trusts_own_lead_sees_its_statistics(cast, client_for, view, who, status):
    response = client_for(getattr(cast, who)).get(reverse(view, args=["northfield"]))
    assert response.status_code == status


@pytest.mark.parametrize("view", SCHOOL_VIEWS)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("dsl", 200),
        ("deputy", 200),
        ("teacher", 403),
        ("admin", 403),
        ("teacher_b", 404),
        ("dsl_b", 404),
        ("trust_lead", 404),
        ("other_trust_lead", 404),
        ("outsider", 404),
    ],
)
def test_only_the_schools_dsl_and_deputy_see_its_statistics(cast, client_for, view, who, status):
    response = client_for(getattr(cast, who)).get(reverse(view, args=["oakwood"]))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("view", "arg"),
    [*((v, "northfield") for v in TRUST_VIEWS), *((v, "oakwood") for v in SCHOOL_VIEWS)],
)
def test_signed_out_people_are_sent_to_sign_in(client, cast, view, arg):
    response = client.get(reverse(view, args=[arg]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("safeguarding:login"))


def test_a_refusal_is_written_to_the_audit_trail(cast, client_for):
    client_for(cast.other_trust_lead).get(reverse("stats:trust_dashboard", args=["northfield"]))
    denial = AuditEvent.objects.filter(action="access.denied").last()
    assert denial.actor == cast.other_trust_lead
    assert denial.data["status"] == 404


def test_an_export_is_written_to_the_audit_trail(cast, client_for):
    client_for(cast.trust_lead).get(
        reverse("stats:trust_export", args=["northfield"]), {"year": "2025", "term": "autumn"}
    )
    event = AuditEvent.objects.get(action="statistics.exported")
    assert event.actor == cast.trust_lead
    assert event.target_id == str(cast.trust_a.pk)
    assert event.data == {"year": 2025, "term": "autumn"}


def test_the_statistics_cannot_be_posted_to(cast, client_for):
    client = client_for(cast.trust_lead)
    response = post_form(client, reverse("stats:trust_dashboard", args=["northfield"]))
    assert response.status_code == 405
