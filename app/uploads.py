"""Photo uploads: only real images, re-encoded without their metadata, under names the server picks.

A phone photo carries EXIF: the GPS position of the home, the camera, the time it was taken.
Decoding the picture and encoding its pixels again keeps what it shows and drops the rest. A
file that does not decode as JPEG, PNG or WebP is refused, whatever its name or content type
claims. The original is kept at its full size, and a small JPEG of it beside it for lists and
pages (`kind/thumbs/…`). Both go to the app's storage (app/storage.py: the upload folder, or a
bucket shared by every node) under `kind/name`, and are only ever served through a view that
checks who may see them.
"""

from __future__ import annotations

import io
import re
import secrets
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

from flask import Response, abort, current_app, request
from flask_babel import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from app.storage import storage

MEGABYTE = 1024 * 1024
# The default limit; a kind whose photos are larger (a shopfront's) passes its own.
MAX_BYTES = 5 * MEGABYTE
MAX_MEGABYTES = MAX_BYTES // MEGABYTE
# Far above any phone camera; a small file that claims more pixels is a decompression bomb.
MAX_PIXELS = 50_000_000
# Sharp on a phone's screen and in a list, a few dozen kilobytes.
THUMB_EDGE = 480
THUMB_TYPE = "image/jpeg"
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MIMETYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")
KIND = re.compile(r"^[a-z]+$")
F = TypeVar("F", bound=Callable[..., Any])
ACCEPT = "image/jpeg,image/png,image/webp"  # for <input type="file" accept=…>
_pillow_setting = threading.Lock()


class UploadError(Exception):
    """The upload is not a photo the portal keeps; the message says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _checked(kind: str) -> str:
    if not KIND.match(kind):
        raise ValueError(f"bad upload kind {kind!r}")
    return kind


def upload_folder(kind: str) -> Path:
    """The local folder of files of `kind` that are not photos (the boards' PDFs)."""
    _checked(kind)
    root = current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    return Path(root) / kind


@contextmanager
def _refusing_truncated_files() -> Iterator[None]:
    """WeasyPrint, once imported (app/pdf.py), tells Pillow to accept truncated files for the
    whole process, and to fill in what is missing with grey: a photo cut short in transit would
    be kept. Pillow has that setting for the process only, so it is put back after the load."""
    with _pillow_setting:
        kept = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = kept


def _decode(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # verify() checks the whole file but leaves the image unusable: open it again.
            Image.open(io.BytesIO(data), formats=list(EXTENSIONS)).verify()
            image = Image.open(io.BytesIO(data), formats=list(EXTENSIONS))
            if image.width * image.height > MAX_PIXELS:
                raise UploadError(_("The photo has too many pixels."))
            with _refusing_truncated_files():
                image.load()
    except UploadError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as error:
        raise UploadError(_("This file is not a JPEG, PNG or WebP photo.")) from error
    return image


def _clean(image: Image.Image) -> Image.Image:
    """The pixels only, upright, at their full size."""
    # The orientation tag goes with the metadata, so turn the pixels the way it said.
    upright = ImageOps.exif_transpose(image)
    if image.format == "JPEG" and upright.mode not in ("RGB", "L"):
        return upright.convert("RGB")
    if image.format == "WEBP" and upright.mode not in ("RGB", "RGBA"):
        return upright.convert("RGBA")
    return upright


def _thumbnail(clean: Image.Image) -> bytes:
    """A JPEG at most THUMB_EDGE wide or high; transparent parts on white, as a page shows them."""
    thumb = clean.copy()
    thumb.thumbnail((THUMB_EDGE, THUMB_EDGE))
    if thumb.mode != "RGB":
        rgba = thumb.convert("RGBA")
        thumb = Image.new("RGB", rgba.size, "white")
        thumb.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    thumb.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _key(kind: str, name: str) -> str:
    return f"{_checked(kind)}/{name}"


def _thumb_key(kind: str, name: str) -> str:
    return _key(kind, f"thumbs/{name.rsplit('.', 1)[0]}.jpg")


def save_image(stream: IO[bytes], kind: str, max_bytes: int = MAX_BYTES) -> str:
    """Check, clean and store one uploaded photo and its thumbnail; returns the name it is
    stored under. Raises UploadError for anything that is not a photo within the limits, having
    read at most `max_bytes` + 1 bytes and stored nothing."""
    _checked(kind)
    data = stream.read(max_bytes + 1)
    if not data:
        raise UploadError(_("The file is empty."))
    if len(data) > max_bytes:
        raise UploadError(_("The photo is larger than %(mb)s MB.", mb=max_bytes // MEGABYTE))
    image = _decode(data)
    clean = _clean(image)
    out = io.BytesIO()
    # No exif=, icc_profile= or pnginfo= arguments: Pillow then writes none of the metadata.
    clean.save(out, format=image.format, **({"quality": 85} if image.format != "PNG" else {}))
    thumb = _thumbnail(clean)
    name = f"{secrets.token_hex(16)}.{EXTENSIONS[image.format]}"
    files = storage()
    files.put(_key(kind, name), out.getvalue(), MIMETYPES[EXTENSIONS[image.format]])
    try:
        files.put(_thumb_key(kind, name), thumb, THUMB_TYPE)
    except Exception:
        files.delete(_key(kind, name))
        raise
    return name


def discard_image(kind: str, name: str | None) -> None:
    """Remove a stored photo, and its thumbnail, whose record was not saved after all."""
    if name and STORED_NAME.match(name):
        storage().delete(_thumb_key(kind, name))
        storage().delete(_key(kind, name))


def send_image(kind: str, name: str | None, thumbnail: bool = False) -> Response:
    """The stored photo, or its thumbnail, as a response; the caller has checked that the user
    may see it. A photo stored before thumbnails were made is sent whole."""
    if not name or not STORED_NAME.match(name):
        abort(404)
    files = storage()
    response = files.response(_thumb_key(kind, name), THUMB_TYPE) if thumbnail else None
    if response is None:
        response = files.response(_key(kind, name), MIMETYPES[name.rsplit(".", 1)[1]])
    if response is None:
        abort(404)
    return response


def takes_photos(max_bytes: int) -> Callable[[F], F]:
    """Mark a view whose form takes photos of up to `max_bytes` in all: its requests may be that
    large, every other request keeps the portal's MAX_CONTENT_LENGTH."""

    def mark(view: F) -> F:
        view.max_upload_bytes = max_bytes  # type: ignore[attr-defined]
        return view

    return mark


def widen_request_limit() -> None:
    """Before anything reads the body (CSRF reads the form first): a view marked by
    takes_photos gets its own limit."""
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "max_upload_bytes", None)
    if limit:
        request.max_content_length = limit
