"""Notes, decisions, referrals and initial reviews carry when it happened as well as when it was
recorded. The chronology is ordered by when things happened and says when one was recorded
late (more than a day after); the referral summary's timeline says so too."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import forms, referral_pdf, services, timeline
from cases.models import CaseNote, Decision, Referral, ReviewMeeting
from tests.conftest import post_form
from tests.pdf.test_referral_summary import pdf_text

from .conftest import make_incident


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def note(incident, recorded_at, day, moment=None) -> CaseNote:
    return CaseNote(
        incident=incident, text="-", recorded_at=recorded_at, happened_on=day, happened_time=moment
    )


# The model ---------------------------------------------------------------------------------


def test_recorded_late_means_more_than_a_day_after_it_happened(cast):
    incident = make_incident(cast.school_a, cast.teacher)
    monday = date(2026, 11, 30)
    same_day = note(incident, at(monday, 16), monday, time(9, 0))
    assert not same_day.recorded_late
    assert same_day.recorded_late_words == ""
    within_a_day = note(incident, at(monday + timedelta(days=1), 8, 59), monday, time(9, 0))
    assert not within_a_day.recorded_late
    next_day = note(incident, at(monday + timedelta(days=1), 9, 1), monday, time(9, 0))
    assert next_day.recorded_late
    assert next_day.recorded_late_words == "Recorded the next day, on 1 December 2026"
    three_days = note(incident, at(monday + timedelta(days=3), 10), monday)
    assert three_days.recorded_late
    assert three_days.recorded_late_words == "Recorded 3 days later, on 3 December 2026"
    # A date alone: the next day is not late (it may have been late the evening before).
    assert not note(incident, at(monday + timedelta(days=1), 17), monday).recorded_late


def test_when_it_happened_orders_a_date_without_a_time_sensibly(cast):
    incident = make_incident(cast.school_a, cast.teacher)
    monday = date(2026, 11, 30)
    # The same day as recorded: when it was recorded. An earlier day: that day's end.
    assert note(incident, at(monday, 16), monday).happened_at == at(monday, 16)
    later = note(incident, at(monday + timedelta(days=2), 9), monday).happened_at
    assert later.date() == monday and later > at(monday, 23, 59)
    # A time given in the minute it was recorded is the recording (seconds kept in order).
    recorded = at(monday, 10, 0) + timedelta(seconds=40)
    assert note(incident, recorded, monday, time(10, 0)).happened_at == recorded
    assert note(incident, recorded, monday, time(9, 0)).happened_at == at(monday, 9)


# The services ------------------------------------------------------------------------------


def test_a_note_or_decision_happened_now_unless_the_dsl_says_when(cast):
    incident = make_incident(cast.school_a, cast.teacher)
    before = timezone.localtime().replace(second=0, microsecond=0)
    row = services.add_note(incident=incident, actor=cast.dsl, text="Spoke to her tutor.")
    decided = services.record_decision(
        incident=incident, actor=cast.dsl, decision="other", reasons="Wait for the police."
    )
    for record in (row, decided):
        record.refresh_from_db()
        moment = timezone.make_aware(datetime.combine(record.happened_on, record.happened_time))
        assert before <= moment <= timezone.localtime()
        assert not record.recorded_late


def test_the_services_refuse_a_future_date_or_time(cast):
    incident = make_incident(cast.school_a, cast.teacher)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(services.CaseError) as refused:
        services.add_note(incident=incident, actor=cast.dsl, text="-", happened_on=tomorrow)
    assert (refused.value.message, refused.value.field) == (forms.NOT_IN_FUTURE, "happened_on")
    with pytest.raises(services.CaseError) as refused:
        services.record_referral(
            incident=incident, actor=cast.dsl, agency="police", referred_on=tomorrow
        )
    assert refused.value.field == "referred_on"
    now = timezone.localtime()
    if now.hour == 23 and now.minute >= 58:
        pytest.skip("no minute left today to be in the future")
    later = (datetime.combine(now.date(), now.time()) + timedelta(minutes=2)).time()
    with pytest.raises(services.CaseError) as refused:
        services.record_decision(
            incident=incident,
            actor=cast.dsl,
            decision="other",
            reasons="-",
            happened_on=now.date(),
            happened_time=later,
        )
    assert refused.value.field == "happened_time"
    assert refused.value.message.startswith("The time must be now or earlier")
    assert not CaseNote.objects.exists() and not Decision.objects.exists()


# The pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "date_field"),
    [
        ("add_note", "happened_on"),
        ("decision", "happened_on"),
        ("referral", "referred_on"),
        ("review_meeting", "held_on"),
    ],
)
def test_each_form_asks_when_it_happened_starting_at_now(cast, client_for, page, date_field):
    incident = make_incident(cast.school_a, cast.teacher)
    before = timezone.localtime()
    response = client_for(cast.dsl).get(
        reverse(f"cases:{page}", kwargs={"reference": incident.reference})
    )
    form = response.context["form"]
    assert form.initial[date_field] == before.date()
    shown = form.initial["happened_time"]
    assert shown.second == 0 and shown.hour in (before.hour, (before.hour + 1) % 24)
    html = response.content.decode()
    assert 'type="time"' in html and 'name="happened_time"' in html
    assert "(optional)" in form["happened_time"].label


def test_a_future_date_is_refused_with_what_was_typed_kept(cast, client_for):
    incident = make_incident(cast.school_a, cast.teacher)
    tomorrow = timezone.localdate() + timedelta(days=1)
    url = reverse("cases:add_note", kwargs={"reference": incident.reference})
    response = post_form(
        client_for(cast.dsl),
        url,
        {"text": "Her mum rang back.", "happened_on": tomorrow.isoformat(), "happened_time": ""},
    )
    assert response.status_code == 200
    assert forms.NOT_IN_FUTURE in response.context["form"].errors["happened_on"]
    assert "Her mum rang back." in response.content.decode()
    assert not CaseNote.objects.exists()


def test_a_time_later_today_is_refused_on_the_time(cast, client_for):
    now = timezone.localtime()
    if now.hour == 23 and now.minute >= 58:
        pytest.skip("no minute left today to be in the future")
    later = datetime.combine(now.date(), now.time()) + timedelta(minutes=2)
    incident = make_incident(cast.school_a, cast.teacher)
    url = reverse("cases:decision", kwargs={"reference": incident.reference})
    response = post_form(
        client_for(cast.dsl),
        url,
        {
            "decision": "other",
            "reasons": "Wait for the police.",
            "happened_on": now.date().isoformat(),
            "happened_time": f"{later:%H:%M}",
        },
    )
    errors = response.context["form"].errors
    assert "happened_on" not in errors
    assert errors["happened_time"][0].startswith("The time must be now or earlier")


def late_case(cast):
    """Reported and acknowledged; a phone call three days ago written down today, a referral
    made yesterday recorded today (date only), a review held at midnight."""
    incident = make_incident(cast.school_a, cast.teacher, age=timedelta(days=4))
    services.acknowledge(incident=incident, actor=cast.dsl)
    today = timezone.localdate()
    services.add_note(
        incident=incident,
        actor=cast.dsl,
        text="Her mum rang to say the messages had stopped.",
        happened_on=today - timedelta(days=3),
        happened_time=time(16, 45),
    )
    services.record_referral(
        incident=incident, actor=cast.dsl, agency="police", referred_on=today - timedelta(days=1)
    )
    services.record_initial_review(
        incident=incident, actor=cast.dsl, held_on=today, happened_time=time(0, 0)
    )
    return incident


def test_the_timeline_is_in_the_order_things_happened_and_says_what_was_recorded_late(
    cast, client_for
):
    incident = late_case(cast)
    case_file = timeline.load_case_file(incident)
    order = [entry.kind or entry.event.action for entry in case_file.actions]
    # Written in the order reported, acknowledged (and assigned), note, referral, review; but
    # the note happened three days ago, the referral yesterday, the review at midnight: before
    # the report's event (which the test writes now).
    assert order == [
        "note",
        "referral",
        "review_meeting",
        "incident.reported",
        "status_change",
        "case.assigned",
    ]
    late = [
        entry.kind for entry in case_file.actions if entry.happened and entry.happened.recorded_late
    ]
    assert late == ["note"]  # the referral was a day ago, date only: not late

    page = client_for(cast.dsl).get(
        reverse("cases:detail", kwargs={"reference": incident.reference})
    )
    html = page.content.decode()
    timeline_html = html[html.index('id="timeline"') :]
    recorded = timezone.localdate()
    three_days_ago = recorded - timedelta(days=3)
    assert f"{three_days_ago:%-d %B %Y}, 16:45" in timeline_html
    assert f"Recorded 3 days later, on {recorded:%-d %B %Y}." in timeline_html
    assert timeline_html.count("data-recorded-late") == 1
    # Newest first is the same chronology, the other way round.
    newest = client_for(cast.dsl).get(
        reverse("cases:detail", kwargs={"reference": incident.reference}), {"order": "newest"}
    )
    assert [e.kind for e in newest.context["timeline"]] == [
        e.kind for e in reversed(case_file.actions)
    ]
    # The note's own section says when it happened too.
    notes = html[html.index(">Notes</h2>") :]
    assert f"Happened {three_days_ago:%-d %B %Y}, 16:45</p>" in notes


def test_the_referral_summary_timeline_says_when_an_entry_was_recorded_late(cast):
    incident = late_case(cast)
    text = " ".join(
        pdf_text(referral_pdf.render_referral_pdf(incident, generated_by=cast.dsl)).split()
    )
    recorded = timezone.localdate()
    three_days_ago = recorded - timedelta(days=3)
    assert f"(Recorded 3 days later, on {recorded:%-d %B %Y})" in text
    timeline_text = text[text.index("Timeline") :]
    assert timeline_text.index(f"{three_days_ago:%-d %b %Y} 16:45") < timeline_text.index(
        "Reported the incident"
    )


@pytest.mark.django_db(transaction=True)
def test_notes_and_decisions_recorded_before_this_happened_when_they_were_recorded(cast):
    """Migration cases 0008: the date and time they were recorded (referrals and reviews keep
    their own dates, without a time)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    incident = make_incident(cast.school_a, cast.teacher)
    executor = MigrationExecutor(connection)
    old = [("cases", "0007_search_indexes")]
    executor.migrate(old)
    state = executor.loader.project_state(old)
    OldNote = state.apps.get_model("cases", "CaseNote")
    OldDecision = state.apps.get_model("cases", "Decision")
    OldReferral = state.apps.get_model("cases", "Referral")
    recorded = at(date(2026, 6, 30), 23, 30)  # 30 June in London, the next day in UTC
    common = {"incident_id": incident.pk, "recorded_by_id": cast.dsl.pk, "recorded_at": recorded}
    OldNote.objects.create(text="Rang home.", **common)
    OldDecision.objects.create(decision="other", reasons="-", **common)
    OldReferral.objects.create(agency="police", referred_on=date(2026, 6, 29), **common)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    for model in (CaseNote, Decision):
        row = model.objects.get()
        assert (row.happened_on, row.happened_time) == (date(2026, 6, 30), time(23, 30))
        assert row.happened_at == recorded and not row.recorded_late
    referral = Referral.objects.get()
    assert (referral.referred_on, referral.happened_time) == (date(2026, 6, 29), None)
    assert not ReviewMeeting.objects.exists()
