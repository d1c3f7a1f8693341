"""PDF rendering that can fetch nothing but our own print stylesheets.

WeasyPrint's default fetcher reads file:// and http:// URLs and will embed a file named by
`<link rel="attachment">` into the PDF. Ours serves files under static/pdf/ and refuses every
other URL, so even markup that slipped past escaping cannot pull anything into a document.
"""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# A base URL that resolves nowhere: relative links in templates resolve under it, and the
# fetcher maps it onto static/pdf/ without touching the network.
PDF_BASE_URL = "https://pdf.invalid/static/"
PDF_STATIC_DIR = Path(settings.BASE_DIR) / "static" / "pdf"


class StaticOnlyFetcher(URLFetcher):
    """Serves files from static/pdf/ and refuses everything else, remembering what it refused."""

    def __init__(self):
        super().__init__(timeout=1, allow_redirects=False, fail_on_errors=False)
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        path = self._local_path(url)
        if path is None:
            self.refused.append(url)
            raise ValueError("This document may only use its own stylesheet.")
        self.served.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )

    @staticmethod
    def _local_path(url: str) -> Path | None:
        if not url.startswith(PDF_BASE_URL + "pdf/"):
            return None
        relative = url.removeprefix(PDF_BASE_URL + "pdf/").split("?")[0].split("#")[0]
        candidate = (PDF_STATIC_DIR / relative).resolve()
        if PDF_STATIC_DIR.resolve() not in candidate.parents or not candidate.is_file():
            return None
        return candidate


def html_to_pdf(html: str, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    return HTML(
        string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher or StaticOnlyFetcher()
    ).write_pdf()


def render_pdf(template_name: str, context: dict, *, fetcher=None) -> bytes:
    """Render a Django template (autoescaped) to PDF bytes."""
    return html_to_pdf(render_to_string(template_name, context), fetcher=fetcher)
