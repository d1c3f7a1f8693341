"""No imagery, ever: a multipart body with a file is refused on every route, for everyone.

Routes come from the URL resolver, so a route added later is covered without editing this file.
"""

import re
import tempfile
import uuid
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils.regex_helper import normalize

from safeguarding.middleware import MULTIPART_REFUSED
from tests.conftest import sign_in

# Dummy values for URL parameters, by name first and converter second. Real slugs, so a route
# the middleware failed to guard would reach its view rather than a 404.
BY_NAME = {"school": "oakwood", "trust": "northfield", "app_label": "auth"}
BY_CONVERTER = {
    "slug": "oakwood",
    "str": "x1",
    "int": "1",
    "path": "x1",
    "uuid": str(uuid.UUID(int=1)),
}
FILE_MARKER = b"\x89PNG\r\n\x1a\n-not-an-image-but-refused-anyway-" + uuid.uuid4().hex.encode()
CONVERTER_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _route_part(pattern) -> str:
    """One level of a URL pattern as a concrete path segment."""
    if hasattr(pattern, "_route"):  # path() / RoutePattern

        def fill(match):
            name, converter = match["name"], match["converter"] or "str"
            return BY_NAME.get(name, BY_CONVERTER.get(converter, "x1"))

        return CONVERTER_PARAM.sub(fill, pattern._route)
    # re_path() / RegexPattern (the admin uses a few)
    template, params = normalize(pattern.regex.pattern)[0]
    return template % {name: BY_NAME.get(name, "1") for name in params}


def every_route_path() -> list[str]:
    paths = []

    def walk(patterns, prefix):
        for entry in patterns:
            part = prefix + _route_part(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, part)
            elif isinstance(entry, URLPattern):
                paths.append("/" + part)

    walk(get_resolver().url_patterns, "")
    return sorted(set(paths))


def test_every_generated_path_really_is_a_route():
    paths = every_route_path()
    assert len(paths) > 10
    unresolved = []
    for path in paths:
        try:
            resolve(path)
        except Resolver404:
            unresolved.append(path)
    assert unresolved == []


def _files_holding_the_marker(folder: Path) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        try:
            if path.is_file() and FILE_MARKER in path.read_bytes():
                found.append(path)
        except OSError:
            continue
    return found


@pytest.fixture
def upload_dirs(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path


def _post_file(client: Client, path: str, method: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"note": "see attached", "file": SimpleUploadedFile("photo.png", FILE_MARKER)}
    if method == "post":
        return client.post(path, data)
    # PUT/PATCH: the test client sends a raw body, so encode the multipart body ourselves.
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return getattr(client, method)(path, encode_multipart(BOUNDARY, data), MULTIPART_CONTENT)


def test_every_route_refuses_a_file_from_anyone(cast, upload_dirs):
    paths = every_route_path()
    people = {"anonymous": None, **cast.members()}
    before_tmp = set(Path(tempfile.gettempdir()).iterdir())
    failures = []
    for who, user in people.items():
        client = Client()
        if user is not None:
            sign_in(client, user)
        for path in paths:
            response = _post_file(client, path, "post")
            body = response.content.decode(errors="replace")
            if response.status_code != 415 or MULTIPART_REFUSED not in body:
                failures.append((who, "POST", path, response.status_code))
            # PUT and PATCH are refused site-wide (405) before any body is read, or as multipart.
            for method in ("put", "patch"):
                response = _post_file(client, path, method)
                if response.status_code not in (405, 415):
                    failures.append((who, method.upper(), path, response.status_code))
    assert failures == []

    assert _files_holding_the_marker(upload_dirs) == []
    new_tmp = set(Path(tempfile.gettempdir()).iterdir()) - before_tmp
    assert [p for p in new_tmp if p.is_file() and FILE_MARKER in p.read_bytes()] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data; boundary=BoUnDaRy",
        "MULTIPART/FORM-DATA; boundary=BoUnDaRy",
        "multipart/mixed; boundary=BoUnDaRy",
        "  multipart/form-data; boundary=BoUnDaRy",
        "\tmultipart/form-data; boundary=BoUnDaRy",
    ],
)
@pytest.mark.parametrize("with_file", [True, False])
def test_multipart_is_refused_however_it_is_spelt(client, content_type, with_file):
    # Django parses a multipart body whatever white space comes first: without a file it would
    # be read like any form, so it is refused before that with the message.
    part = (
        b'Content-Disposition: form-data; name="file"; filename="a.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + FILE_MARKER
        if with_file
        else b'Content-Disposition: form-data; name="username"\r\n\r\nsomeone@example.org'
    )
    body = b"--BoUnDaRy\r\n" + part + b"\r\n--BoUnDaRy--\r\n"
    response = client.generic("POST", "/sign-in/", body, content_type=content_type)
    assert response.status_code == 415
    assert MULTIPART_REFUSED in response.content.decode()


def test_django_itself_would_refuse_files_too(settings):
    # Belt and braces behind the middleware: Django answers 400 to any body with a file.
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 0
    assert settings.FILE_UPLOAD_HANDLERS == []
