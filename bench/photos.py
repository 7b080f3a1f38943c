"""How long app/uploads.py takes to check, clean and store a camera's photo with its thumbnail.

    .venv/bin/python bench/photos.py                 # the local folder, in a temporary one
    STORAGE_URL=s3://bucket/bench STORAGE_ENDPOINT_URL=http://127.0.0.1:8333 \\
        .venv/bin/python bench/photos.py             # and the bucket that names, as the app would

The photo is a 4000 × 3000 JPEG of noise at quality 88 (about 10 MB: noise compresses as badly
as a sharp photo's detail), with a GPS position in its EXIF. Prints each run's seconds, wall and
CPU, and their median; what each run stored is removed again. Needs no database.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402

from app import create_app, uploads  # noqa: E402
from app.storage import storage  # noqa: E402

KIND = "bench"
SIZE = (4000, 3000)


def camera_photo() -> bytes:
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (29.0, 33.0, 0.0), "E", (106.0, 34.0, 0.0)
    out = io.BytesIO()
    noise = Image.frombytes("RGB", SIZE, os.urandom(SIZE[0] * SIZE[1] * 3))
    noise.save(out, format="JPEG", quality=88, exif=exif)
    return out.getvalue()


def make_app(workdir: Path, local: bool) -> Flask:
    overrides: dict[str, object] = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'unused.db'}",
        "SECRET_KEY": "bench-" + "x" * 40,
    }
    if local:
        overrides |= {"STORAGE_URL": None, "UPLOAD_FOLDER": str(workdir / "uploads")}
    return create_app(overrides)


def run(app: Flask, label: str, photo: bytes, runs: int) -> None:
    walls: list[float] = []
    with app.test_request_context():
        for n in range(runs):
            wall, cpu = time.perf_counter(), time.process_time()
            name = uploads.save_image(io.BytesIO(photo), KIND, max_bytes=20 * uploads.MEGABYTE)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            walls.append(wall)
            original = storage().get(f"{KIND}/{name}") or b""
            thumb = storage().get(f"{KIND}/thumbs/{name.rsplit('.', 1)[0]}.jpg") or b""
            print(
                f"{label} run {n + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU "
                f"(stored {len(original) / 1e6:.1f} MB and a {len(thumb) / 1e3:.0f} kB thumbnail)"
            )
            uploads.discard_image(KIND, name)
    print(f"{label}: {statistics.median(walls):.2f} s median of {runs}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    photo = camera_photo()
    print(f"a {SIZE[0]} × {SIZE[1]} JPEG of {len(photo) / 1e6:.1f} MB")
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        run(make_app(workdir, local=True), "local folder", photo, args.runs)
        if os.environ.get("STORAGE_URL"):
            run(make_app(workdir, local=False), os.environ["STORAGE_URL"], photo, args.runs)


if __name__ == "__main__":
    main()
