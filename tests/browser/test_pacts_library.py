"""A corridor pact from the clause library to its second version, in a real browser: the
manager drafts the pact of 兴隆苑 building 1, unit 1 from the built-in clauses, rearranges and
adds clauses with the editor's buttons, saves version 1, edits it into version 2 and reads what
changed — on a desk screen, then the comparison on a phone."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.helpers import Checkpoint, htmx_idle, sign_in, submit_and_follow


def test_draft_edit_and_compare_a_pact(
    page: Page, phone: BrowserContext, checkpoint: Checkpoint
) -> None:
    sign_in(page, "manager")
    page.goto("/pacts/library")
    expect(page.locator("#communities")).to_contain_text("兴隆苑")
    checkpoint()
    with page.expect_navigation():
        page.locator("#communities").get_by_role("link", name="兴隆苑").click()
    row = page.locator("#units tr", has_text="1栋1单元")
    expect(row).to_contain_text("尚未通过")
    checkpoint()

    # Where to start: the built-in clauses, all ticked.
    with page.expect_navigation():
        row.get_by_role("link", name="起草公约").click()
    expect(page.get_by_role("heading", name="起草1栋1单元楼道公约")).to_be_visible()
    checkpoint("pacts-library-start.png")
    with page.expect_navigation():
        page.get_by_role("button", name="编辑所选条款").click()
    editor = page.locator("#pact-editor")
    expect(page.locator("#title")).to_have_value("1栋1单元楼道公约")
    expect(page.locator("#clauses-0-title")).to_have_value("楼道畅通，守护消防通道")
    checkpoint()

    # The rows' buttons swap the editor in place and keep what was typed.
    page.locator("#clauses-0-body").fill("楼道内不堆放任何杂物。")
    editor.get_by_role("button", name="第2条上移").click()
    expect(page.locator("#clauses-0-title")).to_have_value("电动车不进楼、不上楼充电")
    expect(page.locator("#clauses-1-body")).to_have_value("楼道内不堆放任何杂物。")
    editor.get_by_role("button", name="添加空白条款").click()
    expect(page.locator("#clauses-9-title")).to_be_focused()
    page.locator("#clauses-9-title").fill("电梯文明")
    page.locator("#clauses-9-body").fill("不在电梯内吸烟，不乱扔垃圾。")
    checkpoint("pacts-library-editor.png")
    submit_and_follow(page, editor.get_by_role("button", name="保存为第1版"))
    expect(page.locator(".flash-success")).to_contain_text("公约已起草")
    expect(page.locator(".pact-clauses > li")).to_have_count(10)
    checkpoint("pacts-library-pact.png")

    # Version 2: quiet hours half an hour earlier, the last clause gone.
    with page.expect_navigation():
        page.get_by_role("button", name="修改：保存为新版本").click()
    quiet = page.locator("[id$='-title'][value='安静时段']").get_attribute("id")
    body = page.locator("#" + quiet.removesuffix("title") + "body")
    body.fill(body.input_value().replace("22:00", "21:30"))
    editor.get_by_role("button", name="删除第10条").click()
    expect(page.locator("#clauses-9-title")).to_have_count(0)
    htmx_idle(page)
    page.get_by_label("修改说明").fill("安静时段提前到21:30")
    submit_and_follow(page, editor.get_by_role("button", name="保存为第2版"))
    expect(page.locator(".flash-success")).to_contain_text("第2版已保存")
    checkpoint()

    with page.expect_navigation():
        page.get_by_role("button", name="与第1版相比的改动").click()
    expect(page.locator(".pact-diff ins", has_text="21:30")).to_be_visible()
    expect(page.locator(".pact-diff del", has_text="22:00")).to_be_visible()
    expect(page.locator(".diff-summary")).to_contain_text("删除条款 · 1")
    checkpoint("pacts-library-compare.png")
    compare_path = re.sub(r"^https?://[^/]+", "", page.url)
    with page.expect_navigation():
        page.locator("nav[aria-label=breadcrumb]").get_by_role("link", name="兴隆苑").click()
    expect(page.locator("#units tr", has_text="1栋1单元")).to_contain_text("1栋1单元楼道公约")
    checkpoint("pacts-library-community.png")

    # The same comparison fits a phone.
    mobile = phone.new_page()
    sign_in(mobile, "manager")
    mobile.goto(compare_path)
    expect(mobile.locator(".pact-diff ins", has_text="21:30")).to_be_visible()
    assert mobile.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
