"""The alliance's members end to end, in a real browser: a visitor signs up their business on
a phone (a wrong check character in the credit code is refused first, with what they typed
kept) and applies to the street's alliance; the officer, at the desk, sees the application
waiting on their landing page and approves it; the merchant, on the phone again, adds a shop
and signs the four-mechanism pledge, and their landing page shows the shop, an upgrade an
officer returned with what to fix, and the pledge in force."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import AllianceOfficer, Merchant, Shop, ShopOrigin, UpgradeStatus, User
from app.periods import shanghai_today
from tests import factories
from tests.browser.helpers import Check, Watch, screenshot, sign_in, submit_and_follow


def street_with_members() -> None:
    """The alliance of 弹子石老街, run by the demo officer, with a member whose upgrade is
    approved, another's waiting for review and a pledge about to lapse."""
    street = factories.alliance(
        name="弹子石老街商业联盟", street="弹子石老街", city="重庆市", district="南岸区"
    )
    officer = db.session.scalar(select(User).where(User.username == "officer"))
    db.session.add(AllianceOfficer(alliance_id=street.id, user_id=officer.id))
    db.session.commit()
    tea = factories.merchant(business_name="江景茶社")
    factories.membership(tea, street)
    factories.pledge(tea, street, signed_on=shanghai_today() - timedelta(days=350))
    factories.upgrade(factories.shop(tea, street, name="江景茶社"), investment_fen=18_600_000)
    inn = factories.merchant(business_name="老宅民宿")
    factories.membership(inn, street)
    factories.upgrade(
        factories.shop(inn, street, name="老宅民宿", origin=ShopOrigin.NEW),
        status=UpgradeStatus.SUBMITTED,
        investment_fen=32_000_000,
    )
    factories.alliance(name="宜昌滨江商业联盟", street="滨江路", city="宜昌市", district="西陵区")
    db.session.remove()


def test_a_merchant_signs_up_on_a_phone_is_approved_adds_a_shop_and_pledges(
    page: Page,
    phone: BrowserContext,
    watch: Watch,
    check_page: Check,
    write_screenshots: bool,
) -> None:
    street_with_members()
    code = factories.credit_code(31415)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")

    # A visitor signs up on their phone; the check character is wrong the first time.
    mobile = phone.new_page()
    visitor = watch(mobile)
    visitor.expect_status(422)
    mobile.goto("/login")
    with mobile.expect_navigation():
        mobile.get_by_role("link", name="注册商户").click()
    check_page(visitor)
    form = mobile.locator("#signup-form")
    form.locator("[name=business_name]").fill("江畔小面馆")
    form.locator("[name=credit_code]").fill(wrong.lower())
    form.locator("[name=legal_representative]").fill("陈师傅")
    form.locator("[name=contact_name]").fill("陈师傅")
    form.locator("[name=contact_phone]").fill("138 2345 6789")
    form.locator("[name=username]").fill("xiaomian")
    form.locator("[name=password]").fill("a long password")
    form.locator("[name=confirm_password]").fill("a long password")
    form.get_by_role("button", name="注册我的商户").click()
    error = mobile.locator("#credit_code-error")
    expect(error).to_contain_text("校验码")
    expect(mobile.locator("[name=credit_code]")).to_have_value(wrong.lower())
    expect(mobile.locator("[name=business_name]")).to_have_value("江畔小面馆")
    screenshot(mobile, "alliance-signup-phone.png", write_screenshots)
    check_page(visitor)
    mobile.locator("[name=credit_code]").fill(code)
    # The passwords are not sent back: they are typed again.
    mobile.locator("[name=password]").fill("a long password")
    mobile.locator("[name=confirm_password]").fill("a long password")
    submit_and_follow(mobile, mobile.get_by_role("button", name="注册我的商户"))
    expect(mobile.locator(".flash-success")).to_contain_text("商户已注册")
    check_page(visitor)

    # They apply to the alliance of their street.
    mobile.locator("[name=alliance_id]").select_option(label="弹子石老街商业联盟 · 弹子石老街")
    mobile.locator("[name=message]").fill("在老街12号开一家小面馆。")
    submit_and_follow(mobile, mobile.get_by_role("button", name="提交申请"))
    expect(mobile.locator(".alliance-applications")).to_contain_text("待审批")
    expect(mobile.get_by_role("button", name="添加店铺")).to_have_count(0)
    check_page(visitor)

    # The officer sees it waiting on their landing page and approves it.
    desk = watch(page)
    desk.expect_status(422)
    sign_in(page, "officer")
    expect(page.locator("main h1")).to_have_text("弹子石老街商业联盟")
    expect(page.locator("main")).to_contain_text("江畔小面馆")
    expect(page.locator("main")).to_contain_text("老宅民宿")
    expect(page.locator("main")).to_contain_text("承诺即将到期")
    screenshot(page, "alliance-officer-landing.png", write_screenshots)
    check_page(desk)
    with page.expect_navigation():
        page.get_by_role("link", name="江畔小面馆").click()
    expect(page.locator("main")).to_contain_text("在老街12号开一家小面馆。")
    page.get_by_role("radio", name="不予批准").check()
    page.get_by_role("button", name="提交审批决定").click()
    expect(page.locator("#reason-error")).to_contain_text("请说明不予批准的原因")
    check_page(desk)
    page.get_by_role("radio", name="批准", exact=True).check()
    submit_and_follow(page, page.get_by_role("button", name="提交审批决定"))
    expect(page.locator(".flash-success")).to_contain_text("江畔小面馆 已成为联盟成员")
    check_page(desk)

    # The merchant, a member now, adds their shop and signs the pledge.
    mobile.goto("/alliance/")
    expect(mobile.locator("main")).to_contain_text("您还没有签署")
    with mobile.expect_navigation():
        mobile.get_by_role("button", name="添加店铺").click()
    shop = mobile.locator("#shop-form")
    shop.locator("[name=name]").fill("江畔小面馆")
    shop.locator("[name=address]").fill("弹子石老街12号")
    shop.locator("[name=category]").select_option(label="餐饮")
    mobile.get_by_role("radio", name="在改造后的街区新开的店").check()
    shop.locator("[name=floor_area_m2]").fill("42.5")
    shop.locator("[name=opening_hours]").fill("07:00–14:00")
    shop.locator("[name=description]").fill("重庆小面，<b>现煮</b>。")
    submit_and_follow(mobile, mobile.get_by_role("button", name="保存店铺"))
    expect(mobile.locator(".flash-info")).to_contain_text("江畔小面馆 已加入您的店铺")
    check_page(visitor)
    with mobile.expect_navigation():
        mobile.locator(".alliance-reminder").get_by_role("link", name="签署承诺").click()
    expect(mobile.locator(".alliance-charter")).to_contain_text("明码标价")
    mobile.locator("[name=agree]").check()
    submit_and_follow(mobile, mobile.get_by_role("button", name="签署承诺"))
    expect(mobile.locator(".flash-info")).to_contain_text("您的承诺有效期至")

    # An upgrade an officer returned: the landing page says what to fix.
    merchant = db.session.scalar(select(Merchant).where(Merchant.credit_code == code))
    noodle = db.session.scalar(select(Shop).where(Shop.merchant_id == merchant.id))
    factories.upgrade(noodle, status=UpgradeStatus.RETURNED, investment_fen=6_800_000)
    db.session.remove()
    mobile.reload()
    main = mobile.locator("main")
    expect(main).to_contain_text("承诺有效")
    expect(main).to_contain_text("退回修改")
    expect(main).to_contain_text("请补充改造前照片")
    expect(main).to_contain_text("¥68,000.00")
    expect(main.locator(".alliance-reminder")).to_have_count(0)
    screenshot(mobile, "alliance-merchant-landing.png", write_screenshots)
    check_page(visitor)
