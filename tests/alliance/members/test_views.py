"""The members part's pages: signing up (and its refusals), applying, the officers' review,
shops, the pledge, the charter, the district office's alliances and the landing pages; who
may open what."""

from __future__ import annotations

from datetime import timedelta

from flask_login import current_user  # noqa: F401 - the app's login manager is loaded
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Alliance,
    Membership,
    MembershipStatus,
    Merchant,
    Pledge,
    Role,
    Shop,
    UpgradeStatus,
    User,
)
from app.periods import shanghai_today
from tests import factories
from tests.conftest import csrf_token

HX = {"HX-Request": "true"}
EN = {"Accept-Language": "en"}


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def signup_data(client, **fields) -> dict:  # type: ignore[no-untyped-def]
    return {
        "csrf_token": csrf_token(client, "/alliance/signup"),
        "business_name": "江畔老宅民宿",
        "credit_code": factories.credit_code(4242),
        "legal_representative": "王老板",
        "contact_name": "王小姐",
        "contact_phone": "138 1234 5678",
        "username": "jiangpan",
        "password": "a long password",
        "confirm_password": "a long password",
    } | fields


def member_client(login_as, street: Alliance | None = None):  # type: ignore[no-untyped-def]
    member = factories.membership(to=street)
    merchant = db.session.get(Merchant, member.merchant_id)
    client = login_as(user=db.session.get(User, merchant.user_id))
    client.merchant, client.membership = merchant, member  # type: ignore[attr-defined]
    return client


# --- signing up ------------------------------------------------------------------------------


def test_a_visitor_signs_up_and_is_signed_in_to_apply(client):
    data = signup_data(client)
    code = data["credit_code"]
    data["credit_code"] = f"{code[:9].lower()} {code[9:]}"
    response = client.post("/alliance/signup", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/alliance/apply"
    merchant = db.session.scalar(select(Merchant))
    assert merchant.credit_code == code and merchant.contact_phone == "13812345678"
    assert db.session.get(User, merchant.user_id).role == Role.MERCHANT
    assert "江畔老宅民宿" in text(client.get("/alliance/"))


def test_a_wrong_check_character_is_refused_keeping_what_was_typed(client):
    code = factories.credit_code(4242)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = client.post(
        "/alliance/signup", data=signup_data(client, credit_code=wrong), headers=EN | HX
    )
    assert response.status_code == 422
    html = text(response)
    assert "check character" in html and f'value="{wrong}"' in html
    assert 'value="江畔老宅民宿"' in html
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_the_refusal_is_in_chinese_by_default(client):
    response = client.post("/alliance/signup", data=signup_data(client, credit_code="123"))
    assert response.status_code == 422 and "18" in text(response)


def test_a_credit_code_registered_already_is_refused_with_a_message(client):
    taken = factories.merchant()
    response = client.post(
        "/alliance/signup", data=signup_data(client, credit_code=taken.credit_code), headers=EN
    )
    assert response.status_code == 422
    assert "already registered" in text(response)
    assert db.session.scalar(select(func.count(Merchant.id))) == 1


def test_sign_up_is_rate_limited(app, database):
    app.config["SIGNUP_RATE_LIMIT"] = "3 per minute"
    try:
        spammer = app.test_client()
        spammer.environ_base["REMOTE_ADDR"] = "203.0.113.77"
        statuses = [
            spammer.post("/alliance/signup", data=signup_data(spammer, credit_code="x")).status_code
            for _ in range(4)
        ]
        assert statuses == [422, 422, 422, 429]
    finally:
        app.config["SIGNUP_RATE_LIMIT"] = "1000 per minute"


def test_a_merchant_account_without_a_business_registers_it(login_as):
    client = login_as(Role.MERCHANT)
    assert "Register my business" in text(client.get("/alliance/", headers=EN))
    page = text(client.get("/alliance/signup"))
    assert 'name="credit_code"' in page and 'name="username"' not in page
    data = signup_data(client)
    response = client.post("/alliance/signup", data=data)
    assert response.status_code == 302
    assert db.session.scalar(select(Merchant.user_id)) == client.user.id


def test_other_roles_are_told_to_sign_out(login_as):
    client = login_as(Role.MANAGER, user=factories.user(Role.ADMIN))
    html = text(client.get("/alliance/signup", headers=EN))
    assert "Sign out first" in html and 'name="credit_code"' not in html


# --- applying and deciding -------------------------------------------------------------------


def test_a_merchant_applies_and_sees_only_their_application(login_as):
    street = factories.alliance(name="弹子石老街商业联盟")
    merchant = factories.merchant()
    client = login_as(user=db.session.get(User, merchant.user_id))
    response = client.post(
        "/alliance/apply",
        data={
            "csrf_token": csrf_token(client, "/alliance/apply"),
            "alliance_id": street.id,
            "message": "<b>三家店</b>",
        },
    )
    assert response.status_code == 302
    landing = text(client.get("/alliance/", headers=EN))
    assert "弹子石老街商业联盟" in landing and "Awaiting a decision" in landing
    assert "Add a shop" not in landing
    # Not a member yet: no shops.
    assert client.get("/alliance/shops/new").status_code == 302
    again = client.post(
        "/alliance/apply",
        data={"csrf_token": csrf_token(client, "/alliance/apply"), "alliance_id": street.id},
        headers=EN,
    )
    assert again.status_code == 422 and "already applied" in text(again)


def test_an_application_to_an_unknown_alliance_is_refused(login_as):
    merchant = factories.merchant()
    client = login_as(user=db.session.get(User, merchant.user_id))
    response = client.post(
        "/alliance/apply",
        data={"csrf_token": csrf_token(client, "/alliance/apply"), "alliance_id": "99999"},
    )
    assert response.status_code == 422


def test_the_officer_reviews_the_oldest_first_and_declines_with_a_reason(login_as):
    street = factories.alliance()
    later = factories.membership(
        factories.merchant(business_name="后来的店"), street, status=MembershipStatus.APPLIED
    )
    earlier = factories.membership(
        factories.merchant(business_name="先来的店"), street, status=MembershipStatus.APPLIED,
        message="<script>alert(1)</script>",
    )  # fmt: skip
    earlier.created_at = later.created_at - timedelta(days=3)
    db.session.commit()
    officer = login_as(user=factories.officer(street))
    html = text(officer.get("/alliance/applications", headers=EN))
    assert html.index("先来的店") < html.index("后来的店") and "3 days" in html
    page = text(officer.get(f"/alliance/applications/{earlier.id}"))
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    path = f"/alliance/applications/{earlier.id}"
    token = csrf_token(officer, path)
    refused = officer.post(path, data={"csrf_token": token, "decision": "decline"}, headers=EN)
    assert refused.status_code == 422 and "Say why" in text(refused)
    done = officer.post(
        path, data={"csrf_token": token, "decision": "decline", "reason": "不在本街经营"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Membership, earlier.id).status is MembershipStatus.DECLINED
    # Decided: the page shows the decision, a second decision changes nothing.
    again = officer.post(path, data={"csrf_token": token, "decision": "approve"})
    assert again.status_code == 200
    db.session.expire_all()
    assert db.session.get(Membership, earlier.id).status is MembershipStatus.DECLINED
    merchant = db.session.get(Merchant, earlier.merchant_id)
    merchant_client = login_as(user=db.session.get(User, merchant.user_id))
    landing = text(merchant_client.get("/alliance/", headers=EN))
    assert "不在本街经营" in landing and "Apply to an alliance" in landing


def test_an_officer_approves_and_the_member_gets_shops_and_the_pledge(login_as):
    street = factories.alliance()
    row = factories.membership(to=street, status=MembershipStatus.APPLIED)
    officer = login_as(user=factories.officer(street))
    path = f"/alliance/applications/{row.id}"
    response = officer.post(
        path, data={"csrf_token": csrf_token(officer, path), "decision": "approve"}
    )
    assert response.status_code == 302
    merchant = db.session.get(Merchant, row.merchant_id)
    client = login_as(user=db.session.get(User, merchant.user_id))
    landing = text(client.get("/alliance/", headers=EN))
    assert "Add a shop" in landing and "not signed the pledge" in landing


def test_an_officer_cannot_reach_another_alliances_application(login_as):
    row = factories.membership(status=MembershipStatus.APPLIED)
    officer = login_as(user=factories.officer())
    assert officer.get(f"/alliance/applications/{row.id}").status_code == 404
    response = officer.post(
        f"/alliance/applications/{row.id}",
        data={"csrf_token": csrf_token(officer, "/alliance/"), "decision": "approve"},
    )
    assert response.status_code == 404
    assert db.session.get(Membership, row.id).status is MembershipStatus.APPLIED


def test_a_merchant_cannot_decide(login_as):
    client = member_client(login_as)
    row = factories.membership(
        to=db.session.get(Alliance, client.membership.alliance_id), status=MembershipStatus.APPLIED
    )
    path = f"/alliance/applications/{row.id}"
    assert (
        client.post(
            path, data={"csrf_token": csrf_token(client, "/alliance/"), "decision": "approve"}
        ).status_code
        == 403
    )


# --- shops -----------------------------------------------------------------------------------


def shop_data(client, path: str, **fields) -> dict:  # type: ignore[no-untyped-def]
    return {
        "csrf_token": csrf_token(client, path),
        "alliance_id": client.membership.alliance_id,
        "name": "江景茶馆",
        "address": "老街8号",
        "category": "bar_cafe",
        "origin": "new",
        "floor_area_m2": "36.5",
        "opening_hours": "10:00–22:00",
        "description": "<img src=x onerror=alert(1)>",
        "public_phone": "",
    } | fields


def test_a_member_adds_and_edits_a_shop(login_as):
    client = member_client(login_as)
    response = client.post("/alliance/shops/new", data=shop_data(client, "/alliance/shops/new"))
    assert response.status_code == 302
    shop = db.session.scalar(select(Shop))
    assert str(shop.floor_area_m2) == "36.50" and shop.merchant_id == client.merchant.id
    path = f"/alliance/shops/{shop.id}/edit"
    assert 'value="36.5"' in text(client.get(path))
    edited = client.post(
        path, data=shop_data(client, path, name="江景茶馆·二楼", public_phone="02362881234")
    )
    assert edited.status_code == 302
    db.session.expire_all()
    assert db.session.get(Shop, shop.id).public_phone == "023-62881234"
    landing = text(client.get("/alliance/"))
    assert "江景茶馆·二楼" in landing and "<img src=x" not in landing


def test_bad_shop_input_is_refused_keeping_it(login_as):
    client = member_client(login_as)
    for area, says in (("0", "more than 0"), ("12.345", "two decimals"), ("lots", "e.g. 48.5")):
        response = client.post(
            "/alliance/shops/new",
            data=shop_data(client, "/alliance/shops/new", floor_area_m2=area, category="bank"),
            headers=EN | HX,
        )
        assert response.status_code == 422
        html = text(response)
        assert f'value="{area}"' in html and "Choose one of the options" in html
        assert says in html or "e.g. 48.5" in html
    assert db.session.scalar(select(func.count(Shop.id))) == 0


def test_a_merchant_cannot_edit_another_merchants_shop(login_as):
    client = member_client(login_as)
    theirs = factories.shop()
    path = f"/alliance/shops/{theirs.id}/edit"
    assert client.get(path).status_code == 404
    assert client.post(path, data=shop_data(client, "/alliance/shops/new")).status_code == 404


def test_the_officer_searches_the_alliances_shops(login_as):
    street = factories.alliance()
    member = factories.membership(to=street)
    merchant = db.session.get(Merchant, member.merchant_id)
    factories.shop(merchant, street, name="江景茶馆")
    factories.shop(merchant, street, name="老宅民宿")
    factories.shop(name="江景别家")  # another alliance's
    officer = login_as(user=factories.officer(street))
    html = text(officer.get("/alliance/shops?q=江景", headers=HX))
    assert "江景茶馆" in html and "老宅民宿" not in html and "江景别家" not in html
    admin = login_as(Role.ADMIN)
    assert "江景别家" in text(admin.get("/alliance/shops?q=江景"))


# --- the pledge and the charter --------------------------------------------------------------


def test_a_member_signs_the_pledge_and_is_reminded_before_it_lapses(login_as):
    client = member_client(login_as)
    path = f"/alliance/memberships/{client.membership.id}/pledge"
    refused = client.post(path, data={"csrf_token": csrf_token(client, path)}, headers=EN)
    assert refused.status_code == 422 and "Tick the box" in text(refused)
    signed = client.post(path, data={"csrf_token": csrf_token(client, path), "agree": "y"})
    assert signed.status_code == 302
    pledge = db.session.scalar(select(Pledge))
    assert pledge.signed_on == shanghai_today()
    assert "Pledge in force" in text(client.get("/alliance/", headers=EN))
    assert 'name="agree"' not in text(client.get(path))
    pledge.expires_on = shanghai_today() + timedelta(days=12)
    db.session.commit()
    assert "lapses on" in text(client.get("/alliance/", headers=EN))
    pledge.signed_on = shanghai_today() - timedelta(days=366)
    pledge.expires_on = shanghai_today() - timedelta(days=1)
    db.session.commit()
    assert "lapsed on" in text(client.get("/alliance/", headers=EN))
    renewed = client.post(path, data={"csrf_token": csrf_token(client, path), "agree": "y"})
    assert renewed.status_code == 302
    assert db.session.scalar(select(func.count(Pledge.id))) == 2


def test_the_officer_words_the_charter_and_new_pledges_sign_it(login_as):
    street = factories.alliance()
    officer = login_as(user=factories.officer(street))
    path = f"/alliance/alliances/{street.id}/charter"
    data = {
        "csrf_token": csrf_token(officer, path),
        "honest_trading": "明码标价，<b>假一赔十</b>。",
        "fair_competition": "不打价格战。",
        "differentiated_offers": "一街一品。",
        "shared_traffic": "",
    }
    refused = officer.post(path, data=data, headers=EN)
    assert refused.status_code == 422 and "Word each" in text(refused)
    saved = officer.post(path, data=data | {"shared_traffic": "客人互荐。"})
    assert saved.status_code == 302
    page = text(officer.get(f"/alliance/alliances/{street.id}"))
    assert "&lt;b&gt;假一赔十&lt;/b&gt;" in page
    other = factories.alliance()
    assert officer.get(f"/alliance/alliances/{other.id}/charter").status_code == 404


# --- the district office ---------------------------------------------------------------------


def test_the_district_office_lists_and_creates_alliances(login_as):
    factories.alliance(name="弹子石老街商业联盟")
    free = factories.user(Role.OFFICER, display_name="新官员")
    admin = login_as(Role.ADMIN)
    assert "弹子石老街商业联盟" in text(admin.get("/alliance/alliances"))
    path = "/alliance/alliances/new"
    data = {
        "csrf_token": csrf_token(admin, path),
        "name": "滨江路商业联盟",
        "street": "滨江路",
        "city": "宜昌市",
        "district": "西陵区",
        "officer_id": free.id,
    }
    taken = admin.post(path, data=data | {"name": "弹子石老街商业联盟"}, headers=EN)
    assert taken.status_code == 422 and "exists already" in text(taken)
    made = admin.post(path, data=data)
    assert made.status_code == 302
    officer = login_as(user=free)
    assert "滨江路商业联盟" in text(officer.get("/alliance/"))


# --- the officer's landing page --------------------------------------------------------------


def test_the_officers_landing_page_shows_the_queues_and_totals(login_as):
    street = factories.alliance()
    factories.membership(
        factories.merchant(business_name="等待中的店"), street, status=MembershipStatus.APPLIED
    )
    member = factories.membership(factories.merchant(business_name="要续约的店"), street)
    merchant = db.session.get(Merchant, member.merchant_id)
    factories.pledge(merchant, street, signed_on=shanghai_today() - timedelta(days=350))
    shop = factories.shop(merchant, street, name="待审的店")
    factories.upgrade(shop, status=UpgradeStatus.SUBMITTED, investment_fen=12_345_600)
    factories.upgrade(factories.shop(merchant, street), investment_fen=100_000_00)
    officer = login_as(user=factories.officer(street))
    html = text(officer.get("/alliance/", headers=EN))
    for shown in (
        "等待中的店",
        "待审的店",
        "¥123,456.00",
        "要续约的店",
        "Pledge lapsing soon",
        "¥100,000.00",
    ):
        assert shown in html, shown


def test_an_officer_without_an_alliance_is_told_so(login_as):
    officer = login_as(Role.OFFICER)
    assert "runs no alliance" in text(officer.get("/alliance/", headers=EN))
    assert officer.get("/alliance/applications").status_code == 302
