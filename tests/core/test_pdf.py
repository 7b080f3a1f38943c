"""Server-made PDFs (app/pdf.py): A4 pages in the vendored Noto Sans SC, and no fetching.

The suite's machines have Debian's Noto CJK fonts (scripts/test.sh installs them), so a PDF that
embeds only the vendored font proves no text fell back to a machine font.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from app.pdf import html_to_pdf, pdf_response

A4 = (210 / 25.4 * 72, 297 / 25.4 * 72)  # 210 × 297 mm in points
VENDORED = {"NotoSansSC-Regular", "NotoSansSC-Bold"}

TWO_PAGES = """<!doctype html>
<html lang="zh-CN"><head><style>
  @page { size: A4; margin: 20mm; }
  .next { break-before: page; }
</style></head><body>
  <h1>兴隆苑 1栋1单元 楼道管家公示牌</h1>
  <p>物业管家：张三 13812345678</p>
  <p class="next">楼栋长：<b>李四</b> 023-62881234</p>
</body></html>"""


def embedded_fonts(pdf: bytes) -> set[str]:
    """The PostScript names inside the font files the PDF embeds (not the names the PDF gives
    them, which come from the stylesheet)."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            data = descendant["/FontDescriptor"]["/FontFile2"].get_object().get_data()
            names.add(TTFont(io.BytesIO(data))["name"].getDebugName(6))
    return names


def test_two_a4_pages_of_chinese_in_the_vendored_regular_and_bold() -> None:
    pdf = html_to_pdf(TWO_PAGES)

    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 2
    for page in pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4)
    assert "楼道管家公示牌" in pages[0].extract_text()
    assert "李四" in pages[1].extract_text()
    assert embedded_fonts(pdf) == VENDORED


def test_no_text_falls_back_to_a_machine_font() -> None:
    # Generic families, and an SVG's text, which no stylesheet of the page reaches.
    html = """<p style="font-family: serif">宋体的段落</p>
    <code style="font-family: monospace">代码 0123</code>
    <svg xmlns="http://www.w3.org/2000/svg" width="60" height="30">
      <text x="0" y="20" font-family="sans-serif">共建</text>
    </svg>"""

    assert embedded_fonts(html_to_pdf(html)) == {"NotoSansSC-Regular"}


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A web server on this machine and the paths it was asked for."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_error(404)

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", asked
    server.shutdown()
    thread.join()


def test_fetches_nothing_but_the_portals_static_files(
    listener: tuple[str, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    address, asked = listener
    refused = [
        f"{address}/image.png",
        "http://example.com/x.png",
        "file:///etc/passwd",
        "/static/../pdf.py",
        "/static/%2e%2e/pdf.py",
        "/instance/gongjian.db",
    ]
    html = f"""<html><head>
      <link rel="stylesheet" href="{address}/style.css">
      <style>@import url("{address}/imported.css");
             body {{ background: url("{address}/background.png"); }}</style>
    </head><body>
      {"".join(f'<img src="{url}">' for url in refused)}
      <img src="/static/favicon.svg">
    </body></html>"""

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = html_to_pdf(html)

    assert asked == []
    refusals = " ".join(
        r.getMessage() for r in caplog.records if "only the portal's static files" in r.getMessage()
    )
    for url in [*refused[:3], f"{address}/style.css", f"{address}/imported.css"]:
        assert url in refusals
    assert "gongjian.invalid/pdf.py" in refusals  # ../ is resolved before the check, and refused
    # The one file under app/static is drawn.
    assert "/XObject" in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]


def test_pdf_response_is_a_download_with_its_chinese_name() -> None:
    response = pdf_response(b"%PDF-1.7", "兴隆苑-管家公示牌-202612.pdf")

    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="202612.pdf"; ')
    encoded = re.search(r"filename\*=UTF-8''(\S+)$", disposition)
    assert encoded and unquote(encoded[1]) == "兴隆苑-管家公示牌-202612.pdf"
    assert response.get_data() == b"%PDF-1.7"


def test_a_name_with_no_ascii_falls_back_to_document_pdf() -> None:
    disposition = pdf_response(b"", "公示牌.pdf").headers["Content-Disposition"]

    assert 'filename="document.pdf"' in disposition


def test_browsers_get_print_css_and_the_fonts_it_names(client: FlaskClient) -> None:
    css = client.get("/static/css/print.css")
    assert css.status_code == 200

    fonts = re.findall(r'url\("\.\./(vendor/fonts/[^"]+)"\)', css.get_data(as_text=True))
    assert len(fonts) == 2
    for path in fonts:
        font = client.get(f"/static/{path}")
        assert font.status_code == 200
        assert font.get_data()[:4] == b"\x00\x01\x00\x00"  # a TrueType font
