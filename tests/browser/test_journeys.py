"""Journeys through the portal in a real browser: each role signs in and lands on its page,
the language switch, signing out, and the htmx form for changing the password.

Each page visited is checked for console errors (a CSP violation is one) and for serious or
critical axe-core violations. The SQLite run also refreshes the screenshots in docs/screenshots.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.helpers import DEMO_PASSWORD, Check, Checkpoint, Watch, screenshot, sign_in

LANDINGS = {
    "admin": "/property/overview",
    "manager": "/property/dashboard",
    "resident": "/property/my-home",
    "merchant": "/alliance/",
    "officer": "/alliance/",
}
# Something from the demo data each landing page must show (data, not UI text).
LANDING_DATA = {
    "admin": "重庆乐群物业服务有限公司",
    "manager": "兴隆苑",
    "resident": "兴隆苑",
    "merchant": "弹子石老街 · 商户",
    "officer": "弹子石老街商业联盟",
}
NEW_PASSWORD = "a-new-password-1"
OTHER_PASSWORD = "a-new-password-2"


def url_path(path: str) -> re.Pattern[str]:
    """The page's URL has exactly this path (any query string)."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}(\?.*)?$")


def html_lang(page: Page) -> str:
    return page.locator("html").get_attribute("lang") or ""


def sign_out(page: Page) -> None:
    page.locator("header details.dropdown > summary").click()
    with page.expect_navigation():
        page.locator("header form[action$='/logout'] button[type=submit]").click()


def switch_language(page: Page) -> None:
    with page.expect_navigation():
        page.locator("header form[action$='/language'] button[type=submit]").click()


def test_login_page(page: Page, checkpoint: Checkpoint) -> None:
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("input[name=username]")).to_be_focused()
    expect(page.locator("input[name=password]")).to_have_attribute("type", "password")
    checkpoint("login.png")


def test_anonymous_page_asks_to_sign_in(page: Page, checkpoint: Checkpoint) -> None:
    page.goto(LANDINGS["manager"])
    expect(page).to_have_url(url_path("/login"))
    assert "next=%2Fproperty%2Fdashboard" in page.url
    sign_in_after_redirect = page.locator("main form button[type=submit]")
    page.locator("input[name=username]").fill("manager")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        sign_in_after_redirect.click()
    expect(page).to_have_url(url_path(LANDINGS["manager"]))
    checkpoint()


@pytest.mark.parametrize("role", list(LANDINGS))
def test_role_signs_in_and_lands(role: str, page: Page, checkpoint: Checkpoint) -> None:
    sign_in(page, role)
    expect(page).to_have_url(url_path(LANDINGS[role]))
    if role in ("merchant", "officer"):
        # The alliance page has no data yet; the account's name is in the user menu.
        expect(page.locator("header details.dropdown > summary")).to_have_text(LANDING_DATA[role])
    else:
        expect(page.locator("main")).to_contain_text(LANDING_DATA[role])
    # The menu item for the landing page is marked as the current page.
    expect(page.locator("header a[aria-current=page]")).to_have_attribute("href", LANDINGS[role])
    checkpoint(f"{role}-landing.png")


def test_resident_landing_on_a_phone(
    phone: BrowserContext, watch: Watch, check_page: Check, write_screenshots: bool
) -> None:
    page = phone.new_page()
    watched = watch(page)
    sign_in(page, "resident")
    expect(page).to_have_url(url_path(LANDINGS["resident"]))
    expect(page.locator("main")).to_contain_text("兴隆苑")
    screenshot(page, "resident-landing-phone.png", write_screenshots)
    check_page(watched)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways on a phone by {overflow}px"


def test_manager_opens_a_community(page: Page, checkpoint: Checkpoint) -> None:
    sign_in(page, "manager")
    expect(page.locator("main h1")).to_have_text("新守正物业")
    with page.expect_navigation():
        page.locator("#communities table").get_by_role("link", name="兴隆苑").click()
    expect(page).to_have_url(re.compile(r"/property/communities/\d+$"))
    expect(page.locator("main h1")).to_have_text("兴隆苑")
    # The demo's 兴隆苑 has eight buildings, one table row each.
    expect(page.locator("main table tbody tr")).to_have_count(8)
    checkpoint("manager-community.png")


def test_wrong_password_shows_an_error_and_keeps_the_username(
    page: Page, checkpoint: Checkpoint
) -> None:
    checkpoint.expect_status(422)  # the app's answer to a form with errors
    page.goto("/login")
    page.locator("input[name=username]").fill("manager")
    page.locator("input[name=password]").fill("not-the-password")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(url_path("/login"))
    expect(page.locator("input[name=username]")).to_have_value("manager")
    expect(page.locator("input[name=password]")).to_have_value("")
    expect(page.locator("input[name=password]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error")).to_be_visible()
    expect(page.locator("[role=alert]")).to_be_visible()
    checkpoint()


def test_language_switch_changes_and_persists(page: Page, checkpoint: Checkpoint) -> None:
    page.goto("/login")
    assert html_lang(page) == "zh-CN"

    # Before signing in: the choice is kept in a cookie.
    switch_language(page)
    expect(page).to_have_url(url_path("/login"))
    assert html_lang(page) == "en"
    page.goto("/login")
    assert html_lang(page) == "en"
    checkpoint()

    # It survives signing in and moving between pages.
    sign_in(page, "manager")
    assert html_lang(page) == "en"
    page.locator("#communities table").get_by_role("link", name="兴隆苑").click()
    expect(page.locator("main h1")).to_have_text("兴隆苑")
    assert html_lang(page) == "en"
    checkpoint()

    # Switching back while signed in returns to the same page, in Chinese, and stays so.
    community_url = page.url
    switch_language(page)
    assert page.url == community_url
    assert html_lang(page) == "zh-CN"
    page.goto(LANDINGS["manager"])
    assert html_lang(page) == "zh-CN"
    checkpoint()


def test_sign_out_then_back_asks_to_sign_in_again(page: Page, checkpoint: Checkpoint) -> None:
    sign_in(page, "resident")
    expect(page).to_have_url(url_path(LANDINGS["resident"]))
    expect(page.locator("main")).to_contain_text("兴隆苑")

    sign_out(page)
    expect(page).to_have_url(url_path("/login"))
    expect(page.locator("#messages .flash-success")).to_be_visible()
    checkpoint()

    # The back button must not show the household page from a cache.
    page.go_back()
    expect(page).to_have_url(url_path("/login"))
    expect(page.locator("input[name=password]")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("兴隆苑")

    # Neither does opening the landing page again.
    page.goto(LANDINGS["resident"])
    expect(page).to_have_url(url_path("/login"))
    assert "next=%2Fproperty%2Fmy-home" in page.url
    expect(page.locator("input[name=password]")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("兴隆苑")
    checkpoint()


def test_change_password_errors_show_inline(page: Page, checkpoint: Checkpoint) -> None:
    checkpoint.expect_status(422)  # the app's answer to a form with errors
    sign_in(page, "manager")
    page.goto("/account/password")
    checkpoint()
    form_url = page.url
    # A full page load would forget this; an htmx swap keeps it.
    page.evaluate("() => { window.__samePage = true; }")

    page.locator("input[name=current_password]").fill(DEMO_PASSWORD)
    page.locator("input[name=new_password]").fill(NEW_PASSWORD)
    page.locator("input[name=confirm_password]").fill(OTHER_PASSWORD)
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/account/password")
    ) as response_info:
        page.locator("#password-form button[type=submit]").click()
    response = response_info.value
    assert response.status == 422
    assert response.request.headers.get("hx-request") == "true"

    expect(page.locator("#password-form .field-error")).to_be_visible()
    expect(page.locator("input[name=confirm_password]")).to_have_attribute("aria-invalid", "true")
    assert page.url == form_url
    assert page.evaluate("() => window.__samePage === true"), "the page was reloaded"
    checkpoint("change-password-errors.png")

    # The password is unchanged: signing in again with it still works.
    sign_out(page)
    sign_in(page, "manager")
    expect(page).to_have_url(url_path(LANDINGS["manager"]))
