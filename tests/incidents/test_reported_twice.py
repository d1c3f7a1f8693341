"""A second report about the same pupil within a day: the reporter is told, once they have sent
it, that the DSL may already have a report about this and will see them together, and nothing
else (not who made it, when, its reference or what it says). The DSL sees the two together on
the case page and in the inbox, with one click to link them or close one as a duplicate."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from cases import services as case_services
from cases.models import CaseLink
from incidents import services
from incidents.models import Incident, PupilRole
from safeguarding.models import AuditEvent, Role
from tests.cases.conftest import make_incident
from tests.conftest import make_user, post_form

WARNING = 'id="reported-already"'
TOLD = "The DSL may already have a report about this"
FIRST_ACCOUNT = "First account: the photo went round the Year 9 chat at lunch."


@pytest.fixture
def colleague(cast):
    return make_user("sam.roy@oakwood.example", "Sam Roy", school=cast.school_a, roles=[Role.STAFF])


def send(journey, user, pupils):
    walk = journey(user).complete(pupils=pupils)
    response = walk.submit()
    assert response.status_code == 302, response.content
    page = walk.client.get(response["Location"])
    return Incident.objects.order_by("-submitted_at", "-id").first(), page.content.decode()


def test_the_second_reporter_is_told_the_dsl_may_already_know_and_nothing_more(
    cast, journey, pupils, colleague
):
    first = make_incident(
        cast.school_a,
        cast.teacher,
        age=timedelta(hours=3),
        pupils=[(pupils["maya"], PupilRole.PICTURED)],
        account=FIRST_ACCOUNT,
    )

    second, page = send(journey, colleague, [pupils["maya"], pupils["jake"]])

    assert WARNING in page and TOLD in page
    # Nothing about the first report: its reporter, reference, words or time.
    for leak in (first.reference, cast.teacher.full_name, FIRST_ACCOUNT, "3 hours", "hours ago"):
        assert leak not in page
    told = AuditEvent.objects.get(action=services.REPORTED_ALREADY)
    assert told.actor == colleague
    assert told.target_id == str(second.pk)
    assert told.data == {"reference": second.reference, "possibly_same_as": first.reference}

    # Said once, straight after sending: not on a later visit of the page.
    again = journey(colleague).client.get(
        reverse(
            "incidents:report_submitted",
            kwargs={"school": cast.school_a.slug, "reference": second.reference},
        )
    )
    assert WARNING not in again.content.decode()


@pytest.mark.parametrize(
    "case",
    [
        "another pupil",  # not the same pupil
        "a day and more ago",  # outside the day
        "another school's",  # the same name at another school is another child
    ],
)
def test_nothing_is_said_without_a_report_about_the_same_pupil_within_a_day(
    cast, journey, pupils, colleague, case
):
    if case == "another pupil":
        make_incident(cast.school_a, cast.teacher, pupils=[(pupils["sam"], PupilRole.PICTURED)])
    elif case == "a day and more ago":
        make_incident(
            cast.school_a,
            cast.teacher,
            age=timedelta(hours=24, minutes=5),
            pupils=[(pupils["maya"], PupilRole.PICTURED)],
        )
    else:
        make_incident(
            cast.school_b,
            cast.teacher_b,
            pupils=[(pupils["other_school"], PupilRole.PICTURED)],
        )

    _, page = send(journey, colleague, [pupils["maya"]])

    assert WARNING not in page and TOLD not in page
    assert not AuditEvent.objects.filter(action=services.REPORTED_ALREADY).exists()


def test_nothing_is_said_before_the_report_is_sent(cast, journey, pupils, colleague):
    """Asking before sending would let anyone find out whether a pupil is in a case without
    leaving a report the DSL sees."""
    make_incident(cast.school_a, cast.teacher, pupils=[(pupils["maya"], PupilRole.PICTURED)])
    walk = journey(colleague).complete(pupils=[pupils["maya"]])
    check = walk.client.get(walk.url("report_check")).content.decode()
    assert TOLD not in check and "already" not in check.lower().replace("already sent", "")


def test_the_dsl_sees_the_two_together_and_links_them_in_one_click(
    cast, journey, pupils, colleague, client_for
):
    first = make_incident(
        cast.school_a,
        cast.teacher,
        age=timedelta(hours=3),
        pupils=[(pupils["maya"], PupilRole.PICTURED)],
    )
    second, _ = send(journey, colleague, [pupils["maya"]])
    dsl = client_for(cast.dsl)

    # The inbox: each says which it is possibly the same incident as.
    inbox = dsl.get(reverse("cases:inbox", kwargs={"school": cast.school_a.slug}))
    html = inbox.content.decode()
    rows = {
        re.search(r"SG-[0-9A-Z]{4}-[0-9A-Z]{4}", row).group(): re.sub(r"<[^>]+>", "", row)
        for row in html.split("<tbody")[1].split("<tr")[1:]
    }
    for this, other in ((first, second), (second, first)):
        assert f"Possibly the same incident as {other.reference}" in rows[this.reference]

    # The case page: the other case, a one-click link and the duplicate form, filled in.
    url = reverse("cases:detail", kwargs={"reference": second.reference})
    page = dsl.get(url)
    assert [other.reference for other in page.context["case"].possibly_same] == [first.reference]
    body = page.content.decode()
    banner = body[body.index('id="possibly-same"') :].split("</div>")[0]
    assert "Possibly the same incident as" in banner and first.reference in banner
    duplicate = reverse("cases:close_duplicate", kwargs={"reference": second.reference})
    assert f"{duplicate}?reference={first.reference}" in banner
    form = dsl.get(f"{duplicate}?reference={first.reference}").context["form"]
    assert form.initial["reference"] == first.reference
    # The timeline says the reporter was told, in the DSL's view only.
    titles = [entry.title for entry in page.context["case"].actions]
    assert "Was told the DSL may already have a report about this" in titles

    post_form(
        dsl,
        reverse("cases:link_case", kwargs={"reference": second.reference}),
        {"reference": first.reference, "reason": CaseLink.Reason.SAME_INCIDENT},
    )
    link = CaseLink.objects.get()
    assert (link.incident, link.linked, link.reason) == (second, first, "same_incident")
    # Linked: neither says "possibly" any more.
    assert dsl.get(url).context["case"].possibly_same == []
    html = dsl.get(reverse("cases:inbox", kwargs={"school": cast.school_a.slug})).content
    assert b"Possibly the same incident" not in html


def test_possibly_the_same_is_within_a_day_either_way(cast, pupils):
    middle = make_incident(
        cast.school_a, cast.teacher, age=timedelta(hours=30), pupils=[(pupils["maya"], "pictured")]
    )
    before = make_incident(
        cast.school_a, cast.teacher, age=timedelta(hours=50), pupils=[(pupils["maya"], "told_us")]
    )
    after = make_incident(
        cast.school_a, cast.teacher, age=timedelta(hours=8), pupils=[(pupils["maya"], "pictured")]
    )
    far = make_incident(
        cast.school_a, cast.teacher, age=timedelta(days=9), pupils=[(pupils["maya"], "pictured")]
    )
    assert list(services.reported_close_to(middle)) == [before, after]
    assert list(services.reported_close_to(far)) == []
    case_services.link_cases(
        incident=middle, actor=cast.dsl, other=before, reason="same_incident", explanation=""
    )
    from cases.timeline import load_case_file

    assert load_case_file(middle).possibly_same == [after]


def test_a_case_closed_as_a_duplicate_is_settled_its_original_stands_for_it(
    cast, pupils, client_for
):
    """Three reports about one pupil in a day, the second closed as a duplicate of the first:
    the third is offered the first only, and the duplicate says nothing of 'possibly the same'
    (on its page or in the inbox)."""
    from cases.filters import inbox_cases, possibly_same_as
    from cases.timeline import load_case_file

    first, duplicate, third = (
        make_incident(
            cast.school_a, cast.teacher, age=timedelta(hours=h), pupils=[(pupils["maya"], role)]
        )
        for h, role in ((5, "pictured"), (4, "told_us"), (1, "pictured"))
    )
    case_services.close_as_duplicate(
        incident=duplicate, actor=cast.dsl, original=first, reason="Same report, made twice."
    )
    assert load_case_file(third).possibly_same == [first]
    assert load_case_file(duplicate).possibly_same == []
    same = dict(
        inbox_cases(cast.school_a)
        .annotate(same=possibly_same_as())
        .values_list("reference", "same")
    )
    assert same == {
        first.reference: third.reference,
        duplicate.reference: None,
        third.reference: first.reference,
    }
