"""PDFs made on the server from HTML, in the vendored Chinese font, without ever using the network.

WeasyPrint is imported here and nowhere else. Every PDF gets `static/css/print.css` as its user
stylesheet: its `@font-face` rules name the vendored Noto Sans SC files, so Chinese prints the
same on a server with no Chinese fonts installed, and the browser's print of the same page (which
links the same file) matches.

The HTML is read as if served from `ORIGIN`: `/static/…` (what `url_for("static", …)` writes)
is read from `app/static/`, and `data:` URIs are decoded. Nothing else is fetched, whatever the
HTML says: user text must never make the server open a URL or read a file of its own.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import mimetypes
import re
import unicodedata
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from flask import Response
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC = (Path(__file__).parent / "static").resolve()
# A made-up origin (.invalid never resolves, RFC 2606) that only StaticFetcher understands, so
# that a page's own links to /static/ work unchanged in a PDF.
ORIGIN = "http://gongjian.invalid"
PRINT_CSS = f"{ORIGIN}/static/css/print.css"
# The family print.css's @font-face rules give the vendored files.
FAMILY = "Gongjian Sans"
# Every font lookup in this process, whatever family it names, is offered FAMILY first. The
# stylesheet cannot reach the text inside an SVG image (font-family="sans-serif"), which would
# otherwise take whichever CJK font the machine has, or print boxes where it has none; and a
# page's own `font-family: monospace` would differ from server to server. Only a character the
# vendored font lacks (emoji; rare ideographs of CJK extension A and beyond) takes a machine font.
VENDORED_FIRST = f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><match target="pattern">
  <edit name="family" mode="prepend_first" binding="strong"><string>{FAMILY}</string></edit>
</match></fontconfig>""".encode()


def _prefer_vendored_font() -> None:
    """Load VENDORED_FIRST into fontconfig's process-wide configuration.

    Pango builds a request's list of families with that configuration; the one WeasyPrint makes
    for each document is not consulted for it (a rule loaded there changes nothing). Outside
    WeasyPrint the rule is inert: FAMILY exists only in WeasyPrint's configurations, and
    nothing else in the portal asks fontconfig for fonts.
    """
    library = ctypes.util.find_library("fontconfig")
    if library is None:
        raise RuntimeError("WeasyPrint needs fontconfig, and it was not found")
    fontconfig = ctypes.CDLL(library)
    fontconfig.FcConfigGetCurrent.restype = ctypes.c_void_p
    fontconfig.FcConfigParseAndLoadFromMemory.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_int,
    ]
    if not fontconfig.FcConfigParseAndLoadFromMemory(
        fontconfig.FcConfigGetCurrent(), VENDORED_FIRST, 1
    ):
        raise RuntimeError("fontconfig refused the rule that prefers the vendored font")


_prefer_vendored_font()


class StaticFetcher(URLFetcher):
    """WeasyPrint's fetcher, allowed only the portal's static files and `data:` URIs.

    A refusal raises ValueError, which WeasyPrint logs and renders on without the resource.
    """

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            # Decoded in memory by urllib's data: handler; no other handler is ever reached.
            return super().fetch(url, headers)
        path = _static_path(url)
        if path is None:
            raise ValueError(f"a PDF may use only the portal's static files, not {url[:200]!r}")
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mimetype})


def _static_path(url: str) -> Path | None:
    """The file under app/static a URL on ORIGIN names, or None (another host, ../, missing)."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != ORIGIN or not parts.path.startswith("/static/"):
        return None
    path = (STATIC / unquote(parts.path.removeprefix("/static/"))).resolve()
    return path if path.is_relative_to(STATIC) and path.is_file() else None


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document, in the vendored font (see the module's docstring).

    Page size and margins come from the document's `@page` rules (print.css gives A4).
    """
    fetcher = StaticFetcher()
    # One font configuration a document: WeasyPrint's is not safe to share between threads.
    fonts = FontConfiguration()
    stylesheet = CSS(url=PRINT_CSS, url_fetcher=fetcher, font_config=fonts)
    document = HTML(string=html, base_url=f"{ORIGIN}/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet], font_config=fonts)


def pdf_response(data: bytes, filename: str) -> Response:
    """A PDF download named `filename` (Chinese welcome): RFC 5987's `filename*` carries it in
    UTF-8, with an ASCII `filename` for clients that read only that."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name.removesuffix(".pdf")).strip("-.")
    disposition = (
        f'attachment; filename="{stem or "document"}.pdf"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )
    # A PDF holds the same personal data as the page it prints: no shared or back-button caches.
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )
