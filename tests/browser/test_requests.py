"""A service request's whole life in a real browser: a resident files it from a phone with a
photo, a manager dispatches it from the inbox, the steward adds a note, names the departments
involved and resolves it, the resident's open page updates itself, and the resident rates it.

Every page is checked for console errors and serious axe-core violations; the SQLite run
saves docs/screenshots/requests-*.png.
"""

from __future__ import annotations

import io
import random
import re
from collections.abc import Iterator
from urllib.parse import urljoin

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from app import uploads
from app.blueprints.auth.services import create_user
from app.demo.requests import load_demo as load_requests
from app.extensions import db
from app.models import Community, Company, Role, Staff, StaffPosition
from tests.browser.helpers import (
    DEMO_PASSWORD,
    Check,
    Checkpoint,
    Watch,
    follow_menu,
    screenshot,
    sign_in,
)

DESCRIPTION = "厨房水槽下面的水管一直在滴水，地面已经泡湿"


@pytest.fixture
def steward_name(demo_data: dict[str, int]) -> str:
    """A steward account of 新守正物业 linked to one of its stewards; the demo requests too."""
    communities = {c.name: c for c in db.session.scalars(select(Community))}
    load_requests(communities, random.Random(20261123))
    company = db.session.scalar(select(Company).where(Company.code == "XSZ"))
    staff = db.session.scalar(
        select(Staff)
        .where(Staff.company_id == company.id, Staff.position == StaffPosition.STEWARD)
        .order_by(Staff.id)
    )
    user = create_user("steward", DEMO_PASSWORD, Role.STEWARD, f"{staff.name} · 管家", company.id)
    db.session.flush()
    staff.user_id = user.id
    db.session.commit()
    return staff.name


@pytest.fixture
def desk(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=base_url, locale="zh-CN")
    yield context
    context.close()


def leak_photo() -> bytes:
    """Something like a phone photo of a dripping pipe under a sink."""
    wall = Image.linear_gradient("L").resize((800, 600)).convert("RGB")
    wall = Image.blend(wall, Image.new("RGB", wall.size, (196, 180, 150)), 0.7)
    draw = ImageDraw.Draw(wall)
    draw.rectangle((0, 420, 800, 600), fill=(120, 110, 100))
    draw.rectangle((330, 0, 380, 360), fill=(200, 200, 205), outline=(90, 90, 95), width=3)
    draw.rectangle((300, 340, 520, 380), fill=(200, 200, 205), outline=(90, 90, 95), width=3)
    for y in (400, 440, 490):
        draw.ellipse((350, y, 362, y + 18), fill=(80, 140, 200))
    draw.ellipse((250, 500, 520, 560), fill=(95, 120, 140))
    out = io.BytesIO()
    wall.save(out, format="JPEG", quality=85)
    return out.getvalue()


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways on a phone by {overflow}px"


def submit(page: Page, form: str) -> None:
    """Submit an htmx form that answers with HX-Redirect, and wait for the page it loads."""
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit]").click()


def test_a_request_from_filing_to_rating(
    page: Page,
    phone: BrowserContext,
    desk: BrowserContext,
    steward_name: str,
    watch: Watch,
    check_page: Check,
    write_screenshots: bool,
) -> None:
    # A resident files a repair from their phone, with a photo.
    resident = phone.new_page()
    on_phone = watch(resident)
    on_phone.expect_status(422)
    sign_in(resident, "resident")
    follow_menu(resident, "我的报事")
    expect(resident.locator("main h1")).to_have_text("我的报事")
    check_page(on_phone)
    resident.get_by_role("button", name="我要报事").click()
    check_page(on_phone)
    # Sent without a description: the error shows in place, what was chosen stays.
    resident.get_by_label("报修").check()
    resident.get_by_label("户内").check()
    with resident.expect_response(lambda r: r.request.method == "POST") as answer:
        resident.locator("#request-form button[type=submit]").click()
    assert answer.value.status == 422
    expect(resident.locator("#request-form .field-error")).to_contain_text("请描述问题")
    expect(resident.get_by_label("报修")).to_be_checked()
    screenshot(resident, "requests-new-phone.png", write_screenshots)
    check_page(on_phone)
    no_sideways_scroll(resident)
    resident.get_by_label("问题描述").fill(DESCRIPTION)
    resident.locator("input[name=photo]").set_input_files(
        files=[
            {
                "name": "IMG_2041.jpg",
                "mimeType": "image/jpeg",
                "buffer": leak_photo(),
            }
        ]
    )
    submit(resident, "#request-form")
    expect(resident).to_have_url(re.compile(r"/property/requests/\d+$"))
    request_url = resident.url
    expect(resident.locator("#live .req-status")).to_have_text("已受理")
    expect(resident.locator(".req-photo img")).to_be_visible()
    # The page shows the thumbnail; its link opens the photo whole, as it was sent.
    shown = resident.locator(".req-photo img").evaluate("img => img.naturalWidth")
    assert shown == uploads.THUMB_EDGE
    link = urljoin(resident.url, resident.locator(".req-photo").get_attribute("href"))
    assert Image.open(io.BytesIO(resident.request.get(link).body())).width == 800
    expect(resident.locator("#live")).to_have_attribute("hx-trigger", "every 10s")
    screenshot(resident, "requests-resident-phone.png", write_screenshots)
    check_page(on_phone)
    no_sideways_scroll(resident)

    # The manager finds it in the inbox and dispatches it to the steward.
    at_desk = watch(page)
    sign_in(page, "manager")
    page.locator("header").get_by_role("link", name="工单受理").click()
    expect(page.locator("main h1")).to_have_text("工单受理")
    expect(page.locator(".req-overdue").first).to_be_visible()
    screenshot(page, "requests-inbox.png", write_screenshots)
    check_page(at_desk)
    page.get_by_label("查询").fill("水槽下面")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.locator("#results tbody tr a").click()
    expect(page.locator("main .req-description")).to_have_text(DESCRIPTION)
    screenshot(page, "requests-dispatch.png", write_screenshots)
    check_page(at_desk)
    chosen = page.locator("#dispatch-staff option", has_text=steward_name).first
    page.get_by_label("派单给").select_option(chosen.get_attribute("value"))
    page.get_by_label("派单说明（可选）").fill("今天下午上门")
    submit(page, "form[action$='/dispatch']")
    expect(page.locator("#live .req-status")).to_have_text("已派单")
    expect(page.locator(".timeline")).to_contain_text(f"派单给{steward_name}")
    check_page(at_desk)

    # The steward lands on "my tasks", adds a note, the departments, and resolves it.
    steward = desk.new_page()
    at_work = watch(steward)
    sign_in(steward, "steward")
    expect(steward).to_have_url(re.compile(r"/property/requests/tasks$"))
    check_page(at_work)
    steward.locator("#results tbody tr a").filter(has_text=request_url.rsplit("/", 1)[1]).click()
    steward.get_by_label("进展记录").fill("已关闭总阀，更换三通配件")
    submit(steward, "form[action$='/note']")
    steward.get_by_label("物业公司").check()
    steward.get_by_label("供水").check()
    submit(steward, "form[action$='/departments']")
    expect(steward.locator(".req-facts")).to_contain_text("供水")
    steward.get_by_label("处理结果").fill("已更换三通并试水，无渗漏")
    submit(steward, "form[action$='/resolve']")
    expect(steward.locator("#live .req-status")).to_have_text("已处理，待确认")
    check_page(at_work)

    # The resident's page, still open, updates itself and asks for the verdict.
    expect(resident.locator("#live .req-verdict")).to_be_visible(timeout=20_000)
    expect(resident.locator("#live")).not_to_have_attribute("hx-trigger", "every 10s")
    check_page(on_phone)
    resident.get_by_label("5 · 非常满意").check()
    submit(resident, "form[action$='/accept']")
    expect(resident.locator("#live .req-status")).to_have_text("已办结")
    expect(resident.locator(".timeline li")).to_have_count(6)
    check_page(on_phone)
    no_sideways_scroll(resident)

    # The whole timeline, as the manager sees it.
    page.goto(request_url)
    expect(page.locator(".timeline")).to_contain_text("住户确认办结，评分 5 / 5")
    screenshot(page, "requests-timeline.png", write_screenshots)
    check_page(at_desk)


def test_figures_for_the_district(page: Page, steward_name: str, checkpoint: Checkpoint) -> None:
    sign_in(page, "admin")
    page.locator("header").get_by_role("link", name="工单统计").click()
    expect(page.locator("#results tbody tr")).not_to_have_count(0)
    expect(page.locator(".stats")).to_contain_text("上年同月")
    checkpoint("requests-figures.png")
