"""The fee cycle in one go, in a real browser, on the bare demo (no bills yet): a manager adds
兴隆苑's property fee, bills this month, takes the resident's payment at the counter and prints
the receipt; the resident then sees that month paid on their phone and opens the receipt."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from app.periods import current_period, format_period
from tests.browser.helpers import PHONE, Check, Watch, follow_menu, preview_billing, sign_in

# 1栋1单元101室 of 兴隆苑 (the `resident` account's home) measures 72.40 m².
RATE = "1.50"
AMOUNT = "¥108.60"  # 72.40 m² × ¥1.50


def test_bill_a_month_take_the_payment_print_the_receipt_resident_sees_it_paid(
    page: Page, browser: Browser, base_url: str, watch: Watch, check_page: Check
) -> None:
    month = format_period(current_period())
    watched = watch(page)
    sign_in(page, "manager")

    page.get_by_role("link", name="收费开账").click()
    page.get_by_role("link", name="兴隆苑").click()
    new_item = page.locator("#new-item")
    new_item.get_by_label("名称").fill("物业费")
    new_item.get_by_label("单价（元）").fill(RATE)
    new_item.get_by_label("起始月份").fill(month)
    with page.expect_navigation():
        new_item.get_by_role("button", name="添加收费项目").click()
    expect(page.locator("article.fee-item", has_text="物业费")).to_contain_text("¥1.50")
    check_page(watched)

    page.get_by_role("link", name="收费开账").first.click()
    preview = preview_billing(page, month, "兴隆苑")
    expect(preview).to_contain_text(f"预览：{month}，兴隆苑")
    with page.expect_navigation():
        preview.get_by_role("button", name="开出").click()
    expect(page.locator(".flash-success")).to_contain_text(f"已开出 {month} 账单")
    check_page(watched)

    page.get_by_role("link", name="收银台").click()
    page.get_by_label("房号、业主或电话").press_sequentially("1-1-101", delay=40)
    results = page.locator("#counter-results")
    expect(results.get_by_role("link")).to_have_count(1)
    results.get_by_role("link").click()
    bill = page.locator("fieldset.bills-to-pay tbody tr", has_text=month)
    expect(bill).to_have_count(1)
    expect(bill).to_contain_text(AMOUNT)
    page.get_by_label("实收金额（元）").fill(AMOUNT.removeprefix("¥"))
    page.get_by_label("现金").check()
    with page.expect_navigation():
        page.get_by_role("button", name="确认收款").click()
    expect(page.get_by_role("heading", name="收款收据")).to_be_visible()
    receipt_no = page.locator(".receipt-no strong").inner_text()
    assert re.fullmatch(rf"XSZ-{month[:4]}-\d{{6}}", receipt_no)
    expect(page.locator(".receipt-capital")).to_contain_text("壹佰零捌元陆角整")
    expect(page.locator(".receipt-items")).to_contain_text(month)
    check_page(watched)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    page.emulate_media(media="screen")

    # The resident, on their own phone.
    phone = browser.new_context(base_url=base_url, viewport=PHONE, locale="zh-CN")
    resident = phone.new_page()
    resident_watch = watch(resident)
    sign_in(resident, "resident")
    follow_menu(resident, "我的缴费")
    expect(resident.get_by_role("heading", name="我的缴费", level=1)).to_be_visible()
    expect(resident.locator(".standing-paid")).to_be_visible()
    this_month = resident.locator("details.fee-month", has_text=month)
    expect(this_month.locator("summary .badge")).to_have_text("已缴")
    this_month.locator("summary").click()
    expect(this_month).to_contain_text(AMOUNT)
    check_page(resident_watch)
    resident.get_by_role("link", name=receipt_no).click()
    expect(resident.get_by_role("heading", name="收款收据")).to_be_visible()
    expect(resident.locator(".receipt-capital")).to_contain_text("壹佰零捌元陆角整")
    check_page(resident_watch)
    phone.close()
