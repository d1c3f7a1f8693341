"""A closed case takes nothing new: its record pages say so and offer to reopen it, and the
server refuses what is sent anyway, giving back what was typed."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import CaseNote
from cases.referral_pdf import referral_context
from incidents.models import Status
from tests.conftest import post_form

from .conftest import RECORD_PAGES


def close(incident, actor):
    for status in ("acknowledged", "under_review", "managed_in_school"):
        services.change_status(incident=incident, actor=actor, to_status=status)
    services.change_status(
        incident=incident,
        actor=actor,
        to_status=Status.CLOSED,
        reason="Support plan finished.",
        closing_outcome="managed_complete",
    )


def url(name, incident, **kwargs):
    return reverse(f"cases:{name}", kwargs={"reference": incident.reference, **kwargs})


@pytest.mark.parametrize("name", RECORD_PAGES)
def test_a_record_page_on_a_closed_case_offers_to_reopen_it_instead_of_a_form(
    cast, incident, client_for, name
):
    close(incident, cast.dsl)
    response = client_for(cast.dsl).get(url(name, incident))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This case was closed on" in html
    assert f'href="{url("status", incident)}"' in html
    assert 'method="post"' not in html.split("</header>", 1)[1]


def test_what_was_typed_into_a_page_opened_before_closing_is_given_back(cast, incident, client_for):
    client = client_for(cast.dsl)
    close(incident, cast.dsl)
    response = post_form(client, url("add_note", incident), {"text": "Mum rang back at 4pm."})
    html = response.content.decode()
    assert services.CASE_IS_CLOSED in html
    assert "Mum rang back at 4pm." in html
    assert f'href="{url("status", incident)}"' in html
    assert not CaseNote.objects.exists()


def test_the_closed_case_page_offers_no_mark_done_button_but_a_way_to_reopen(
    cast, incident, client_for
):
    task = services.add_task(
        incident=incident,
        actor=cast.dsl,
        title="Call parents",
        owner=cast.dsl,
        due_on=timezone.localdate() - timedelta(days=1),
    )
    close(incident, cast.dsl)
    html = client_for(cast.dsl).get(url("detail", incident)).content.decode()
    assert url("task_done", incident, task=task.pk) not in html
    assert "Not done" in html
    assert "Overdue" not in html  # nothing more can be done on it
    assert f'href="{url("status", incident)}"' in html


def test_the_status_page_of_a_closed_case_still_offers_reopening(cast, incident, client_for):
    close(incident, cast.dsl)
    client = client_for(cast.dsl)
    html = client.get(url("status", incident)).content.decode()
    assert "Reopen the case" in html and 'method="post"' in html
    post_form(
        client, url("status", incident), {"to_status": "under_review", "reason": "Police rang."}
    )
    incident.refresh_from_db()
    assert incident.status == Status.UNDER_REVIEW
    response = client.get(url("add_note", incident))
    assert "This case was closed on" not in response.content.decode()


def test_the_referral_summary_of_a_closed_case_says_how_and_why_it_was_closed(cast, incident):
    close(incident, cast.dsl)
    incident.refresh_from_db()
    html = render_to_string(
        "pdf/referral_summary.html", referral_context(incident, generated_by=cast.dsl)
    )
    assert "Managed in school: all actions done. Reason: \u2068Support plan finished.\u2069" in html


def test_closing_with_tasks_not_done_says_they_stay_not_done(cast, incident, client_for):
    services.add_task(
        incident=incident,
        actor=cast.dsl,
        title="Call the parents",
        owner=cast.dsl,
        due_on=timezone.localdate(),
    )
    client = client_for(cast.dsl)
    services.change_status(incident=incident, actor=cast.dsl, to_status="acknowledged")
    assert "not done yet" not in client.get(url("status", incident)).content.decode()
    for status in ("under_review", "managed_in_school"):
        services.change_status(incident=incident, actor=cast.dsl, to_status=status)
    html = client.get(url("status", incident)).content.decode()
    assert "1 task is not done yet. If you close the case, it stays not done:" in html
    assert "Call the parents" in html
