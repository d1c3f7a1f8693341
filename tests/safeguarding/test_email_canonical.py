"""Email addresses have one canonical form: stored in it, looked up by it exactly, and the
lockout counts against the account an attempt resolves to (issue 13, point 2).

On PostgreSQL a case-insensitive look-up compares UPPER() of both sides, and UPPER('ı') is 'I':
"lead@brooksıde.example" signed in as "lead@brookside.example", while the lockout counted each
spelling apart (2^(number of i's) x 5 guesses per cool-off)."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from safeguarding import people
from safeguarding.forms import SIGN_IN_FAILED
from safeguarding.models import Invitation, Role, User
from tests.conftest import PASSWORD, make_user, post_form

LOGIN = reverse("safeguarding:login")
RESET = reverse("safeguarding:password_reset")
WRONG = "definitely not the password"

LEAD = "lead@brookside.example"
# Spellings that are the same address once folded (NFKC + lower case), each of which the old
# lockout (which lower-cased only) counted on its own.
SAME_ADDRESS = [
    "lead@brookſide.example",  # long s
    "ｌead@brookside.example",  # full-width l
    "lead＠brookside.example",  # full-width @
    " LEAD@BROOKSIDE.EXAMPLE ",
    "lead@brookside.example",
]
# Look-alikes that are other addresses: on PostgreSQL UPPER() folded them onto LEAD.
OTHER_ADDRESSES = ["lead@brooksıde.example", "lead@brookside.examplе"]  # dotless ı; Cyrillic е


def migration():
    return importlib.import_module("safeguarding.migrations.0005_canonical_emails")


def attempt(client, email, password=WRONG):
    return post_form(client, LOGIN, {"username": email, "password": password})


@pytest.fixture
def lead(cast):
    return make_user(LEAD, "Lee Adams", school=cast.school_a, roles=[Role.STAFF])


def test_the_canonical_form_folds_case_and_compatibility_letters_only():
    from safeguarding.models import canonical_email

    for spelling in SAME_ADDRESS:
        assert canonical_email(spelling) == LEAD
    for other in OTHER_ADDRESSES:
        assert canonical_email(other) != LEAD
    assert canonical_email("LEAD@BROOKSİDE.EXAMPLE") != LEAD  # dotted capital İ
    for value in SAME_ADDRESS + OTHER_ADDRESSES + ["İ@x", "ß@x", "Ⅸ@x"]:
        assert canonical_email(canonical_email(value)) == canonical_email(value)


def test_a_dotless_i_does_not_sign_in_as_the_address_with_an_i(postgres, lead):
    for other in OTHER_ADDRESSES:
        client = Client()
        response = attempt(client, other, PASSWORD)
        assert response.status_code == 200, other
        assert SIGN_IN_FAILED in response.content.decode()
        assert SESSION_KEY not in client.session


def test_every_spelling_of_the_address_signs_in_to_the_one_account(postgres, lead):
    for spelling in SAME_ADDRESS:
        client = Client()
        assert attempt(client, spelling, PASSWORD).status_code == 302, spelling
        assert client.session[SESSION_KEY] == str(lead.pk)


def test_failures_under_any_spelling_count_against_the_account(postgres, lead):
    client = Client()
    for spelling in SAME_ADDRESS[: settings.AXES_FAILURE_LIMIT]:
        attempt(client, spelling)
    # Locked, whichever spelling, from whichever computer.
    assert attempt(Client(REMOTE_ADDR="10.1.2.3"), LEAD, PASSWORD).status_code == 429
    assert attempt(client, SAME_ADDRESS[1], PASSWORD).status_code == 429


def test_after_five_wrong_guesses_no_spelling_signs_in_with_the_right_password(postgres, cast):
    """The attack: five guesses at one spelling, five at the next... Each look-alike spelling
    that reached the account had its own count."""
    address = "head@hillside-primary.example"  # three i's: eight dotless spellings
    make_user(address, "Hal Head", school=cast.school_a, roles=[Role.STAFF])
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, address)
    spellings = [
        address,
        address.upper(),
        "head@hıllside-primary.example",
        "head@hillsıde-primary.example",
        "head@hillside-prımary.example",
        "head@hıllsıde-prımary.example",
        "head@hillſide-primary.example",
    ]
    for spelling in spellings:
        other_computer = Client(REMOTE_ADDR="10.4.5.6")
        response = attempt(other_computer, spelling, PASSWORD)
        assert response.status_code in (200, 429), spelling
        assert SESSION_KEY not in other_computer.session, spelling


def test_unknown_addresses_count_by_their_canonical_form(postgres, cast):
    client = Client()
    for spelling in ["Nobody@Oakwood.test", "ｎobody@oakwood.test", "NOBODY@OAKWOOD.TEST "]:
        attempt(client, spelling)
    attempt(client, "nobody@oakwood.test")
    assert attempt(client, "nobody@oakwood.test").status_code == 429


def test_addresses_are_stored_in_their_canonical_form(cast, settings):
    invitation = people.invite(
        actor=cast.admin, school=cast.school_a, email="New.Person@Oakwood.TEST", roles=["staff"]
    )
    assert invitation.email == "new.person@oakwood.test"
    user = User.objects.create_user("ＭＩＸＥＤ@Oakwood.test", PASSWORD, full_name="M")
    assert user.email == "mixed@oakwood.test"
    user.email = "Changed@Oakwood.TEST"
    user.save()
    assert User.objects.filter(email="changed@oakwood.test").exists()


def test_inviting_a_look_alike_of_an_existing_address_is_a_new_address(postgres, cast, lead):
    # The old look-up (email__iexact) found `lead` for the dotless spelling and would have given
    # them the roles; the invitation was for someone else.
    assert people.existing_account(Invitation(email=OTHER_ADDRESSES[0])) is None
    assert people.existing_account(Invitation(email=" LEAD@Brookside.example")) == lead


def test_password_reset_goes_only_to_the_exact_address(postgres, lead):
    post_form(Client(), RESET, {"email": OTHER_ADDRESSES[0]})
    assert mail.outbox == []
    post_form(Client(), RESET, {"email": "Lead@Brookſide.example"})
    assert [message.to for message in mail.outbox] == [[LEAD]]


def test_the_migration_writes_existing_addresses_in_canonical_form(cast):
    User.objects.filter(pk=cast.dsl.pk).update(email="DSL@Oakwood.TEST")
    invitation = people.invite(
        actor=cast.admin, school=cast.school_a, email="x@oakwood.test", roles=["staff"]
    )
    Invitation.objects.filter(pk=invitation.pk).update(email="X@ＯAKWOOD.test")
    migration().normalise(global_apps, None)
    cast.dsl.refresh_from_db()
    invitation.refresh_from_db()
    assert cast.dsl.email == "dsl@oakwood.test"
    assert invitation.email == "x@oakwood.test"


def test_the_migration_stops_on_a_clash_and_names_both_accounts(cast):
    twin = make_user("twin@oakwood.test", "Twin", school=cast.school_a, roles=[Role.STAFF])
    User.objects.filter(pk=twin.pk).update(email="DSL@oakwood.test")
    with pytest.raises(RuntimeError) as raised:
        migration().normalise(global_apps, None)
    message = str(raised.value)
    assert str(cast.dsl.pk) in message and str(twin.pk) in message
    assert "dsl@oakwood.test" in message and "run migrate again" in message
    assert User.objects.filter(email="DSL@oakwood.test").exists()  # nothing changed
