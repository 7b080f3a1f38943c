"""The task queue for real in a test: a huey consumer of its own, in threads of the test
process, over a SQLite storage in a temporary folder (the suite otherwise runs each task as it
is enqueued)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from app.queue import queue, use_app


@contextmanager
def consumer_threads(app: Flask, folder: Path, workers: int = 2) -> Iterator[None]:
    queue.storage_kwargs["filename"] = str(folder / "queue.db")
    queue.immediate_use_memory = True
    queue._immediate = True  # so that switching off below builds the storage just named
    queue.immediate = False
    use_app(app)
    consumer = queue.create_consumer(workers=workers, worker_type="thread", periodic=False)
    consumer.start()
    try:
        yield
    finally:
        consumer.stop(graceful=True)
        use_app(None)
        queue.immediate = True
