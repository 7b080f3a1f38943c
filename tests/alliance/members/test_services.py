"""The members part's rules: the credit code, signing up, applying and deciding, shops, the
charter and the pledge, and what the landing pages read."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_login import login_user
from sqlalchemy import func, select

from app.blueprints.alliance.members import services
from app.blueprints.alliance.members.services import Business, PledgeState
from app.extensions import db
from app.models import (
    Alliance,
    Membership,
    MembershipStatus,
    Merchant,
    Pledge,
    Role,
    ShopCategory,
    ShopOrigin,
    UpgradeRevision,
    UpgradeStatus,
    User,
)
from app.rules import RuleError
from tests import factories

TODAY = date(2026, 11, 18)


def business(code: str | None = None, **fields) -> Business:  # type: ignore[no-untyped-def]
    values = {
        "business_name": "老宅民宿",
        "credit_code": code or factories.credit_code(),
        "legal_representative": "王老板",
        "contact_name": "王小姐",
        "contact_phone": "13812345678",
    }
    return Business(**(values | fields))


def shop_values(**fields) -> dict:  # type: ignore[no-untyped-def]
    return {
        "name": "江景茶馆",
        "address": "老街8号",
        "category": ShopCategory.BAR_CAFE,
        "origin": ShopOrigin.NEW,
        "floor_area_m2": Decimal("36.50"),
        "opening_hours": "10:00–22:00",
        "description": "",
        "public_phone": None,
    } | fields


# --- the credit code -------------------------------------------------------------------------


def test_a_credit_code_is_stored_upper_case_without_spaces(app, database):
    code = factories.credit_code(7)
    typed = f" {code[:6].lower()} {code[6:12]}-{code[12:].lower()} "
    assert services.normalise_credit_code(typed) == code


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("91420500MA4F00007", "18 characters"),
        ("91420500MA4F0000O7", "digits and capital letters"),
    ],
)
def test_a_malformed_credit_code_is_refused_saying_why(app, database, typed, says):
    with (
        pytest.raises(RuleError) as refused,
        app.test_request_context(headers={"Accept-Language": "en"}),
    ):
        services.normalise_credit_code(typed)
        assert says in str(refused.value.message)
    assert refused.value.field == "credit_code"


def test_a_wrong_check_character_is_named(app, database):
    code = factories.credit_code(7)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(RuleError) as refused:
            services.normalise_credit_code(wrong)
        assert "check character" in str(refused.value.message)


# --- signing up ------------------------------------------------------------------------------


def test_signing_up_opens_a_merchant_account_with_its_business(app, database):
    merchant = services.sign_up("laozhai", "a long password", business())
    db.session.commit()
    account = db.session.get(User, merchant.user_id)
    assert account.role == Role.MERCHANT and account.check_password("a long password")
    assert services.current_merchant(account).id == merchant.id
    assert merchant.contact_phone == "13812345678"


def test_a_credit_code_registered_already_is_refused(app, database):
    taken = factories.merchant()
    with pytest.raises(RuleError) as refused:
        services.sign_up("newcomer", "a long password", business(taken.credit_code))
    assert refused.value.field == "credit_code"
    db.session.rollback()
    assert db.session.scalar(select(func.count(User.id)).where(User.username == "newcomer")) == 0


def test_a_credit_code_registered_meanwhile_meets_the_constraint_with_the_same_message(
    app, database, monkeypatch
):
    taken = factories.merchant()
    # The service's own check misses the code, as when both sign up at the same moment.
    monkeypatch.setattr(services, "code_taken", lambda code: False)
    with pytest.raises(RuleError) as refused:
        services.register_business(factories.user(Role.MERCHANT), business(taken.credit_code))
    assert refused.value.field == "credit_code"
    assert refused.value.message is services.CODE_TAKEN


def test_a_taken_username_is_refused(app, database):
    factories.user(Role.RESIDENT, username="laozhai")
    with pytest.raises(RuleError) as refused:
        services.sign_up("laozhai", "a long password", business())
    assert refused.value.field == "username"


# --- applying and deciding -------------------------------------------------------------------


def test_an_application_waits_and_cannot_be_sent_twice(app, database):
    street, merchant = factories.alliance(), factories.merchant()
    services.apply(merchant, street.id, "  我们在老街有三家店  ")
    db.session.commit()
    row = db.session.scalar(select(Membership))
    assert row.status is MembershipStatus.APPLIED and row.message == "我们在老街有三家店"
    assert not services.is_member(merchant.id, street.id)
    with pytest.raises(RuleError):
        services.apply(merchant, street.id, None)


def test_two_applications_at_once_meet_the_constraint(app, database, monkeypatch):
    street, merchant = factories.alliance(), factories.merchant()
    factories.membership(merchant, street, status=MembershipStatus.APPLIED)
    monkeypatch.setattr(services, "has_open_application", lambda *ids: False)
    with pytest.raises(RuleError) as refused:
        services.apply(merchant, street.id, None)
    assert refused.value.field == "alliance_id"
    assert refused.value.message is services.ALREADY_APPLIED


def test_an_officer_approves_and_the_merchant_is_a_member(app, database):
    street = factories.alliance()
    row = factories.membership(to=street, status=MembershipStatus.APPLIED)
    officer = factories.officer(street)
    services.decide(row, True, "ignored", officer)
    db.session.commit()
    assert row.status is MembershipStatus.APPROVED and row.reason is None
    assert row.decided_by_user_id == officer.id
    assert services.is_member(row.merchant_id, street.id)


def test_a_decline_needs_its_reason_and_the_merchant_may_apply_again(app, database):
    street = factories.alliance()
    row = factories.membership(to=street, status=MembershipStatus.APPLIED)
    officer = factories.officer(street)
    with pytest.raises(RuleError) as refused:
        services.decide(row, False, "  ", officer)
    assert refused.value.field == "reason"
    services.decide(row, False, "营业执照照片不清楚", officer)
    db.session.commit()
    assert row.status is MembershipStatus.DECLINED and row.reason == "营业执照照片不清楚"
    again = services.apply(db.session.get(Merchant, row.merchant_id), street.id, None)
    assert again.status is MembershipStatus.APPLIED


def test_an_application_decided_meanwhile_is_not_decided_again(app, database):
    street = factories.alliance()
    row = factories.membership(to=street, status=MembershipStatus.APPLIED)
    first, second = factories.officer(street), factories.officer(street)
    services.decide(row, True, None, first)
    db.session.commit()
    # The second officer's page still showed it waiting.
    with pytest.raises(RuleError) as refused:
        services.decide(row, False, "重复", second)
    assert refused.value.field is None
    db.session.rollback()
    assert db.session.get(Membership, row.id).status is MembershipStatus.APPROVED


def test_pending_applications_are_oldest_first(app, database):
    street = factories.alliance()
    officer = factories.officer(street)
    later = factories.membership(to=street, status=MembershipStatus.APPLIED)
    earlier = factories.membership(to=street, status=MembershipStatus.APPLIED)
    earlier.created_at = later.created_at - timedelta(days=3)
    factories.membership(to=street)  # approved: not waiting
    factories.membership(status=MembershipStatus.APPLIED)  # another alliance's
    db.session.commit()
    with app.test_request_context():
        login_user(officer)
        rows = db.session.execute(services.pending_applications(street.id)).all()
    assert [row.Membership.id for row in rows] == [earlier.id, later.id]


# --- shops -----------------------------------------------------------------------------------


def test_a_member_adds_and_edits_a_shop(app, database):
    member = factories.membership()
    merchant = db.session.get(Merchant, member.merchant_id)
    shop = services.save_shop(merchant, shop_values(alliance_id=member.alliance_id))
    db.session.commit()
    assert (shop.alliance_id, shop.description, shop.floor_area_m2) == (
        member.alliance_id,
        None,
        Decimal("36.50"),
    )
    services.save_shop(
        merchant, shop_values(name=" 江景茶馆二店 ", public_phone="023-62881234"), shop
    )
    db.session.commit()
    assert (shop.name, shop.public_phone, shop.alliance_id) == (
        "江景茶馆二店",
        "023-62881234",
        member.alliance_id,
    )


def test_only_a_member_adds_a_shop_and_only_their_own_is_edited(app, database):
    pending = factories.membership(status=MembershipStatus.APPLIED)
    merchant = db.session.get(Merchant, pending.merchant_id)
    with pytest.raises(RuleError) as refused:
        services.save_shop(merchant, shop_values(alliance_id=pending.alliance_id))
    assert refused.value.field == "alliance_id"
    someone_elses = factories.shop()
    with pytest.raises(RuleError):
        services.save_shop(merchant, shop_values(), someone_elses)


def test_a_floor_area_must_be_more_than_nothing(app, database):
    member = factories.membership()
    merchant = db.session.get(Merchant, member.merchant_id)
    with pytest.raises(RuleError) as refused:
        services.save_shop(
            merchant, shop_values(alliance_id=member.alliance_id, floor_area_m2=Decimal("0"))
        )
    assert refused.value.field == "floor_area_m2"


# --- the charter and the pledge --------------------------------------------------------------


def test_the_charter_is_worded_by_the_alliance(app, database):
    street = factories.alliance()
    wording = services.charter(street.id)
    wording[next(iter(wording))] = "童叟无欺，假一赔十。"
    assert services.save_charter(street, wording) == 1
    db.session.commit()
    assert next(iter(services.charter(street.id).values())) == "童叟无欺，假一赔十。"
    wording[next(iter(wording))] = " "
    with pytest.raises(RuleError):
        services.save_charter(street, wording)


def test_a_member_signs_the_pledge_for_a_year_in_the_wording_of_the_day(app, database):
    member = factories.membership()
    merchant = db.session.get(Merchant, member.merchant_id)
    street = db.session.get(Alliance, member.alliance_id)
    user = db.session.get(User, merchant.user_id)
    assert services.pledge_state(merchant.id, street.id, TODAY).state is PledgeState.NONE
    signed = services.sign_pledge(merchant, street, user, TODAY)
    db.session.commit()
    assert signed.expires_on == TODAY + timedelta(days=365)
    assert set(signed.wording) == {
        "honest_trading",
        "fair_competition",
        "differentiated_offers",
        "shared_traffic",
    }
    standing = services.pledge_state(merchant.id, street.id, TODAY)
    assert standing.state is PledgeState.IN_FORCE and standing.pledge.id == signed.id
    with pytest.raises(RuleError):
        services.sign_pledge(merchant, street, user, TODAY + timedelta(days=300))


@pytest.mark.parametrize(
    ("days_after_signing", "state"),
    [
        (334, PledgeState.IN_FORCE),
        (335, PledgeState.LAPSING),
        (364, PledgeState.LAPSING),
        (365, PledgeState.LAPSED),
    ],
)
def test_a_pledge_lapses_after_a_year_and_is_lapsing_in_its_last_30_days(
    app, database, days_after_signing, state
):
    pledge = factories.pledge(signed_on=TODAY)
    assert (
        services.pledge_state(
            pledge.merchant_id, pledge.alliance_id, TODAY + timedelta(days=days_after_signing)
        ).state
        is state
    )


def test_a_pledge_renewed_is_a_new_one_and_the_old_stays_as_signed(app, database):
    old = factories.pledge(signed_on=TODAY - timedelta(days=350))
    merchant = db.session.get(Merchant, old.merchant_id)
    street = db.session.get(Alliance, old.alliance_id)
    services.save_charter(
        street, {**services.charter(street.id), next(iter(services.charter(street.id))): "新的措辞"}
    )
    renewed = services.sign_pledge(merchant, street, db.session.get(User, merchant.user_id), TODAY)
    db.session.commit()
    assert renewed.id != old.id and renewed.wording["honest_trading"] == "新的措辞"
    db.session.refresh(old)
    assert old.wording["honest_trading"] != "新的措辞"
    assert db.session.scalar(select(func.count(Pledge.id))) == 2
    assert services.pledge_state(merchant.id, street.id, TODAY).pledge.id == renewed.id


def test_only_a_member_signs(app, database):
    pending = factories.membership(status=MembershipStatus.APPLIED)
    merchant = db.session.get(Merchant, pending.merchant_id)
    street = db.session.get(Alliance, pending.alliance_id)
    with pytest.raises(RuleError):
        services.sign_pledge(merchant, street, db.session.get(User, merchant.user_id), TODAY)


def test_the_pledges_to_renew_are_the_soonest_first_and_never_signed_last(app, database):
    street = factories.alliance()
    officer = factories.officer(street)

    def member(signed_days_ago: int | None) -> int:
        merchant = db.session.get(Merchant, factories.membership(to=street).merchant_id)
        if signed_days_ago is not None:
            factories.pledge(merchant, street, signed_on=TODAY - timedelta(days=signed_days_ago))
        return merchant.id

    lapsing, lapsed, _fine, never = member(350), member(400), member(10), member(None)
    factories.pledge(signed_on=TODAY - timedelta(days=400))  # another alliance's
    with app.test_request_context():
        login_user(officer)
        rows = db.session.execute(services.pledges_to_renew(street.id, TODAY)).all()
    assert [row.Merchant.id for row in rows] == [lapsed, lapsing, never]
    assert [services.state_on(row.expires_on, TODAY) for row in rows] == [
        PledgeState.LAPSED,
        PledgeState.LAPSING,
        PledgeState.NONE,
    ]


# --- the district office's alliances -----------------------------------------------------------


def test_the_district_office_creates_an_alliance_with_a_free_officer(app, database):
    busy = factories.officer()
    free = factories.user(Role.OFFICER)
    assert [u.id for u in services.free_officers()] == [free.id]
    values = {"name": "滨江路商业联盟", "street": "滨江路", "city": "宜昌市", "district": "西陵区"}
    with app.test_request_context():
        made = services.create_alliance(values, free.id)
    db.session.commit()
    assert services.officer_alliance(free).id == made.id
    assert all(services.charter(made.id).values())
    with pytest.raises(RuleError) as refused:
        services.create_alliance(values | {"name": "另一个"}, busy.id)
    assert refused.value.field == "officer_id"


# --- the landing pages -----------------------------------------------------------------------


def test_the_merchants_upgrades_show_their_latest_revision_and_what_to_fix(app, database):
    returned = factories.upgrade(status=UpgradeStatus.RETURNED, investment_fen=8_800_00)
    with app.test_request_context():
        login_user(db.session.get(User, db.session.get(Merchant, returned.merchant_id).user_id))
        rows = services.merchant_upgrades(returned.merchant_id)
    assert [(r.Upgrade.id, r.UpgradeRevision.investment_fen) for r in rows] == [
        (returned.id, 880000)
    ]
    assert rows[0].UpgradeRevision.reason


def test_upgrades_waiting_are_the_submitted_ones_longest_waiting_first(app, database):
    street = factories.alliance()
    officer = factories.officer(street)
    member = factories.membership(to=street)
    merchant = db.session.get(Merchant, member.merchant_id)
    shop = factories.shop(merchant, street)
    newer = factories.upgrade(shop, status=UpgradeStatus.SUBMITTED)
    older = factories.upgrade(shop, status=UpgradeStatus.SUBMITTED)
    revision = db.session.scalar(
        select(UpgradeRevision).where(UpgradeRevision.upgrade_id == older.id)
    )
    revision.submitted_at -= timedelta(days=5)
    factories.upgrade(shop, status=UpgradeStatus.DRAFT)
    factories.upgrade(shop, status=UpgradeStatus.APPROVED)
    db.session.commit()
    with app.test_request_context():
        login_user(officer)
        rows = db.session.execute(services.upgrades_waiting(street.id)).all()
    assert [row.Upgrade.id for row in rows] == [older.id, newer.id]


def test_the_totals_count_approved_upgrades_by_origin(app, database):
    street = factories.alliance()
    member = factories.membership(to=street)
    merchant = db.session.get(Merchant, member.merchant_id)
    old = factories.shop(merchant, street, origin=ShopOrigin.UPGRADED)
    new = factories.shop(merchant, street, origin=ShopOrigin.NEW)
    factories.upgrade(old, investment_fen=100_000_00)
    factories.upgrade(new, investment_fen=50_000_00)
    factories.upgrade(new, status=UpgradeStatus.SUBMITTED, investment_fen=1_000_00)
    totals = services.alliance_totals(street.id)
    assert (totals[ShopOrigin.UPGRADED].shops, totals[ShopOrigin.UPGRADED].investment_fen) == (
        1,
        10_000_000,
    )
    assert (totals[ShopOrigin.NEW].shops, totals[ShopOrigin.NEW].investment_fen) == (1, 5_000_000)
