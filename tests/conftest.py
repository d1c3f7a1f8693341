"""The named cast used across the suite, and the rules for tests that need real services.

School A (in Trust A): dsl, deputy, teacher, admin.  School B (in Trust B): teacher_b, dsl_b.
trust_lead leads Trust A; other_trust_lead leads Trust B; outsider has no role anywhere.
"""

import functools
import os
import time
from dataclasses import dataclass

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.middleware import AbsoluteSessionLimitMiddleware
from safeguarding.models import Membership, Role, School, Trust, User

IN_CI = os.environ.get("CI") == "true"
PASSWORD = "correct horse battery staple"


def require(condition: bool, what: str) -> None:
    """Skip a test whose service is missing on a developer's machine; fail it in CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true but this test needs {what}")
    pytest.skip(f"needs {what}")


@pytest.fixture(scope="session", autouse=True)
def _flush_may_erase_the_audit_trail():
    """Transactional tests are emptied with `flush`, which the audit table's triggers refuse
    everywhere else (safeguarding/management/commands/flush.py)."""
    from django.conf import settings

    settings.AUDIT_TRAIL_ERASABLE_BY_FLUSH = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    """Argon2 costs 19 MiB and ~25 ms a check (safeguarding/hashers.py), and tests create and
    sign in many people. Tests about hashing itself are marked `real_password_hashing` and keep
    the settings' hashers."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _postgres_marker(request):
    """Tests marked `postgres` skip on SQLite, or fail with CI=true (pyproject.toml)."""
    if request.node.get_closest_marker("postgres") is not None:
        require(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def postgres(db):
    require(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL")
    require(bool(url), "Redis (set TEST_REDIS_URL)")
    return url


@dataclass
class Cast:
    trust_a: Trust
    trust_b: Trust
    school_a: School
    school_b: School
    dsl: User
    deputy: User
    teacher: User
    admin: User
    teacher_b: User
    dsl_b: User
    trust_lead: User
    other_trust_lead: User
    outsider: User

    def members(self) -> dict[str, User]:
        return {
            name: getattr(self, name)
            for name in (
                "dsl",
                "deputy",
                "teacher",
                "admin",
                "teacher_b",
                "dsl_b",
                "trust_lead",
                "other_trust_lead",
                "outsider",
            )
        }


def password_hash() -> str:
    """PASSWORD hashed once per run for each hasher in use: hashing it for every member of the
    cast in every test made each test's setup take seconds."""
    from django.conf import settings

    return _password_hash(tuple(settings.PASSWORD_HASHERS))


@functools.cache
def _password_hash(hashers: tuple[str, ...]) -> str:
    return make_password(PASSWORD)


def make_user(email: str, name: str, *, school=None, trust=None, roles=()) -> User:
    user = User.objects.create_user(email, None, full_name=name)
    user.password = password_hash()
    user.save(update_fields=["password"])
    for role in roles:
        Membership.objects.create(user=user, role=role, school=school, trust=trust)
    if user.needs_two_factor:
        TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return user


@pytest.fixture
def cast(db) -> Cast:
    trust_a = Trust.objects.create(name="Northfield Learning Trust", slug="northfield")
    trust_b = Trust.objects.create(name="Riverside Academies", slug="riverside")
    school_a = School.objects.create(name="Oakwood Academy", slug="oakwood", trust=trust_a)
    school_b = School.objects.create(name="Elm Park School", slug="elm-park", trust=trust_b)
    return Cast(
        trust_a=trust_a,
        trust_b=trust_b,
        school_a=school_a,
        school_b=school_b,
        dsl=make_user("dsl@oakwood.test", "Dana Lee", school=school_a, roles=[Role.DSL]),
        deputy=make_user(
            "deputy@oakwood.test", "Dev Patel", school=school_a, roles=[Role.DEPUTY_DSL]
        ),
        teacher=make_user("teacher@oakwood.test", "Tom Hart", school=school_a, roles=[Role.STAFF]),
        admin=make_user(
            "admin@oakwood.test", "Ada Price", school=school_a, roles=[Role.SCHOOL_ADMIN]
        ),
        teacher_b=make_user(
            "teacher@elmpark.test", "Tara Bell", school=school_b, roles=[Role.STAFF]
        ),
        dsl_b=make_user("dsl@elmpark.test", "Dina Shah", school=school_b, roles=[Role.DSL]),
        trust_lead=make_user(
            "lead@northfield.test", "Lena Ford", trust=trust_a, roles=[Role.TRUST_LEAD]
        ),
        other_trust_lead=make_user(
            "lead@riverside.test", "Owen Reid", trust=trust_b, roles=[Role.TRUST_LEAD]
        ),
        outsider=make_user("someone@elsewhere.test", "Olly Stone"),
    )


def post_form(client, url: str, data: dict | None = None, **extra):
    """POST as a browser submits our forms. The test client's default, multipart, is refused
    with 415 everywhere (no files, ever)."""
    from urllib.parse import urlencode

    return client.post(
        url,
        urlencode(data or {}, doseq=True),
        content_type="application/x-www-form-urlencoded",
        **extra,
    )


def search_for(client, url: str, words: str, **extra):
    """Search a page for pupils as a browser does: the words are posted, and the results shown
    at ?search=<id> (safeguarding.searches); returns the results page."""
    return post_form(client, url, {"q": words, **extra}, follow=True)


def sign_in(client, user: User):
    """Sign `user` in, with their second factor checked where they have one."""
    client.force_login(user)
    session = client.session
    # As signing in does (safeguarding.auth_views.after_sign_in): the 12 hours start now.
    session[AbsoluteSessionLimitMiddleware.SESSION_KEY] = time.time()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as `user` (two-factor done)."""
    from django.test import Client

    def make(user: User):
        return sign_in(Client(), user)

    return make
