"""Photo uploads (app/uploads.py): only real images, metadata stripped, server-chosen names,
the original kept with a thumbnail; each test on a local folder and on a real S3 bucket."""

from __future__ import annotations

import io
import os
import struct
import zlib

import pytest
from PIL import Image, ImageFile

from app import uploads
from app.storage import Storage
from app.uploads import UploadError
from tests import factories

MB = 1024 * 1024


@pytest.fixture
def ctx(app, database, files):
    """A request on the app, whose storage is `files`."""
    with app.test_request_context():
        yield files


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


def stored(files: Storage, key: str) -> Image.Image:
    data = files.get(key)
    assert data is not None, f"nothing stored under {key}"
    return Image.open(io.BytesIO(data))


def thumb_key(name: str, kind: str = "requests") -> str:
    return f"{kind}/thumbs/{name.rsplit('.', 1)[0]}.jpg"


def camera_jpeg(size: tuple[int, int] = (4000, 3000), quality: int = 88) -> bytes:
    """A photo as a camera makes one, held sideways (turned upright when stored), with its GPS
    position; noise compresses as badly as detail does."""
    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(
        out, format="JPEG", quality=quality, exif=gps_exif()
    )
    return out.getvalue()


@pytest.mark.parametrize(("fmt", "ext"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_real_photos_are_kept_without_their_metadata(ctx, fmt, ext):
    data = factories.photo_bytes(fmt, size=(60, 40), exif=gps_exif())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825), "the test photo has GPS"
    name = uploads.save_image(io.BytesIO(data), "requests")
    assert uploads.STORED_NAME.match(name) and name.endswith(f".{ext}")
    assert ctx.keys() == [f"requests/{name}", thumb_key(name)]
    image = stored(ctx, f"requests/{name}")
    assert image.format == fmt
    assert not image.getexif(), "EXIF (and the GPS position in it) must be gone"
    assert "exif" not in image.info
    # The orientation tag is gone, so the pixels were turned the way it said.
    assert image.size == (40, 60)
    thumb = stored(ctx, thumb_key(name))
    assert thumb.format == "JPEG" and thumb.size == (40, 60)
    assert not thumb.getexif() and "exif" not in thumb.info


def test_a_transparent_photo_gets_a_white_backed_thumbnail(ctx):
    data = factories.photo_bytes("PNG")
    clear = io.BytesIO()
    Image.new("RGBA", (30, 20), (0, 0, 0, 0)).save(clear, format="PNG")
    for png in (data, clear.getvalue()):
        name = uploads.save_image(io.BytesIO(png), "requests")
        assert stored(ctx, thumb_key(name)).format == "JPEG"
    assert stored(ctx, thumb_key(name)).getpixel((0, 0)) == (255, 255, 255)


def test_every_upload_gets_a_new_random_name(ctx):
    data = factories.photo_bytes()
    first = uploads.save_image(io.BytesIO(data), "requests")
    second = uploads.save_image(io.BytesIO(data), "requests")
    assert first != second


def test_the_original_is_kept_whole_and_the_thumbnail_is_small(ctx):
    name = uploads.save_image(io.BytesIO(camera_jpeg((3000, 2000), quality=80)), "x")
    original, thumb = ctx.get(f"x/{name}"), ctx.get(thumb_key(name, "x"))
    assert Image.open(io.BytesIO(original)).size == (2000, 3000)
    assert Image.open(io.BytesIO(thumb)).size == (320, uploads.THUMB_EDGE)
    assert len(thumb) < len(original) / 10


def test_a_ten_megabyte_photo_is_stored_with_its_thumbnail_where_allowed(ctx):
    data = camera_jpeg()
    assert 9 * MB < len(data) < 11 * MB
    with pytest.raises(UploadError, match="5 MB"):
        uploads.save_image(io.BytesIO(data), "shops")
    assert ctx.keys() == []
    name = uploads.save_image(io.BytesIO(data), "shops", max_bytes=20 * MB)
    assert ctx.keys() == [f"shops/{name}", thumb_key(name, "shops")]
    image = stored(ctx, f"shops/{name}")
    assert image.size == (3000, 4000)
    assert not image.getexif().get_ifd(0x8825), "no GPS position"


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
        b"MZ\x90\x00\x03\x00\x00\x00 an executable called photo.jpg",
        factories.photo_bytes("PNG")[:60],  # truncated
        factories.photo_bytes("JPEG", size=(400, 300))[:-600],  # truncated
        _png_claiming(30000, 30000),
        _png_claiming(8000, 7000),  # within Pillow's limit, above ours
    ],
    ids=[
        "empty",
        "text",
        "pdf",
        "svg",
        "gif",
        "exe",
        "truncated-png",
        "truncated-jpeg",
        "bomb",
        "too-many-pixels",
    ],
)
def test_anything_else_is_refused_and_nothing_is_stored(ctx, data, monkeypatch):
    # As WeasyPrint leaves it for the process once imported: a truncated file is filled in.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(UploadError) as refused:
        uploads.save_image(io.BytesIO(data), "requests")
    assert refused.value.message
    assert ctx.keys() == []
    assert ImageFile.LOAD_TRUNCATED_IMAGES, "WeasyPrint's setting is left as it was"


def test_a_bmp_is_refused_even_though_pillow_reads_it(ctx):
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="BMP")
    with pytest.raises(UploadError):
        uploads.save_image(io.BytesIO(out.getvalue()), "requests")
    assert ctx.keys() == []


@pytest.mark.parametrize(("limit", "shown"), [(None, "5 MB"), (20 * MB, "20 MB")])
def test_too_large_is_refused_having_read_just_past_the_limit(ctx, limit, shown):
    stream = io.BytesIO(factories.photo_bytes("JPEG") + b"\0" * (40 * MB))
    with pytest.raises(UploadError, match=shown):
        if limit is None:
            uploads.save_image(stream, "requests")
        else:
            uploads.save_image(stream, "requests", max_bytes=limit)
    assert stream.tell() == (limit or uploads.MAX_BYTES) + 1
    assert ctx.keys() == []


def test_only_stored_names_are_served_or_removed(ctx):
    from werkzeug.exceptions import NotFound

    for name in ("../secret_key", "x.jpg", None, "0" * 32 + ".gif"):
        with pytest.raises(NotFound):
            uploads.send_image("requests", name)
    uploads.discard_image("requests", "../../secret_key")  # ignored, not a stored name
    name = uploads.save_image(io.BytesIO(factories.photo_bytes()), "requests")
    assert uploads.send_image("requests", name).mimetype == "image/png"
    assert uploads.send_image("requests", name, thumbnail=True).mimetype == "image/jpeg"
    uploads.discard_image("requests", name)
    assert ctx.keys() == []
    for thumbnail in (False, True):
        with pytest.raises(NotFound):
            uploads.send_image("requests", name, thumbnail=thumbnail)
    with pytest.raises(ValueError):
        uploads.upload_folder("../etc")
    with pytest.raises(ValueError):
        uploads.save_image(io.BytesIO(factories.photo_bytes()), "../etc")
    assert ctx.keys() == []


def _body(response) -> bytes:
    response.direct_passthrough = False  # let the test read a streamed body
    return response.get_data()


def test_a_photo_stored_before_thumbnails_is_sent_whole_for_one(ctx):
    name = uploads.save_image(io.BytesIO(factories.photo_bytes("WEBP")), "requests")
    ctx.delete(thumb_key(name))
    sent = uploads.send_image("requests", name, thumbnail=True)
    assert sent.mimetype == "image/webp"
    assert _body(sent) == ctx.get(f"requests/{name}")


def test_a_failed_thumbnail_leaves_no_original(ctx, monkeypatch):
    put = ctx.put

    def put_but_no_thumbnails(key: str, data: bytes, content_type: str) -> None:
        if "/thumbs/" in key:
            raise OSError("the storage went away")
        put(key, data, content_type)

    monkeypatch.setattr(ctx, "put", put_but_no_thumbnails)
    with pytest.raises(OSError):
        uploads.save_image(io.BytesIO(factories.photo_bytes()), "requests")
    assert ctx.keys() == []
