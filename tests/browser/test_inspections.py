"""Inspections in a real browser: a steward at an entrance, on a phone, picks the unit from the
ones on their round, scores the checklist with big 0–5 buttons (one left out is refused with
what was chosen kept), adds a photo and saves; the inspection's page shows the score and the
photo. At the desk, the manager opens the honour board of last month and last quarter."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from app.demo.base import household_at
from app.demo.roster import load_demo as load_roster
from app.extensions import db
from app.models import Community, Staff, User
from app.periods import add_months, current_period
from tests import factories
from tests.browser.helpers import Check, Watch, follow_menu, screenshot, sign_in
from tests.factories.property import photo_bytes

SCORES = {"楼道畅通": "5", "卫生整洁": "4", "照明完好": "5", "消防器材": "3", "张贴规范": "5"}
LEFT_OUT = "严禁飞线充电"


def _day_of(period: int, day: int) -> date:
    return date(period // 100, period % 100, day)


def test_a_steward_inspects_on_a_phone_and_the_honour_board_shows_the_best(
    page: Page,
    phone: BrowserContext,
    watch: Watch,
    check_page: Check,
    write_screenshots: bool,
    tmp_path: Path,
) -> None:
    communities = {c.name: c for c in db.session.scalars(select(Community))}
    load_roster(communities, random.Random(7))  # the steward's account
    place = communities["兴隆苑"]
    entrance = household_at(place, "1", "1", "101").unit
    account = db.session.scalar(select(User).where(User.username == "steward"))
    member = db.session.scalar(select(Staff).where(Staff.user_id == account.id))
    factories.steward_assignment(entrance, staff_id=member.id, name=member.name)
    entrance_id = entrance.id
    # Last month's round: 2-1 at the top, so the board has a best unit to show.
    month = add_months(current_period(), -1)
    for (building, unit), score in {("1", "1"): 82, ("2", "1"): 97, ("3", "1"): 74}.items():
        factories.inspection(
            household_at(place, building, unit, "101").unit,
            inspected_on=_day_of(month, 12),
            score=score,
        )
    db.session.remove()
    picture = tmp_path / "corridor.png"
    picture.write_bytes(photo_bytes(size=(800, 600)))

    # At the entrance: the steward's units, then the checklist.
    steward = phone.new_page()
    doors = watch(steward)
    sign_in(steward, "steward")
    follow_menu(steward, "记录检查")
    with steward.expect_navigation():
        steward.locator(f".insp-tiles a[href$='unit_id={entrance_id}']").click()
    expect(steward.locator("main h1")).to_have_text("1栋1单元")
    check_page(doors)
    form = steward.locator("#inspection-form")
    for item, score in SCORES.items():
        form.locator("fieldset", has_text=item).get_by_text(score, exact=True).click()
    doors.expect_status(422)
    form.get_by_role("button", name="保存检查").click()
    left_out = steward.locator("#inspection-form fieldset", has_text=LEFT_OUT)
    expect(left_out.locator(".field-error")).to_be_visible()
    chosen = steward.locator("#inspection-form fieldset", has_text="消防器材")
    expect(chosen.get_by_role("radio", name="3", exact=True)).to_be_checked()
    check_page(doors)

    left_out.get_by_text("4", exact=True).click()
    steward.get_by_label("备注（可选）").fill("三楼感应灯不亮，已报修。")
    steward.locator("input[type=file]").set_input_files(picture)
    screenshot(steward, "pacts-inspection-phone.png", write_screenshots)
    assert steward.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, (
        "the checklist scrolls sideways on a phone"
    )
    with steward.expect_navigation():
        steward.locator("#inspection-form").get_by_role("button", name="保存检查").click()
    expect(steward.locator(".flash-success")).to_contain_text("87 分")
    expect(steward.locator("main")).to_contain_text("三楼感应灯不亮")
    expect(steward.locator(".insp-photo-list img")).to_have_count(1)
    check_page(doors)

    # At the desk: the honour board names last month's best unit and building of 兴隆苑.
    desk = watch(page)
    sign_in(page, "manager")
    follow_menu(page, "红榜")
    card = page.locator(".honour-roll", has_text="兴隆苑")
    expect(card).to_contain_text("2栋1单元")
    expect(card).to_contain_text("97")
    screenshot(page, "pacts-honour-board.png", write_screenshots)
    check_page(desk)
