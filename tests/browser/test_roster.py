"""The roster in a real browser: a manager finds a household by its owner's name as they type,
corrects its phone in place, puts a new building on the roster with the generator (preview
first), and reads the household's history; the dialog forms; a steward's read-only view.

Every page is checked for console errors (CSP violations among them) and for serious or
critical axe-core violations; the SQLite run refreshes docs/screenshots/roster-*.png.
"""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.demo.roster import load_demo as load_roster_demo
from app.extensions import db
from app.models import Building, Community, Household, Unit
from tests.browser.helpers import Checkpoint, htmx_idle, sign_in


@pytest.fixture(autouse=True)
def roster_demo(demo_data: dict[str, int]) -> None:
    """The roster's own demo data (the steward account, some history) on top of the demo."""
    communities = {c.name: c for c in db.session.scalars(select(Community))}
    load_roster_demo(communities, random.Random(1))
    db.session.commit()


def demo_home(building: str, unit: str, room: str) -> Household:
    return db.session.scalar(
        select(Household)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .join(Community, Community.id == Household.community_id)
        .where(
            Community.name == "兴隆苑",
            Building.number == building,
            Unit.number == unit,
            Household.room == room,
        )
    )


def test_manager_searches_edits_generates_and_reads_history(
    page: Page, checkpoint: Checkpoint
) -> None:
    home = demo_home("3", "2", "501")
    owner = home.owner_name
    sign_in(page, "manager")
    page.get_by_role("link", name="花名册").first.click()
    expect(page).to_have_url(re.compile(r"/property/roster/households$"))
    expect(page.locator("#households tbody tr").first).to_be_visible()
    checkpoint("roster-households.png")

    # Live search: typing is enough (debounced), the URL follows so the search can be bookmarked.
    page.evaluate("() => { window.__samePage = true; }")
    with page.expect_response(lambda r: "/property/roster/households?" in r.url) as searched:
        page.get_by_label("搜索住户").press_sequentially(owner, delay=40)
    assert searched.value.request.headers.get("hx-request") == "true"
    expect(page).to_have_url(re.compile(r"[?&]q="))
    row = page.locator(f"#household-{home.id}")
    expect(row).to_be_visible()
    expect(page.locator("#households tbody tr")).not_to_have_count(0)
    for name in page.locator("#households tbody td:nth-child(2)").all_inner_texts():
        assert name.startswith(owner), name
    assert page.evaluate("() => window.__samePage === true"), "the search reloaded the page"

    # Sorting by a column header swaps the table and marks the header.
    page.locator("#households thead").get_by_role("link", name=re.compile("电话")).click()
    expect(page.locator("#households th[aria-sort='ascending']")).to_contain_text("电话")
    expect(page).to_have_url(re.compile(r"sort=phone"))
    expect(page.get_by_label("搜索住户")).to_have_value(owner)
    checkpoint()

    # Inline edit: the row turns into inputs, Save swaps the display row back in place.
    htmx_idle(page)
    row.get_by_role("button", name="编辑").click()
    phone = page.locator(f"#phone-{home.id}")
    expect(page.locator(f"#owner_name-{home.id}")).to_be_focused()
    htmx_idle(page)
    phone.fill("not a phone")
    checkpoint.expect_status(422)
    row.get_by_role("button", name="保存").click()
    expect(row.locator(".field-error")).to_be_visible()
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_value("not a phone")
    expect(phone).to_be_focused()  # the field to fix, not the first one
    checkpoint("roster-inline-edit.png")
    phone.fill("13912345678")
    phone.press("Enter")
    expect(row.locator("input")).to_have_count(0)
    expect(row).to_contain_text("13912345678")
    expect(row.get_by_role("status")).to_have_text("已保存")
    assert page.evaluate("() => window.__samePage === true"), "saving reloaded the page"

    # Cancel restores the row as it was.
    row.get_by_role("button", name="编辑").click()
    page.locator(f"#phone-{home.id}").fill("13000000000")
    row.get_by_role("button", name="取消").click()
    expect(row).to_contain_text("13912345678")
    expect(row.locator("input")).to_have_count(0)
    checkpoint()

    # The history says who changed the phone, from what to what.
    row.get_by_role("link", name="变更记录").click()
    expect(page.locator("main h1")).to_contain_text("501")
    entry = page.locator(".history-list > li").first
    expect(entry).to_contain_text("新守正物业 · 前台")
    expect(entry).to_contain_text("电话")
    expect(entry.locator("ins")).to_have_text("13912345678")
    checkpoint("roster-history.png")


def test_building_generator_previews_then_creates(page: Page, checkpoint: Checkpoint) -> None:
    sign_in(page, "manager")
    page.goto("/property/roster/communities")
    page.locator("#communities").get_by_role("link", name="兴隆苑").click()
    expect(page.locator("main h1")).to_have_text("兴隆苑")
    expect(page.locator("#buildings .unit-chips").first).to_be_visible()
    checkpoint()

    page.get_by_role("button", name="楼栋生成器").click()
    expect(page.locator("#building")).to_be_focused()
    # Building 1 exists with units 1-2 and floors 1-7: unit 3 and floor 8 are new.
    page.locator("#building").fill("1")
    page.locator("#units").fill("1-3")
    page.locator("#floors").fill("1-8")
    page.locator("#rooms").fill("01-02")
    page.locator("#areas").fill("72.4, 89.5")
    page.get_by_role("button", name="预览").click()
    result = page.locator("#generator-result")
    expect(result).to_contain_text("101, 102, 201, …, 802")
    expect(result.locator(".flash-warning")).to_contain_text("28")  # 2 units × 7 floors × 2
    expect(result.get_by_role("button", name=re.compile("生成 20 户"))).to_be_visible()
    checkpoint("roster-generator-preview.png")

    result.get_by_role("button", name=re.compile("生成 20 户")).click()
    expect(result.locator(".flash-success")).to_contain_text("20")
    checkpoint()

    # The same spec again creates nothing, and says so.
    page.get_by_role("button", name="预览").click()
    expect(result).to_contain_text("没有新增内容")
    checkpoint.screenshot("roster-generator-nothing-new.png")

    # Bad input keeps what was typed and says what is wrong.
    checkpoint.expect_status(422)
    page.locator("#floors").fill("8-1")
    page.get_by_role("button", name="预览").click()
    expect(page.locator("#generator-result [role=alert]")).to_be_visible()
    expect(page.locator("#floors")).to_have_value("8-1")
    checkpoint()


def test_dialog_forms_and_staff_accounts(page: Page, checkpoint: Checkpoint) -> None:
    sign_in(page, "manager")
    page.goto("/property/roster/staff")
    expect(page.locator(".stats")).to_contain_text("党员占比")
    checkpoint()

    # "New staff member" opens a modal dialog; Escape closes it and focus returns.
    opener = page.get_by_role("button", name="新增员工")
    opener.click()
    dialog = page.locator("#roster-dialog")
    expect(dialog.get_by_label("姓名")).to_be_focused()
    checkpoint()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()

    opener.click()
    checkpoint.expect_status(422)
    dialog.get_by_role("button", name="添加员工").click()
    expect(dialog.locator(".field-error")).to_be_visible()
    expect(dialog.get_by_label("姓名")).to_be_focused()
    checkpoint("roster-staff-dialog.png", full_page=False)
    dialog.get_by_label("姓名").fill("周海燕")
    dialog.get_by_label("电话").fill("13700001111")
    dialog.get_by_label("岗位").select_option("steward")
    dialog.get_by_label("党员").check()
    with page.expect_navigation():
        dialog.get_by_role("button", name="添加员工").click()
    new_row = page.locator("#staff tbody tr", has_text="周海燕")
    expect(new_row).to_contain_text("党员")
    checkpoint()

    # Give them an account: the initial password is shown once.
    new_row.get_by_role("button", name="开通账号").click()
    dialog.get_by_label("用户名").fill("zhou.hy")
    dialog.get_by_role("button", name="开通账号").click()
    expect(dialog.locator("#initial-password")).to_have_text(re.compile(r"^\S{12}$"))
    checkpoint("roster-account.png", full_page=False)
    with page.expect_navigation():
        dialog.get_by_role("button", name="完成").click()
    expect(page.locator("#staff tbody tr", has_text="周海燕")).to_contain_text("zhou.hy")
    checkpoint("roster-staff.png")


def test_the_back_button_after_a_search(page: Page, checkpoint: Checkpoint) -> None:
    sign_in(page, "manager")
    page.goto("/property/roster/households")
    page.get_by_label("搜索住户").press_sequentially("1-1-1", delay=30)
    expect(page).to_have_url(re.compile(r"q=1-1-1"))
    page.locator("#households thead").get_by_role("link", name=re.compile("面积")).click()
    expect(page).to_have_url(re.compile(r"sort=area"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=1-1-1"))
    expect(page).not_to_have_url(re.compile(r"sort=area"))
    # The whole page comes back, not a bare table.
    expect(page.locator("header.site-header")).to_be_visible()
    expect(page.locator("#households tbody tr")).to_have_count(2)  # rooms 101 and 102
    checkpoint()


def test_a_steward_reads_the_roster(page: Page, checkpoint: Checkpoint) -> None:
    sign_in(page, "steward")
    page.goto("/property/roster/households")
    expect(page.locator("#households tbody tr").first).to_be_visible()
    expect(page.get_by_role("button", name="编辑")).to_have_count(0)
    expect(page.get_by_role("button", name="新增住户")).to_have_count(0)
    checkpoint()


def test_the_other_roster_lists(page: Page, checkpoint: Checkpoint) -> None:
    sign_in(page, "manager")
    page.goto("/property/roster/history")
    # The demo's front desk corrected some households; the newest change comes first.
    first = page.locator(".history-list > li").first
    expect(first).to_contain_text("新守正物业 · 前台")
    expect(first.locator(".history-subject a")).to_contain_text("兴隆苑")
    checkpoint("roster-recent-changes.png")

    page.locator("#history-entity").select_option("staff")
    expect(page).to_have_url(re.compile(r"entity=staff"))
    expect(page.locator(".history-list")).to_contain_text("陈桂兰")
    checkpoint()

    page.get_by_role("link", name="居民", exact=True).click()
    expect(page.locator("#residents tbody tr")).to_have_count(1)
    expect(page.locator("#residents tbody")).to_contain_text("resident")
    checkpoint()

    page.get_by_role("link", name="小区", exact=True).click()
    expect(page.locator("#communities tbody tr")).to_have_count(1)
    page.locator("#communities").get_by_role("link", name="兴隆苑").click()
    expect(page.locator("#buildings tbody tr")).to_have_count(8)
    checkpoint("roster-community.png")
