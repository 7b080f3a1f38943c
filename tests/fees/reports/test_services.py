"""Reports' rules at small scale, with figures worked out by hand: collection rates (partial
payments, a reversal, late fees and a waiver that must not move them), arrears per household,
the reminder slip, a resident's standing and bills by month, and the months a report covers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError

from app.blueprints.fees.billing.services import run_billing
from app.blueprints.fees.reports import services
from app.blueprints.fees.reports.services import (
    ArrearsFilter,
    MonthRange,
    Rate,
)
from app.extensions import db
from app.listing import Sort
from app.models import (
    Bill,
    BillMonthTotal,
    Community,
    Company,
    FeeItem,
    FeeKind,
    Household,
    Role,
    User,
)
from app.periods import current_period
from app.rules import RuleError
from tests import factories


@dataclass
class World:
    company: Company
    community: Community
    property_fee: FeeItem
    parking_fee: FeeItem
    h1: Household
    h2: Household
    h3: Household
    manager: User
    other_company: Company
    other_home: Household


def build_world() -> World:
    """Company A runs one community of three homes, billed January to March:

    h1 (building 1): property ¥100 × 3 months, parking ¥200 in January; the February bill has
        a ¥10 late fee of which ¥4 is waived. Pays ¥150: January's property fee, then ¥50 of
        January's parking (oldest first, the property bill issued first).
    h2 (building 2): property ¥100 × 2 months. Pays ¥100 (reversed), then ¥50.
    h3 (building 2): property ¥50 for January, paid in full.

    Company B's household owes ¥300 and must never show up for A's manager."""
    company = factories.company(phone="0717-6000001")
    community = factories.community(company, name="桃园小区")
    b1, b2 = factories.building(community, number="1"), factories.building(community, number="2")
    u1, u2 = factories.unit(b1, number="1"), factories.unit(b2, number="1")
    h1 = factories.household(u1, room="101", owner_name="张建国")
    h2 = factories.household(u2, room="201", owner_name="李秀英")
    h3 = factories.household(u2, room="202", owner_name="王志强")
    property_fee = factories.fee_item(community, kind=FeeKind.PROPERTY, name="物业费")
    parking_fee = factories.fee_item(community, kind=FeeKind.PARKING, name="停车费")
    for period in (202601, 202602, 202603):
        late = {"late_fee_fen": 1000, "late_fee_waived_fen": 400} if period == 202602 else {}
        factories.bill(h1, property_fee, period=period, **late)
    factories.bill(h1, parking_fee, period=202601, amount_fen=20000, rate_fen=20000)
    for period in (202601, 202602):
        factories.bill(h2, property_fee, period=period)
    factories.bill(h3, property_fee, period=202601, amount_fen=5000, rate_fen=5000)
    manager = factories.user(Role.MANAGER, company_id=company.id)
    factories.payment(h1, 15000, clerk=manager)
    factories.reversal(factories.payment(h2, 10000, clerk=manager), clerk=manager)
    factories.payment(h2, 5000, clerk=manager)
    factories.payment(h3, 5000, clerk=manager)

    other_company = factories.company()
    other_community = factories.community(other_company)
    other_home = factories.household(factories.unit(factories.building(other_community)))
    factories.bill(other_home, period=202601, amount_fen=30000, rate_fen=30000)
    return World(
        company,
        community,
        property_fee,
        parking_fee,
        h1,
        h2,
        h3,
        manager,
        other_company,
        other_home,
    )


@pytest.fixture
def world(database: None) -> World:
    return build_world()


FIRST_QUARTER = MonthRange(202601, 202603)


# ---- Collection rates -----------------------------------------------------------------------


def test_rates_of_a_company_by_kind_count_principal_only(world: World) -> None:
    report = services.collection_by_company(FIRST_QUARTER, user=world.manager)
    assert [row.name for row in report.rows] == [world.company.name]
    row = report.rows[0]
    # Property: billed 3×100 + 2×100 + 50 = ¥550; collected h1 ¥100, h2 ¥50 (the reversed ¥100
    # does not count), h3 ¥50 = ¥200 → 36.36…%, shown cut to 36.3%.
    prop = row.kind(FeeKind.PROPERTY)
    assert (prop.billed_fen, prop.collected_fen, prop.bills) == (55000, 20000, 6)
    assert prop.percent == Decimal("36.3")
    assert prop.gap == Decimal("-43.7")
    # Parking: ¥200 billed, ¥50 of it paid.
    parking = row.kind(FeeKind.PARKING)
    assert (parking.billed_fen, parking.collected_fen) == (20000, 5000)
    assert parking.percent == Decimal("25.0")
    assert parking.target == 90
    assert parking.gap == Decimal("-65.0")
    # All fees: ¥250 of ¥750; the late fee (and its waiver) count in neither.
    assert (row.total.billed_fen, row.total.collected_fen, row.total.owed_fen) == (
        75000,
        25000,
        50000,
    )
    assert row.total.percent == Decimal("33.3")
    assert row.total.target is None
    assert report.totals.total.billed_fen == 75000
    assert report.below_target(FeeKind.PROPERTY) == 1


def test_one_month_can_meet_its_target_exactly(world: World) -> None:
    january = services.collection_by_company(MonthRange(202601, 202601), user=world.manager)
    prop = january.rows[0].kind(FeeKind.PROPERTY)
    # ¥200 of ¥250: 80.0%, the property target, so no gap.
    assert (prop.billed_fen, prop.collected_fen) == (25000, 20000)
    assert prop.percent == Decimal("80.0")
    assert prop.gap == Decimal("0.0")
    march = services.collection_by_company(MonthRange(202603, 202603), user=world.manager)
    assert march.rows[0].kind(FeeKind.PROPERTY).percent == Decimal("0.0")
    assert march.rows[0].kind(FeeKind.PARKING).percent is None  # nothing billed


def test_the_district_sees_every_company_and_drills_into_communities(world: World) -> None:
    admin = factories.user(Role.ADMIN)
    report = services.collection_by_company(FIRST_QUARTER, Sort("property"), user=admin)
    # The lowest property rate first: company B has collected nothing.
    assert [row.id for row in report.rows] == [world.other_company.id, world.company.id]
    assert report.rows[0].kind(FeeKind.PROPERTY).percent == Decimal("0.0")
    assert report.totals.kind(FeeKind.PROPERTY).billed_fen == 55000 + 30000
    by_community = services.collection_by_community(world.company, FIRST_QUARTER, user=admin)
    assert [(row.name, row.total.percent) for row in by_community.rows] == [
        ("桃园小区", Decimal("33.3"))
    ]


def test_a_manager_never_counts_another_companys_bills(world: World) -> None:
    report = services.collection_by_company(FIRST_QUARTER, user=world.manager)
    assert report.totals.total.billed_fen == 75000
    assert (
        services.collection_by_community(
            world.other_company, FIRST_QUARTER, user=world.manager
        ).rows
        == []
    )


def test_rates_sort_by_rate_with_unbilled_rows_last(world: World) -> None:
    admin = factories.user(Role.ADMIN)
    empty = factories.company(name="空白物业")
    report = services.collection_by_company(FIRST_QUARTER, Sort("total", True), user=admin)
    assert [row.id for row in report.rows] == [world.company.id, world.other_company.id, empty.id]
    report = services.collection_by_company(FIRST_QUARTER, Sort("total"), user=admin)
    assert [row.id for row in report.rows] == [world.other_company.id, world.company.id, empty.id]


def test_other_charges_count_in_the_totals_only(world: World) -> None:
    rubbish = factories.fee_item(world.community, kind=FeeKind.FIXED, name="垃圾清运费")
    factories.bill(world.h3, rubbish, period=202602, amount_fen=1000, rate_fen=1000)
    factories.payment(world.h3, 1000, clerk=world.manager)
    report = services.collection_by_company(FIRST_QUARTER, user=world.manager)
    fixed = report.totals.kinds[FeeKind.FIXED]
    assert (fixed.billed_fen, fixed.collected_fen, fixed.target, fixed.gap) == (
        1000,
        1000,
        None,
        None,
    )
    assert report.rows[0].kind(FeeKind.PROPERTY).billed_fen == 55000
    assert (report.rows[0].total.billed_fen, report.rows[0].total.collected_fen) == (76000, 26000)


def _totals_and_bills() -> tuple[dict, dict]:
    totals = {
        (t.community_id, t.fee_item_id, t.period): (t.bills, t.billed_fen)
        for t in db.session.scalars(select(BillMonthTotal))
        if t.bills
    }
    bills = {
        (c, i, p): (n, int(fen))
        for c, i, p, n, fen in db.session.execute(
            select(
                Bill.community_id,
                Bill.fee_item_id,
                Bill.period,
                func.count(),
                func.sum(Bill.amount_fen),
            ).group_by(Bill.community_id, Bill.fee_item_id, Bill.period)
        )
    }
    return totals, bills


def test_monthly_totals_follow_the_bills(world: World) -> None:
    totals, bills = _totals_and_bills()
    assert totals == bills
    assert totals[(world.community.id, world.property_fee.id, 202601)] == (3, 25000)
    # A billing run inserts a month's bills in one statement; the totals follow it.
    run = run_billing(202604, world.community.id, None)
    db.session.commit()
    assert run.bills_created == 3  # the property fee of the three homes (no parking lease)
    totals, bills = _totals_and_bills()
    assert totals == bills
    # Bills deleted (only tests empty tables) leave the totals, which nothing else changes.
    db.session.execute(delete(Bill).where(Bill.billing_run_id == run.id))
    db.session.commit()
    assert _totals_and_bills()[0] == _totals_and_bills()[1]


def test_a_bill_amount_never_changes(world: World) -> None:
    with pytest.raises(DBAPIError):
        db.session.execute(update(Bill).where(Bill.period == 202601).values(amount_fen=1))
    db.session.rollback()
    db.session.execute(update(Bill).where(Bill.period == 202601).values(paid_fen=0))
    db.session.rollback()


def test_rate_arithmetic() -> None:
    assert Rate(3, 1).percent == Decimal("33.3")
    assert Rate(10000, 7999, target=80).gap == Decimal("-0.1")  # 79.99% is below 80%
    assert Rate(0, 0).percent is None
    total = Rate(100, 50, 1, 80) + Rate(100, 100, 1, 80)
    assert (total.billed_fen, total.collected_fen, total.bills, total.target) == (200, 150, 2, 80)


# ---- Months ---------------------------------------------------------------------------------


def test_month_ranges() -> None:
    today = current_period()
    assert services.month_range("", "") == MonthRange(today // 100 * 100 + 1, today)
    assert services.month_range("2026-03", "") == MonthRange(202603, 202603)
    assert services.month_range(" 2025-11 ", "2026-02") == MonthRange(202511, 202602)
    assert MonthRange(202511, 202602).months == 4
    with pytest.raises(RuleError) as bad_month:
        services.month_range("2026-13", "")
    assert bad_month.value.field == "first"
    with pytest.raises(RuleError) as reversed_range:
        services.month_range("2026-05", "2026-01")
    assert reversed_range.value.field == "last"
    with pytest.raises(RuleError):
        services.month_range("2026-01", "abc")
    with pytest.raises(RuleError):
        services.month_range("2001-01", "2026-01")


# ---- Arrears --------------------------------------------------------------------------------


def _arrears(world: World, **filters: object) -> list:
    query = services.arrears_rows(
        ArrearsFilter(community_id=world.community.id, **filters),  # type: ignore[arg-type]
        user=world.manager,
    )
    return db.session.execute(query).all()


def test_arrears_per_household(world: World) -> None:
    rows = _arrears(world)
    # h1: parking ¥150 left of January, February ¥100 + ¥6 late fee (¥10 less ¥4 waived),
    # March ¥100. h2: ¥50 left of January, February ¥100. h3 owes nothing.
    assert [
        (r.Household.id, r.months, r.since, r.principal_fen, r.late_fen, r.owed_fen) for r in rows
    ] == [
        (world.h1.id, 3, 202601, 35000, 600, 35600),
        (world.h2.id, 2, 202601, 15000, 0, 15000),
    ]
    assert rows[0].building == "1" and rows[0].community == "桃园小区"
    totals = services.arrears_totals(
        services.arrears_rows(ArrearsFilter(community_id=world.community.id), user=world.manager)
    )
    assert (totals.households, totals.owed_fen, totals.late_fen) == (2, 50600, 600)


def test_arrears_filters_and_sorts(world: World) -> None:
    assert [r.Household.id for r in _arrears(world, min_months=3)] == [world.h1.id]
    assert [r.Household.id for r in _arrears(world, min_owed_fen=15001)] == [world.h1.id]
    assert len(_arrears(world, min_owed_fen=15000)) == 2
    building_2 = db.session.get(Household, world.h2.id).unit.building_id
    assert [r.Household.id for r in _arrears(world, building_id=building_2)] == [world.h2.id]
    by_months = services.arrears_rows(
        ArrearsFilter(community_id=world.community.id), Sort("months"), user=world.manager
    )
    assert [r.Household.id for r in db.session.execute(by_months)] == [world.h2.id, world.h1.id]
    by_room = services.arrears_rows(
        ArrearsFilter(company_id=world.company.id), Sort("room", True), user=world.manager
    )
    assert [r.Household.id for r in db.session.execute(by_room)] == [world.h2.id, world.h1.id]


def test_arrears_of_a_company_leave_other_companies_out(world: World) -> None:
    admin = factories.user(Role.ADMIN)
    for user in (world.manager, admin):
        rows = db.session.execute(
            services.arrears_rows(ArrearsFilter(company_id=world.company.id), user=user)
        ).all()
        assert world.other_home.id not in {r.Household.id for r in rows}
    # Even asked for the other company, a manager's scope leaves nothing.
    rows = db.session.execute(
        services.arrears_rows(ArrearsFilter(company_id=world.other_company.id), user=world.manager)
    ).all()
    assert rows == []


def test_a_payment_in_full_clears_the_arrears(world: World) -> None:
    factories.payment(world.h2, 15000, clerk=world.manager)
    assert [r.Household.id for r in _arrears(world)] == [world.h1.id]


def test_resolving_filters_makes_them_agree(world: World) -> None:
    other_building = factories.building(factories.community(world.company))
    resolved, chosen = services.resolve_filter(
        ArrearsFilter(community_id=world.community.id, building_id=other_building.id),
        world.manager,
    )
    assert resolved.company_id == world.company.id
    assert resolved.building_id is None
    assert chosen["community"].id == world.community.id
    # A company chosen after the community wins; the community's building goes with it.
    resolved, _ = services.resolve_filter(
        ArrearsFilter(
            company_id=world.other_company.id, community_id=world.community.id, building_id=1
        ),
        factories.user(Role.ADMIN),
    )
    assert (resolved.company_id, resolved.community_id, resolved.building_id) == (
        world.other_company.id,
        None,
        None,
    )


def test_reminder_lists_what_is_owed(world: World) -> None:
    slip = services.reminder(world.h1.id, world.manager)
    assert [(b.bill.period, b.item, b.principal_fen, b.late_fen) for b in slip.bills] == [
        (202601, "停车费", 15000, 0),
        (202602, "物业费", 10000, 600),
        (202603, "物业费", 10000, 0),
    ]
    assert slip.months == [202601, 202602, 202603]
    assert (slip.principal_fen, slip.late_fen, slip.owed_fen) == (35000, 600, 35600)
    assert slip.company.phone == "0717-6000001"


# ---- A resident's fees ----------------------------------------------------------------------


def test_a_residents_standing_and_months(world: World) -> None:
    resident = factories.resident(world.h1)
    homes = services.own_households(resident)
    assert [row.Household.id for row in homes] == [world.h1.id]
    standing = services.fee_standing([world.h1.id], resident)
    assert (standing.principal_fen, standing.late_fen, standing.owed_fen) == (35000, 600, 35600)
    assert (standing.months, standing.since, standing.credit_fen) == (3, 202601, 0)
    months_query = services.bill_months(world.h1.id, resident)
    periods = [row.period for row in db.session.execute(months_query)]
    assert periods == [202603, 202602, 202601]
    months = services.months_with_bills(world.h1.id, periods, resident)
    assert [(m.period, m.status, m.due_fen) for m in months] == [
        (202603, "unpaid", 10000),
        (202602, "unpaid", 10600),
        (202601, "part_paid", 15000),
    ]
    january = months[2]
    assert [(b.item, b.status) for b in january.bills] == [
        ("物业费", "paid"),
        ("停车费", "part_paid"),
    ]
    assert months[1].bills[0].late_fen == 600


def test_a_resident_sees_only_their_household(world: World) -> None:
    resident = factories.resident(world.h1)
    assert services.fee_standing([world.h2.id], resident).owed_fen == 0
    assert services.months_with_bills(world.h2.id, [202601], resident) == []


def test_overpayment_shows_as_credit(world: World) -> None:
    factories.payment(world.h2, 20000, clerk=world.manager)
    standing = services.fee_standing([world.h2.id], world.manager)
    assert (standing.owed_fen, standing.credit_fen) == (0, 5000)
