"""Linked cases and closing a case as a duplicate: one form each, shown on both cases and both
timelines, audited on both; a duplicate is left out of statistics until it is reopened."""

from django.urls import reverse
from django.utils import timezone

from cases import forms, services
from cases.models import CaseLink, StatusChange
from incidents.models import Incident, PupilRole, Status
from safeguarding.models import AuditEvent
from stats import queries
from stats.periods import Period
from stats.queries import Scope
from tests.conftest import post_form

from .conftest import make_incident, make_pupil


def url(name, incident):
    return reverse(f"cases:{name}", kwargs={"reference": incident.reference})


def page(client, incident) -> str:
    response = client.get(url("detail", incident))
    assert response.status_code == 200
    return response.content.decode()


def linked_events(incident):
    return AuditEvent.objects.filter(
        action=services.CASE_LINKED, target_id=str(incident.pk), school=incident.school
    )


def test_linking_shows_the_link_on_both_cases_and_both_timelines(cast, client_for):
    first = make_incident(cast.school_a, cast.teacher, status=Status.UNDER_REVIEW)
    second = make_incident(cast.school_a, cast.teacher, status=Status.CLOSED)
    client = client_for(cast.deputy)

    response = post_form(
        client,
        url("link_case", first),
        {"reference": second.reference, "reason": "same_person", "explanation": "Same Y10 boy."},
    )

    assert response.status_code == 302
    link = CaseLink.objects.get()
    assert (link.incident, link.linked, link.recorded_by) == (first, second, cast.deputy)
    assert (link.reason, link.explanation) == (CaseLink.Reason.SAME_PERSON, "Same Y10 boy.")
    for here, there in ((first, second), (second, first)):
        html = page(client, here)
        assert f'href="{url("detail", there)}"' in html
        assert "The same person responsible" in html and "Same Y10 boy." in html
        assert "Linked to another case" in html  # on the timeline
        event = linked_events(here).get()
        assert event.actor == cast.deputy
        assert event.data == {"record": "case_link", "id": link.pk, "other": there.reference}


def test_a_reference_is_found_however_it_is_typed(cast, client_for):
    first = make_incident(cast.school_a, cast.teacher)
    second = make_incident(cast.school_a, cast.teacher)
    typed = second.reference.lower().replace("sg-", "").replace("-", " ")
    post_form(
        client_for(cast.dsl), url("link_case", first), {"reference": typed, "reason": "same_image"}
    )
    assert CaseLink.objects.filter(incident=first, linked=second).exists()


def test_a_case_elsewhere_or_unknown_is_not_found_and_what_was_typed_stays(cast, client_for):
    here = make_incident(cast.school_a, cast.teacher)
    elsewhere = make_incident(cast.school_b, cast.teacher_b)
    client = client_for(cast.dsl)

    for reference in (elsewhere.reference, "SG-AAAA-BBBB"):
        response = post_form(
            client,
            url("link_case", here),
            {"reference": reference, "reason": "other", "explanation": "Seen at the bus stop."},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert forms.NO_SUCH_CASE.format(reference=reference) in html
        assert "Seen at the bus stop." in html
    assert not CaseLink.objects.exists()


def test_linking_refuses_itself_twice_and_another_reason_without_words(cast, client_for):
    first = make_incident(cast.school_a, cast.teacher)
    second = make_incident(cast.school_a, cast.teacher)
    client = client_for(cast.dsl)
    link = url("link_case", first)

    assert (
        services.NOT_ITSELF
        in post_form(
            client, link, {"reference": first.reference, "reason": "same_image"}
        ).content.decode()
    )
    assert (
        forms.SAY_WHY_LINKED
        in post_form(
            client, link, {"reference": second.reference, "reason": "other"}
        ).content.decode()
    )
    post_form(client, link, {"reference": second.reference, "reason": "same_image"})
    # The same pair, from the other side.
    response = post_form(
        client, url("link_case", second), {"reference": first.reference, "reason": "same_person"}
    )
    assert services.ALREADY_LINKED in response.content.decode()
    assert CaseLink.objects.count() == 1


def test_closing_as_a_duplicate_closes_links_and_leaves_it_out_of_statistics(cast, client_for):
    amy = make_pupil(cast.school_a)
    original = make_incident(cast.school_a, cast.teacher, pupils=[(amy, PupilRole.PICTURED)])
    duplicate = make_incident(cast.school_a, cast.dsl, pupils=[(amy, PupilRole.PICTURED)])
    client = client_for(cast.dsl)
    year = Period(
        timezone.localdate().year
        if timezone.localdate().month >= 9
        else timezone.localdate().year - 1
    )
    scope = Scope(school=cast.school_a)
    assert dict(queries.cases_by_kind(scope, year)) == {"sextortion": 2}

    response = post_form(
        client,
        url("close_duplicate", duplicate),
        {"reference": original.reference, "reason": "Mr Shah reported it too, an hour later."},
    )

    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED and duplicate.duplicate_of == original
    assert duplicate.closed_at is not None
    change = StatusChange.objects.get(incident=duplicate)
    assert change.closing_outcome == StatusChange.ClosingOutcome.DUPLICATE
    assert change.from_status == Status.NEW
    link = CaseLink.objects.get()
    assert (link.incident, link.linked, link.reason) == (duplicate, original, "same_incident")
    assert linked_events(original).count() == linked_events(duplicate).count() == 1
    status_event = AuditEvent.objects.get(
        action=services.STATUS_CHANGED, target_id=str(duplicate.pk)
    )
    assert status_event.data["duplicate_of"] == original.reference
    # Nothing moved: each keeps its own pupils.
    assert original.involvements.count() == duplicate.involvements.count() == 1

    assert "Closed as a duplicate of" in page(client, duplicate)
    assert f"{duplicate.reference}</a> was closed as a duplicate of this case" in page(
        client, original
    )
    assert dict(queries.cases_by_kind(scope, year)) == {"sextortion": 1}
    assert Incident.objects.not_duplicates().get() == original

    # Reopening undoes it; the link stays.
    services.change_status(
        incident=duplicate, actor=cast.dsl, to_status=Status.UNDER_REVIEW, reason="Not the same."
    )
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of is None
    assert CaseLink.objects.count() == 1
    assert dict(queries.cases_by_kind(scope, year)) == {"sextortion": 2}


def test_a_duplicate_of_a_duplicate_is_pointed_at_the_first(cast, client_for):
    first = make_incident(cast.school_a, cast.teacher)
    second = make_incident(cast.school_a, cast.teacher)
    third = make_incident(cast.school_a, cast.teacher)
    services.close_as_duplicate(incident=second, actor=cast.dsl, original=first, reason="Same.")
    client = client_for(cast.dsl)

    response = post_form(
        client, url("close_duplicate", third), {"reference": second.reference, "reason": "Same."}
    )
    assert (
        services.ORIGINAL_IS_A_DUPLICATE.format(
            reference=second.reference, original=first.reference
        )
        in response.content.decode()
    )
    # A reason is asked for, and nothing typed is lost.
    response = post_form(client, url("close_duplicate", third), {"reference": first.reference})
    assert forms.SAY_WHY_DUPLICATE in response.content.decode()
    assert first.reference in response.content.decode()
    third.refresh_from_db()
    assert third.duplicate_of is None and third.status == Status.NEW


def test_the_status_page_does_not_offer_closing_as_a_duplicate(cast, client_for):
    incident = make_incident(cast.school_a, cast.teacher, status=Status.MANAGED_IN_SCHOOL)
    html = client_for(cast.dsl).get(url("status", incident)).content.decode()
    assert "Not substantiated" in html or "not substantiated" in html
    assert "A duplicate of another case" not in html
