"""Reports in a real browser: the district office reads the collection rates, drills down from
a company to its community to the households in arrears and opens a reminder slip; a resident
reads their fees on a phone and opens a receipt."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Community
from tests.browser.helpers import PHONE, Checkpoint, sign_in

pytestmark = pytest.mark.usefixtures("fees_demo")


def test_the_district_drills_from_rates_to_a_reminder_slip(
    page: Page, checkpoint: Checkpoint
) -> None:
    sign_in(page, "admin")
    page.get_by_role("link", name="收缴率").first.click()
    expect(page.get_by_role("heading", name="收缴率", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="各公司物业费收缴率")).to_be_visible()
    expect(page.locator(".rate-table tbody tr")).to_have_count(5)
    checkpoint("fees-collection-report.png")

    # A reversed range is explained, and what was typed stays.
    checkpoint.expect_status(422)
    page.locator("#first").fill("2026-05")
    page.locator("#last").fill("2026-01")
    page.get_by_role("button", name="查看").click()
    expect(page.locator(".field-error")).to_contain_text("起始月份晚于结束月份")
    expect(page.locator("#first")).to_have_value("2026-05")
    checkpoint()
    page.get_by_role("link", name="近 12 个月").click()
    expect(page.locator(".field-error")).to_have_count(0)

    page.get_by_role("link", name="新守正物业").click()
    expect(page.get_by_role("heading", name="收缴率 · 新守正物业", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="各小区停车费收缴率")).to_be_visible()
    checkpoint()

    page.locator(".rate-table").get_by_role("link", name="兴隆苑").click()
    expect(page.get_by_role("heading", name="欠费", level=1)).to_be_visible()
    expect(page.locator("#community_id")).to_have_value(str(_community_id("兴隆苑")))
    rows = page.locator(".arrears-table tbody tr")
    expect(rows.first).to_be_visible()
    # Narrow to the households three months or more behind, most owed first.
    page.locator("#min_months").fill("3")
    page.get_by_role("button", name="查看").click()
    expect(page).to_have_url(re.compile(r"min_months=3"))
    months = page.locator(".arrears-table tbody tr td:nth-child(3)")
    expect(months.first).to_be_visible()
    assert all(int(n) >= 3 for n in months.all_inner_texts())
    checkpoint("fees-arrears.png")

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    rows.first.get_by_role("link", name="催缴通知单").click()
    slip = page.locator("article.reminder")
    expect(slip.get_by_role("heading", name="催缴通知单")).to_be_visible()
    expect(slip.locator(".reminder-capital")).to_contain_text("元")
    checkpoint("fees-reminder.png")


def _community_id(name: str) -> int:
    community_id = db.session.scalar(select(Community.id).where(Community.name == name))
    db.session.remove()
    return community_id


def test_a_resident_reads_their_fees_on_a_phone(page: Page, checkpoint: Checkpoint) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, "resident")
    summary = page.locator(".fees-summary")
    expect(summary).to_contain_text("您欠费")
    checkpoint()

    summary.get_by_role("link", name="查看我的账单和收据").click()
    expect(page.get_by_role("heading", name="我的缴费", level=1)).to_be_visible()
    expect(page.locator(".standing-owed")).to_contain_text("您目前欠费")
    months = page.locator("details.fee-month")
    expect(months.first).to_contain_text("未缴")
    # On a phone the bills are cards: nothing scrolls sideways.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    checkpoint("fees-my-fees-phone.png")

    page.locator(".payments-table").get_by_role("link").first.click()
    expect(page.locator("article.receipt")).to_be_visible()
    checkpoint()
