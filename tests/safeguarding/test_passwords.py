"""Passwords are stored with Argon2id at OWASP's parameters, older hashes are upgraded at the
next sign-in, and passwords must be long and uncommon."""

import pytest
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    PBKDF2PasswordHasher,
    identify_hasher,
)
from django.core.exceptions import ValidationError
from django.urls import reverse

from safeguarding.models import AuditEvent, User
from tests.conftest import PASSWORD, post_form

LOGIN = reverse("safeguarding:login")

# OWASP Password Storage Cheat Sheet: Argon2id, 19 MiB, 2 iterations, 1 degree of parallelism.
OWASP = {"variety": "argon2id", "memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}


def stored_with(encoded: str) -> dict:
    decoded = identify_hasher(encoded).decode(encoded)
    return {key: decoded.get(key) for key in ("algorithm", *OWASP)}


def sign_in(client, email, password=PASSWORD):
    return post_form(client, LOGIN, {"username": email, "password": password})


@pytest.mark.real_password_hashing
def test_passwords_are_stored_with_argon2id_at_owasp_parameters_and_still_check(db):
    user = User.objects.create_user("new@oakwood.test", "a long and unusual phrase", full_name="N")
    assert stored_with(user.password) == {"algorithm": "argon2", **OWASP}
    assert user.check_password("a long and unusual phrase")
    assert not user.check_password("a long and unusual phrasE")


@pytest.mark.real_password_hashing
def test_a_hash_with_djangos_default_argon2_parameters_is_upgraded_when_they_sign_in(client, cast):
    django_default = Argon2PasswordHasher()
    User.objects.filter(pk=cast.teacher.pk).update(
        password=django_default.encode(PASSWORD, django_default.salt())
    )
    old = User.objects.get(pk=cast.teacher.pk).password
    assert stored_with(old)["memory_cost"] == 100 * 1024

    # A wrong password changes nothing.
    assert sign_in(client, "teacher@oakwood.test", "not the password at all").status_code == 200
    assert User.objects.get(pk=cast.teacher.pk).password == old

    response = sign_in(client, "teacher@oakwood.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("safeguarding:home")
    teacher = User.objects.get(pk=cast.teacher.pk)
    assert stored_with(teacher.password) == {"algorithm": "argon2", **OWASP}
    assert teacher.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action="sign_in.succeeded", actor=teacher).exists()


@pytest.mark.real_password_hashing
def test_a_pbkdf2_hash_is_upgraded_at_the_password_step_of_a_two_factor_sign_in(client, cast):
    pbkdf2 = PBKDF2PasswordHasher()
    # Few iterations keep the test quick; the stored hash says how many to use when checking.
    User.objects.filter(pk=cast.dsl.pk).update(
        password=pbkdf2.encode(PASSWORD, pbkdf2.salt(), iterations=1000)
    )

    response = sign_in(client, "dsl@oakwood.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("safeguarding:two_factor_verify")
    dsl = User.objects.get(pk=cast.dsl.pk)
    assert stored_with(dsl.password) == {"algorithm": "argon2", **OWASP}
    assert dsl.check_password(PASSWORD)


@pytest.mark.parametrize("weak", ["short1!", "password1234", "123456789012"])
def test_short_common_or_numeric_passwords_are_refused(db, weak):
    with pytest.raises(ValidationError):
        password_validation.validate_password(weak)
