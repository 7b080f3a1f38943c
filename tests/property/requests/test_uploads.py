"""Photo uploads (app/uploads.py): only real images, metadata stripped, server-chosen names."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from app import uploads
from app.uploads import UploadError
from tests import factories


@pytest.fixture
def ctx(app, database):
    with app.test_request_context():
        yield app


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x0112] = 6  # orientation: rotated 90° clockwise
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (29.0, 33.0, 0.0)
    gps[3] = "E"
    gps[4] = (106.0, 34.0, 0.0)
    return exif


def stored(name: str) -> Image.Image:
    return Image.open(uploads.upload_folder("requests") / name)


@pytest.mark.parametrize(("fmt", "ext"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_real_photos_are_kept_without_their_metadata(ctx, fmt, ext):
    data = factories.photo_bytes(fmt, size=(60, 40), exif=gps_exif())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825), "the test photo has GPS"
    name = uploads.save_image(io.BytesIO(data), "requests")
    assert uploads.STORED_NAME.match(name) and name.endswith(f".{ext}")
    image = stored(name)
    assert image.format == fmt
    assert not image.getexif(), "EXIF (and the GPS position in it) must be gone"
    assert "exif" not in image.info
    # The orientation tag is gone, so the pixels were turned the way it said.
    assert image.size == (40, 60)


def test_every_upload_gets_a_new_random_name(ctx):
    data = factories.photo_bytes()
    first = uploads.save_image(io.BytesIO(data), "requests")
    second = uploads.save_image(io.BytesIO(data), "requests")
    assert first != second


def test_big_photos_are_shrunk(ctx):
    name = uploads.save_image(io.BytesIO(factories.photo_bytes("JPEG", size=(4000, 3000))), "x")
    image = Image.open(uploads.upload_folder("x") / name)
    assert max(image.size) == uploads.MAX_EDGE


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge canvas: a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        b"%PDF-1.7\n1 0 obj<<>>endobj",
        b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
        factories.photo_bytes("GIF"),
        factories.photo_bytes("PNG")[:60],  # truncated
        _png_claiming(30000, 30000),
    ],
    ids=["empty", "text", "pdf", "svg", "gif", "truncated", "bomb"],
)
def test_anything_else_is_refused(ctx, data):
    with pytest.raises(UploadError) as refused:
        uploads.save_image(io.BytesIO(data), "requests")
    assert refused.value.message
    folder = uploads.upload_folder("requests")
    assert not folder.exists() or not any(
        path.stat().st_size == len(data) for path in folder.iterdir()
    )


def test_a_bmp_is_refused_even_though_pillow_reads_it(ctx):
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="BMP")
    with pytest.raises(UploadError):
        uploads.save_image(io.BytesIO(out.getvalue()), "requests")


def test_too_large_is_refused_before_decoding(ctx):
    data = factories.photo_bytes() + b"\0" * uploads.MAX_BYTES
    with pytest.raises(UploadError, match="5"):
        uploads.save_image(io.BytesIO(data), "requests")


def test_only_stored_names_are_served_or_removed(ctx):
    from werkzeug.exceptions import NotFound

    for name in ("../secret_key", "x.jpg", None, "0" * 32 + ".gif"):
        with pytest.raises(NotFound):
            uploads.send_image("requests", name)
    uploads.discard_image("requests", "../../secret_key")  # ignored, not a stored name
    name = uploads.save_image(io.BytesIO(factories.photo_bytes()), "requests")
    assert uploads.send_image("requests", name).mimetype == "image/png"
    uploads.discard_image("requests", name)
    with pytest.raises(NotFound):
        uploads.send_image("requests", name)
    with pytest.raises(ValueError):
        uploads.upload_folder("../etc")
