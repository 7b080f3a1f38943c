"""The shared layout holds on every screen: each role's main pages never scroll sideways on a
390 px phone, and data pages use a desk screen's width (nothing clipped). Screenshots of the
pages people spend their day on, at 1440×900 and 390×844."""

from __future__ import annotations

import random

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from app.demo.requests import load_demo as load_requests
from app.demo.roster import load_demo as load_roster
from app.extensions import db
from app.models import Building, Community, Household, Unit
from tests.browser.helpers import screenshot, sign_in

pytestmark = pytest.mark.browser

SIZES = {"desk": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
ROLES = ("admin", "manager", "manager2", "steward", "resident", "resident2", "merchant", "officer")
# Pages with their screenshot names, for the roles who work on them.
DAY_PAGES = {
    "manager": [
        ("counter", None),  # a household's account, found below
        ("arrears", "/fees/reports/arrears"),
        ("collection", "/fees/reports/collection"),
        ("roster", "/property/roster/households"),
    ],
    "steward": [("tasks", "/property/requests/tasks")],
}


@pytest.fixture
def working_day(fees_demo: None) -> int:
    """The demo with the roster's staff accounts, a year of fees and of requests; returns a
    household of 兴隆苑 whose account has paid and unpaid bills."""
    communities = {c.name: c for c in db.session.scalars(select(Community))}
    load_roster(communities, random.Random(7))  # the steward's account
    load_requests(communities, random.Random(7))
    db.session.commit()
    household_id = db.session.scalar(
        select(Household.id)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .where(Household.community_id == communities["兴隆苑"].id, Household.room == "101")
        .order_by(Building.sort_key, Unit.number)
    )
    db.session.remove()
    return household_id


def sign_in_as(page: Page, role: str) -> None:
    sign_in(page, role)
    assert not page.url.endswith("/login"), f"{role} could not sign in"


def sideways(page: Page) -> int:
    """How many pixels the page itself scrolls sideways (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def menu_paths(page: Page) -> list[str]:
    return page.eval_on_selector_all(".site-menu a", "links => links.map(a => a.pathname)")


@pytest.mark.parametrize("role", ROLES)
def test_no_main_page_scrolls_sideways_on_a_phone(browser: Browser, base_url, working_day, role):
    context = browser.new_context(base_url=base_url, viewport=SIZES["phone"], locale="zh-CN")
    page = context.new_page()
    sign_in_as(page, role)
    paths = [page.url.removeprefix(base_url), *menu_paths(page)]
    if role == "manager":
        paths.append(f"/fees/counter/households/{working_day}")
    assert len(paths) > 1, "the role's menu is empty"
    too_wide = {}
    for path in paths:
        page.goto(path)
        if overflow := sideways(page):
            too_wide[path] = overflow
    context.close()
    assert too_wide == {}, f"{role}: pages wider than the phone (px): {too_wide}"


def test_the_menu_folds_behind_one_button_on_a_phone(browser: Browser, base_url, working_day):
    context = browser.new_context(base_url=base_url, viewport=SIZES["phone"], locale="zh-CN")
    page = context.new_page()
    sign_in_as(page, "manager")
    menu = page.locator(".site-menu")
    assert not menu.is_visible()
    page.locator(".site-menu-button").click()
    assert menu.is_visible() and menu.get_by_role("link", name="欠费").is_visible()
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_pages_of_the_day_fit_the_screen(
    browser: Browser, base_url, working_day, write_screenshots, size
):
    for role, pages in DAY_PAGES.items():
        context = browser.new_context(base_url=base_url, viewport=SIZES[size], locale="zh-CN")
        page = context.new_page()
        sign_in_as(page, role)
        for name, path in pages:
            page.goto(path or f"/fees/counter/households/{working_day}")
            assert sideways(page) == 0, (name, size)
            if size == "desk":
                # Every table fits the content column or scrolls inside its own frame.
                clipped = page.eval_on_selector_all(
                    "table",
                    """tables => tables.filter(t => !t.closest('.table-wrap') &&
                        t.getBoundingClientRect().right > innerWidth).length""",
                )
                assert clipped == 0, name
            screenshot(page, f"layout-{name}-{size}.png", write_screenshots, full_page=False)
        context.close()
