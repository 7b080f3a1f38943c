"""Browser tests: the app served on a real port, driven by Debian's Chromium through Playwright.

Every test here is marked `browser`, so `pytest -m "not browser"` leaves them out. They run
once per database backend, like the rest of the suite (the `app` fixture in tests/conftest.py),
and each starts from the demo data set. Chromium is the system package
(`apt-get install -y chromium`); `playwright install` is never needed.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page
from sqlalchemy import select
from werkzeug.serving import make_server

from app.demo.base import load_demo
from app.demo.billing import load_demo as load_billing_demo
from app.demo.payments import load_demo as load_payments_demo
from app.extensions import db
from app.models import Community
from tests.browser.helpers import (
    AXE_SOURCE,
    DESKTOP,
    PHONE,
    Check,
    Checkpoint,
    PageWatch,
    Watch,
    axe_violations,
    format_violations,
)

CHROMIUM = Path("/usr/bin/chromium")
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items: mark only those collected from this folder.
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium. "
            "Install it with `apt-get install -y chromium` (never `playwright install`).",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            # The browser's own controls (file pickers, date fields) speak Chinese too.
            "--lang=zh-CN",
        ],
    }


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The app on a free local port, served from a daemon thread for the whole session."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    return live_server


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # Chinese is the product's default language, and a browser asking for it the common case.
    return {**browser_context_args, "viewport": DESKTOP, "locale": "zh-CN"}


@pytest.fixture(autouse=True)
def demo_data(database: None) -> dict[str, int]:
    """Every browser test starts from the demo data set. Autouse, so it is set up before and
    torn down after the browser contexts: no request is in flight when the tables are emptied."""
    return load_demo()


def _communities() -> dict[str, Community]:
    return {c.name: c for c in db.session.scalars(select(Community))}


@pytest.fixture
def billing_demo(demo_data: dict[str, int]) -> None:
    """Fee items, parking and twelve months of bills on top of the demo."""
    load_billing_demo(_communities(), random.Random(7))
    db.session.remove()


@pytest.fixture
def fees_demo(billing_demo: None) -> None:
    """The billing demo and a year of payments against its bills."""
    load_payments_demo(_communities(), random.Random(7))
    db.session.remove()


@pytest.fixture
def phone(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    """A browser context the size of a phone, with touch, in Chinese."""
    context = browser.new_context(
        base_url=base_url,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    yield context
    context.close()


@pytest.fixture(scope="session")
def write_screenshots(app: Flask) -> bool:
    """Only the SQLite run writes screenshots, so the PostgreSQL run doesn't overwrite them."""
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_SOURCE.read_text(encoding="utf-8")


@pytest.fixture
def watch() -> Iterator[Callable[[Page], PageWatch]]:
    """`watch(page)` starts collecting a page's console errors; call it before the first goto.
    Errors that appear after a page's last check still fail the test at teardown."""
    watches: list[PageWatch] = []

    def start(page: Page) -> PageWatch:
        watches.append(PageWatch(page))
        return watches[-1]

    yield start
    late = [error for watched in watches for error in watched.take()]
    assert not late, "errors after the last page check:\n" + "\n".join(late)


@pytest.fixture
def check_page(axe_source: str) -> Callable[[PageWatch], None]:
    """`check_page(watched)`: no console errors (CSP violations among them) since the last
    check, and no serious or critical accessibility violations on the page as it is now."""

    def check(watched: PageWatch) -> None:
        page = watched.page
        page.wait_for_load_state("load")
        violations = axe_violations(page, axe_source)
        problems = []
        errors = watched.take()
        if errors:
            problems.append("console errors:\n" + "\n".join(errors))
        if violations:
            problems.append("axe violations:\n" + format_violations(violations))
        assert not problems, f"{page.url}\n" + "\n".join(problems)

    return check


@pytest.fixture
def checkpoint(page: Page, watch: Watch, check_page: Check, write_screenshots: bool) -> Checkpoint:
    """The page of a test that uses one, watched and checked as `Checkpoint` says."""
    return Checkpoint(watch(page), check_page, write_screenshots)
