"""The page frame (our own header, no crown) and the home page that routes each role to its work."""

import re

import pytest
from django.test import Client
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404

from safeguarding.models import Membership, Role
from safeguarding.views import PERSONAL_WORK, SCHOOL_WORK, TRUST_WORK
from tests.conftest import sign_in

HOME = "/"


def links(body: str) -> dict[str, str]:
    """Link text -> href for the page's main content."""
    main = body[body.index("<main") : body.index("</main>")]
    return {
        re.sub(r"\s+", " ", text).strip(): href
        for href, text in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', main, re.S)
    }


@pytest.mark.django_db
def test_the_header_is_ours_with_the_urgent_guidance_link_for_everyone(client):
    body = client.get(reverse("safeguarding:login")).content.decode()
    assert (
        'class="govuk-generic-header__homepage-link app-header__product">Safeguarding Record</a>'
        in body
    )
    assert 'href="/guidance/right-now/">What to do right now</a>' in body
    for not_ours in ("GOV.UK", "govuk-header__logo", "crown", "govuk-logo"):
        assert not_ours not in body
    assert "Sign out" not in body and 'href="/account/"' not in body


@pytest.mark.django_db
def test_pages_have_no_inline_script_or_style(client):
    body = client.get(reverse("safeguarding:login")).content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body) == []
    assert 'type="module"' in body
    assert " style=" not in body and "<style" not in body


def test_signed_in_people_get_their_account_link_and_a_sign_out_form(cast):
    body = sign_in(Client(), cast.teacher).get(HOME).content.decode()
    assert 'href="/account/">Your account</a>' in body
    form = re.search(
        r'<form method="post" action="([^"]+)" class="app-signout">(.*?)</form>', body, re.S
    )
    assert form and form.group(1) == reverse("safeguarding:logout")
    assert "csrfmiddlewaretoken" in form.group(2) and "Sign out" in form.group(2)
    assert 'href="/guidance/right-now/">What to do right now</a>' in body


def test_the_header_names_the_school_of_someone_with_one_school(cast):
    body = sign_in(Client(), cast.teacher).get(HOME).content.decode()
    assert '<p class="app-header__organisation">Oakwood Academy</p>' in body
    body = sign_in(Client(), cast.trust_lead).get(HOME).content.decode()
    assert '<p class="app-header__organisation">Northfield Learning Trust</p>' in body


EXPECTED = {
    "teacher": {
        "Staff briefing": "/guidance/briefing/",
        "Please read the staff briefing": "/guidance/briefing/",
        "My reports": "/my-reports/",
        "Report a concern": "/s/oakwood/report/",
    },
    "dsl": {
        "Staff briefing": "/guidance/briefing/",
        "Please read the staff briefing": "/guidance/briefing/",
        "Search cases": "/cases/search/",
        "Who has read the staff briefing": "/s/oakwood/staff-briefing/",
        "My reports": "/my-reports/",
        "Triage checklist": "/guidance/checklists/",
        "Report a concern": "/s/oakwood/report/",
        "Case inbox": "/s/oakwood/cases/",
        "Pupils": "/s/oakwood/pupils/",
        "Child protection files": "/s/oakwood/records/",
        "Statistics": "/s/oakwood/statistics/",
        "Notification settings": "/s/oakwood/notification-settings/",
        "Term dates": "/s/oakwood/term-dates/",
    },
    "deputy": {
        "Staff briefing": "/guidance/briefing/",
        "Please read the staff briefing": "/guidance/briefing/",
        "Search cases": "/cases/search/",
        "Who has read the staff briefing": "/s/oakwood/staff-briefing/",
        "My reports": "/my-reports/",
        "Triage checklist": "/guidance/checklists/",
        "Report a concern": "/s/oakwood/report/",
        "Case inbox": "/s/oakwood/cases/",
        "Child protection files": "/s/oakwood/records/",
    },
    "admin": {
        "Staff briefing": "/guidance/briefing/",
        "Please read the staff briefing": "/guidance/briefing/",
        "My reports": "/my-reports/",
        "Report a concern": "/s/oakwood/report/",
        "Pupils": "/s/oakwood/pupils/",
        "People": "/s/oakwood/people/",
        "Notification settings": "/s/oakwood/notification-settings/",
        "Term dates": "/s/oakwood/term-dates/",
    },
    "trust_lead": {
        "Staff briefed at each school": "/t/northfield/staff-briefing/",
        "Statistics": "/t/northfield/statistics/",
        "Term dates": "/t/northfield/term-dates/",
    },
    "dsl_b": {
        "Staff briefing": "/guidance/briefing/",
        "Please read the staff briefing": "/guidance/briefing/",
        "Search cases": "/cases/search/",
        "Who has read the staff briefing": "/s/elm-park/staff-briefing/",
        "My reports": "/my-reports/",
        "Triage checklist": "/guidance/checklists/",
        "Report a concern": "/s/elm-park/report/",
        "Case inbox": "/s/elm-park/cases/",
        "Pupils": "/s/elm-park/pupils/",
        "Child protection files": "/s/elm-park/records/",
        "Statistics": "/s/elm-park/statistics/",
        "Notification settings": "/s/elm-park/notification-settings/",
        "Term dates": "/s/elm-park/term-dates/",
    },
}


def test_home_routes_each_role_to_its_work(cast):
    for who, expected in EXPECTED.items():
        body = sign_in(Client(), getattr(cast, who)).get(HOME).content.decode()
        assert links(body) == expected, who


def test_someone_with_no_role_is_told_who_to_ask(cast):
    response = sign_in(Client(), cast.outsider).get(HOME)
    assert response.status_code == 200
    body = response.content.decode()
    assert "You do not have a role at any school yet" in body
    assert "/s/" not in body and "/t/" not in body


def test_a_person_at_two_schools_gets_a_section_for_each_with_its_own_links(cast):
    Membership.objects.create(user=cast.admin, role=Role.DSL, school=cast.school_b)
    body = sign_in(Client(), cast.admin).get(HOME).content.decode()
    assert body.count('<section class="app-place"') == 2
    elm_park = body[body.index("Elm Park School</h2>") : body.index("Oakwood Academy</h2>")]
    oakwood = body[body.index("Oakwood Academy</h2>") :]
    assert "/s/elm-park/cases/" in elm_park and "/s/elm-park/people/" not in elm_park
    assert "/s/oakwood/people/" in oakwood and "/s/oakwood/cases/" not in oakwood
    assert "app-header__organisation" not in body  # two places: no single name to show


def test_every_link_the_home_page_shows_opens_for_that_person(cast):
    """Once the page behind a link exists, the people shown the link may open it."""
    for who in EXPECTED:
        client = sign_in(Client(), getattr(cast, who))
        for label, href in links(client.get(HOME).content.decode()).items():
            try:
                resolve(href)
            except Resolver404:
                continue  # that page is still being built
            response = client.get(href)
            assert response.status_code in (200, 302), (who, label, href, response.status_code)


def test_the_work_list_only_names_real_roles():
    every_role = set(Role.values)
    for link in [*SCHOOL_WORK, *TRUST_WORK, *PERSONAL_WORK]:
        assert link.roles and link.roles <= every_role, link.label
    assert all("{trust}" in link.path for link in TRUST_WORK)
    assert all("{school}" in link.path for link in SCHOOL_WORK)
