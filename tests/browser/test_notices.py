"""A notice from the manager's desk to a new resident's phone, in a real browser: the manager
publishes a notice to one building and issues an activation code on a printed slip; a new
resident redeems the code on a phone and reads the notice; the manager sees it was read."""

from __future__ import annotations

import random
import re

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import func, select

from app.demo.notices import load_demo as load_demo_notices
from app.extensions import db
from app.models import Building, Community, Household, Unit
from tests.browser.helpers import Check, Watch, screenshot, sign_in

CODE = re.compile(r"([2-9A-HJKMNP-Z]{4}-){3}[2-9A-HJKMNP-Z]{4}")
TITLE = "1栋楼顶防水维修通知"


def households_in_building_1() -> int:
    return db.session.scalar(
        select(func.count(Household.id))
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .join(Community, Community.id == Building.community_id)
        .where(Community.name == "兴隆苑", Building.number == "1")
    )


# 105 × 148 mm in points (297.6 × 419.5; Chromium rounds to whole pixels: 298.08 × 420).
A6 = re.compile(rb"/MediaBox\s*\[\s*0 0 29[78](\.\d+)? 4(19|20)(\.\d+)?\s*\]")


def test_notice_and_activation_journey(
    page: Page,
    phone: BrowserContext,
    watch: Watch,
    check_page: Check,
    write_screenshots: bool,
) -> None:
    load_demo_notices({c.name: c for c in db.session.scalars(select(Community))}, random.Random(7))
    addressed = households_in_building_1()
    watched = watch(page)

    # The manager's day: from the dashboard card into the notices in force.
    sign_in(page, "manager")
    cards = page.locator(".day-cards")
    expect(cards).to_contain_text("待办工单")
    check_page(watched)
    with page.expect_navigation():
        cards.get_by_text("生效中的通知").click()
    expect(page.locator("#notices")).to_contain_text("关于2026年度物业费收缴的通知")
    check_page(watched)

    # Publish to building 1 only; choosing the community reloads the building checkboxes.
    page.get_by_role("button", name="发布通知").click()
    page.wait_for_url(re.compile(r"/property/notices/new$"))
    # Tick a building only once the community's list has arrived: a box ticked in the list
    # being replaced is lost with it (and the notice then goes to the whole community).
    community = page.locator("#community_id")
    chosen = community.locator("option", has_text="兴隆苑").get_attribute("value")
    if community.input_value() != chosen:
        with page.expect_response(re.compile(r"/property/notices/buildings\?")):
            community.select_option(value=chosen)
    page.locator("#notice-buildings").get_by_label("1栋", exact=True).check()
    expect(page.locator("#notice-buildings").get_by_label("1栋", exact=True)).to_be_checked()
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("正文").fill("本周四起维修1栋楼顶防水层。\n施工期间请勿上楼顶。")
    page.get_by_label("置顶").check()
    check_page(watched)
    with page.expect_navigation():
        page.locator("#notice-form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("通知已发布")
    row = page.locator("#notices tr", has_text=TITLE)
    expect(row).to_contain_text(f"0 / {addressed} 户")
    check_page(watched)

    # An activation code for room 102 of building 1, unit 1, and its slip.
    page.goto("/activation-codes")
    page.get_by_label("房号或业主").fill("102")
    household = page.locator("#households a", has_text="1栋1单元102室").first
    expect(household).to_be_visible()
    check_page(watched)
    with page.expect_navigation():
        household.click()
    page.get_by_label("新账号的身份").select_option("owner")
    with page.expect_navigation():
        page.get_by_role("button", name="签发并打印开通单").click()
    slip = page.locator(".activation-slip")
    expect(slip).to_contain_text("1栋1单元102室")
    code = CODE.search(slip.locator(".slip-code").inner_text()).group(0)
    qr = slip.locator("img.slip-qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(page, "notices-slip.png", write_screenshots)
    check_page(watched)
    # Printed, the slip fits on one A6 page.
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1, "the slip spans several pages"
    assert A6.search(pdf), "the slip does not print on A6"

    # A new resident redeems the code on a phone and sees the notice on their home page.
    resident = phone.new_page()
    on_phone = watch(resident)
    resident.goto("/activate")
    resident.get_by_label("开通码").fill(code.lower().replace("-", " "))
    resident.get_by_label("用户名").fill("zhao102")
    resident.get_by_label("您的称呼").fill("赵阿姨")
    resident.locator("#password").fill("zhao-new-password")
    resident.locator("#confirm_password").fill("zhao-new-password")
    check_page(on_phone)
    with resident.expect_navigation():
        resident.get_by_role("button", name="开通我的账号").click()
    resident.wait_for_url(re.compile(r"/property/my-home$"))
    notices = resident.locator("#notices")
    expect(notices).to_contain_text(TITLE)
    expect(notices.locator("li").first).to_contain_text(TITLE)  # pinned, newest
    expect(notices).not_to_contain_text("2栋外墙修缮")  # another community
    screenshot(resident, "notices-resident-phone.png", write_screenshots)
    check_page(on_phone)
    overflow = resident.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways on a phone by {overflow}px"
    with resident.expect_navigation():
        notices.get_by_role("link", name=TITLE).click()
    expect(resident.locator(".notice-body")).to_contain_text("施工期间请勿上楼顶")
    check_page(on_phone)

    # The manager sees the read.
    page.goto("/property/notices")
    expect(page.locator("#notices tr", has_text=TITLE)).to_contain_text(f"1 / {addressed} 户")
    screenshot(page, "notices-manager.png", write_screenshots)
    check_page(watched)
