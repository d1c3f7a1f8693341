"""A sign-in or account page sent back with a mistake says 'Error: ' first in its title: it is
what a screen reader reads first and what the browser tab shows."""

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, post_form, sign_in
from tests.safeguarding.test_two_factor import CHECK, LOGIN, SETUP, enrol, password_step


def title(response) -> str:
    html = response.content.decode()
    return html[html.index("<title>") + 7 : html.index("</title>")]


def test_a_wrong_password_gives_an_error_title(client, cast):
    assert title(client.get(LOGIN)).startswith("Sign in")
    response = post_form(client, LOGIN, {"username": cast.teacher.email, "password": "wrong"})
    assert title(response).startswith("Error: Sign in")


def test_a_wrong_code_when_setting_up_or_signing_in_gives_an_error_title(client, cast):
    TOTPDevice.objects.filter(user=cast.dsl).delete()
    password_step(client, cast.dsl)
    assert title(client.get(SETUP)).startswith("Set up two-factor sign-in")
    assert title(post_form(client, SETUP, {"code": "000000"})).startswith(
        "Error: Set up two-factor sign-in"
    )
    enrol(client, cast.dsl)

    again = Client()
    password_step(again, cast.dsl)
    assert title(again.get(CHECK)).startswith("Enter your code")
    assert title(post_form(again, CHECK, {"code": "000000"})).startswith("Error: Enter your code")


def test_a_wrong_current_password_gives_an_error_title(client, cast):
    sign_in(client, cast.teacher)
    response = post_form(
        client,
        "/account/password/",
        {
            "old_password": PASSWORD + "x",
            "new_password1": "violet kettle orbit 42",
            "new_password2": "violet kettle orbit 42",
        },
    )
    assert response.status_code == 200
    assert title(response).startswith("Error: Change your password")
