"""Retention: a review date from the date of birth and the school's versioned rule, the queue,
keeping with a reason, legal holds that block disposal until lifted. Dates are passed in."""

from datetime import date

import pytest

from records import services, work
from records.models import RetentionReview
from safeguarding.models import AuditEvent
from tests.conftest import post_form
from tests.records.conftest import file_for, make_pupil

TODAY = date(2036, 6, 1)


@pytest.fixture
def old_file(cast):
    """A former pupil born in 2011: their file is due for review on 14 May 2036."""
    pupil = make_pupil(cast.school_a)
    file_for(cast, pupil)
    return pupil


def test_the_review_is_due_25_years_after_birth(cast, old_file):
    review = services.review_of(old_file, cast.school_a)
    assert review.due_on == date(2036, 5, 14)
    assert str(review.rule) == "Date of birth plus 25 years (the default rule)"
    assert not review.is_due(date(2036, 5, 13)) and review.is_due(date(2036, 5, 14))
    due, unknown = services.retention_queue(cast.school_a, today=TODAY)
    assert [r.pupil for r in due] == [old_file] and unknown == []
    assert services.retention_queue(cast.school_a, today=date(2036, 5, 13))[0] == []
    assert work.due_work(cast.school_a, today=TODAY).reviews_due == 1


def test_a_new_version_of_the_schools_rule_moves_the_date(cast, old_file):
    policy = services.set_retention_rule(
        school=cast.school_a,
        actor=cast.dsl,
        years_after_birth=35,
        reason="Governors' records policy, 2026: files of pupils with SEND kept longer.",
    )
    assert policy.version == 1
    assert services.review_of(old_file, cast.school_a).due_on == date(2046, 5, 14)
    again = services.set_retention_rule(
        school=cast.school_a, actor=cast.dsl, years_after_birth=25, reason="Back to IRMS."
    )
    assert again.version == 2
    assert str(services.current_rule(cast.school_a)) == "Date of birth plus 25 years (version 2)"
    assert AuditEvent.objects.filter(action="retention.rule_changed").count() == 2
    with pytest.raises(services.RecordsError):
        services.set_retention_rule(
            school=cast.school_a, actor=cast.dsl, years_after_birth=0, reason="x"
        )


def test_keep_with_a_reason_and_a_next_review(cast, old_file):
    with pytest.raises(services.RecordsError, match="Write why"):
        services.keep_file(
            pupil=old_file,
            school=cast.school_a,
            actor=cast.dsl,
            reason="",
            next_review_on=date(2038, 1, 1),
            today=TODAY,
        )
    with pytest.raises(services.RecordsError, match="after today"):
        services.keep_file(
            pupil=old_file,
            school=cast.school_a,
            actor=cast.dsl,
            reason="Sibling still at the school.",
            next_review_on=TODAY,
            today=TODAY,
        )
    kept = services.keep_file(
        pupil=old_file,
        school=cast.school_a,
        actor=cast.dsl,
        reason="Sibling still at the school.",
        next_review_on=date(2038, 1, 1),
        today=TODAY,
    )
    assert kept.review_was_due_on == date(2036, 5, 14) and kept.policy_version == 0
    assert services.review_of(old_file, cast.school_a).due_on == date(2038, 1, 1)
    assert services.retention_queue(cast.school_a, today=TODAY)[0] == []
    assert services.disposal_blockers(old_file, cast.school_a, today=TODAY) == [
        services.NOT_DUE.format(due="1 January 2038")
    ]
    assert services.disposal_blockers(old_file, cast.school_a, today=date(2038, 1, 1)) == []


def test_a_legal_hold_blocks_disposal_until_lifted(cast, old_file):
    hold = services.place_legal_hold(
        pupil=old_file,
        school=cast.school_a,
        actor=cast.dsl,
        kind="police",
        reason="Police investigation, ref. 44/2036.",
    )
    assert services.disposal_blockers(old_file, cast.school_a, today=TODAY) == [services.ON_HOLD]
    with pytest.raises(services.RecordsError, match="legal hold"):
        services.dispose_file(pupil=old_file, school=cast.school_a, actor=cast.dsl, today=TODAY)
    with pytest.raises(services.RecordsError, match="Write why"):
        services.lift_legal_hold(hold=hold, actor=cast.dsl, reason="")
    services.lift_legal_hold(hold=hold, actor=cast.dsl, reason="Investigation closed.")
    with pytest.raises(services.RecordsError, match="already lifted"):
        services.lift_legal_hold(hold=hold, actor=cast.dsl, reason="Again.")
    assert services.disposal_blockers(old_file, cast.school_a, today=TODAY) == []
    actions = list(
        AuditEvent.objects.filter(action__startswith="retention.hold").values_list("action", "data")
    )
    assert actions == [
        ("retention.hold_placed", {"hold": hold.pk, "kind": "police"}),
        ("retention.hold_lifted", {"hold": hold.pk, "kind": "police"}),
    ]


def test_an_open_request_or_a_waiting_transfer_blocks_disposal(cast, old_file):
    sar = services.log_request(
        school=cast.school_a,
        pupil=old_file,
        actor=cast.dsl,
        requester_name="Zorbulon Quillfeather",
        relationship="pupil",
        how_received="email",
        received_on=date(2026, 1, 5),
    )
    assert services.REQUEST_OPEN in services.disposal_blockers(old_file, cast.school_a, today=TODAY)
    services.mark_answered(sar=sar, actor=cast.dsl, answered_on=date(2026, 1, 20))
    transfer = services.send_transfer(
        pupil=old_file, school=cast.school_a, to_school=cast.school_b, actor=cast.dsl
    )
    assert services.disposal_blockers(old_file, cast.school_a, today=TODAY) == [
        services.TRANSFER_OPEN
    ]
    services.reject_transfer(transfer=transfer, actor=cast.dsl_b, reason="Not ours.")
    assert services.disposal_blockers(old_file, cast.school_a, today=TODAY) == []


def test_a_pupil_without_a_date_of_birth_has_no_review_date(cast):
    pupil = make_pupil(cast.school_a, first="Ned", last="Nobirth", born=None)
    file_for(cast, pupil)
    due, unknown = services.retention_queue(cast.school_a, today=TODAY)
    assert due == [] and [r.pupil for r in unknown] == [pupil]
    assert services.disposal_blockers(pupil, cast.school_a, today=TODAY) == [
        services.NO_REVIEW_DATE
    ]


def test_only_the_dsl_disposes_and_lifts_holds(cast, old_file, client_for):
    deputy = client_for(cast.deputy)
    assert deputy.get(f"/s/oakwood/pupils/{old_file.pk}/dispose/").status_code == 403
    response = post_form(
        deputy,
        f"/s/oakwood/pupils/{old_file.pk}/review/",
        {"reason": "Still relevant.", "next_review_on": "2099-01-01"},
    )
    assert response.status_code == 302
    assert RetentionReview.objects.get().decided_by == cast.deputy


def test_the_queue_page(cast, old_file, client_for):
    from datetime import timedelta

    from django.utils import timezone

    # The page uses the real today: a pupil born 26 years ago is due.
    today = timezone.localdate()
    due_pupil = make_pupil(
        cast.school_a, first="Ottoline", last="Dewlap", born=today - timedelta(days=366 * 26)
    )
    file_for(cast, due_pupil)
    page = client_for(cast.dsl).get("/s/oakwood/retention/").content.decode()
    assert "Ottoline" in page and "Date of birth plus 25 years" in page


def test_the_queue_costs_the_same_few_queries_for_any_number_of_files(
    cast, old_file, django_assert_max_num_queries
):
    for n in range(10):
        file_for(cast, make_pupil(cast.school_a, first=f"Pupil{n}", last="Many"))
    with django_assert_max_num_queries(5):
        services.retention_queue(cast.school_a, today=TODAY)
