"""The inbox: most urgent first then oldest, new cases stand out, filters, pages, one school."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cases import services, views
from incidents.models import PupilRole, Status, Urgency
from safeguarding.models import Membership, Role
from tests.conftest import make_user, post_form

from .conftest import make_incident, make_pupil


def inbox(client, school, **params):
    """The inbox filtered as a browser does it: the filter form is posted (the pupil's name
    is kept on the server, never in the URL) and the page it leads to is shown."""
    url = reverse("cases:inbox", kwargs={"school": school.slug})
    response = post_form(client, url, params, follow=True) if params else client.get(url)
    assert response.status_code == 200
    return response


def references(response) -> list[str]:
    return [incident.reference for incident in response.context["page"].object_list]


def test_cases_are_ordered_by_urgency_then_unacknowledged_then_oldest(cast, client_for):
    make = make_incident
    today_new = make(
        cast.school_a, cast.teacher, urgency=Urgency.DSL_REVIEW_TODAY, age=timedelta(hours=1)
    )
    today_old = make(
        cast.school_a, cast.teacher, urgency=Urgency.DSL_REVIEW_TODAY, age=timedelta(days=3)
    )
    now_new = make(
        cast.school_a, cast.teacher, urgency=Urgency.TELL_DSL_NOW, age=timedelta(minutes=5)
    )
    now_old = make(
        cast.school_a, cast.teacher, urgency=Urgency.TELL_DSL_NOW, age=timedelta(hours=6)
    )
    call_999 = make(cast.school_a, cast.teacher, urgency=Urgency.CALL_999, age=timedelta(minutes=1))

    response = inbox(client_for(cast.dsl), cast.school_a)

    assert references(response) == [
        call_999.reference,
        now_old.reference,
        now_new.reference,
        today_old.reference,
        today_new.reference,
    ]

    # Within an urgency, a case nobody has acknowledged comes before older acknowledged ones.
    services.acknowledge(incident=now_old, actor=cast.dsl)
    services.acknowledge(incident=today_old, actor=cast.dsl)
    assert references(inbox(client_for(cast.dsl), cast.school_a)) == [
        call_999.reference,
        now_new.reference,
        now_old.reference,
        today_new.reference,
        today_old.reference,
    ]


def test_a_triage_override_moves_the_case_in_the_inbox(cast, client_for):
    urgent = make_incident(cast.school_a, cast.teacher, urgency=Urgency.TELL_DSL_NOW)
    routine = make_incident(
        cast.school_a, cast.teacher, urgency=Urgency.DSL_REVIEW_TODAY, age=timedelta(days=1)
    )
    services.override_triage(
        incident=urgent,
        actor=cast.dsl,
        referral="no",
        referral_reason="Both pupils are 17 and it was consensual.",
        urgency=Urgency.DSL_REVIEW_TODAY,
        urgency_reason="Both pupils are 17 and it was consensual.",
        typology="experimental",
        typology_reason="Both pupils are 17 and it was consensual.",
        sextortion="no",
        sextortion_reason="No threats: the two pupils swapped pictures.",
    )
    assert references(inbox(client_for(cast.dsl), cast.school_a)) == [
        routine.reference,
        urgent.reference,
    ]


def test_unacknowledged_cases_say_how_long_they_have_waited(cast, client_for):
    waiting = make_incident(cast.school_a, cast.teacher, age=timedelta(hours=3, minutes=5))
    seen = make_incident(cast.school_a, cast.teacher, age=timedelta(hours=4))
    services.acknowledge(incident=seen, actor=cast.dsl)

    html = inbox(client_for(cast.dsl), cast.school_a).content.decode()

    assert "Not acknowledged" in html
    assert "Waiting 3\xa0hours" in html
    assert html.count("Not acknowledged") == 1
    assert waiting.reference in html and seen.reference in html


def test_only_this_schools_cases_are_listed(cast, client_for):
    ours = make_incident(cast.school_a, cast.teacher)
    theirs = make_incident(cast.school_b, cast.teacher_b)
    html = inbox(client_for(cast.dsl), cast.school_a).content.decode()
    assert ours.reference in html
    assert theirs.reference not in html


def test_a_dsl_at_two_schools_sees_each_schools_inbox(cast, client_for):
    Membership.objects.create(user=cast.dsl, role=Role.DSL, school=cast.school_b)
    ours = make_incident(cast.school_a, cast.teacher)
    theirs = make_incident(cast.school_b, cast.teacher_b)
    client = client_for(cast.dsl)

    assert references(inbox(client, cast.school_a)) == [ours.reference]
    assert references(inbox(client, cast.school_b)) == [theirs.reference]
    response = client.get(reverse("cases:my_schools"))
    assert response.status_code == 200
    assert [s.slug for s in response.context["schools"]] == ["elm-park", "oakwood"]


def test_a_dsl_at_one_school_goes_straight_to_its_inbox(cast, client_for):
    response = client_for(cast.deputy).get(reverse("cases:my_schools"))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:inbox", kwargs={"school": "oakwood"})


def test_the_filters(cast, client_for):
    amy, ben = make_pupil(cast.school_a, "Amy", "Jones"), make_pupil(cast.school_a, "Ben", "Cole")
    a = make_incident(
        cast.school_a,
        cast.teacher,
        kind="nudified",
        urgency=Urgency.CALL_999,
        age=timedelta(days=10),
        pupils=[(amy, PupilRole.PICTURED)],
    )
    b = make_incident(
        cast.school_a,
        cast.teacher,
        kind="sextortion",
        urgency=Urgency.DSL_REVIEW_TODAY,
        age=timedelta(days=1),
        pupils=[(ben, PupilRole.PICTURED), (amy, PupilRole.TOLD_US)],
    )
    c = make_incident(cast.school_a, cast.teacher, kind="sextortion", age=timedelta(hours=1))
    services.acknowledge(incident=b, actor=cast.deputy)
    type(c).objects.filter(pk=c.pk).update(status=Status.CLOSED)
    client = client_for(cast.dsl)
    day = timedelta(days=1)
    today = timezone.localdate()

    def refs(**params):
        return set(references(inbox(client, cast.school_a, **params)))

    assert refs() == {a.reference, b.reference}  # open cases by default
    assert refs(status="all") == {a.reference, b.reference, c.reference}
    assert refs(status="closed") == {c.reference}
    assert refs(status="acknowledged") == {b.reference}
    assert refs(kind="sextortion", status="all") == {b.reference, c.reference}
    assert refs(urgency="call_999") == {a.reference}
    assert refs(reported_from=(today - 2 * day).isoformat(), status="all") == {
        b.reference,
        c.reference,
    }
    assert refs(reported_to=(today - 2 * day).isoformat()) == {a.reference}
    assert refs(assignee=str(cast.deputy.pk)) == {b.reference}
    assert refs(assignee="none") == {a.reference}
    assert refs(pupil="amy") == {a.reference, b.reference}
    assert refs(pupil="Ben Cole") == {b.reference}
    assert refs(pupil="nobody") == set()
    sian = make_pupil(cast.school_a, "Siân", "O'Brien")
    d = make_incident(cast.school_a, cast.teacher, pupils=[(sian, PupilRole.PICTURED)])
    # Typed without the accent, or pasted from Word with a curly apostrophe.
    assert refs(pupil="sian") == {d.reference}
    assert refs(pupil="Siân O’Brien") == {d.reference}
    assert inbox(client, cast.school_a, assignee=str(cast.teacher.pk)).context["filter"].errors


def test_the_inbox_is_paginated(cast, client_for):
    for i in range(views.INBOX_PAGE_SIZE + 3):
        make_incident(cast.school_a, cast.teacher, age=timedelta(minutes=i))
    client = client_for(cast.dsl)
    first = inbox(client, cast.school_a, kind="sextortion")
    assert len(references(first)) == views.INBOX_PAGE_SIZE
    assert "kind=sextortion&amp;page=2" in first.content.decode()
    second = inbox(client, cast.school_a, kind="sextortion", page="2")
    assert len(references(second)) == 3
    assert not set(references(first)) & set(references(second))


def test_the_filter_form_shows_each_pages_own_filters_and_reviewers(cast, client_for):
    """The form's HTML is kept between pages (cases.filters.filter_form_html): each page still
    shows its own filters, a reviewer added since, a mistake in a date, and a pupil's name
    only on the page it was typed for."""
    make_incident(cast.school_a, cast.teacher)
    client = client_for(cast.dsl)

    def form(**params):
        html = inbox(client, cast.school_a, **params).content.decode()
        return html[html.index('<form method="post"') : html.index("Apply filters")]

    assert 'value="sextortion" selected' in form(kind="sextortion")
    assert 'value="sextortion" selected' not in form(kind="nudified")
    assert 'value="nudified" selected' in form(kind="nudified")
    assert "Ria Shah" not in form()
    newcomer = Membership.objects.create(
        user=make_user("ria@oakwood.test", "Ria Shah"), school=cast.school_a, role=Role.DEPUTY_DSL
    )
    assert "Ria Shah" in form()
    assert f'value="{newcomer.user.pk}" selected' in form(assignee=str(newcomer.user.pk))
    assert "Enter a valid date" in form(reported_from="2026-02-31")
    assert 'value="Amy"' in form(pupil="Amy")
    assert "Amy" not in form()
