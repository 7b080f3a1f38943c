"""Photo uploads: only real images, re-encoded without their metadata, under names the server picks.

A phone photo carries EXIF: the GPS position of the home, the camera, the time it was taken.
Decoding the picture and encoding its pixels again keeps what it shows and drops the rest. A
file that does not decode as JPEG, PNG or WebP is refused, whatever its name or content type
claims. Files live under the instance folder (`UPLOAD_FOLDER` overrides it, e.g. for tests), one
sub-folder per kind, and are only ever served through a view that checks who may see them.
"""

from __future__ import annotations

import io
import re
import secrets
import warnings
from pathlib import Path
from typing import IO

from flask import Response, abort, current_app, send_file
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_MEGABYTES = MAX_BYTES // (1024 * 1024)
# Far above any phone camera; a small file that claims more pixels is a decompression bomb.
MAX_PIXELS = 50_000_000
# Enough to see a leak or a crack; a stored photo is a fraction of the camera's original.
MAX_EDGE = 2560
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MIMETYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")
KIND = re.compile(r"^[a-z]+$")
ACCEPT = "image/jpeg,image/png,image/webp"  # for <input type="file" accept=…>


class UploadError(Exception):
    """The upload is not a photo the portal keeps; the message says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def upload_folder(kind: str) -> Path:
    if not KIND.match(kind):
        raise ValueError(f"bad upload kind {kind!r}")
    root = current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    return Path(root) / kind


def _decode(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # verify() checks the whole file but leaves the image unusable: open it again.
            Image.open(io.BytesIO(data), formats=list(EXTENSIONS)).verify()
            image = Image.open(io.BytesIO(data), formats=list(EXTENSIONS))
            if image.width * image.height > MAX_PIXELS:
                raise UploadError(_("The photo has too many pixels."))
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
    """The pixels only, upright and at most MAX_EDGE wide or high."""
    # The orientation tag goes with the metadata, so turn the pixels the way it said.
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail((MAX_EDGE, MAX_EDGE))
    if image.format == "JPEG" and upright.mode not in ("RGB", "L"):
        return upright.convert("RGB")
    if image.format == "WEBP" and upright.mode not in ("RGB", "RGBA"):
        return upright.convert("RGBA")
    return upright


def save_image(stream: IO[bytes], kind: str) -> str:
    """Check, clean and store one uploaded photo; returns the name it is stored under.
    Raises UploadError for anything that is not a photo within the limits."""
    data = stream.read(MAX_BYTES + 1)
    if not data:
        raise UploadError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise UploadError(_("The photo is larger than %(mb)s MB.", mb=MAX_MEGABYTES))
    image = _decode(data)
    clean = _clean(image)
    out = io.BytesIO()
    # No exif=, icc_profile= or pnginfo= arguments: Pillow then writes none of the metadata.
    clean.save(out, format=image.format, **({"quality": 85} if image.format != "PNG" else {}))
    name = f"{secrets.token_hex(16)}.{EXTENSIONS[image.format]}"
    folder = upload_folder(kind)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(out.getvalue())
    return name


def discard_image(kind: str, name: str | None) -> None:
    """Remove a stored photo whose record was not saved after all."""
    if name and STORED_NAME.match(name):
        (upload_folder(kind) / name).unlink(missing_ok=True)


def send_image(kind: str, name: str | None) -> Response:
    """The stored photo as a response; the caller has checked that the user may see it."""
    if not name or not STORED_NAME.match(name):
        abort(404)
    path = upload_folder(kind) / name
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=MIMETYPES[name.rsplit(".", 1)[1]])
