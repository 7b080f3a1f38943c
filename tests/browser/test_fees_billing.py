"""Billing in a real browser: a manager sets a new rate, previews next month's bills, issues
them, and is told that issuing them again creates nothing; parking spaces and a lease."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.blueprints.fees.billing.services import assess_late_fees
from app.extensions import db
from app.models import Bill, Community
from app.periods import add_months, current_period, format_period, shanghai_today
from tests.browser.helpers import Checkpoint, preview_billing, sign_in

pytestmark = pytest.mark.usefixtures("billing_demo")


def test_a_manager_sets_a_rate_and_bills_next_month_once(
    page: Page, checkpoint: Checkpoint
) -> None:
    next_month = format_period(add_months(current_period(), 1))
    sign_in(page, "manager")
    page.get_by_role("link", name="收费开账").click()
    expect(page.get_by_role("heading", name="收费开账", level=1)).to_be_visible()
    checkpoint()

    page.get_by_role("link", name="兴隆苑").click()
    expect(page.get_by_role("heading", name="兴隆苑 收费项目")).to_be_visible()
    checkpoint()
    item = page.locator("article.fee-item", has_text="物业费")
    checkpoint.expect_status(422)
    item.get_by_label("单价（元）").fill("1.605")
    item.get_by_label("起始月份").fill(next_month)
    item.get_by_role("button", name="设置新单价").click()
    expect(item.locator(".field-error")).to_contain_text("最多两位小数")
    item = page.locator("article.fee-item", has_text="物业费")
    expect(item.get_by_label("单价（元）")).to_have_value("1.605")
    item.get_by_label("单价（元）").fill("1.60")
    with page.expect_navigation():
        item.get_by_role("button", name="设置新单价").click()
    expect(page.locator(".flash-success")).to_contain_text(f"自 {next_month} 起单价为 ¥1.60")
    checkpoint("fees-billing-community.png")

    page.get_by_role("link", name="收费开账").first.click()
    preview = preview_billing(page, next_month, "兴隆苑")
    expect(preview).to_contain_text(f"预览：{next_month}，兴隆苑")
    issue = preview.get_by_role("button", name="开出")
    expect(issue).to_be_visible()
    checkpoint("fees-billing-preview.png")

    with page.expect_navigation():
        issue.click()
    expect(page.locator(".flash-success")).to_contain_text(f"已开出 {next_month} 账单")
    expect(page.locator("table").first).to_contain_text(next_month)
    checkpoint()

    preview = preview_billing(page, next_month, "兴隆苑")
    expect(preview).to_contain_text("再次开账不会产生新账单")
    with page.expect_navigation():
        preview.get_by_role("button", name="仍然开账").click()
    expect(page.locator(".flash-info")).to_contain_text("没有新账单")
    checkpoint("fees-billing-nothing-new.png")


def test_a_manager_lets_a_parking_space(page: Page, checkpoint: Checkpoint) -> None:
    sign_in(page, "manager")
    page.goto("/fees/billing")
    page.get_by_role("row", name="兴隆苑").get_by_role("link", name="车位").click()
    expect(page.get_by_role("heading", name="兴隆苑 车位")).to_be_visible()
    checkpoint("fees-billing-parking.png")

    page.get_by_label("车位编号").fill("B001")
    page.get_by_label("截止编号（可不填）").fill("B010")
    with page.expect_navigation():
        page.get_by_role("button", name="添加", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("已添加 10 个车位")

    page.get_by_label("车位号或车牌号").fill("B001")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name="B001").click()
    expect(page.get_by_role("heading", name="车位 B001")).to_be_visible()
    page.get_by_label("按房号查找住户").fill("2-1-302")
    expect(page.locator("#household-matches label")).to_have_count(1)
    page.get_by_label("车牌号").fill("渝b·8c123")
    with page.expect_navigation():
        page.get_by_role("button", name="出租车位").last.click()
    expect(page.locator(".flash-success")).to_contain_text("渝B8C123")
    expect(page.locator("table")).to_contain_text("2栋1单元302室")
    checkpoint("fees-billing-space.png")


def test_a_manager_waives_part_of_a_late_fee(page: Page, checkpoint: Checkpoint) -> None:
    place = db.session.scalar(select(Community).where(Community.name == "弹新街社区"))
    bill = db.session.scalar(
        select(Bill)
        .where(Bill.community_id == place.id, Bill.period == add_months(current_period(), -6))
        .order_by(Bill.id)
        .limit(1)
    )
    assess_late_fees(shanghai_today(), household_id=bill.household_id)
    db.session.commit()
    bill_id, late_fee = bill.id, db.session.get(Bill, bill.id).late_fee_fen
    db.session.remove()
    assert late_fee > 100

    sign_in(page, "manager2")
    page.goto(f"/fees/billing/bills/{bill_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("物业费")
    checkpoint()
    checkpoint.expect_status(422)
    page.get_by_label("减免金额（元）").fill("1")
    page.get_by_role("button", name="减免").click()
    expect(page.locator(".field-error")).to_contain_text("请填写减免原因")
    page.get_by_label("原因").fill("独居老人，经楼栋长核实")
    with page.expect_navigation():
        page.get_by_role("button", name="减免").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("table")).to_contain_text("独居老人，经楼栋长核实")
    checkpoint("fees-billing-waiver.png")
