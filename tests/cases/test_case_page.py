"""The case page shows the whole record, and every view of it is an event anyone can see."""

import re

from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Referral
from incidents.models import FollowUp, PupilRole
from safeguarding import audit
from safeguarding.models import AuditEvent

from .conftest import OUTCOME, make_incident, make_pupil


def open_case(client, incident):
    response = client.get(reverse("cases:detail", kwargs={"reference": incident.reference}))
    assert response.status_code == 200
    return response


def test_the_case_page_shows_the_report_pupils_outcome_and_follow_ups(
    cast, incident, pupil, client_for
):
    creator = make_pupil(cast.school_a, "Cal", "Moss")
    incident.involvements.create(pupil=creator, role=PupilRole.ALLEGED_CREATOR)
    follow_up = FollowUp.objects.create(
        incident=incident, author=cast.teacher, text="She said the account is called x_y."
    )
    audit.record(
        "incident.follow_up_added",
        actor=cast.teacher,
        target=incident,
        school=cast.school_a,
        data={"follow_up_id": follow_up.pk},
    )

    html = open_case(client_for(cast.deputy), incident).content.decode()

    assert incident.account.replace("'", "&#x27;") in html
    assert "She said the account is called x_y." in html
    assert "Amy Jones" in html and "Pictured" in html
    assert "Cal Moss" in html and "Alleged creator" in html
    assert f"The reporter was told: <strong>{OUTCOME['headline']}</strong>" in html
    assert OUTCOME["referral_factors"][0]["label"] in html
    assert "Source: UKCIS 2024" in html
    assert "Source: NCA 2024" in html  # sextortion advice, with its source
    assert "Tom Hart" in html  # the reporter


def test_text_typed_by_staff_is_shown_escaped(cast, incident, client_for):
    services.add_note(incident=incident, actor=cast.dsl, text="<script>alert(1)</script>")
    html = open_case(client_for(cast.dsl), incident).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_every_view_is_an_event_and_is_listed_as_who_has_seen_the_case(cast, incident, client_for):
    open_case(client_for(cast.deputy), incident)
    open_case(client_for(cast.deputy), incident)
    response = open_case(client_for(cast.dsl), incident)

    views = AuditEvent.objects.filter(
        action=services.CASE_VIEWED, target_type="incidents.incident", target_id=str(incident.pk)
    )
    assert [v.actor for v in views] == [cast.deputy, cast.deputy, cast.dsl]
    assert all(v.school == cast.school_a and v.data == {"via": "page"} for v in views)
    viewers = {v.user: v.count for v in response.context["case"].viewers}
    assert viewers == {cast.deputy: 2, cast.dsl: 1}
    html = response.content.decode()
    assert "Who has seen this case" in html
    assert "Dev Patel" in html


def test_the_timeline_is_every_event_joined_to_its_record(cast, incident, client_for):
    services.acknowledge(incident=incident, actor=cast.dsl)
    referral = services.record_referral(
        incident=incident,
        actor=cast.dsl,
        agency=Referral.Agency.POLICE,
        referred_on=timezone.localdate(),
        their_reference="CAD-881",
    )
    services.assign(incident=incident, actor=cast.dsl, assignee=cast.deputy)

    response = open_case(client_for(cast.dsl), incident)
    with_views = client_for(cast.dsl).get(
        reverse("cases:detail", args=[incident.reference]), {"views": "shown"}
    )

    timeline = with_views.context["case"].timeline
    assert [e.event.action for e in timeline] == [
        "incident.reported",
        services.STATUS_CHANGED,
        services.ASSIGNED,
        services.RECORD_ADDED,
        services.ASSIGNED,
        services.CASE_VIEWED,  # the first view
        services.CASE_VIEWED,  # this very view
    ]
    assert [e.title for e in timeline] == [
        "Reported the incident",
        "Changed the status",
        "Assigned the case",
        "Recorded a referral",
        "Assigned the case",
        "Viewed the case",
        "Viewed the case",
    ]
    assert timeline[3].record == referral
    assert timeline[4].assignee == cast.deputy
    assert timeline[-1].event.actor == cast.dsl
    assert with_views.context["timeline"] == timeline
    # The page shows what was done; each opening is there only when asked for.
    assert [e.event for e in response.context["timeline"]] == [e.event for e in timeline[:-2]]
    assert "Show each of those times as well (1)" in response.content.decode()
    html = response.content.decode()
    assert "CAD-881" in html
    assert 'Assigned the case to <bdi dir="ltr">Dev Patel</bdi>' in html


def test_a_closed_case_shows_its_outcome_and_offers_no_new_records(cast, incident, client_for):
    for to in ("acknowledged", "under_review", "managed_in_school"):
        services.change_status(incident=incident, actor=cast.dsl, to_status=to)
    services.change_status(
        incident=incident,
        actor=cast.dsl,
        to_status="closed",
        reason="Support plan finished.",
        closing_outcome="managed_complete",
    )
    html = open_case(client_for(cast.dsl), incident).content.decode()
    assert "Managed in school: all actions done" in html
    assert "Support plan finished." in html
    assert "Reopen it to add to it" in html
    assert reverse("cases:add_note", kwargs={"reference": incident.reference}) not in html
    assert reverse("cases:status", kwargs={"reference": incident.reference}) in html


def test_only_the_dsl_is_offered_the_imagery_viewing_record(cast, incident, client_for):
    url = reverse("cases:imagery_viewing", kwargs={"reference": incident.reference})
    assert url in open_case(client_for(cast.dsl), incident).content.decode()
    assert url not in open_case(client_for(cast.deputy), incident).content.decode()


def test_opening_the_case_marks_its_notifications_read(cast, client_for, incident):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from notifications.models import Outbox
    from notifications.services import notify_new_case

    notify_new_case(
        school=cast.school_a, incident_id=incident.pk, reference=incident.reference, urgent=True
    )
    other = make_incident(cast.school_a, cast.teacher)
    notify_new_case(school=cast.school_a, incident_id=other.pk, reference="SG-O", urgent=False)
    unread = Outbox.objects.filter(recipient=cast.dsl, read_at__isnull=True)
    assert unread.count() == 2
    client = client_for(cast.dsl)
    with CaptureQueriesContext(connection) as marking:
        html = client.get(reverse("cases:detail", args=[incident.reference])).content.decode()
    assert unread.count() == 1
    assert Outbox.objects.filter(recipient=cast.deputy, read_at__isnull=True).count() == 2
    # The count in the header is what is left unread, after this case's were marked.
    assert 'app-unread-count">1<' in html
    # Opened again with nothing about it unread: nothing is written.
    with CaptureQueriesContext(connection) as nothing_to_mark:
        html = client.get(reverse("cases:detail", args=[incident.reference])).content.decode()
    assert 'app-unread-count">1<' in html

    def marked(queries) -> int:
        return sum(q["sql"].startswith('UPDATE "notifications_outbox"') for q in queries)

    assert (marked(marking), marked(nothing_to_mark)) == (1, 0)


def test_the_type_of_incident_is_in_words_on_the_page_and_the_pdf(cast, incident, client_for):
    """ "not_yet_known" was shown as "Notyetknown"."""
    from cases import referral_pdf
    from tests.pdf.test_referral_summary import pdf_text

    outcome = {**incident.outcome, "typology": "not_yet_known", "typology_reason": "Find out."}
    type(incident).objects.filter(pk=incident.pk).update(outcome=outcome)
    incident.refresh_from_db()

    page = client_for(cast.dsl).get(
        reverse("cases:detail", kwargs={"reference": incident.reference})
    )
    assert "Type: Not yet known. Find out." in page.content.decode()
    assert "Notyetknown" not in page.content.decode()
    assert "not_yet_known" not in page.content.decode().replace('data-current="not_yet_known"', "")
    text = pdf_text(referral_pdf.render_referral_pdf(incident, generated_by=cast.dsl))
    assert "Type of incident: TO FIND OUT: Not yet known" in " ".join(text.split())
    assert "Why this type (checklist): Find out." in text


def test_a_long_unbroken_reference_wraps_instead_of_widening_the_page(cast, incident, client_for):
    """A police reference with no spaces pushed the case page wider than a phone's screen."""
    reference = "TVP-CEOP-2026-11-21-000000000123456789-SUPPLEMENTARY"
    services.record_referral(
        incident=incident,
        actor=cast.dsl,
        agency=Referral.Agency.POLICE,
        referred_on=timezone.localdate(),
        their_reference=reference,
        contact="duty.team.long.address@thamesvalley.police.uk",
    )
    html = (
        client_for(cast.dsl)
        .get(reverse("cases:detail", kwargs={"reference": incident.reference}))
        .content.decode()
    )
    for text in (reference, "duty.team.long.address@thamesvalley.police.uk"):
        positions = [m.start() for m in re.finditer(re.escape(text), html)]
        assert positions, text
        for at in positions:
            before = html[:at]
            start = max(before.rfind("<dd"), before.rfind("<li"))
            assert "govuk-!-text-break-word" in html[start : html.index(">", start)], text


def test_the_timeline_can_be_read_newest_first(cast, client_for, incident):
    services.add_note(incident=incident, actor=cast.dsl, text="First note.")
    services.add_note(incident=incident, actor=cast.dsl, text="Second note.")
    client = client_for(cast.dsl)
    url = reverse("cases:detail", kwargs={"reference": incident.reference})

    def timeline(query=""):
        html = client.get(url + query).content.decode()
        return html[html.index('id="timeline"') :]

    oldest = timeline()
    assert oldest.index("First note.") < oldest.index("Second note.")
    assert "Show the newest first" in oldest
    newest = timeline("?order=newest")
    assert newest.index("Second note.") < newest.index("First note.")
    assert "Show the oldest first" in newest


def test_a_case_is_marked_read_even_when_the_banners_counted_first(cast, incident, rf):
    """The banners' count, once read on a request, is reused; a count read without the case's
    own unread must not stand in for it, or the case would never be marked read."""
    from django.contrib.sessions.backends.db import SessionStore

    from notifications import context_processors as banners
    from notifications.models import Outbox
    from notifications.services import notify_new_case

    notify_new_case(
        school=cast.school_a, incident_id=incident.pk, reference=incident.reference, urgent=True
    )
    request = rf.get("/")
    request.user, request.session = cast.dsl, SessionStore()
    assert banners._page_summary(request)["unread"] == 1  # as a banner would, first
    assert banners.mark_case_read(request, incident.pk) == 1
    assert not Outbox.objects.filter(recipient=cast.dsl, read_at__isnull=True).exists()
    assert banners._page_summary(request)["unread"] == 0
