"""Staff who have not read the current briefing are reminded when they sign in, wherever the
sign-in takes them, once, and never while they are reporting a concern."""

from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from guidance.checklist import current_version
from guidance.models import BriefingConfirmation
from safeguarding.two_factor import current_code
from tests.conftest import PASSWORD, post_form

LOGIN = reverse("safeguarding:login")
HOME = reverse("safeguarding:home")
CHECK = reverse("safeguarding:two_factor_verify")
MY_REPORTS = reverse("incidents:my_reports")
ASK = "Please read the staff briefing"
CHANGED = "The staff briefing has changed: read what changed"


def sign_in_to(client, user, next_url: str):
    response = post_form(
        client,
        f"{LOGIN}?next={next_url}",
        {"username": user.email, "password": PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    return response


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_first_page_after_signing_in_reminds_them_once(client, cast):
    sign_in_to(client, cast.teacher, MY_REPORTS)
    first = page(client, MY_REPORTS)
    assert ASK in first
    assert 'href="/guidance/briefing/"' in first
    assert ASK not in page(client, MY_REPORTS)  # once per sign-in, not on every page


def test_reporting_comes_first_the_reminder_waits(client, cast):
    report = reverse("incidents:report_start", kwargs={"school": cast.school_a.slug})
    sign_in_to(client, cast.teacher, report)
    assert ASK not in page(client, report)
    assert ASK in page(client, MY_REPORTS)  # the next page that is not part of a report


def test_the_home_page_has_its_own_reminder_and_shows_it_once(client, cast):
    sign_in_to(client, cast.teacher, HOME)
    assert page(client, HOME).count('id="briefing-reminder"') == 1
    assert ASK not in page(client, MY_REPORTS)  # spent on the home page


def test_nobody_who_has_read_it_is_reminded(client, cast):
    BriefingConfirmation.objects.create(user=cast.teacher, version=current_version())
    sign_in_to(client, cast.teacher, MY_REPORTS)
    assert ASK not in page(client, MY_REPORTS)


def test_someone_who_read_an_earlier_version_is_asked_to_read_what_changed(client, cast):
    BriefingConfirmation.objects.create(user=cast.teacher, version="2026-09")
    sign_in_to(client, cast.teacher, MY_REPORTS)
    body = page(client, MY_REPORTS)
    assert CHANGED in body
    assert ASK not in body


def test_with_two_factor_the_reminder_waits_for_the_code(client, cast):
    inbox = reverse("cases:inbox", kwargs={"school": cast.school_a.slug})
    response = sign_in_to(client, cast.dsl, inbox)
    assert response["Location"].startswith(CHECK)
    assert ASK not in page(client, response["Location"])
    code = current_code(TOTPDevice.objects.get(user=cast.dsl, confirmed=True))
    response = post_form(client, CHECK, {"code": code, "next": inbox})
    assert response["Location"] == inbox
    assert ASK in page(client, inbox)


def test_people_without_a_school_role_are_not_reminded(client, cast):
    stats = reverse("stats:trust_dashboard", kwargs={"trust": cast.trust_a.slug})
    sign_in_to(client, cast.trust_lead, stats)
    code = current_code(TOTPDevice.objects.get(user=cast.trust_lead, confirmed=True))
    post_form(client, CHECK, {"code": code, "next": stats})
    assert ASK not in page(client, stats)
