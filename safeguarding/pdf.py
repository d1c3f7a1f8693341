"""PDF rendering that can fetch nothing but our own print stylesheets.

WeasyPrint's default fetcher reads file:// and http:// URLs and will embed a file named by
`<link rel="attachment">` into the PDF. Ours serves files under static/pdf/ and refuses every
other URL, so even markup that slipped past escaping cannot pull anything into a document.

Speed: parsing a stylesheet and setting up fonts cost the same for every document, so each
thread keeps one FontConfiguration and one parsed copy of each print stylesheet (built through
the same StaticOnlyFetcher, so an @import or url() in it is refused like any other) and hands
them to WeasyPrint with `stylesheets=`. One per thread because Pango font maps are not
thread-safe; with gunicorn's sync workers that is one per process.

Speed, too: WeasyPrint's own browser defaults (some 250 rules, each matched against every
element) are replaced by ours (static/pdf/user_agent.css): the same values for the elements our
templates print, and nothing for the forms, lists and legacy tags they never use.

And a rule under one side of a box (the line under each timeline entry, item and heading) is
drawn as the filled rectangle it is (`_draw_border`), not as WeasyPrint 70's clipped ring.

Accessible: every document is PDF/UA-1 (WeasyPrint's `pdf_variant`), so it is tagged (headings,
paragraphs, tables and their header cells as structure, in reading order), names its language
(the template's `lang`) and shows its `<title>` as the window title in a reader.
"""

import mimetypes
import threading
from pathlib import Path

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint import draw as weasyprint_draw
from weasyprint.draw.color import get_color
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# A base URL that resolves nowhere: relative links in templates resolve under it, and the
# fetcher maps it onto static/pdf/ without touching the network.
PDF_BASE_URL = "https://pdf.invalid/static/"
PDF_STATIC_DIR = Path(settings.BASE_DIR) / "static" / "pdf"
# The print stylesheet every document rendered by `render_pdf` gets, under static/pdf/.
PRINT_STYLESHEET = "referral.css"
# The browser defaults every document gets instead of WeasyPrint's, under static/pdf/.
USER_AGENT_STYLESHEET = "user_agent.css"
# Tagged for screen readers, with the document's title and language: see the module docstring.
PDF_VARIANT = "pdf/ua-1"


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


class _PerThread(threading.local):
    def __init__(self):
        self.font_config = FontConfiguration()
        self.stylesheets: dict[str, CSS] = {}
        self.user_agent: CSS | None = None


_per_thread = _PerThread()


_SIDES = ("top", "right", "bottom", "left")
_weasyprint_draw_border = weasyprint_draw.draw_border


def _draw_border(stream, box):
    """WeasyPrint's border drawing, with a shortcut for a solid border on one side only and
    square corners: the same pixels as WeasyPrint draws (its ring between the border and padding
    boxes, clipped to that side, is that rectangle) for a tenth of the work. Anything else is
    WeasyPrint's own drawing.

    Called for every box: the widths are read straight off the box, and the corners' radii as
    layout resolved them (what `rounded_border_box` would scale, and only ever scales down)."""
    widths = (
        box.border_top_width,
        box.border_right_width,
        box.border_bottom_width,
        box.border_left_width,
    )
    drawn = [index for index, width in enumerate(widths) if width]
    if len(drawn) != 1:
        return _weasyprint_draw_border(stream, box)
    side = _SIDES[drawn[0]]
    style = box.style
    if (
        style["visibility"] != "visible"
        or style["border_image_source"][0] != "none"
        or style["column_width"] != "auto"
        or style["column_count"] != "auto"
        or style[f"border_{side}_style"] != "solid"
        or any(
            rx > 0 or ry > 0
            for rx, ry in (
                box.border_top_left_radius,
                box.border_top_right_radius,
                box.border_bottom_right_radius,
                box.border_bottom_left_radius,
            )
        )
    ):
        return _weasyprint_draw_border(stream, box)
    color = get_color(style, f"border_{side}_color")
    if not color.alpha:
        return None
    x, y = box.border_box_x(), box.border_box_y()
    width, height = box.border_width(), box.border_height()
    line = widths[drawn[0]]
    rectangle = {
        "top": (x, y, width, line),
        "right": (x + width - line, y, line, height),
        "bottom": (x, y + height - line, width, line),
        "left": (x, y, line, height),
    }[side]
    with stream.artifact(), stream.stacked():
        stream.set_color(color)
        stream.rectangle(*rectangle)
        stream.fill()
    return None


# Only for the WeasyPrint this was measured and checked against (pyproject.toml pins it).
if weasyprint.__version__ == "70.0":
    weasyprint_draw.draw_border = _draw_border


class _Document(HTML):
    """WeasyPrint's HTML with our browser defaults in place of its own (see the docstring)."""

    def _ua_stylesheets(self, forms=False):
        if _per_thread.user_agent is None:
            _per_thread.user_agent = CSS(
                url=PDF_BASE_URL + "pdf/" + USER_AGENT_STYLESHEET,
                url_fetcher=StaticOnlyFetcher(),
                font_config=_per_thread.font_config,
            )
        return [_per_thread.user_agent]


def print_stylesheet(name: str, *, fetcher: StaticOnlyFetcher) -> CSS:
    """The parsed stylesheet static/pdf/<name>, parsed once per thread.

    The first parse goes through a StaticOnlyFetcher of its own; `fetcher` (the document's)
    records the stylesheet as served, so it lists every file the document drew on.
    """
    url = PDF_BASE_URL + "pdf/" + name
    sheet = _per_thread.stylesheets.get(name)
    if sheet is None:
        sheet = CSS(
            url=url,
            url_fetcher=StaticOnlyFetcher(),
            font_config=_per_thread.font_config,
        )
        _per_thread.stylesheets[name] = sheet
    fetcher.served.append(url)
    return sheet


def html_to_pdf(
    html: str, *, fetcher: StaticOnlyFetcher | None = None, stylesheets: tuple[str, ...] = ()
) -> bytes:
    """`stylesheets` names files under static/pdf/ to apply besides any the markup links."""
    fetcher = fetcher or StaticOnlyFetcher()
    sheets = [print_stylesheet(name, fetcher=fetcher) for name in stylesheets]
    # Autoescaping writes every ' as &#x27;, needed only inside an attribute quoted with ' (our
    # PDF templates quote every attribute with ", tests/pdf/test_apostrophes.py checks): the HTML
    # parser decodes each entity slowly, and a long case's notes hold hundreds of them.
    html = html.replace("&#x27;", "'")
    return _Document(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher).write_pdf(
        stylesheets=sheets, font_config=_per_thread.font_config, pdf_variant=PDF_VARIANT
    )


def render_pdf(
    template_name: str,
    context: dict,
    *,
    fetcher: StaticOnlyFetcher | None = None,
    stylesheets: tuple[str, ...] = (PRINT_STYLESHEET,),
) -> bytes:
    """Render a Django template (autoescaped) to PDF bytes with our print stylesheet."""
    return html_to_pdf(
        render_to_string(template_name, context), fetcher=fetcher, stylesheets=stylesheets
    )
