"""The steward boards in a real browser: the manager prepares a community's boards, prints one
(one A4 page), a passer-by opens it on a phone from its QR code's address without signing in,
and after a re-issue that address answers 404."""

from __future__ import annotations

import io
import re
from datetime import date

from playwright.sync_api import BrowserContext, Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import Building, Community, Household, Unit
from tests import factories
from tests.browser.helpers import (
    DESKTOP,
    Check,
    Checkpoint,
    Watch,
    follow_menu,
    screenshot,
    sign_in,
)
from tests.conftest import PUBLIC_URL

A4_AT_96_DPI = {"width": 794, "height": 1123}


def first_unit() -> Unit:
    return db.session.scalars(
        select(Unit)
        .join(Building, Building.id == Unit.building_id)
        .join(Community, Community.id == Unit.community_id)
        .where(Community.name == "兴隆苑")
        .order_by(Building.sort_key, Building.number, Unit.number)
    ).first()


def test_boards_from_the_managers_desk_to_a_phone_at_the_entrance(
    page: Page,
    phone: BrowserContext,
    checkpoint: Checkpoint,
    watch: Watch,
    check_page: Check,
    write_screenshots: bool,
    live_server: str,
) -> None:
    entrance = first_unit()
    factories.steward_assignment(entrance, name="周管家", phone="13912345678")
    home = db.session.scalars(select(Household).where(Household.unit_id == entrance.id)).first()
    factories.leader_assignment(home, name="陈楼长", phone="13698765432")
    factories.adoption(factories.pact_version(entrance, title="1栋1单元楼道公约"))
    factories.inspection(entrance, inspected_on=date(2026, 10, 20), score=96)

    # The manager prepares the boards of 兴隆苑: every unit gets its own QR code.
    sign_in(page, "manager")
    follow_menu(page, "楼道管家公示牌")
    page.get_by_role("link", name="兴隆苑").click()
    page.get_by_role("button", name=re.compile("生成缺少的公示牌")).click()
    expect(page.locator("#messages")).to_contain_text("已生成 16 块公示牌")
    checkpoint("boards-community.png")

    # One board, printed: the A4 sheet on screen, and Chromium's print of it is one A4 page.
    page.get_by_role("row", name=re.compile("1栋1单元")).get_by_role("link", name="打印").click()
    sheet = page.locator(".board-sheet")
    expect(sheet).to_contain_text("周管家")
    expect(sheet).to_contain_text("1栋1单元楼道公约")
    checkpoint()
    page.emulate_media(media="print")
    page.set_viewport_size(A4_AT_96_DPI)
    checkpoint("boards-print.png", full_page=False)
    printed = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    assert len(printed.pages) == 1
    assert [round(v) for v in printed.pages[0].mediabox[2:]] == [595, 842]
    page.emulate_media(media="screen")
    page.set_viewport_size(DESKTOP)

    # A passer-by scans the QR code: its address (the portal's public one, here served by the
    # test server) opens the board on a phone, with no sign-in and nothing scrolling sideways.
    address = sheet.locator(".sheet-url").inner_text().strip()
    assert address.startswith(f"{PUBLIC_URL}/pacts/b/")
    local = address.replace(PUBLIC_URL, live_server)
    visitor = phone.new_page()
    watched = watch(visitor)
    visitor.goto(local)
    board = visitor.locator(".board")
    expect(board).to_contain_text("兴隆苑")
    expect(board).to_contain_text("96")
    expect(board.get_by_role("link", name=re.compile("周管家"))).to_have_attribute(
        "href", "tel:+8613912345678"
    )
    assert visitor.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert not phone.cookies()
    screenshot(visitor, "boards-public-phone.png", write_screenshots)
    check_page(watched)

    # The board was replaced: re-issuing its code makes the old address answer 404.
    page.get_by_role("link", name="重新签发二维码").click()
    expect(page.locator("main")).to_contain_text("旧二维码立即失效")
    checkpoint()
    page.get_by_role("button", name=re.compile("重新签发")).click()
    expect(page.locator("#messages")).to_contain_text("旧二维码已失效")
    assert page.locator(".sheet-url").inner_text().strip() != address
    watched.expect_status(404)
    assert visitor.goto(local).status == 404
