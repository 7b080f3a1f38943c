"""A shopfront upgrade's review in a real browser: a member merchant registers an upgrade of
their shop on a phone with a photo of the old front and submits it; the alliance's officer, at
the desk, finds it in the review queue and returns it with a reason; the merchant revises it
(revision 2, with what changed) and submits again; the officer reads what changed and approves
revision 2; the merchant adds a photo of the finished front and marks it completed."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from app.extensions import db
from app.models import Role
from tests import factories
from tests.browser.helpers import Check, Watch, follow_menu, screenshot, sign_in, submit_and_follow
from tests.factories.property import photo_bytes


def sideways(page: Page) -> int:
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_an_upgrade_returned_revised_approved_and_completed(
    page: Page,
    phone: BrowserContext,
    watch: Watch,
    check_page: Check,
    write_screenshots: bool,
    tmp_path: Path,
) -> None:
    street = factories.alliance(name="弹子石老街商业联盟", street="弹子石老街")
    factories.officer(street, username="laojie-officer", display_name="周主任")
    owner = factories.user(Role.MERCHANT, username="laojie-noodles", display_name="陈老板")
    member = factories.merchant(owner, business_name="重庆陈记面馆")
    factories.membership(member, street)
    factories.shop(member, street, name="陈记小面", address="弹子石老街18号")
    db.session.remove()
    old_front = tmp_path / "old-front.jpg"
    old_front.write_bytes(photo_bytes("JPEG", size=(800, 600)))
    new_front = tmp_path / "new-front.jpg"
    new_front.write_bytes(photo_bytes("JPEG", size=(800, 600)))

    # On the street, the merchant registers the upgrade on a phone.
    merchant = phone.new_page()
    shopkeeper = watch(merchant)
    sign_in(merchant, "laojie-noodles", factories.PASSWORD)
    follow_menu(merchant, "门头改造")
    expect(merchant.locator(".upgrade-shop-list")).to_contain_text("陈记小面")
    check_page(shopkeeper)
    with merchant.expect_navigation():
        merchant.get_by_role("button", name="登记门头改造").click()
    form = merchant.locator("#upgrade-form")
    form.get_by_label("改造内容").fill("更换门头招牌，外立面刷新，<b>老木门</b>翻新")
    form.get_by_label("投资额（元）").fill("150000")
    form.get_by_label("开工日期").fill("2026-09-01")
    form.get_by_label("完工日期").fill("2026-10-15")
    form.locator("input[type=file]").set_input_files(old_front)
    assert sideways(merchant) <= 0, "the registration scrolls sideways on a phone"
    submit_and_follow(merchant, form.get_by_role("button", name="保存草稿"))
    expect(merchant.locator(".flash-success")).to_contain_text("草稿")
    expect(merchant.locator(".upgrade-work").first).to_contain_text("<b>老木门</b>")
    expect(merchant.locator(".upgrade-photo-list img")).to_have_count(1)
    check_page(shopkeeper)
    detail_url = merchant.url
    submit_and_follow(merchant, merchant.get_by_role("button", name="提交第 1 版审核"))
    expect(merchant.locator("h1 .badge")).to_have_text("已提交待审")

    # At the desk, the officer returns it with what to fix.
    desk = watch(page)
    sign_in(page, "laojie-officer", factories.PASSWORD)
    follow_menu(page, "待审改造")
    expect(page.locator("#results")).to_contain_text("陈记小面")
    check_page(desk)
    with page.expect_navigation():
        page.locator("#results").get_by_role("link", name="陈记小面").click()
    review = page.locator("#review")
    expect(review.locator("h2")).to_have_text("审核第 1 版")
    desk.expect_status(422)
    review.get_by_role("button", name="退回商户").click()
    expect(review.locator(".field-error")).to_contain_text("请说明商户需要改正的内容")
    check_page(desk)
    page.locator("#review").get_by_label("商户需要改正什么？").fill(
        "请补充门头尺寸，投资额与报价单不符。"
    )
    submit_and_follow(page, page.locator("#review").get_by_role("button", name="退回商户"))
    expect(page.locator("h1 .badge")).to_have_text("退回修改")

    # The merchant revises it: revision 2, with what changed, and submits it again.
    merchant.goto(detail_url)
    expect(merchant.locator(".upgrade-returned")).to_contain_text("投资额与报价单不符")
    with merchant.expect_navigation():
        merchant.get_by_role("button", name="修改（生成新版本）").click()
    form = merchant.locator("#upgrade-form")
    form.get_by_label("改造内容").fill("更换门头招牌（3米×1.2米），外立面刷新，<b>老木门</b>翻新")
    form.get_by_label("投资额（元）").fill("168000.50")
    form.get_by_label("修改说明").fill("补充招牌尺寸，按报价单调整金额。")
    check_page(shopkeeper)
    submit_and_follow(merchant, form.get_by_role("button", name="保存第 2 版"))
    submit_and_follow(merchant, merchant.get_by_role("button", name="提交第 2 版审核"))
    expect(merchant.locator("h1 .badge")).to_have_text("已提交待审")

    # The officer reads what changed and approves revision 2.
    page.goto(detail_url)
    expect(page.locator("#review h2")).to_have_text("审核第 2 版")
    comparison = page.locator("#comparison")
    expect(comparison.locator("ins").first).to_contain_text("3米×1.2米")
    expect(comparison).to_contain_text("¥168,000.50")
    expect(page.locator(".upgrade-history-entry")).to_have_count(2)
    expect(page.locator(".upgrade-history")).to_contain_text("请补充门头尺寸")
    screenshot(page, "alliance-upgrade-review.png", write_screenshots)
    check_page(desk)
    submit_and_follow(page, page.locator("#review").get_by_role("button", name="通过第 2 版"))
    expect(page.locator("h1 .badge")).to_have_text("已通过")
    expect(page.locator(".upgrade-counted")).to_contain_text("¥168,000.50")
    check_page(desk)

    # The merchant adds a photo of the finished front and marks the upgrade completed.
    merchant.goto(detail_url)
    photos = merchant.locator("#photo-form")
    photos.locator("input[type=file]").set_input_files(new_front)
    submit_and_follow(merchant, photos.get_by_role("button", name="上传改造后照片"))
    expect(merchant.locator(".upgrade-photo-list img")).to_have_count(2)
    submit_and_follow(merchant, merchant.get_by_role("button", name="标记为已完工"))
    expect(merchant.locator("h1 .badge")).to_have_text("已完工")
    assert sideways(merchant) <= 0, "the upgrade's page scrolls sideways on a phone"
    screenshot(merchant, "alliance-upgrade-phone.png", write_screenshots)
    check_page(shopkeeper)
