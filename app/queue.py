"""The task queue (huey): work that must outlive the request that asked for it — checking and
applying a roster import, the nightly late fees, and the coming areas' PDFs and thumbnails.

Storage is a SQLite file in instance/ by default, so the Quickstart needs nothing more, and
Redis in production (QUEUE_URL=redis://…): every node enqueues, one or more consumers run the
tasks (`huey_consumer app.tasks.queue`, which scripts/serve.sh starts beside the web server).
Progress lives in the database, as before, so any node's page can show it. In tests the queue
is immediate: a task runs as it is enqueued, in its own app context.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey

INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def make_queue(url: str | None) -> Huey:
    if url and url.startswith(("redis://", "rediss://")):
        return RedisHuey("gongjian", url=url)
    path = Path(url.removeprefix("sqlite:///")) if url else INSTANCE / "queue.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("gongjian", filename=str(path))


queue = make_queue(os.environ.get("QUEUE_URL"))
_consumer_app: Flask | None = None


def use_app(app: Flask | None) -> None:
    """The app tasks run in when no app context is current: the consumer's (app/tasks.py), or a
    test's."""
    global _consumer_app
    _consumer_app = app


@contextmanager
def task_context() -> Iterator[Flask]:
    """A fresh app context for a task, hence its own database session: the current app's when
    there is one (an immediate queue), else the consumer's."""
    if has_app_context():
        app = current_app._get_current_object()  # type: ignore[attr-defined]
    elif _consumer_app is not None:
        app = _consumer_app
    else:
        raise RuntimeError("start the consumer with `huey_consumer app.tasks.queue`")
    with app.app_context():
        yield app
