"""The alliance's figures in a real browser: a passer-by on a phone opens an alliance's shop
directory, filters it by category, searches as they type and opens a shop with its photos; the
alliance's officer opens the totals with their charts at the desk and downloads the Excel."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from PIL import Image, ImageDraw
from playwright.sync_api import BrowserContext, Page, expect

from app.extensions import db
from app.models import (
    MembershipStatus,
    Merchant,
    PhotoStage,
    ShopCategory,
    ShopOrigin,
)
from tests import factories
from tests.alliance.directory.helpers import upgrade_photo
from tests.browser.helpers import Check, Watch, follow_menu, htmx_idle, screenshot, sign_in

SHOPS = [
    # name, category, origin, investment in yuan, month the work finishes
    ("老街茶馆", ShopCategory.BAR_CAFE, ShopOrigin.UPGRADED, 186_000, date(2026, 3, 20)),
    ("码头火锅", ShopCategory.FOOD, ShopOrigin.UPGRADED, 152_000, date(2026, 4, 18)),
    ("巴渝小面", ShopCategory.FOOD, ShopOrigin.UPGRADED, 98_000, date(2026, 5, 9)),
    ("江景民宿", ShopCategory.LODGING, ShopOrigin.NEW, 420_000, date(2026, 5, 30)),
    ("开埠文创", ShopCategory.CULTURE, ShopOrigin.NEW, 265_000, date(2026, 6, 12)),
    ("山城杂货铺", ShopCategory.RETAIL, ShopOrigin.UPGRADED, 76_000, date(2026, 7, 3)),
    ("吊脚楼酒吧", ShopCategory.BAR_CAFE, ShopOrigin.NEW, 338_000, date(2026, 8, 21)),
    ("老宅修鞋铺", ShopCategory.SERVICES, ShopOrigin.UPGRADED, 41_000, date(2026, 9, 14)),
    ("江边烤鱼", ShopCategory.FOOD, ShopOrigin.NEW, 290_000, date(2026, 10, 8)),
]
COLOURS = [(179, 38, 30), (138, 90, 0), (46, 94, 120), (70, 120, 60)]


def shopfront(n: int) -> bytes:
    """A picture of a shopfront, good enough for a screenshot: a wall, a sign and a door."""
    image = Image.new("RGB", (640, 400), (236, 226, 208))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 600, 120), fill=COLOURS[n % len(COLOURS)])
    draw.rectangle((250, 170, 390, 400), fill=(90, 60, 40))
    draw.rectangle((60, 170, 200, 300), fill=(170, 200, 215))
    draw.rectangle((440, 170, 580, 300), fill=(170, 200, 215))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def alliance_street():
    alliance = factories.alliance(
        name="弹子石老街商业联盟",
        street="弹子石老街",
        district="南岸区",
        description="开埠老街上的茶馆、火锅、民宿和文创小店。",
    )
    for n, (name, category, origin, yuan, finishes) in enumerate(SHOPS):
        member = factories.membership(to=alliance)
        owner = db.session.get(Merchant, member.merchant_id)
        if n % 3:
            factories.pledge(owner, alliance, signed_on=date(2026, 3, 1))
        shop = factories.shop(
            owner,
            alliance,
            name=name,
            category=category,
            origin=origin,
            address=f"弹子石老街{12 + n * 7}号",
            description="<script>alert(1)</script>临江的老铺子。",
            public_phone="023-62881234" if n % 2 else None,
        )
        upgrade = factories.upgrade(
            shop,
            investment_fen=yuan * 100,
            starts_on=date(finishes.year, finishes.month, 1),
            finishes_on=finishes,
        )
        upgrade_photo(upgrade, PhotoStage.BEFORE, shopfront(n + 1))
        upgrade_photo(upgrade, PhotoStage.AFTER, shopfront(n))
    pending = db.session.get(
        Merchant, factories.membership(to=alliance, status=MembershipStatus.APPLIED).merchant_id
    )
    factories.shop(pending, alliance, name="申请中小店")
    officer = factories.officer(alliance, username="street-officer", display_name="陈会长")
    return alliance, officer


def sideways(page: Page) -> int:
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_the_directory_on_a_phone_and_the_totals_at_the_desk(
    page: Page,
    phone: BrowserContext,
    watch: Watch,
    check_page: Check,
    write_screenshots: bool,
    tmp_path,
) -> None:
    _alliance, officer = alliance_street()
    officer_name = officer.username
    db.session.remove()

    # A passer-by's phone: the directory, no sign-in.
    visitor = phone.new_page()
    seen = watch(visitor)
    visitor.goto("/alliance/directory/")
    check_page(seen)
    with visitor.expect_navigation():
        visitor.get_by_role("link", name="弹子石老街商业联盟").click()
    cards = visitor.locator(".shop-card")
    expect(cards).to_have_count(len(SHOPS))
    expect(visitor.get_by_text("申请中小店")).to_have_count(0)
    assert sideways(visitor) == 0
    check_page(seen)
    screenshot(visitor, "alliance-directory-phone.png", write_screenshots, full_page=False)

    visitor.get_by_label("业态").select_option("food")
    expect(cards).to_have_count(3)
    assert "category=food" in visitor.url
    visitor.get_by_label("搜索店铺").press_sequentially("火锅", delay=80)
    expect(cards).to_have_count(1)
    htmx_idle(visitor)
    expect(cards.first).to_contain_text("码头火锅")
    assert "q=" in visitor.url
    check_page(seen)

    with visitor.expect_navigation():
        cards.first.get_by_role("link", name="码头火锅").click()
    expect(visitor.locator("h1")).to_have_text("码头火锅")
    expect(visitor.locator(".shop-description")).to_contain_text("<script>alert(1)</script>")
    expect(visitor.locator(".shop-photos img")).to_have_count(2)
    expect(visitor.locator(".alliance-badge")).to_contain_text("弹子石老街商业联盟")
    assert visitor.locator(".shop-photos img").first.evaluate("i => i.naturalWidth") > 0
    assert sideways(visitor) == 0
    check_page(seen)

    # The officer at the desk: the totals with charts, and the Excel.
    desk = watch(page)
    sign_in(page, officer_name, factories.PASSWORD)
    follow_menu(page, "联盟统计")
    expect(page.locator("h1")).to_contain_text("弹子石老街商业联盟")
    expect(page.locator(".totals-chart svg")).to_have_count(2)
    expect(page.locator(".stats")).to_contain_text("¥1,866,000.00")
    check_page(desk)
    screenshot(page, "alliance-totals.png", write_screenshots)
    with page.expect_download() as download:
        page.get_by_role("button", name="导出 Excel").click()
    saved = tmp_path / "totals.xlsx"
    download.value.save_as(saved)
    rows = list(load_workbook(saved).active.iter_rows(values_only=True))
    assert len(rows) == len(SHOPS) + 1
    assert {row[2] for row in rows[1:]} == {name for name, *_ in SHOPS}
    assert sum(float(row[5]) for row in rows[1:]) == sum(s[3] for s in SHOPS)
    check_page(desk)
