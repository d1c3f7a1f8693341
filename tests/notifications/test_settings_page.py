"""A school's DSL or school admin sets how long before an unacknowledged concern is escalated."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.forms import DAY_ENDS_FORMAT, DAY_ENDS_RANGE, URGENT_RANGE
from notifications.models import Kind, NotificationSettings, Outbox
from notifications.views import NOTHING_CHANGED, SAVED, SETTINGS_CHANGED
from safeguarding.models import AuditEvent
from tests.conftest import post_form

from .conftest import make_incident


def settings_url(school) -> str:
    return reverse("notifications:settings", kwargs={"school": school.slug})


@pytest.mark.parametrize(
    ("member", "status"),
    [
        ("dsl", 200),
        ("admin", 200),
        ("deputy", 403),
        ("teacher", 403),
        ("dsl_b", 404),
        ("teacher_b", 404),
        ("trust_lead", 404),
        ("outsider", 404),
    ],
)
def test_only_the_schools_dsl_and_school_admin_may_see_or_change_it(
    cast, client_for, member, status
):
    client = client_for(getattr(cast, member))
    url = settings_url(cast.school_a)
    assert client.get(url).status_code == status
    response = post_form(
        client, url, {"urgent_acknowledge_minutes": "5", "school_day_ends_at": "16:00"}
    )
    expected_post = 302 if status == 200 else status
    assert response.status_code == expected_post
    saved = NotificationSettings.objects.filter(school=cast.school_a).first()
    if status == 200:
        assert saved.urgent_acknowledge_minutes == 5
    else:
        assert saved is None


def test_anonymous_people_are_sent_to_sign_in(cast, client):
    response = client.get(settings_url(cast.school_a))
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_the_page_shows_the_defaults_with_hints(cast, client_for):
    page = client_for(cast.dsl).get(settings_url(cast.school_a)).content.decode()
    assert 'name="urgent_acknowledge_minutes" value="30"' in page
    assert 'name="school_day_ends_at" value="17:00"' in page
    assert "From 5 to 240 minutes." in page
    assert "a weekday in term, from the school" in page and "term dates" in page
    assert "Oakwood Academy" in page


def test_saving_changes_the_settings_and_audits_what_changed(cast, client_for):
    client = client_for(cast.admin)
    response = post_form(
        client,
        settings_url(cast.school_a),
        {"urgent_acknowledge_minutes": "15", "school_day_ends_at": "17:00"},
    )
    assert response.status_code == 302
    assert response["Location"] == settings_url(cast.school_a)
    rules = NotificationSettings.objects.get(school=cast.school_a)
    assert rules.urgent_acknowledge_minutes == 15
    assert rules.school_day_ends_at == time(17, 0)

    events = AuditEvent.objects.filter(action=SETTINGS_CHANGED)
    assert events.count() == 1
    event = events.get()
    # Only the field that changed, with its new value.
    assert event.data == {"urgent_acknowledge_minutes": 15}
    assert event.actor_id == cast.admin.pk
    assert event.school_id == cast.school_a.pk
    assert event.target_id == str(rules.pk)
    assert SAVED in client.get(response["Location"]).content.decode()

    post_form(
        client,
        settings_url(cast.school_a),
        {"urgent_acknowledge_minutes": "15", "school_day_ends_at": "15:30"},
    )
    latest = AuditEvent.objects.filter(action=SETTINGS_CHANGED).order_by("-id").first()
    assert latest.data == {"school_day_ends_at": "15:30"}
    # Other schools keep their own settings.
    assert NotificationSettings.for_school(cast.school_b).urgent_acknowledge_minutes == 30


def test_saving_the_same_values_writes_no_audit_event(cast, client_for):
    NotificationSettings.objects.create(school=cast.school_a, urgent_acknowledge_minutes=20)
    client = client_for(cast.dsl)
    response = post_form(
        client,
        settings_url(cast.school_a),
        {"urgent_acknowledge_minutes": "20", "school_day_ends_at": "17:00"},
    )
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=SETTINGS_CHANGED).exists()
    assert NOTHING_CHANGED in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("minutes", "ends_at", "errors"),
    [
        ("4", "17:00", [URGENT_RANGE]),
        ("241", "17:00", [URGENT_RANGE]),
        ("ten", "17:00", [URGENT_RANGE]),
        ("", "17:00", [URGENT_RANGE]),
        ("30", "11:59", [DAY_ENDS_RANGE]),
        ("30", "20:01", [DAY_ENDS_RANGE]),
        ("30", "5pm", [DAY_ENDS_FORMAT]),
        ("1000", "25:00", [URGENT_RANGE, DAY_ENDS_FORMAT]),
    ],
)
def test_values_out_of_bounds_are_refused_and_kept_on_the_page(
    cast, client_for, minutes, ends_at, errors
):
    response = post_form(
        client_for(cast.dsl),
        settings_url(cast.school_a),
        {"urgent_acknowledge_minutes": minutes, "school_day_ends_at": ends_at},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error:" in page
    for error in errors:
        assert error in page
    assert f'name="urgent_acknowledge_minutes" value="{minutes}"' in page or minutes == ""
    assert f'name="school_day_ends_at" value="{ends_at}"' in page
    assert not NotificationSettings.objects.filter(school=cast.school_a).exists()
    assert not AuditEvent.objects.filter(action=SETTINGS_CHANGED).exists()


def test_bounds_themselves_are_accepted(cast, client_for):
    client = client_for(cast.dsl)
    for minutes, ends_at in (("5", "12:00"), ("240", "20:00")):
        response = post_form(
            client,
            settings_url(cast.school_a),
            {"urgent_acknowledge_minutes": minutes, "school_day_ends_at": ends_at},
        )
        assert response.status_code == 302
    rules = NotificationSettings.objects.get(school=cast.school_a)
    assert (rules.urgent_acknowledge_minutes, rules.school_day_ends_at) == (240, time(20, 0))


def test_escalation_uses_the_time_set_on_the_page(cast, client_for):
    post_form(
        client_for(cast.dsl),
        settings_url(cast.school_a),
        {"urgent_acknowledge_minutes": "10", "school_day_ends_at": "17:00"},
    )
    submitted = timezone.now()
    make_incident(cast, urgent=True, submitted_at=submitted, assigned_to=cast.dsl)

    # The default (30 minutes) would not escalate yet; the school's 10 minutes does.
    assert services.escalate_unacknowledged(now=submitted + timedelta(minutes=9)) == 0
    assert services.escalate_unacknowledged(now=submitted + timedelta(minutes=11)) == 1
    assert list(Outbox.objects.values_list("recipient", "kind")) == [
        (cast.deputy.pk, Kind.ESCALATION)
    ]
    # And the trust lead after the same time again.
    assert services.escalate_unacknowledged(now=submitted + timedelta(minutes=21)) == 1
    assert Outbox.objects.filter(recipient=cast.trust_lead, kind=Kind.TRUST_ESCALATION).exists()


def test_the_home_page_links_dsls_and_school_admins_to_it(cast, client_for):
    url = settings_url(cast.school_a)
    for member in ("dsl", "admin"):
        assert url in client_for(getattr(cast, member)).get("/").content.decode()
    for member in ("deputy", "teacher"):
        assert url not in client_for(getattr(cast, member)).get("/").content.decode()


def test_the_boxes_show_plain_values_in_gov_uk_inputs(cast, client_for):
    from django.urls import reverse

    url = reverse("notifications:settings", kwargs={"school": "oakwood"})
    html = client_for(cast.dsl).get(url).content.decode()
    assert 'value="17:00"' in html and "17:00:00" not in html
    assert html.count('class="govuk-input') >= 2


def test_the_page_says_alerts_cannot_be_switched_off(cast, client_for):
    """A DSL looking for an off switch learns there is none, and what the longest wait is."""
    body = client_for(cast.dsl).get(settings_url(cast.school_a)).content.decode()
    assert "Alerts about concerns cannot be switched off" in body
    assert "within the time set below (240 minutes at the most), it is sent on" in body
