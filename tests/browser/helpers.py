"""Helpers for the browser tests: watching a page's console, running axe-core, signing in,
screenshots."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import ConsoleMessage, Error, Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from app.demo import DEMO_PASSWORD

AXE_SOURCE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = ("serious", "critical")


@dataclass
class PageWatch:
    """Console errors and uncaught exceptions of one page, collected as they happen.
    A Content-Security-Policy violation shows up here as a console error."""

    page: Page
    errors: list[str] = field(default_factory=list)
    expected_statuses: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_pageerror)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not self._is_expected(message.text):
            location = message.location
            where = f" ({location.get('url')}:{location.get('lineNumber')})" if location else ""
            self.errors.append(f"console error: {message.text}{where}")

    def expect_status(self, status: int) -> None:
        """The app answers this status on purpose (422 for a form with errors); Chromium logs
        "Failed to load resource" for any 4xx, which then is no error of the page."""
        self.expected_statuses.add(status)

    def _is_expected(self, text: str) -> bool:
        return any(
            text.startswith(f"Failed to load resource: the server responded with a status of {s} ")
            for s in self.expected_statuses
        )

    def _on_pageerror(self, error: Error) -> None:
        self.errors.append(f"uncaught exception: {error}")

    def take(self) -> list[str]:
        """The errors collected since the last call."""
        errors, self.errors = self.errors, []
        return errors


# The types of conftest.py's `check_page` and `watch` fixtures.
Check = Callable[[PageWatch], None]
Watch = Callable[[Page], PageWatch]


@dataclass
class Checkpoint:
    """The test's page, watched from before its first goto (conftest.py's `checkpoint`):
    `checkpoint()` checks it as it is now, `checkpoint("name.png")` saves its screenshot first
    (when the run writes screenshots)."""

    watched: PageWatch
    check: Check
    screenshots: bool

    def __call__(self, name: str | None = None, full_page: bool = True) -> None:
        if name is not None:
            self.screenshot(name, full_page)
        self.check(self.watched)

    def screenshot(self, name: str, full_page: bool = True) -> None:
        screenshot(self.watched.page, name, self.screenshots, full_page)

    def expect_status(self, status: int) -> None:
        self.watched.expect_status(status)


def axe_violations(page: Page, source: str) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not as an inline <script>: the page's CSP
        # (script-src 'self') does not apply to it, so no bypass_csp is needed.
        page.evaluate(source)
    results = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ['violations']});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html,
                                          failureSummary: n.failureSummary})),
            }));
        }"""
    )
    return [v for v in results if v["impact"] in BLOCKING_IMPACTS]


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- [{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            target = " ".join(json.dumps(t, ensure_ascii=False) for t in node["target"])
            lines.append(f"    target: {target}")
            lines.append(f"      html: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def sign_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the form, as a person would, and wait for the page that follows."""
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def htmx_idle(page: Page) -> None:
    """Wait until no htmx request is in flight and no swap is still settling: a late answer to
    an earlier request (a search typed a letter at a time) would otherwise swap the part of the
    page a test goes on to use."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def submit_and_follow(page: Page, button: Locator) -> None:
    """Press a form's button whose success leads to another page; a refusal fails the test with
    the form's own messages rather than a bare navigation timeout."""
    htmx_idle(page)
    try:
        with page.expect_navigation():
            button.click()
    except PlaywrightTimeout:
        messages = page.locator(".field-error, .flash-error, [role=alert]").all_inner_texts()
        raise AssertionError(f"the form was refused: {messages}") from None


def follow_menu(page: Page, name: str) -> None:
    """Open the menu entry `name`, unfolding the menu first where it is folded (a phone)."""
    button = page.locator(".site-menu-button")
    if button.is_visible():
        button.click()
    page.locator(".site-menu").get_by_role("link", name=name, exact=True).click()


def screenshot(page: Page, name: str, enabled: bool, full_page: bool = True) -> None:
    """Save docs/screenshots/`name` when `enabled`. A modal dialog covers the viewport: its
    screenshot is of the viewport (full_page=False), not the page."""
    if enabled:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # caret="initial": hiding the caret leaves style="" on every input, which htmx then
        # copies onto the swapped-in form and the CSP reports.
        page.screenshot(
            path=SCREENSHOTS / name, full_page=full_page, caret="initial", animations="disabled"
        )


def preview_billing(page: Page, month: str, community: str) -> Locator:
    """On the billing page, preview `month` for one community; the preview that comes back."""
    page.get_by_label("月份").fill(month)
    page.locator("select[name=community_id]").select_option(label=community)
    page.get_by_role("button", name="预览").click()
    return page.locator("article.billing-preview")
