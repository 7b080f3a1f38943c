"""Races for the tests that prove two clerks at once never both win: each in its own thread,
app context and database session, released at the same instant."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask

from app.extensions import db
from app.rules import RuleError


def at_once(
    app: Flask, work: list[Callable[[], object]], refusal: type[Exception] = RuleError
) -> list[object]:
    """Run the callables together, each committing what it did; their results in order, or
    the text of the `refusal` that stopped one (its work rolled back), read in its own thread
    while the lazy message can still be translated (in English)."""
    start = threading.Barrier(len(work))
    results: list[object] = [None] * len(work)

    def run(index: int) -> None:
        with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
            try:
                start.wait(timeout=10)
                results[index] = work[index]()
                db.session.commit()
            except refusal as error:
                db.session.rollback()
                results[index] = str(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a clerk is still waiting"
    return results
