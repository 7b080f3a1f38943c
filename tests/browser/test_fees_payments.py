"""Payments in a real browser: a manager finds a household at the counter as they type, ticks
two bills, takes the money by WeChat, prints the receipt on A5, submits the same form again and
gets the same receipt, reverses a payment with a reason; the daily cash report; a resident
opens their receipt on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import Payment, ResidentHousehold, User
from app.periods import current_period, format_period
from tests.browser.helpers import PHONE, Checkpoint, sign_in

pytestmark = pytest.mark.usefixtures("fees_demo")


def payments() -> int:
    count = db.session.scalar(select(func.count(Payment.id)))
    db.session.remove()
    return count


def test_a_manager_takes_a_payment_prints_the_receipt_and_reverses_it(
    page: Page, checkpoint: Checkpoint
) -> None:
    month = format_period(current_period())
    sign_in(page, "manager")
    page.get_by_role("link", name="收银台").click()
    expect(page.get_by_role("heading", name="收银台", level=1)).to_be_visible()
    checkpoint()

    # The results come as the clerk types, without pressing search.
    page.get_by_label("房号、业主或电话").press_sequentially("1-1-101", delay=40)
    results = page.locator("#counter-results")
    expect(results.get_by_role("link")).to_have_count(1)
    expect(results).to_contain_text("兴隆苑 · 1栋1单元101室")
    checkpoint()
    results.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("兴隆苑 · 1栋1单元101室")
    checkpoint()

    bills = page.locator("fieldset.bills-to-pay tbody tr", has_text=month)
    expect(bills).to_have_count(2)
    total = 0.0
    for row in bills.all():
        row.get_by_role("checkbox").check()
        owed = row.locator("td.num").last.inner_text()
        total += float(owed.replace("¥", "").replace(",", ""))
    page.get_by_label("实收金额（元）").fill(f"{total:.2f}")
    page.get_by_label("微信支付").check()
    checkpoint("fees-counter.png")

    checkpoint.expect_status(422)
    page.get_by_label("实收金额（元）").fill("12.345")
    page.get_by_role("button", name="确认收款").click()
    expect(page.locator("#pay-form .field-error")).to_contain_text("最多两位小数")
    expect(page.get_by_label("实收金额（元）")).to_have_value("12.345")
    expect(page.get_by_label("微信支付")).to_be_checked()
    for row in bills.all():
        expect(row.get_by_role("checkbox")).to_be_checked()
    page.get_by_label("实收金额（元）").fill(f"{total:.2f}")
    checkpoint()

    # What the browser sends, kept to send the very same form a second time.
    form = page.locator("#pay-form form")
    fields = {
        name: form.locator(f"input[name={name}]").first.input_value()
        for name in ("csrf_token", "token", "amount")
    }
    before = payments()
    with page.expect_navigation():
        page.get_by_role("button", name="确认收款").dblclick()
    expect(page.get_by_role("heading", name="收款收据")).to_be_visible()
    receipt_no = page.locator(".receipt-no strong").inner_text()
    assert re.fullmatch(r"XSZ-\d{4}-\d{6}", receipt_no)
    expect(page.locator(".receipt")).to_contain_text("微信支付")
    expect(page.locator(".receipt")).to_contain_text("新守正物业 · 前台")
    expect(page.locator(".receipt-capital")).to_contain_text("元")
    expect(page.locator(".receipt-items tbody tr")).to_have_count(2)
    assert payments() == before + 1
    checkpoint()
    receipt_url = page.url

    checkpoint.screenshot("fees-receipt.png")
    # Printed: only the receipt, on one A5 page.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".receipt-actions")).to_be_hidden()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    page.emulate_media(media="screen")

    # The same form sent again (a retry, a second click that got through): the same receipt.
    household_url = page.get_by_role("link", name="返回该住户").get_attribute("href")
    again = page.request.post(
        household_url,
        form={**fields, "method": "wechat"},
        headers={"X-CSRFToken": fields["csrf_token"]},
    )
    assert again.ok
    assert again.url == receipt_url
    assert receipt_no in again.text()
    assert payments() == before + 1

    page.get_by_role("link", name="冲正这笔收款").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(receipt_no)
    checkpoint()
    page.get_by_role("button", name="冲正收款").click()
    expect(page.locator("#reverse-form .field-error")).to_contain_text("请填写冲正原因")
    page.get_by_label("冲正原因").fill("业主改用现金缴费")
    with page.expect_navigation():
        page.get_by_role("button", name="冲正收款").click()
    expect(page.get_by_role("heading", name="冲正收据")).to_be_visible()
    expect(page.locator(".receipt")).to_contain_text(receipt_no)
    expect(page.locator(".receipt")).to_contain_text("业主改用现金缴费")
    expect(page.locator(".receipt-capital")).to_contain_text("负")
    checkpoint("fees-reversal-receipt.png")

    page.get_by_role("link", name="返回该住户").click()
    expect(page.locator("#payment-history")).to_contain_text("已由")
    expect(page.locator("fieldset.bills-to-pay tbody tr", has_text=month)).to_have_count(2)
    checkpoint()


def test_the_daily_cash_report(page: Page, checkpoint: Checkpoint) -> None:
    sign_in(page, "manager")
    page.get_by_role("link", name="收费日结").click()
    expect(page.get_by_role("heading", name="收费日结", level=1)).to_be_visible()
    expect(page.locator("#daily-report")).to_contain_text("按收费员")
    checkpoint("fees-daily-report.png")
    page.get_by_label("日期").fill("2026-02-03")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("#daily-report h2")).to_contain_text("2026-02-03")
    checkpoint()


def test_a_resident_opens_a_receipt_on_a_phone(page: Page, checkpoint: Checkpoint) -> None:
    receipt_id = db.session.scalar(
        select(Payment.id)
        .join(ResidentHousehold, ResidentHousehold.household_id == Payment.household_id)
        .join(User, User.id == ResidentHousehold.user_id)
        .where(User.username == "resident")
        .order_by(Payment.id.desc())
        .limit(1)
    )
    db.session.remove()
    page.set_viewport_size(PHONE)
    sign_in(page, "resident")
    page.goto(f"/fees/receipts/{receipt_id}")
    expect(page.get_by_role("heading", name="收款收据")).to_be_visible()
    expect(page.locator(".receipt")).to_contain_text("1栋1单元101室")
    checkpoint("fees-receipt-phone.png")
