"""The PDF renderer can fetch nothing but static/pdf/, even if markup slips past escaping."""

import io
import shutil
import subprocess

import pytest

from safeguarding.pdf import PDF_BASE_URL, StaticOnlyFetcher, html_to_pdf
from tests.conftest import require

HOSTILE_MARKUP = """
<html><head><link rel="stylesheet" href="pdf/referral.css"></head><body>
<p>Text before</p>
<img src="file:///etc/passwd">
<link rel="attachment" href="file:///etc/passwd">
<a rel="attachment" href="file:///etc/hostname">attached</a>
<img src="http://169.254.169.254/latest/meta-data/">
<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42">
<div style="background: url('file:///etc/shadow')">x</div>
<link rel="stylesheet" href="../../etc/passwd">
<link rel="stylesheet" href="pdf/../../manage.py">
<p>Text after</p>
</body></html>
"""


def test_the_fetcher_refuses_every_url_but_our_print_stylesheet():
    fetcher = StaticOnlyFetcher()
    pdf = html_to_pdf(HOSTILE_MARKUP, fetcher=fetcher)
    assert pdf.startswith(b"%PDF")
    assert fetcher.served == [PDF_BASE_URL + "pdf/referral.css"]
    refused = " ".join(fetcher.refused)
    assert "file:///etc/passwd" in refused
    assert "169.254.169.254" in refused
    assert not any(url.startswith("file:") for url in fetcher.served)


def test_no_file_is_embedded_and_no_secret_leaks_into_the_pdf():
    pdf = html_to_pdf(HOSTILE_MARKUP)
    assert b"/EmbeddedFile" not in pdf
    assert b"/EmbeddedFiles" not in pdf
    assert b"root:" not in pdf


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/",
        PDF_BASE_URL + "pdf/../../settings.py",
        PDF_BASE_URL + "build/app.css",
        "https://pdf.invalid/etc/passwd",
    ],
)
def test_direct_fetches_outside_static_pdf_are_refused(url):
    fetcher = StaticOnlyFetcher()
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_pdftotext_reads_the_visible_text():
    require(shutil.which("pdftotext") is not None, "pdftotext (Debian poppler-utils)")
    pdf = html_to_pdf(HOSTILE_MARKUP)
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "Text before" in text and "Text after" in text
    assert "OFFICIAL-SENSITIVE" in text
    assert "Page 1 of 1" in text
    assert "root:" not in text
    assert io.BytesIO(pdf).getbuffer().nbytes > 0
