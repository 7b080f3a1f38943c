"""A manager imports a roster in Chromium: a broken file is refused on the form, a file with
errors lists them by row and column, the corrected file is checked, applied with a progress
display, and its households appear in the community."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import Checkpoint, sign_in
from tests.property.imports.test_services import xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Building 9 of 兴隆苑 (the demo has eight): one unit, three floors, two homes a floor.
CORRECT = [
    ["9", "1", f"{floor}{room:02d}", floor, 78.35 + room, f"新住户{floor}{room}", "13912345678"]
    for floor in (1, 2, 3)
    for room in (1, 2)
]
WITH_ERRORS = [
    *CORRECT[:3],
    ["9", "1", "202", "二楼", "80.355", "", "1391234"],
    ["9", "1", "101", 1, 79.35, "重复的人", ""],
    ["1", "1", "101", 1, 72.4, "已有的人", ""],
]


def choose_file(page: Page, name: str, data: bytes) -> None:
    page.locator("input[type=file]").set_input_files(
        {"name": name, "mimeType": XLSX, "buffer": data}
    )


def submit_upload(page: Page) -> None:
    page.locator("#upload button[type=submit]").click()


def test_manager_imports_a_roster(page: Page, checkpoint: Checkpoint) -> None:
    checkpoint.expect_status(422)  # the broken file is refused with 422
    sign_in(page, "manager")
    page.locator("header").get_by_role("link", name="导入住户").click()
    expect(page.locator("main h1")).to_have_text("从 Excel 或 CSV 导入住户")
    checkpoint()

    # Random bytes named .xlsx: refused on the form, which keeps the community chosen.
    page.locator("select[name=community_id]").select_option(label="兴隆苑")
    choose_file(page, "乱码.xlsx", b"\x00\x17junk" * 200)
    submit_upload(page)
    expect(page.locator("#upload .field-error")).to_contain_text("不是 Excel 工作簿")
    expect(page.locator("select[name=community_id] option:checked")).to_have_text("兴隆苑")
    checkpoint("imports-upload.png")

    # A file with errors: the preview lists them by row and column, nothing is imported.
    choose_file(page, "兴隆苑9栋.xlsx", xlsx(WITH_ERRORS))
    with page.expect_navigation(url=re.compile(r"/property/imports/\d+$")):
        submit_upload(page)
    status = page.locator("#import-status")
    expect(status).to_have_class(re.compile(r"\bimport-invalid\b"))
    expect(status.locator("h2")).to_have_text("文件有错误，未导入任何数据")
    errors = status.locator("table tbody tr")
    expect(errors).to_have_count(6)
    expect(errors.nth(0)).to_contain_text("5")
    expect(errors.nth(0)).to_contain_text("楼层")
    expect(status).to_contain_text("最多两位小数")
    expect(status).to_contain_text("与文件第 2 行的房号重复")
    expect(status).to_contain_text("小区中已有此房号")
    checkpoint("imports-preview-errors.png")

    # The corrected file: checked, previewed, applied.
    with page.expect_navigation():
        status.get_by_role("button", name="上传修改后的文件").click()
    expect(page.locator("select[name=community_id] option:checked")).to_have_text("兴隆苑")
    choose_file(page, "兴隆苑9栋（改）.xlsx", xlsx(CORRECT))
    with page.expect_navigation(url=re.compile(r"/property/imports/\d+$")):
        submit_upload(page)
    expect(status.locator("h2")).to_have_text("每一行都正确")
    expect(status).to_contain_text("新楼栋 1 栋")
    expect(status.locator("table tbody tr")).to_have_count(6)
    checkpoint("imports-preview.png")
    with page.expect_navigation():
        status.get_by_role("button", name="全部导入（6 户）").click()
    # The progress section polls until the import is done, then stops.
    expect(status.locator("h2")).to_have_text("已导入", timeout=20_000)
    expect(status).not_to_have_attribute("hx-trigger", re.compile(".*"))
    expect(status).to_contain_text("兴隆苑新增 6 户")
    expect(status.locator("table tbody tr").filter(has_text="9栋")).to_contain_text("6")
    checkpoint("imports-done.png")

    with page.expect_navigation():
        status.get_by_role("button", name="查看兴隆苑").click()
    building = page.locator("main table tbody tr").filter(has_text="9栋")
    expect(building).to_contain_text("6")
    expect(page.locator("main table tbody tr")).to_have_count(9)
    checkpoint()

    # The history on the import page lists both attempts.
    page.goto("/property/imports/")
    expect(page.locator("#import-history tbody tr")).to_have_count(2)
    checkpoint()
