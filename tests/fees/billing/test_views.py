"""Billing pages: preview and run, fee items and rates, late-fee rules, parking, waivers, and
what they answer to bad input (422 with the text kept, never a 500)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Bill,
    FeeItem,
    FeeRate,
    LateFeeRule,
    LateFeeWaiver,
    ParkingLease,
    ParkingSpace,
    Role,
)
from app.periods import add_months, current_period, format_period
from tests import factories
from tests.conftest import csrf_token

HTMX = {"HX-Request": "true"}


@pytest.fixture
def office(login_as):  # type: ignore[no-untyped-def]
    """A community with two households and a property fee, and its company's manager,
    signed in and reading English."""
    place = factories.community()
    for area in ("100.00", "72.45"):
        factories.household(factories.unit(factories.building(place)), area_m2=Decimal(area))
    item = factories.fee_item(place, rate_fen=150)
    client = login_as(user=factories.user(Role.MANAGER, company_id=place.company_id))
    client.set_cookie("lang", "en")
    client.place, client.item = place, item  # type: ignore[attr-defined]
    return client


def post(client, path: str, data: dict, page: str | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token(client, page or path)
    return client.post(path, data={"csrf_token": token, **data}, headers=HTMX)


def test_preview_then_run_then_nothing_new(office):
    place = office.place
    page = office.get("/fees/billing")
    assert page.status_code == 200
    assert place.name in page.get_data(as_text=True)

    preview = office.get(
        f"/fees/billing/preview?period=2026-03&community_id={place.id}", headers=HTMX
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Issue 2 bills" in html and "¥258.68" in html  # 150.00 + 108.68
    assert db.session.scalar(select(func.count(Bill.id))) == 0

    data = {"period": "2026-03", "community_id": place.id}
    response = post(office, "/fees/billing/run", data, "/fees/billing")
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/fees/billing"
    assert "Issued 2 bills for 2026-03" in office.get("/fees/billing").get_data(as_text=True)
    assert db.session.scalar(select(func.count(Bill.id))) == 2

    again = office.get(f"/fees/billing/preview?period=2026-03&community_id={place.id}")
    assert "running it again creates nothing" in again.get_data(as_text=True)
    post(office, "/fees/billing/run", data, "/fees/billing")
    assert "Nothing new" in office.get("/fees/billing").get_data(as_text=True)
    assert db.session.scalar(select(func.count(Bill.id))) == 2


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-13", "Enter a month as YYYY-MM"),
        ("next month", "Enter a month as YYYY-MM"),
        ("", "Enter a month as YYYY-MM"),
        ("two months ahead", "too far ahead"),
    ],
)
def test_a_month_that_cannot_be_billed_is_refused_plainly(office, period, message):
    if period == "two months ahead":  # read at test time, from the suite's clock
        period = format_period(add_months(current_period(), 2))
    place = office.place
    preview = office.get(f"/fees/billing/preview?period={period}&community_id={place.id}")
    assert preview.status_code == 422
    assert message in preview.get_data(as_text=True)
    run = post(
        office, "/fees/billing/run", {"period": period, "community_id": place.id}, "/fees/billing"
    )
    assert run.status_code == 422
    assert message in run.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Bill.id))) == 0


def test_a_manager_cannot_bill_every_community_or_another_company(office):
    other = factories.community()
    page = office.get("/fees/billing").get_data(as_text=True)
    assert "Every community" not in page
    for community_id in (0, other.id):
        preview = office.get(f"/fees/billing/preview?period=2026-03&community_id={community_id}")
        assert preview.status_code == 422
    assert office.get(f"/fees/billing/communities/{other.id}").status_code == 404


def test_the_district_office_bills_every_community(admin_client):
    for _ in range(2):
        place = factories.community()
        factories.household(factories.unit(factories.building(place)))
        factories.fee_item(place)
    page = admin_client.get("/fees/billing").get_data(as_text=True)
    assert 'value="0"' in page
    response = post(
        admin_client, "/fees/billing/run", {"period": "2026-03", "community_id": 0}, "/fees/billing"
    )
    assert response.status_code == 204
    assert db.session.scalar(select(func.count(Bill.id))) == 2


def test_stewards_and_residents_may_not_bill(login_as):
    for client in (login_as(Role.STEWARD), login_as(user=factories.resident())):
        assert client.get("/fees/billing").status_code == 403


def test_a_fee_item_is_added_with_its_rate_in_yuan(office):
    place = office.place
    page = f"/fees/billing/communities/{place.id}"
    response = post(
        office,
        f"{page}/items",
        {"kind": "parking", "name": "停车费", "rate": "150", "effective_from": "2026-01"},
        page,
    )
    assert response.status_code == 204
    item = db.session.scalar(select(FeeItem).where(FeeItem.name == "停车费"))
    rate = db.session.scalar(select(FeeRate).where(FeeRate.fee_item_id == item.id))
    assert (rate.amount_fen, rate.effective_from) == (15000, 202601)
    html = office.get(page).get_data(as_text=True)
    assert "停车费" in html and "¥150.00" in html and "per space a month" in html


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1.20", "cannot be negative"),
        ("1.205", "at most two decimals"),
        ("1e9", "at most two decimals"),
        ("NaN", "at most two decimals"),
        ("20000", "at most ¥10,000.00"),
        ("", "Enter an amount."),
    ],
)
def test_bad_rates_are_refused_and_kept(office, typed, message):
    item = office.item
    page = f"/fees/billing/communities/{office.place.id}"
    prefix = f"item{item.id}-"
    response = post(
        office,
        f"/fees/billing/items/{item.id}/rates",
        {prefix + "rate": typed, prefix + "effective_from": "2027-01"},
        page,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert f'value="{typed}"' in html
    assert db.session.scalar(select(func.count(FeeRate.id))) == 1


def test_a_rate_for_a_month_already_billed_is_refused_with_the_reason(office):
    item, place = office.item, office.place
    post(
        office,
        "/fees/billing/run",
        {"period": "2026-03", "community_id": place.id},
        "/fees/billing",
    )
    prefix = f"item{item.id}-"
    path = f"/fees/billing/items/{item.id}/rates"
    page = f"/fees/billing/communities/{place.id}"
    refused = post(
        office, path, {prefix + "rate": "1.60", prefix + "effective_from": "2026-03"}, page
    )
    assert refused.status_code == 422
    assert "Choose 2026-04 or later" in refused.get_data(as_text=True)
    accepted = post(
        office, path, {prefix + "rate": "1.60", prefix + "effective_from": "2026-04"}, page
    )
    assert accepted.status_code == 204
    assert "from 2026-04 on" in office.get(page).get_data(as_text=True)


def test_pausing_a_fee_item(office):
    item = office.item
    page = f"/fees/billing/communities/{office.place.id}"
    post(office, f"/fees/billing/items/{item.id}/active", {"active": "0"}, page)
    db.session.expire_all()
    assert db.session.get(FeeItem, item.id).active is False
    assert "Paused" in office.get(page).get_data(as_text=True)


def test_the_late_fee_rule_is_saved_and_checked(office):
    place = office.place
    page = f"/fees/billing/communities/{place.id}"
    path = f"{page}/late-fees"
    rule = {
        "enabled": "y",
        "mode": "daily_rate",
        "daily_rate_per_10k": "5",
        "fixed": "",
        "grace_days": "30",
        "cap_percent": "20",
    }
    for field, value in (
        ("daily_rate_per_10k", "101"),
        ("grace_days", "-1"),
        ("cap_percent", "abc"),
    ):
        refused = post(office, path, rule | {field: value}, page)
        assert refused.status_code == 422, field
    fixed_without_amount = post(office, path, rule | {"mode": "fixed"}, page)
    assert "Enter the fixed amount." in fixed_without_amount.get_data(as_text=True)
    assert post(office, path, rule, page).status_code == 204
    saved = db.session.scalar(select(LateFeeRule).where(LateFeeRule.community_id == place.id))
    assert (saved.enabled, saved.daily_rate_per_10k, saved.grace_days, saved.cap_percent) == (
        True,
        5,
        30,
        20,
    )


def test_spaces_are_added_as_a_range_and_let_to_a_household(office):
    place = office.place
    parking = f"/fees/billing/communities/{place.id}/parking"
    assert post(office, parking, {"first": "A001", "last": "A120"}, parking).status_code == 204
    assert db.session.scalar(select(func.count(ParkingSpace.id))) == 120
    refused = post(office, parking, {"first": "A010", "last": "A001"}, parking)
    assert refused.status_code == 422

    home = factories.household(
        factories.unit(factories.building(place, number="9"), number="2"), room="301"
    )
    search = office.get(
        f"/fees/billing/communities/{place.id}/households?room=9-2-301", headers=HTMX
    )
    assert f'value="{home.id}"' in search.get_data(as_text=True)

    space = db.session.scalar(select(ParkingSpace).where(ParkingSpace.number == "A001"))
    path = f"/fees/billing/spaces/{space.id}"
    lease = {
        "household_id": home.id,
        "plate": "渝a·12345",
        "start_period": "2026-01",
        "end_period": "",
    }
    assert post(office, path, lease).status_code == 204
    assert db.session.scalar(select(ParkingLease.plate)) == "渝A12345"
    overlap = post(office, path, lease | {"start_period": "2026-06"})
    assert overlap.status_code == 422
    assert "already let to 渝A12345" in overlap.get_data(as_text=True)
    bad_plate = post(office, path, lease | {"plate": "12345", "start_period": "2030-01"})
    assert "Enter a plate number" in bad_plate.get_data(as_text=True)
    assert "A001" in office.get(f"{parking}?q=渝A123").get_data(as_text=True)


def test_a_lease_is_ended(office):
    place = office.place
    space = factories.parking_space(place)
    home = factories.household(factories.unit(factories.building(place)))
    lease = factories.parking_lease(space, home, start_period=202601)
    page = f"/fees/billing/spaces/{space.id}"
    post(office, f"/fees/billing/leases/{lease.id}/end", {"end_period": "2026-06"}, page)
    db.session.expire_all()
    assert db.session.get(ParkingLease, lease.id).end_period == 202606
    post(office, f"/fees/billing/leases/{lease.id}/end", {"end_period": "2025-01"}, page)
    assert "cannot end before" in office.get(page).get_data(as_text=True)


def test_a_late_fee_is_waived_with_a_reason(office):
    home = factories.household(factories.unit(factories.building(office.place)))
    bill = factories.bill(home, office.item, late_fee_fen=800)
    path = f"/fees/billing/bills/{bill.id}"
    page = office.get(path)
    assert page.status_code == 200 and "¥8.00" in page.get_data(as_text=True)
    for typed, message in (
        ("9", "At most ¥8.00"),
        ("-1", "cannot be negative"),
        ("1e3", "two decimals"),
    ):
        refused = post(office, path, {"amount": typed, "reason": "困难户"})
        assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    no_reason = post(office, path, {"amount": "5", "reason": ""})
    assert "Give the reason" in no_reason.get_data(as_text=True)
    assert post(office, path, {"amount": "5", "reason": "困难户"}).status_code == 204
    db.session.expire_all()
    assert db.session.get(Bill, bill.id).late_fee_waived_fen == 500
    assert db.session.scalar(select(LateFeeWaiver.reason)) == "困难户"
    assert "困难户" in office.get(path).get_data(as_text=True)


def test_the_billing_page_speaks_chinese_by_default(login_as):
    client = login_as(Role.ADMIN)
    html = client.get("/fees/billing").get_data(as_text=True)
    assert "开账" in html
