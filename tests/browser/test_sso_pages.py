"""The pages of signing in with Microsoft or Google, as staff and school admins see them: the
school's sign-in page, the refusal page, joining from an invitation, the school admin's sign-in
settings and the 90-day list. axe-core finds nothing on any of them."""

import re
from datetime import timedelta

from django.utils import timezone

from safeguarding.models import Role, User
from safeguarding.people import invite
from sso.models import ExternalIdentity, SignInProvider
from tests.browser.conftest import check_accessibility, screenshot, sign_in_in_browser
from tests.sso.conftest import TENANT_A


def oakwood_signs_in_with_microsoft(cast):
    return SignInProvider.objects.create(
        school=cast.school_a,
        kind=SignInProvider.Kind.MICROSOFT,
        tenant_id=TENANT_A,
        client_id="oakwood-app",
        client_secret="not-used",
    )


def test_the_schools_sign_in_page_and_the_refusal_page(page, cast):
    oakwood_signs_in_with_microsoft(cast)
    page.goto("/sign-in/school/oakwood/")
    page.get_by_role("button", name="Sign in with Microsoft").wait_for()
    page.get_by_text("Sign in with an email address and password instead").click()
    page.get_by_label("Email address").wait_for()
    check_accessibility(page, "school sign-in page")
    screenshot(page, "sso-school-sign-in")

    page.goto("/sign-in/callback/?state=not-ours&code=x")
    page.get_by_role("heading", name="This sign-in has expired or was used already").wait_for()
    check_accessibility(page, "sign-in refused")
    screenshot(page, "sso-refused")
    # The refusal is a 400, which Chromium logs; nothing else went wrong.
    assert [e for e in page.script_errors if "status of 400" not in e] == []


def test_joining_with_microsoft_from_an_invitation(page, cast, mailoutbox):
    oakwood_signs_in_with_microsoft(cast)
    invite(actor=cast.admin, school=cast.school_a, email="new@oakwood.test", roles=[Role.STAFF])
    link = re.search(r"(/s/oakwood/people/join/[^/\s]+/)", mailoutbox[-1].body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Join with Microsoft").wait_for()
    check_accessibility(page, "join with Microsoft")
    screenshot(page, "sso-join")
    assert page.script_errors == []


def test_the_school_admins_sign_in_settings_and_90_day_list(page, cast):
    provider = oakwood_signs_in_with_microsoft(cast)
    ExternalIdentity.objects.create(
        user=cast.admin, provider=provider, issuer=provider.issuer, subject="ada"
    )
    User.objects.filter(pk=cast.teacher.pk).update(last_login=timezone.now() - timedelta(days=120))
    sign_in_in_browser(page, cast.admin)
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/s/oakwood/people/")
    page.get_by_role("heading", name="Not signed in for 90 days").wait_for()
    assert page.get_by_role("link", name="Tom Hart").count() == 2  # all people, and this list
    check_accessibility(page, "people with the 90-day list")
    screenshot(page, "people-90-days")

    page.get_by_role("link", name="Sign-in settings").click()
    page.get_by_role("heading", name="Sign-in settings").wait_for()
    check_accessibility(page, "sign-in settings")
    page.get_by_label("Staff may also sign in with an email address and password").uncheck()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("now sign in with their Microsoft account only").wait_for()
    check_accessibility(page, "sign-in settings, passwords off")
    screenshot(page, "sso-school-settings")
    assert page.script_errors == []
