"""Billing services: rates in force, idempotent runs, rounding, backdating, parking leases,
credit drawn onto new bills, late fees and waivers. On SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from app.blueprints.fees.billing import services
from app.blueprints.fees.billing.services import LateFeeTerms
from app.demo import billing as billing_demo
from app.demo import city
from app.demo.base import load_demo
from app.extensions import db
from app.models import (
    Bill,
    BillingRun,
    Community,
    CreditEntry,
    CreditReason,
    FeeItem,
    FeeKind,
    FeeRate,
    Household,
    HouseholdCredit,
    LateFeeMode,
    LateFeeWaiver,
    ParkingLease,
    ParkingSpace,
    Payment,
    PaymentAllocation,
    ReceiptCounter,
    Role,
)
from app.periods import add_months, current_period
from app.rules import RuleError
from tests import factories
from tests.races import at_once


@pytest.fixture(autouse=True)
def english(app: Flask, database):  # type: ignore[no-untyped-def]
    """Messages of refused requests are read in English, as a request would render them."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def home_in(place, area: str = "89.50", room: str | None = None):  # type: ignore[no-untyped-def]
    fields = {"area_m2": Decimal(area)} | ({"room": room} if room else {})
    return factories.household(factories.unit(factories.building(place)), **fields)


def bills_of(household) -> list[Bill]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(Bill).where(Bill.household_id == household.id).order_by(Bill.period, Bill.id)
        )
    )


def run(period: int, community=None, user=None) -> BillingRun:  # type: ignore[no-untyped-def]
    billing_run = services.run_billing(period, community.id if community else None, user)
    db.session.commit()
    return billing_run


def late_rule(place, **terms) -> None:  # type: ignore[no-untyped-def]
    values = {
        "enabled": True,
        "mode": LateFeeMode.DAILY_RATE,
        "daily_rate_per_10k": 5,
        "fixed_fen": 0,
        "grace_days": 10,
        "cap_percent": 100,
    }
    services.save_late_fee_rule(place.id, LateFeeTerms(**(values | terms)))
    db.session.commit()


# ---- Billing runs ---------------------------------------------------------------------------


def test_a_run_bills_each_household_at_the_rate_in_force_that_month(database):
    place = factories.community()
    home = home_in(place, "100.00")
    item = factories.fee_item(place, rate_fen=100, effective_from=202601)
    services.set_rate(item, 202606, 120, None)
    db.session.commit()

    run(202605, place)
    run(202606, place)

    may, june = bills_of(home)
    assert (may.period, may.rate_fen, may.amount_fen) == (202605, 100, 10000)
    assert (june.period, june.rate_fen, june.amount_fen) == (202606, 120, 12000)
    assert may.quantity == Decimal("100.00")


@pytest.mark.parametrize(
    ("area", "rate_fen", "amount_fen"),
    [
        ("72.45", 150, 10868),  # 10867.5 rounds half up
        ("54.85", 130, 7131),  # 7130.5: exact on SQLite too, where NUMERIC is a float
        ("33.33", 15, 500),  # 499.95
        ("10.01", 50, 501),  # 500.5
        ("89.50", 120, 10740),
        ("0.01", 1, 0),  # rounds to nothing: no bill at all
    ],
)
def test_property_fees_round_half_up_to_the_fen(database, area, rate_fen, amount_fen):
    place = factories.community()
    home = home_in(place, area)
    factories.fee_item(place, rate_fen=rate_fen)
    run(202603, place)
    assert [b.amount_fen for b in bills_of(home)] == ([amount_fen] if amount_fen else [])


def test_running_a_month_twice_creates_nothing_new(database):
    place = factories.community()
    homes = [home_in(place) for _ in range(3)]
    factories.fee_item(place)

    first = run(202603, place)
    second = run(202603, place)

    assert first.bills_created == 3
    assert first.total_fen == 3 * 10740
    assert (second.bills_created, second.total_fen) == (0, 0)
    assert db.session.scalar(select(func.count(Bill.id))) == 3
    assert all(b.billing_run_id == first.id for home in homes for b in bills_of(home))
    assert db.session.scalar(select(func.count(BillingRun.id))) == 2


def test_the_preview_counts_what_the_run_creates_and_writes_nothing(database):
    place = factories.community()
    for _ in range(2):
        home_in(place, "100.00")
    factories.fee_item(place, rate_fen=100)

    preview = services.preview_billing(202603, place.id)
    assert (preview.new_bills, preview.new_total_fen, preview.existing_bills) == (2, 20000, 0)
    assert db.session.scalar(select(func.count(Bill.id))) == 0

    run(202603, place)
    again = services.preview_billing(202603, place.id)
    assert (again.new_bills, again.new_total_fen, again.existing_bills) == (0, 0, 2)


def test_a_new_household_is_billed_when_the_month_is_run_again(database):
    place = factories.community()
    home_in(place)
    factories.fee_item(place)
    run(202603, place)
    late_comer = home_in(place)
    # The month is started for this fee item: the preview must look household by household.
    for scope in (place.id, None):  # one community, and every community
        preview = services.preview_billing(202603, scope)
        assert (preview.new_bills, preview.existing_bills) == (1, 1)
    assert run(202603, place).bills_created == 1
    assert len(bills_of(late_comer)) == 1


def test_backdated_months_may_be_billed_but_not_beyond_next_month(database):
    place = factories.community()
    home_in(place)
    factories.fee_item(place)
    today = current_period()

    assert run(202001, place).bills_created == 1
    assert run(add_months(today, 1), place).bills_created == 1
    with pytest.raises(RuleError, match=r"too far ahead") as refused:
        services.run_billing(add_months(today, 2), place.id, None)
    assert refused.value.field == "period"
    with pytest.raises(RuleError):
        services.preview_billing(add_months(today, 2), place.id)


def test_months_before_the_first_rate_are_not_billed(database):
    place = factories.community()
    home_in(place)
    factories.fee_item(place, effective_from=202606)
    assert run(202605, place).bills_created == 0


def test_paused_items_and_free_items_are_skipped(database):
    place = factories.community()
    home_in(place)
    paused = factories.fee_item(place)
    services.set_item_active(paused, False)
    factories.fee_item(place, kind=FeeKind.FIXED, rate_fen=0)
    db.session.commit()
    assert run(202603, place).bills_created == 0


def test_fixed_charges_are_one_per_household(database):
    place = factories.community()
    home = home_in(place)
    factories.fee_item(place, kind=FeeKind.FIXED, name="垃圾清运费", rate_fen=1000)
    run(202603, place)
    (charge,) = bills_of(home)
    assert (charge.quantity, charge.amount_fen) == (Decimal("1"), 1000)


def test_parking_is_billed_per_space_let_that_month(database):
    place = factories.community()
    two_cars, gone, later = home_in(place), home_in(place), home_in(place)
    factories.fee_item(place, kind=FeeKind.PARKING, name="停车费", rate_fen=20000)
    for _ in range(2):
        factories.parking_lease(factories.parking_space(place), two_cars, start_period=202601)
    factories.parking_lease(
        factories.parking_space(place), gone, start_period=202501, end_period=202602
    )
    factories.parking_lease(factories.parking_space(place), later, start_period=202604)

    run(202603, place)

    (parking,) = bills_of(two_cars)
    assert (parking.quantity, parking.rate_fen, parking.amount_fen) == (2, 20000, 40000)
    assert bills_of(gone) == [] and bills_of(later) == []


def test_a_manager_bills_only_their_own_company(database):
    own, other = factories.community(), factories.community()
    for place in (own, other):
        home_in(place)
        factories.fee_item(place)
    manager = factories.user(Role.MANAGER, company_id=own.company_id)

    assert run(202603, None, manager).bills_created == 1
    assert db.session.scalar(select(Bill.community_id)) == own.id
    with pytest.raises(NotFound):
        services.run_billing(202603, other.id, manager)
    with pytest.raises(NotFound):
        services.preview_billing(202603, other.id, manager)
    admin = factories.user(Role.ADMIN)
    assert services.preview_billing(202603, None, admin).new_bills == 1


# ---- Rates ----------------------------------------------------------------------------------


def test_a_rate_cannot_start_in_a_month_already_billed(database):
    place = factories.community()
    home = home_in(place, "100.00")
    item = factories.fee_item(place, rate_fen=100)
    run(202603, place)

    with pytest.raises(RuleError, match="2026-04") as refused:
        services.set_rate(item, 202603, 150, None)
    assert refused.value.field == "effective_from"
    db.session.rollback()
    services.set_rate(item, 202604, 150, None)
    db.session.commit()
    run(202604, place)

    march, april = bills_of(home)
    assert (march.rate_fen, march.amount_fen) == (100, 10000)  # issued bills never change
    assert (april.rate_fen, april.amount_fen) == (150, 15000)


def test_a_scheduled_rate_may_be_corrected_until_billed(database):
    item = factories.fee_item(rate_fen=100)
    services.set_rate(item, 203001, 130, None)
    services.set_rate(item, 203001, 125, None)
    db.session.commit()
    rates = db.session.scalars(select(FeeRate.amount_fen).where(FeeRate.fee_item_id == item.id))
    assert sorted(rates) == [100, 125]
    history = services.rate_history(item.community_id, factories.user(Role.ADMIN))[item.id]
    assert [r.effective_from for r in history] == [203001, 200001]


def test_fee_item_names_are_unique_and_parking_is_billed_by_one_item(database):
    place = factories.community()
    services.create_fee_item(place.id, FeeKind.PROPERTY, "物业费", 120, 202601, None)
    with pytest.raises(RuleError) as duplicate:
        services.create_fee_item(place.id, FeeKind.PROPERTY, " 物业费 ", 120, 202601, None)
    assert duplicate.value.field == "name"
    parking = services.create_fee_item(place.id, FeeKind.PARKING, "地面车位", 15000, 202601, None)
    with pytest.raises(RuleError):
        services.create_fee_item(place.id, FeeKind.PARKING, "地下车位", 30000, 202601, None)
    services.set_item_active(parking, False)
    underground = services.create_fee_item(
        place.id, FeeKind.PARKING, "地下车位", 30000, 202601, None
    )
    with pytest.raises(RuleError):
        services.set_item_active(parking, True)
    assert underground.active


def test_the_fee_item_list_shows_the_rate_in_force_and_the_last_month_billed(database):
    place = factories.community()
    home_in(place)
    item = factories.fee_item(place, rate_fen=100, effective_from=202601)
    services.set_rate(item, 202606, 120, None)
    db.session.commit()
    run(202603, place)
    admin = factories.user(Role.ADMIN)
    (row,) = services.fee_item_rows(place.id, period=202605, user=admin)
    assert (row.rate_fen, row.last_billed) == (100, 202603)
    (row,) = services.fee_item_rows(place.id, period=202606, user=admin)
    assert row.rate_fen == 120


# ---- Credit ---------------------------------------------------------------------------------


def bills_whose_paid_is_not_allocations_plus_credit() -> int:
    """Bills whose paid_fen is not what their allocations and the credit drawn onto them add
    up to (counted in SQL: the city data set has tens of thousands)."""
    allocated = (
        select(func.coalesce(func.sum(PaymentAllocation.amount_fen), 0))
        .where(PaymentAllocation.bill_id == Bill.id)
        .scalar_subquery()
    )
    applied = (
        select(func.coalesce(func.sum(CreditEntry.amount_fen), 0))
        .where(CreditEntry.bill_id == Bill.id, CreditEntry.reason == CreditReason.APPLIED)
        .scalar_subquery()
    )
    return db.session.scalar(
        select(func.count(Bill.id)).where(Bill.paid_fen != allocated - applied)
    )


def give_credit(home, fen: int) -> None:  # type: ignore[no-untyped-def]
    db.session.add(HouseholdCredit(household_id=home.id, balance_fen=fen))
    db.session.add(
        CreditEntry(household_id=home.id, amount_fen=fen, reason=CreditReason.PREPAYMENT)
    )
    db.session.commit()


def test_credit_is_drawn_onto_the_new_bills_oldest_first(database):
    place = factories.community()
    short, ample, none = home_in(place, "72.45"), home_in(place, "100.00"), home_in(place)
    factories.fee_item(place, rate_fen=150)
    factories.fee_item(place, kind=FeeKind.PARKING, name="停车费", rate_fen=20000)
    factories.parking_lease(factories.parking_space(place), short)
    give_credit(short, 15000)
    give_credit(ample, 100000)

    run(202603, place)

    property_bill, parking_bill = bills_of(short)
    assert (property_bill.amount_fen, property_bill.paid_fen) == (10868, 10868)
    assert (parking_bill.amount_fen, parking_bill.paid_fen) == (20000, 15000 - 10868)
    (ample_bill,) = bills_of(ample)
    assert ample_bill.paid_fen == ample_bill.amount_fen == 15000
    assert bills_of(none)[0].paid_fen == 0
    balances = dict(
        db.session.execute(select(HouseholdCredit.household_id, HouseholdCredit.balance_fen)).all()
    )
    assert balances == {short.id: 0, ample.id: 100000 - 15000}
    for home in (short, ample):
        ledger = db.session.scalar(
            select(func.sum(CreditEntry.amount_fen)).where(CreditEntry.household_id == home.id)
        )
        assert ledger == balances[home.id]
    assert bills_whose_paid_is_not_allocations_plus_credit() == 0

    run(202604, place)  # the rest of the credit pays the next month
    assert bills_of(ample)[-1].paid_fen == 15000
    assert db.session.get(HouseholdCredit, ample.id).balance_fen == 100000 - 30000
    run(202604, place)  # nothing new: nothing drawn twice
    assert db.session.get(HouseholdCredit, ample.id).balance_fen == 100000 - 30000


# ---- Parking --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "numbers"),
    [
        ("a001", "", ["A001"]),
        ("A001", "A003", ["A001", "A002", "A003"]),
        ("B-8", "B-10", ["B-8", "B-9", "B-10"]),
        ("地下01", "地下02", ["地下01", "地下02"]),
    ],
)
def test_space_numbers(first, last, numbers):
    assert services.space_numbers(first, last) == numbers


@pytest.mark.parametrize(
    ("first", "last"), [("A010", "A001"), ("A001", "B003"), ("A", "B"), ("A1", "A999")]
)
def test_space_ranges_that_make_no_sense_are_refused(first, last):
    with pytest.raises(RuleError):
        services.space_numbers(first, last)


def test_adding_spaces_twice_adds_them_once(database):
    place = factories.community()
    assert services.add_spaces(place.id, services.space_numbers("A001", "A120")) == (120, 0)
    assert services.add_spaces(place.id, services.space_numbers("A110", "A130")) == (10, 11)
    db.session.commit()
    assert db.session.scalar(select(func.count(ParkingSpace.id))) == 130


def test_households_are_found_by_room(database):
    place = factories.community()
    block = factories.building(place, number="3")
    entrance = factories.unit(block, number="2")
    home = factories.household(entrance, room="101")
    factories.household(factories.unit(block, number="1"), room="101")
    manager = factories.user(Role.MANAGER, company_id=place.company_id)

    def found(text: str, where=place) -> list[int]:  # type: ignore[no-untyped-def]
        return [
            row.Household.id for row in services.household_matches(where.id, text, user=manager)
        ]

    assert len(found("101")) == 2
    for text in ("3-2-101", "3栋2单元101室", "2-101", " 3 2 101 "):
        assert found(text) == [home.id]
    assert found("") == []
    other = factories.community()
    factories.household(factories.unit(factories.building(other)), room="101")
    assert found("101", other) == []  # another company's households stay out of sight


@pytest.mark.parametrize(
    ("text", "plate"),
    [("渝a 12345", "渝A12345"), ("鄂E·D1234 5", "鄂ED12345"), ("京A-8888B", "京A8888B")],
)
def test_plates_are_normalised(text, plate):
    assert services.normalise_plate(text) == plate


@pytest.mark.parametrize("text", ["", "12345", "渝12345", "渝A123", "渝A1234567", "AB12345"])
def test_bad_plates_are_refused(text):
    with pytest.raises(RuleError):
        services.normalise_plate(text)


@pytest.mark.parametrize(
    ("existing", "new", "overlaps"),
    [
        ((202601, None), (202701, None), True),
        ((202601, 202606), (202606, 202612), True),
        ((202601, 202606), (202607, None), False),
        ((202607, None), (202601, 202606), False),
        ((202607, None), (202601, None), True),
        ((202603, 202604), (202601, 202612), True),
    ],
)
def test_a_space_is_never_let_twice_in_a_month(database, existing, new, overlaps):
    place = factories.community()
    space = factories.parking_space(place)
    services.let_space(space, home_in(place), "渝A11111", *existing)
    db.session.commit()
    if overlaps:
        with pytest.raises(RuleError, match="渝A11111"):
            services.let_space(space, home_in(place), "渝A22222", *new)
    else:
        services.let_space(space, home_in(place), "渝A22222", *new)


def test_a_lease_needs_a_household_of_the_community_and_sensible_months(database):
    place = factories.community()
    space = factories.parking_space(place)
    with pytest.raises(RuleError):
        services.let_space(space, home_in(factories.community()), "渝A11111", 202601, None)
    with pytest.raises(RuleError) as backwards:
        services.let_space(space, home_in(place), "渝A11111", 202606, 202601)
    assert backwards.value.field == "end_period"


def test_ending_a_lease(database):
    place = factories.community()
    lease = services.let_space(
        factories.parking_space(place), home_in(place), "渝A1B234", 202601, None
    )
    db.session.commit()
    with pytest.raises(RuleError):
        services.end_lease(lease, 202512)
    services.end_lease(lease, 202606)
    db.session.commit()
    with pytest.raises(RuleError):
        services.end_lease(lease, 202612)
    assert db.session.get(ParkingLease, lease.id).end_period == 202606


def test_two_clerks_letting_one_space_at_once_never_both_succeed(app: Flask, database):
    place = factories.community()
    space_id = factories.parking_space(place).id
    homes = [home_in(place).id, home_in(place).id]

    def clerk(household_id: int, plate: str) -> Callable[[], object]:
        def let() -> object:
            space = db.session.get(ParkingSpace, space_id)
            return services.let_space(
                space, db.session.get(Household, household_id), plate, 202601, None
            )

        return let

    results = at_once(app, [clerk(homes[0], "渝A11111"), clerk(homes[1], "渝A22222")])
    outcomes = ["refused" if isinstance(r, str) else "let" for r in results]
    assert sorted(outcomes) == ["let", "refused"]
    assert db.session.scalar(select(func.count(ParkingLease.id))) == 1


# ---- Late fees ------------------------------------------------------------------------------


def test_late_fees_grow_daily_after_the_grace_period(database):
    place = factories.community()
    late_rule(place, daily_rate_per_10k=5, grace_days=10, cap_percent=100)
    bill = factories.bill(home_in(place), period=202603, amount_fen=10868)

    # March ends on the 31st; ten days' grace; 2026-04-10 is the last day without a fee.
    assert services.assess_late_fees(date(2026, 4, 10)) == 0
    assert services.assess_late_fees(date(2026, 5, 15)) == 1  # 35 days late
    db.session.commit()
    db.session.refresh(bill)
    assert bill.late_fee_fen == 190  # 10868 × 0.0005 × 35 = 190.19
    assert services.assess_late_fees(date(2026, 5, 15)) == 0  # nothing changes twice


def test_late_fees_are_capped_and_may_be_fixed(database):
    capped, fixed = factories.community(), factories.community()
    late_rule(capped, daily_rate_per_10k=100, grace_days=0, cap_percent=10)
    late_rule(fixed, mode=LateFeeMode.FIXED, fixed_fen=2000, grace_days=30, cap_percent=100)
    capped_bill = factories.bill(home_in(capped), amount_fen=10000, period=202601)
    fixed_bill = factories.bill(home_in(fixed), amount_fen=10000, period=202601)
    services.assess_late_fees(date(2026, 12, 31))
    db.session.commit()
    db.session.refresh(capped_bill)
    db.session.refresh(fixed_bill)
    assert capped_bill.late_fee_fen == 1000
    assert fixed_bill.late_fee_fen == 2000


def test_no_late_fee_without_a_rule_or_on_a_paid_bill(database):
    without, off, ruled = factories.community(), factories.community(), factories.community()
    late_rule(off, enabled=False)
    late_rule(ruled)
    bills = [factories.bill(home_in(place), period=202601) for place in (without, off)]
    paid = factories.bill(home_in(ruled), period=202601, paid_fen=10000)
    assert services.assess_late_fees(date(2026, 12, 31)) == 0
    db.session.commit()
    assert all(db.session.get(Bill, b.id).late_fee_fen == 0 for b in [*bills, paid])


def test_a_late_fee_stops_growing_once_paid_but_is_still_owed(database):
    place = factories.community()
    late_rule(place, daily_rate_per_10k=10, grace_days=0)
    bill = factories.bill(home_in(place), period=202601, amount_fen=10000)
    services.assess_late_fees(date(2026, 3, 2))  # 30 days: 10000 × 0.001 × 30
    db.session.commit()
    assert db.session.get(Bill, bill.id).late_fee_fen == 300
    db.session.get(Bill, bill.id).paid_fen = 10000
    db.session.commit()
    assert services.assess_late_fees(date(2026, 6, 1)) == 0
    assert db.session.get(Bill, bill.id).late_fee_fen == 300


def test_late_fees_for_one_household_or_one_community(database):
    place, other = factories.community(), factories.community()
    late_rule(place)
    late_rule(other)
    one, two = home_in(place), home_in(place)
    bills = [factories.bill(h, period=202601) for h in (one, two, home_in(other))]
    assert services.assess_late_fees(date(2026, 6, 1), household_id=one.id) == 1
    assert services.assess_late_fees(date(2026, 6, 1), community_id=place.id) == 1
    db.session.commit()
    assert [db.session.get(Bill, b.id).late_fee_fen > 0 for b in bills] == [True, True, False]


def test_the_cli_assesses_late_fees(app: Flask, database):
    place = factories.community()
    late_rule(place)
    bill = factories.bill(home_in(place), period=202601)
    result = app.test_cli_runner().invoke(
        args=["fees", "assess-late-fees", "--as-of", "2026-06-01"]
    )
    assert result.exit_code == 0, result.output
    assert "1 bills changed" in result.output
    db.session.expire_all()
    assert db.session.get(Bill, bill.id).late_fee_fen > 0


def test_a_manager_waives_a_late_fee_with_a_reason(database):
    bill = factories.bill(late_fee_fen=500)
    manager = factories.user(Role.MANAGER)
    with pytest.raises(RuleError):
        services.waive_late_fee(bill, 501, "老人独居，困难户", manager)
    with pytest.raises(RuleError):
        services.waive_late_fee(bill, 100, "   ", manager)
    db.session.rollback()
    services.waive_late_fee(bill, 300, "老人独居，困难户", manager)
    db.session.commit()
    bill = db.session.get(Bill, bill.id)
    assert (bill.late_fee_waived_fen, services.waivable_fen(bill)) == (300, 200)
    (waiver,) = db.session.scalars(select(LateFeeWaiver))
    assert (waiver.amount_fen, waiver.reason, waiver.user_id) == (
        300,
        "老人独居，困难户",
        manager.id,
    )


def test_a_late_fee_already_paid_cannot_be_waived(database):
    bill = factories.bill(amount_fen=10000, late_fee_fen=500, paid_fen=10400)
    assert services.waivable_fen(bill) == 100
    with pytest.raises(RuleError, match=r"¥1\.00"):
        services.waive_late_fee(bill, 200, "误收", factories.user(Role.MANAGER))


# ---- Demo and city data -------------------------------------------------------------------


def test_the_billing_demo_is_idempotent(database):
    load_demo()
    communities = {c.name: c for c in db.session.scalars(select(Community))}
    billing_demo.load_demo(communities, random.Random(1))

    def counts() -> tuple[int, ...]:
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (FeeRate, ParkingSpace, ParkingLease, Bill, BillingRun)
        )

    first = counts()
    billing_demo.load_demo(communities, random.Random(2))
    assert counts() == first
    assert first[3] > 12 * 1000  # a year of bills for 1,264 households and their cars


def test_the_city_data_set_is_consistent(database):
    city.build_city(communities=30, months=12)
    assert city.build_city(communities=30) == {}  # built once
    one = db.session.execute

    # Receipts are gapless per company and year, and the counters hold the last number.
    gaps = one(
        select(Payment.company_id, Payment.receipt_year)
        .group_by(Payment.company_id, Payment.receipt_year)
        .having(func.count(Payment.id) != func.max(Payment.receipt_seq))
    ).all()
    assert gaps == []
    counters = {
        (company, year): seq
        for company, year, seq in one(
            select(ReceiptCounter.company_id, ReceiptCounter.year, ReceiptCounter.last_seq)
        )
    }
    last = {
        (company, year): seq
        for company, year, seq in one(
            select(
                Payment.company_id, Payment.receipt_year, func.max(Payment.receipt_seq)
            ).group_by(Payment.company_id, Payment.receipt_year)
        )
    }
    assert counters == last

    # Every payment is its allocations plus the credit it left; every bill's paid_fen is
    # what was allocated to it.
    allocated = (
        select(PaymentAllocation.payment_id, func.sum(PaymentAllocation.amount_fen).label("fen"))
        .group_by(PaymentAllocation.payment_id)
        .subquery()
    )
    assert (
        one(
            select(func.count(Payment.id))
            .outerjoin(allocated, allocated.c.payment_id == Payment.id)
            .where(Payment.amount_fen != func.coalesce(allocated.c.fen, 0) + Payment.credit_fen)
        ).scalar()
        == 0
    )
    assert bills_whose_paid_is_not_allocations_plus_credit() == 0
    balances = dict(one(select(HouseholdCredit.household_id, HouseholdCredit.balance_fen)).all())
    ledger = dict(
        one(
            select(CreditEntry.household_id, func.sum(CreditEntry.amount_fen)).group_by(
                CreditEntry.household_id
            )
        ).all()
    )
    assert balances == ledger

    # Roughly 80-90% of property fees collected, over 90% of parking fees.
    rates = dict(
        one(
            select(FeeItem.kind, func.sum(Bill.paid_fen) * 1.0 / func.sum(Bill.amount_fen))
            .join(FeeItem, FeeItem.id == Bill.fee_item_id)
            .group_by(FeeItem.kind)
        ).all()
    )
    assert 0.75 < rates[FeeKind.PROPERTY] < 0.92
    assert rates[FeeKind.PARKING] > 0.88
    sample = city.city_sample()
    assert db.session.get(Household, sample.household_id).community_id == sample.community_id
