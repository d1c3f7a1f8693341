"""Passwords are stored with Argon2 and must be long and uncommon."""

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from safeguarding.models import User


@pytest.mark.real_password_hashing
def test_passwords_are_stored_with_argon2_and_still_check(db):
    user = User.objects.create_user("new@oakwood.test", "a long and unusual phrase", full_name="N")
    assert user.password.startswith("argon2$")
    assert user.check_password("a long and unusual phrase")
    assert not user.check_password("a long and unusual phrasE")


@pytest.mark.parametrize("weak", ["short1!", "password1234", "123456789012"])
def test_short_common_or_numeric_passwords_are_refused(db, weak):
    with pytest.raises(ValidationError):
        password_validation.validate_password(weak)
