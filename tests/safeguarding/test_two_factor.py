"""Two-factor sign-in: enrolment, the check, backup codes, replay and throttling."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.forms import BACKUP_CODE_WRONG, CODE_WRONG
from safeguarding.models import AuditEvent
from safeguarding.two_factor import current_code
from tests.conftest import PASSWORD, post_form

LOGIN = reverse("safeguarding:login")
HOME = reverse("safeguarding:home")
SETUP = reverse("safeguarding:two_factor_setup")
CHECK = reverse("safeguarding:two_factor_verify")
BACKUP = reverse("safeguarding:two_factor_backup_codes")
ACCOUNT = reverse("safeguarding:account")


def password_step(client, user):
    response = post_form(client, LOGIN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def app_code(user) -> str:
    return current_code(TOTPDevice.objects.get(user=user, confirmed=True))


def enrol(client, user) -> list[str]:
    """Set up an app from scratch; returns the backup codes shown."""
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = post_form(client, SETUP, {"code": current_code(device)})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"]).content.decode()
    return re.findall(r"<code>([a-z2-7]{5} [a-z2-7]{5})</code>", page)


# ---- Who must use it -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dsl", "deputy", "admin", "trust_lead"])
def test_roles_that_must_use_two_factor_see_nothing_before_the_check(client, cast, who):
    password_step(client, getattr(cast, who))
    for url in (HOME, ACCOUNT, "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == CHECK, url


def test_a_dsl_without_an_app_is_sent_to_set_one_up(client, cast):
    TOTPDevice.objects.filter(user=cast.dsl).delete()
    response = password_step(client, cast.dsl)
    assert response["Location"] == SETUP
    assert client.get(HOME)["Location"] == SETUP


def test_staff_may_skip_two_factor_but_can_turn_it_on(client, cast):
    password_step(client, cast.teacher)
    assert client.get(HOME).status_code == 200
    account = client.get(ACCOUNT).content.decode()
    assert "Turn on two-factor sign-in" in account

    enrol(client, cast.teacher)
    post_form(client, reverse("safeguarding:logout"))

    # From now on the teacher is asked for a code too, and cannot go around the check.
    response = password_step(client, cast.teacher)
    assert response["Location"] == CHECK
    assert client.get(HOME)["Location"] == CHECK


# ---- Enrolment -------------------------------------------------------------------------------


def test_enrolment_shows_an_inline_svg_qr_code_and_the_secret_in_groups(client, cast):
    TOTPDevice.objects.filter(user=cast.dsl).delete()
    password_step(client, cast.dsl)
    response = client.get(SETUP)
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<svg[^>]*role=\"img\"", body)
    assert "<path" in body
    assert "data:" not in body
    assert "<img" not in body
    device = TOTPDevice.objects.get(user=cast.dsl, confirmed=False)
    secret = re.search(r'id="secret">([A-Z2-7 ]+)<', body).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", secret)
    from base64 import b32decode

    assert b32decode(secret.replace(" ", "")) == device.bin_key
    # Someone setting up on the phone itself cannot scan its own screen: a link opens the app.
    from html import unescape

    link = re.search(r'href="(otpauth://totp/[^"]+)"', body)
    assert link and unescape(link.group(1)) == device.config_url
    # Only digits are taken here, so a phone offers its number pad; the check page also takes
    # backup codes (letters), so it does not.
    assert 'inputmode="numeric"' in body
    password_step(client, cast.deputy)
    assert 'inputmode="numeric"' not in client.get(CHECK).content.decode()
    password_step(client, cast.dsl)
    # Reloading keeps the same secret, so a half-scanned code still works.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=cast.dsl).count() == 1


def test_confirming_gives_ten_backup_codes_shown_once(client, cast):
    TOTPDevice.objects.filter(user=cast.dsl).delete()
    password_step(client, cast.dsl)

    response = post_form(client, SETUP, {"code": "000000"})
    assert response.status_code == 200
    assert CODE_WRONG in response.content.decode()

    codes = enrol(client, cast.dsl)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=cast.dsl).confirmed
    again = client.get(BACKUP).content.decode()
    assert "<code>" not in again
    assert "10 backup codes left" in again
    # Enrolled and checked: the DSL now reaches their pages.
    assert client.get(HOME).status_code == 200
    assert AuditEvent.objects.filter(action="two_factor.enrolled", actor=cast.dsl).count() == 1


def test_someone_mid_check_cannot_set_up_a_new_phone_or_get_new_codes(client, cast):
    """With only the password, neither a new app nor new backup codes get you past the check."""
    password_step(client, cast.dsl)
    response = client.get(SETUP)
    assert response["Location"] == CHECK
    response = post_form(client, SETUP, {"code": "123456"})
    assert response["Location"] == CHECK
    response = post_form(client, BACKUP)
    assert response["Location"] == CHECK
    assert not StaticToken.objects.filter(device__user=cast.dsl).exists()


def test_a_checked_person_can_replace_their_phone(client, cast):
    old_device = TOTPDevice.objects.get(user=cast.dsl)
    password_step(client, cast.dsl)
    post_form(client, CHECK, {"code": app_code(cast.dsl)})
    response = client.get(SETUP)
    assert response.status_code == 200
    assert "Set up a new phone" in response.content.decode()
    enrol(client, cast.dsl)
    assert not TOTPDevice.objects.filter(pk=old_device.pk).exists()
    assert TOTPDevice.objects.filter(user=cast.dsl, confirmed=True).count() == 1


# ---- The check -------------------------------------------------------------------------------


def test_a_code_from_the_app_passes_the_check_and_follows_next(client, cast):
    password_step(client, cast.dsl)
    response = post_form(client, CHECK, {"code": app_code(cast.dsl), "next": ACCOUNT})
    assert response.status_code == 302
    assert response["Location"] == ACCOUNT
    assert client.get(HOME).status_code == 200
    event = AuditEvent.objects.get(action="two_factor.verified")
    assert event.actor == cast.dsl
    assert event.data == {"method": "app"}


def test_next_pointing_at_another_site_is_ignored(client, cast):
    password_step(client, cast.dsl)
    response = post_form(client, CHECK, {"code": app_code(cast.dsl), "next": "//evil.example/x"})
    assert response["Location"] == HOME


def test_the_check_rotates_the_session_key(client, cast):
    password_step(client, cast.dsl)
    before = client.session.session_key
    post_form(client, CHECK, {"code": app_code(cast.dsl)})
    assert client.session.session_key != before


def test_a_wrong_code_is_refused_with_a_message_and_audited(client, cast):
    password_step(client, cast.dsl)
    response = post_form(client, CHECK, {"code": "000000"})
    body = response.content.decode()
    assert response.status_code == 200
    assert CODE_WRONG in body
    assert "govuk-error-summary" in body
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get(HOME)["Location"] == CHECK
    event = AuditEvent.objects.get(action="two_factor.failed")
    assert event.actor == cast.dsl
    assert event.data["failures"] == 1


def test_an_app_code_cannot_be_replayed(client, cast, client_for):
    from django.test import Client

    code = app_code(cast.dsl)
    password_step(client, cast.dsl)
    assert post_form(client, CHECK, {"code": code})["Location"] == HOME

    attacker = Client()
    password_step(attacker, cast.dsl)
    response = post_form(attacker, CHECK, {"code": code})
    assert response.status_code == 200
    assert CODE_WRONG in response.content.decode()
    assert attacker.get(HOME)["Location"] == CHECK


def test_a_backup_code_works_once(client, cast):
    from django.test import Client

    password_step(client, cast.dsl)
    post_form(client, CHECK, {"code": app_code(cast.dsl)})
    post_form(client, BACKUP)
    codes = re.findall(
        r"<code>([a-z2-7]{5} [a-z2-7]{5})</code>", client.get(BACKUP).content.decode()
    )
    assert len(codes) == 10

    later = Client()
    password_step(later, cast.dsl)
    # Typed with capitals and a dash, as people do.
    typed = codes[3].upper().replace(" ", "-")
    assert post_form(later, CHECK, {"code": typed})["Location"] == HOME
    event = AuditEvent.objects.filter(action="two_factor.verified").latest("id")
    assert event.data == {"method": "backup_code", "backup_codes_left": 9}

    replay = Client()
    password_step(replay, cast.dsl)
    response = post_form(replay, CHECK, {"code": codes[3]})
    # Said as a backup code, not "codes from your app change every 30 seconds".
    assert BACKUP_CODE_WRONG in response.content.decode()
    assert CODE_WRONG not in response.content.decode()
    assert replay.get(HOME)["Location"] == CHECK


def test_new_backup_codes_replace_the_old_ones_and_are_audited(client, cast):
    password_step(client, cast.dsl)
    post_form(client, CHECK, {"code": app_code(cast.dsl)})
    post_form(client, BACKUP)
    first = set(StaticToken.objects.filter(device__user=cast.dsl).values_list("token", flat=True))
    post_form(client, BACKUP)
    second = set(StaticToken.objects.filter(device__user=cast.dsl).values_list("token", flat=True))
    assert len(first) == len(second) == 10
    assert not first & second
    assert AuditEvent.objects.filter(action="backup_codes.regenerated").count() == 2


def test_wrong_codes_slow_down_further_tries(client, cast):
    password_step(client, cast.dsl)
    for _ in range(3):
        post_form(client, CHECK, {"code": "000000"})
    # Even the right code is refused while the wait lasts, with a message saying so.
    response = post_form(client, CHECK, {"code": app_code(cast.dsl)})
    body = response.content.decode()
    assert "Too many wrong codes" in body
    assert client.get(HOME)["Location"] == CHECK
    throttled = AuditEvent.objects.filter(action="two_factor.failed").latest("id")
    assert throttled.data["throttled"] is True

    # Once the wait is over, the right code works.
    device = TOTPDevice.objects.get(user=cast.dsl)
    device.throttling_failure_timestamp = timezone.now() - timedelta(minutes=10)
    device.save()
    assert post_form(client, CHECK, {"code": app_code(cast.dsl)})["Location"] == HOME


# ---- Account page and the demo command -------------------------------------------------------


def test_the_account_page_warns_when_backup_codes_run_low(client, cast, client_for):
    dsl = client_for(cast.dsl)
    assert 'id="few-backup-codes"' in dsl.get(ACCOUNT).content.decode()  # none yet
    post_form(dsl, BACKUP)  # ten new codes
    assert 'id="few-backup-codes"' not in dsl.get(ACCOUNT).content.decode()
    StaticToken.objects.filter(device__user=cast.dsl).exclude(
        pk__in=StaticToken.objects.filter(device__user=cast.dsl).values("pk")[:2]
    ).delete()
    assert 'id="few-backup-codes"' in dsl.get(ACCOUNT).content.decode()


def test_the_account_page_shows_name_roles_and_two_factor(client, cast, client_for):
    from safeguarding.models import Membership, Role

    Membership.objects.create(user=cast.dsl, role=Role.STAFF, school=cast.school_b)
    body = client_for(cast.dsl).get(ACCOUNT).content.decode()
    assert "Dana Lee" in body
    assert "dsl@oakwood.test" in body
    assert "Oakwood Academy" in body
    assert "Designated safeguarding lead" in body
    assert "Elm Park School" in body
    assert "On" in body
    assert "Get new backup codes" in body
    lead = client_for(cast.trust_lead).get(ACCOUNT).content.decode()
    assert "Northfield Learning Trust" in lead
    assert "Trust lead" in lead


def test_the_demo_code_command_prints_a_working_code_only_with_debug(cast):
    with override_settings(DEBUG=False), pytest.raises(CommandError):
        call_command("demo_totp_code", "dsl@oakwood.test")
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("demo_totp_code", "DSL@oakwood.test", stdout=out)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    assert TOTPDevice.objects.get(user=cast.dsl).verify_token(code)


def test_removing_two_factor_sends_the_person_back_to_set_up(cast, client_for):
    from safeguarding.two_factor import remove_two_factor

    dsl = client_for(cast.dsl)
    assert dsl.get(HOME).status_code == 200
    remove_two_factor(user=cast.dsl, actor=cast.admin, school=cast.school_a)
    # The session that passed the check before (perhaps on the lost phone) is ended: left
    # open, it would be sent to set up a new app, and whoever had the phone could add theirs.
    response = dsl.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    # Signing in again with the password leads to setting up a new app.
    assert password_step(Client(), cast.dsl)["Location"] == SETUP
    assert not StaticToken.objects.filter(device__user=cast.dsl).exists()
    event = AuditEvent.objects.get(action="two_factor.removed")
    assert (event.actor, event.target_id) == (cast.admin, str(cast.dsl.pk))
    assert event.data["sessions_ended"] == 1


def test_signing_in_again_asks_for_a_code_again(client, cast):
    password_step(client, cast.dsl)
    post_form(client, CHECK, {"code": app_code(cast.dsl)})
    assert client.get(HOME).status_code == 200
    response = password_step(client, cast.dsl)
    assert response["Location"] == CHECK
    assert client.get(HOME)["Location"] == CHECK


def test_strange_codes_are_refused_politely(client, cast):
    password_step(client, cast.dsl)
    for text in ["a\x00b", "\u202e123456", "<script>x</script>", "9" * 100_000, "１２３４５６", ""]:
        response = post_form(client, CHECK, {"code": text})
        assert response.status_code == 200, text[:20]
        body = response.content.decode()
        assert "govuk-error-summary" in body
        assert "<script>x" not in body
    assert client.get(HOME)["Location"] == CHECK
