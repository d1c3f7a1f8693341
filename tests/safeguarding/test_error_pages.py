"""Error pages: generic, with a reference id, never a traceback or the error's detail.

The failing views live only in this module's test URLconf, never in the product's routes.
"""

from urllib.parse import urlencode

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import Client
from django.urls import path

from safeguarding import access
from safeguarding.errors import REFERENCE_PROMPT
from safeguarding.models import Role
from safeguarding.project_urls import urlpatterns as product_urlpatterns
from tests.conftest import sign_in

CANARY = "canary-detail-4f1e9b: pupil Jane Doe, 12 Acacia Road"


@access.public
def explode(request):
    raise RuntimeError(CANARY)


@access.public
def suspicious(request):
    raise SuspiciousOperation(CANARY)


@access.school_role(Role.DSL)
def dsl_only(request, school):
    raise AssertionError("a teacher must never get here")


urlpatterns = [
    path("test-only/explode/", explode),
    path("test-only/suspicious/", suspicious),
    path("test-only/s/<slug:school>/dsl-only/", dsl_only),
    *product_urlpatterns,
]
handler400 = "safeguarding.errors.bad_request"
handler403 = "safeguarding.errors.permission_denied"
handler404 = "safeguarding.errors.not_found"
handler500 = "safeguarding.errors.server_error"

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def debug_off(settings):
    settings.DEBUG = False


def assert_generic_page(response, status: int):
    body = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    reference = response["X-Request-Id"]
    assert len(reference) == 16
    assert f'{REFERENCE_PROMPT} <strong class="app-reference">{reference}</strong>' in body
    for leak in (CANARY, "Traceback", "RuntimeError", "SuspiciousOperation", 'File "/', ".py"):
        assert leak not in body, leak
    return body


@pytest.mark.django_db
def test_an_exception_in_a_view_gives_a_generic_500_with_a_reference():
    client = Client(raise_request_exception=False)
    body = assert_generic_page(client.get("/test-only/explode/"), 500)
    assert "Sorry, there is a problem with the service" in body


def test_the_500_page_is_generic_for_a_signed_in_person_too(cast):
    client = sign_in(Client(raise_request_exception=False), cast.dsl)
    body = assert_generic_page(client.get("/test-only/explode/"), 500)
    assert cast.dsl.email not in body


def test_each_error_gets_its_own_reference():
    client = Client(raise_request_exception=False)
    first = client.get("/test-only/explode/")["X-Request-Id"]
    second = client.get("/test-only/explode/")["X-Request-Id"]
    assert first != second


@pytest.mark.django_db
def test_a_suspicious_request_gives_a_generic_400(client):
    body = assert_generic_page(client.get("/test-only/suspicious/"), 400)
    assert "We could not understand that request." in body


@pytest.mark.django_db
def test_an_unknown_host_gives_a_generic_400(client):
    assert_generic_page(client.get("/sign-in/", HTTP_HOST="attacker.example"), 400)


@pytest.mark.django_db
def test_an_unknown_page_gives_a_generic_404(client):
    body = assert_generic_page(client.get("/no-such-page/"), 404)
    assert "Page not found" in body


def test_the_wrong_role_gives_a_generic_403_and_an_outsider_a_404(cast):
    teacher = sign_in(Client(), cast.teacher)
    body = assert_generic_page(teacher.get("/test-only/s/oakwood/dsl-only/"), 403)
    assert "You do not have access to this page" in body
    outsider = sign_in(Client(), cast.outsider)
    assert_generic_page(outsider.get("/test-only/s/oakwood/dsl-only/"), 404)


def test_with_debug_on_a_view_404_still_gives_our_page_not_the_route_list(cast, settings):
    settings.DEBUG = True  # as in `make run`
    outsider = sign_in(Client(), cast.outsider)
    body = assert_generic_page(outsider.get("/test-only/s/oakwood/dsl-only/"), 404)
    assert "Page not found" in body and "URLconf" not in body


def test_a_form_without_its_security_token_gives_a_generic_403(cast):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/sign-in/",
        urlencode({"username": "x", "password": "y"}),
        content_type="application/x-www-form-urlencoded",
    )
    body = assert_generic_page(response, 403)
    assert "Your form could not be sent" in body
