"""The pacts area end to end, in a real browser: the manager posts a steward on every unit of a
building, drafts and opens a signing campaign for one unit at the desk and prints the sheet of
households to visit (A4); a canvasser records answers at the doors on a phone over the three
rounds (each row swapped by htmx); a resident, asked on their building's page, signs on their
phone and brings support to the threshold: the pact is adopted, the campaign's page says so, and
the unit's public board — opened from its QR code's address — shows the new steward and the
pact now in force."""

from __future__ import annotations

import random
import re

from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from app.demo.base import household_at
from app.demo.roster import load_demo as load_roster
from app.extensions import db
from app.models import Community
from tests import factories
from tests.browser.helpers import (
    PHONE,
    Check,
    Watch,
    follow_menu,
    screenshot,
    sign_in,
    submit_and_follow,
)

A4 = re.compile(rb"/MediaBox\s*\[\s*0 0 59[45](\.\d+)? 84[12](\.\d+)?\s*\]")


def sideways(page: Page) -> int:
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_a_campaign_from_the_desk_to_the_doors_and_a_residents_phone(
    page: Page,
    browser: Browser,
    base_url: str,
    phone: BrowserContext,
    watch: Watch,
    check_page: Check,
    write_screenshots: bool,
) -> None:
    communities = {c.name: c for c in db.session.scalars(select(Community))}
    load_roster(communities, random.Random(7))  # the steward's account
    entrance = household_at(communities["兴隆苑"], "1", "1", "101").unit
    factories.pact_version(
        entrance,
        community_wide=True,
        title="兴隆苑楼道公约",
        clauses=[
            {"title": "消防通道", "body": "楼道内不堆放杂物，保持消防通道畅通。"},
            {"title": "电动车", "body": "不在楼道内停放电动车，不带电池上楼充电。"},
            {"title": "安静时段", "body": "晚上十点至早上七点不装修、不喧哗。"},
        ],
    )
    token = factories.board(entrance).token
    db.session.remove()
    desk = watch(page)

    # The manager posts one steward on every unit of building 1.
    sign_in(page, "manager")
    follow_menu(page, "楼道管家")
    with page.expect_navigation():
        page.get_by_role("link", name="兴隆苑").click()
    with page.expect_navigation():
        page.get_by_role("link", name="1栋", exact=True).click()
    steward = page.locator("#steward-staff_id")
    choice = steward.locator("option:not([value=''])").first
    name = choice.inner_text().split(" · ")[0]
    steward.select_option(value=choice.get_attribute("value"))
    check_page(desk)
    submit_and_follow(page, page.get_by_role("button", name="确定物业管家"))
    expect(page.locator(".flash-success")).to_contain_text(f"{name} 已任这里的物业管家")
    expect(page.locator(".duty-table")).to_contain_text(name)
    check_page(desk)
    with page.expect_navigation():
        page.locator("nav[aria-label=breadcrumb]").get_by_role("link", name="兴隆苑").click()
    expect(page.locator("#duty-grid")).to_contain_text(name)
    screenshot(page, "pacts-stewards-community.png", write_screenshots)
    check_page(desk)

    # The manager drafts a campaign for unit 1-1, half of its households to adopt.
    follow_menu(page, "签约征集")
    expect(page.locator("#campaigns")).to_contain_text("这里还没有征集")
    check_page(desk)
    with page.expect_navigation():
        page.get_by_role("button", name="新建征集").click()
    community = page.locator("#community_id")
    chosen = community.locator("option", has_text="兴隆苑").get_attribute("value")
    if community.input_value() != chosen:
        with page.expect_response(re.compile(r"/pacts/campaigns/targets\?")):
            community.select_option(value=chosen)
    page.locator("#version_id").select_option(label="兴隆苑楼道公约 · v1 · 整个小区")
    page.get_by_label("单个单元").check()
    page.locator("#unit_id").select_option(label="1-1")
    page.get_by_label("标题").fill("1栋1单元楼道公约签约")
    page.get_by_label("1/2").check()
    check_page(desk)
    with page.expect_navigation():
        page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".flash-success")).to_contain_text("征集草稿已保存")
    expect(page.locator(".campaign-status")).to_have_text("草稿")
    check_page(desk)
    with page.expect_navigation():
        page.get_by_role("button", name="开启第 1 轮").click()
    expect(page.locator(".flash-success")).to_contain_text("第 1 轮开始")
    expect(page.locator(".standing")).to_contain_text("还需 7 户同意")
    campaign_url = page.url
    check_page(desk)

    # The sheet for the canvassers: every household still to visit, on A4.
    with page.expect_navigation():
        page.get_by_role("button", name="待走访住户（打印）").click()
    sheet = page.locator(".visit-sheet")
    expect(sheet.locator("tbody tr")).to_have_count(14)
    screenshot(page, "campaign-visits.png", write_screenshots)
    check_page(desk)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert A4.search(pdf), "the sheet does not print on A4"

    # A canvasser at the doors, on a phone, over three rounds: the owners' committee finds
    # three who agree, the grid worker two more and one not at home, the joint visit finds that
    # household in and agreeing and one more not at home. The latest answer counts.
    canvasser = phone.new_page()
    doors = watch(canvasser)
    sign_in(canvasser, "steward")
    canvasser.goto(campaign_url + "/canvass")
    rows = canvasser.locator("#households tbody tr")
    expect(rows).to_have_count(14)
    check_page(doors)
    rounds = {1: [(1, "同意"), (2, "同意"), (3, "同意")],
              2: [(4, "同意"), (5, "同意"), (6, "不在家")],
              3: [(6, "同意"), (7, "不在家")]}  # fmt: skip
    for round_, answers in rounds.items():
        if round_ > 1:
            page.goto(campaign_url)
            with page.expect_navigation():
                page.get_by_role("button", name=f"开始第 {round_} 轮").click()
            expect(page.locator(".campaign-round")).to_have_text(f"第 {round_} 轮")
            canvasser.reload()
        for n, answer in answers:
            row = rows.nth(n)
            room = row.locator("th").inner_text().split()[0]
            with canvasser.expect_response(re.compile(r"/canvass/\d+$")):
                row.get_by_role("button", name=f"{room} 室：{answer}", exact=True).click()
            expect(rows.nth(n).locator(".current-answer .answer")).to_have_text(answer)
            expect(rows.nth(n)).to_contain_text(f"第 {round_} 轮")
            expect(rows.nth(n)).to_contain_text("已保存")
    expect(canvasser.locator(".canvass-summary .tally")).to_contain_text("同意 6")
    screenshot(canvasser, "campaign-canvass-phone.png", write_screenshots)
    check_page(doors)
    assert sideways(canvasser) <= 0, "the canvass list scrolls sideways on a phone"

    # The resident of 101 reads the pact on their own phone and agrees: the seventh, enough.
    own_phone = browser.new_context(
        base_url=base_url, viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    resident = own_phone.new_page()
    home = watch(resident)
    sign_in(resident, "resident")
    resident.goto("/pacts/my-building")
    asked = resident.locator(".home-signing")
    expect(asked).to_contain_text("1栋1单元楼道公约签约")
    expect(asked).to_contain_text("尚未征询")
    with resident.expect_navigation():
        asked.get_by_role("button", name="阅读公约并签署").click()
    expect(resident.locator(".pact-clauses li")).to_have_count(3)
    expect(resident.locator(".sign-card")).to_contain_text("尚未征询")
    check_page(home)
    assert sideways(resident) <= 0, "the signing page scrolls sideways on a phone"
    screenshot(resident, "campaign-sign-phone.png", write_screenshots)
    with resident.expect_response(re.compile(r"/sign$")):
        resident.get_by_role("button", name="我同意").click()
    expect(resident.locator("#sign-households .flash-success")).to_contain_text("公约已经通过")
    expect(resident.locator(".sign-buttons")).to_have_count(0)
    check_page(home)
    resident.goto("/pacts/my-building")
    expect(resident.locator(".home-signing")).to_have_count(0)
    expect(resident.locator(".building-card")).to_contain_text(name)
    own_phone.close()

    # The campaign's page: adopted, seven of fourteen.
    page.goto(campaign_url)
    expect(page.locator(".campaign-status")).to_have_text("已通过")
    expect(page.locator(".standing")).to_contain_text("14 户中 7 户同意")
    expect(page.locator("#units")).to_contain_text("1-1")
    screenshot(page, "campaign-progress.png", write_screenshots)
    check_page(desk)

    # At the entrance, the board's QR code opens on a passer-by's phone: the steward posted
    # this morning and the pact the unit has just adopted.
    visitor = phone.new_page()
    passing = watch(visitor)
    visitor.goto(f"/pacts/b/{token}")
    board = visitor.locator(".board")
    expect(board).to_contain_text(name)
    expect(board).to_contain_text("兴隆苑楼道公约")
    expect(board.locator(".pact-clauses li")).to_have_count(3)
    assert sideways(visitor) <= 0, "the board scrolls sideways on a phone"
    screenshot(visitor, "pacts-board-after-adoption-phone.png", write_screenshots)
    check_page(passing)
