"""Monthly billing runs (开账) and their preview.

A billing run turns "households × active fee items × the rate in force that month" into bills
with one INSERT … SELECT per fee kind; the unique key household × item × month makes a second
run of the same month insert nothing (ON CONFLICT DO NOTHING). Household credit (预存) is then
drawn onto the new bills, oldest first, in the same transaction and just as set-based.

Functions take ids or models and leave the commit to the caller (a view, the CLI or the bench).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    Subquery,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
    update,
)

from app import sql
from app.authz import get_visible_or_404, scope, visible
from app.blueprints.fees.billing.services.bills import DUE, expire_loaded
from app.blueprints.fees.billing.services.parking import lease_active
from app.extensions import db
from app.models import (
    Bill,
    BillingRun,
    BillMonthTotal,
    Community,
    CreditEntry,
    CreditReason,
    FeeItem,
    FeeKind,
    FeeRate,
    Household,
    HouseholdCredit,
    ParkingLease,
    Role,
    User,
)
from app.models.base import UTCDateTime
from app.periods import add_months, current_period, format_period, utcnow
from app.rules import RuleError

BILL_KEY = ["household_id", "fee_item_id", "period"]


def _communities_in_scope(
    column: ColumnElement[int], community_id: int | None, user: User | None
) -> ColumnElement[bool]:
    """Limit `column` (a community id) to one community, or to all the user may see; no user
    means the system itself (the CLI, the bench, the demo) and every community."""
    if community_id is not None:
        return column == community_id
    if user is None or user.role == Role.ADMIN:
        return true()
    return column.in_(select(Community.id).where(scope(Community, user)))


def check_billable(period: int, today: int | None = None) -> None:
    """Backdated months may be billed; the future only as far as next month."""
    latest = add_months(today or current_period(), 1)
    if period > latest:
        raise RuleError(
            _(
                "%(month)s is too far ahead: bills can be issued up to next month (%(latest)s).",
                month=format_period(period),
                latest=format_period(latest),
            ),
            "period",
        )


@dataclass(frozen=True)
class KindFigures:
    kind: FeeKind
    bills: int
    total_fen: int


@dataclass(frozen=True)
class BillingPreview:
    """What a run would do: bills it would create (by fee kind) and bills already there."""

    period: int
    community_id: int | None
    kinds: tuple[KindFigures, ...]
    existing_bills: int

    @property
    def new_bills(self) -> int:
        return sum(k.bills for k in self.kinds)

    @property
    def new_total_fen(self) -> int:
        return sum(k.total_fen for k in self.kinds)


def _rates_in_force(period: int, in_scope: ColumnElement[bool]) -> Subquery:
    """Active items with their rate for `period` (the latest starting on or before it)."""
    latest = (
        select(FeeRate.fee_item_id, func.max(FeeRate.effective_from).label("effective_from"))
        .where(FeeRate.effective_from <= period)
        .group_by(FeeRate.fee_item_id)
        .subquery()
    )
    return (
        select(
            FeeItem.id.label("fee_item_id"),
            FeeItem.community_id,
            FeeItem.kind,
            FeeRate.amount_fen.label("rate_fen"),
        )
        .join(latest, latest.c.fee_item_id == FeeItem.id)
        .join(
            FeeRate,
            (FeeRate.fee_item_id == latest.c.fee_item_id)
            & (FeeRate.effective_from == latest.c.effective_from),
        )
        .where(FeeItem.active.is_(True), FeeRate.amount_fen > 0, in_scope)
        .subquery()
    )


def property_amount(area: ColumnElement, rate_fen: ColumnElement) -> ColumnElement[int]:
    """round(area × rate) half up, in integer arithmetic: the area in hundredths of a m² is
    exact on both backends (SQLite keeps NUMERIC as a float), and so is the rest."""
    hundredths = cast(func.round(area * 100), BigInteger)
    return (hundredths * rate_fen + 50) // 100


def _candidates(kind: FeeKind, period: int, in_scope) -> Select:  # type: ignore[no-untyped-def]
    """The bills of one fee kind a run for `period` would issue, as rows of (household_id,
    community_id, fee_item_id, quantity, rate_fen, amount_fen)."""
    rates = _rates_in_force(period, in_scope(FeeItem.community_id))
    of_kind = rates.c.kind == kind
    if kind == FeeKind.PARKING:
        leases = (
            select(
                ParkingLease.household_id,
                ParkingLease.community_id,
                func.count(ParkingLease.id).label("spaces"),
            )
            .where(lease_active(period), in_scope(ParkingLease.community_id))
            .group_by(ParkingLease.household_id, ParkingLease.community_id)
            .subquery()
        )
        return (
            select(
                leases.c.household_id,
                leases.c.community_id,
                rates.c.fee_item_id,
                leases.c.spaces.label("quantity"),
                rates.c.rate_fen,
                (leases.c.spaces * rates.c.rate_fen).label("amount_fen"),
            )
            .join(rates, rates.c.community_id == leases.c.community_id)
            .where(of_kind)
        )
    if kind == FeeKind.PROPERTY:
        quantity: ColumnElement = Household.area_m2
        amount = property_amount(Household.area_m2, rates.c.rate_fen)
    else:
        quantity, amount = literal(1), rates.c.rate_fen
    return (
        select(
            Household.id.label("household_id"),
            Household.community_id,
            rates.c.fee_item_id,
            quantity.label("quantity"),
            rates.c.rate_fen,
            amount.label("amount_fen"),
        )
        .join(rates, rates.c.community_id == Household.community_id)
        .where(of_kind, in_scope(Household.community_id), amount > 0)
    )


def _scope_for(community_id: int | None, user: User | None):  # type: ignore[no-untyped-def]
    if community_id is not None and user is not None:
        get_visible_or_404(Community, community_id, user)
    return lambda column: _communities_in_scope(column, community_id, user)


def preview_billing(
    period: int, community_id: int | None, user: User | None = None
) -> BillingPreview:
    """What `run_billing` would do for the month, without doing it."""
    check_billable(period)
    in_scope = _scope_for(community_id, user)
    # Over many communities, fee items with no bill yet this month (most of them, for a new
    # month) need no look at the bills: the monthly totals say so once per item, not once per
    # household. One community's few households are looked up directly, which plans better.
    started = select(BillMonthTotal.community_id, BillMonthTotal.fee_item_id).where(
        BillMonthTotal.period == period, BillMonthTotal.bills > 0
    )
    kinds = []
    for kind in FeeKind:
        rows = _candidates(kind, period, in_scope).subquery()
        billed = exists().where(
            Bill.household_id == rows.c.household_id,
            Bill.fee_item_id == rows.c.fee_item_id,
            Bill.period == period,
        )
        new = ~billed
        if community_id is None:
            new = or_(tuple_(rows.c.community_id, rows.c.fee_item_id).not_in(started), new)
        count, total = db.session.execute(
            select(func.count(), func.coalesce(func.sum(rows.c.amount_fen), 0)).where(new)
        ).one()
        kinds.append(KindFigures(kind, count, int(total)))
    existing = db.session.scalar(
        select(func.count(Bill.id)).where(Bill.period == period, in_scope(Bill.community_id))
    )
    return BillingPreview(period, community_id, tuple(kinds), existing or 0)


def run_billing(period: int, community_id: int | None, user: User | None) -> BillingRun:
    """Issue the month's bills for one community or every community in scope, draw household
    credit onto them, and record the run. Running a month again issues nothing new."""
    check_billable(period)
    in_scope = _scope_for(community_id, user)
    now = utcnow()
    run = BillingRun(
        period=period,
        community_id=community_id,
        user_id=user.id if user is not None else None,
        created_at=now,
    )
    db.session.add(run)
    db.session.flush()
    columns = [*BILL_KEY[:1], "community_id", "fee_item_id", "quantity", "rate_fen"]
    columns += ["amount_fen", "period", "late_fee_fen", "late_fee_waived_fen", "paid_fen"]
    columns += ["billing_run_id", "created_at"]
    constants = (
        literal(period),
        literal(0),
        literal(0),
        literal(0),
        literal(run.id),
        literal(now, UTCDateTime()),
    )
    for kind in FeeKind:
        rows = _candidates(kind, period, in_scope).add_columns(*constants)
        db.session.execute(
            sql.insert(Bill)
            .from_select(columns, rows)
            .on_conflict_do_nothing(index_elements=BILL_KEY)
        )
    new_bills = (Bill.billing_run_id == run.id) & (Bill.period == period)
    count, total = db.session.execute(
        select(func.count(Bill.id), func.coalesce(func.sum(Bill.amount_fen), 0)).where(
            new_bills, in_scope(Bill.community_id)
        )
    ).one()
    if count:
        draw_credit(run)
    run.bills_created = count
    run.total_fen = int(total)
    run.finished_at = utcnow()
    db.session.flush()
    return run


def draw_credit(run: BillingRun) -> int:
    """Pay the run's new bills from their households' credit, oldest first, set-based: a
    CreditEntry (applied, negative) per bill drawn on, the bill's paid_fen raised and the
    balance lowered by the same amounts. Returns the fen drawn."""
    new_bills = (Bill.billing_run_id == run.id) & (Bill.period == run.period)
    with_credit = (
        select(HouseholdCredit.household_id)
        .where(
            HouseholdCredit.balance_fen > 0,
            HouseholdCredit.household_id.in_(select(Bill.household_id).where(new_bills)),
        )
        .order_by(HouseholdCredit.household_id)
    )
    if sql.is_postgres():
        # Balances read below stay as read until the transaction ends: a payment at the
        # counter adding credit to the same household waits for this run.
        db.session.execute(with_credit.with_for_update())
    due_before = (
        func.sum(DUE).over(partition_by=Bill.household_id, order_by=(Bill.period, Bill.id)) - DUE
    )
    left = HouseholdCredit.balance_fen - due_before
    draws = (
        select(
            Bill.household_id,
            Bill.id.label("bill_id"),
            case((left >= DUE, DUE), (left > 0, left), else_=0).label("draw"),
        )
        .join(HouseholdCredit, HouseholdCredit.household_id == Bill.household_id)
        .where(new_bills, HouseholdCredit.balance_fen > 0)
        .subquery()
    )
    mark = db.session.scalar(select(func.coalesce(func.max(CreditEntry.id), 0)))
    now = utcnow()
    db.session.execute(
        CreditEntry.__table__.insert().from_select(
            ["household_id", "bill_id", "amount_fen", "reason", "created_at"],
            select(
                draws.c.household_id,
                draws.c.bill_id,
                -draws.c.draw,
                literal(CreditReason.APPLIED.value),
                literal(now, UTCDateTime()),
            ).where(draws.c.draw > 0),
        )
    )
    # This step's entries: newer than the mark and on a bill of this run, which nobody else
    # can see before the commit.
    drawn = (
        select(CreditEntry.household_id, CreditEntry.bill_id, CreditEntry.amount_fen)
        .join(Bill, Bill.id == CreditEntry.bill_id)
        .where(CreditEntry.id > mark, CreditEntry.reason == CreditReason.APPLIED, new_bills)
        .subquery()
    )
    per_bill = (
        select(func.sum(drawn.c.amount_fen)).where(drawn.c.bill_id == Bill.id).scalar_subquery()
    )
    db.session.execute(
        update(Bill)
        .where(Bill.id.in_(select(drawn.c.bill_id)))
        .values(paid_fen=Bill.paid_fen - per_bill)
        .execution_options(synchronize_session=False)
    )
    per_household = (
        select(func.sum(drawn.c.amount_fen))
        .where(drawn.c.household_id == HouseholdCredit.household_id)
        .scalar_subquery()
    )
    db.session.execute(
        update(HouseholdCredit)
        .where(HouseholdCredit.household_id.in_(select(drawn.c.household_id)))
        .values(balance_fen=HouseholdCredit.balance_fen + per_household)
        .execution_options(synchronize_session=False)
    )
    expire_loaded(Bill, HouseholdCredit)
    return -(db.session.scalar(select(func.coalesce(func.sum(drawn.c.amount_fen), 0))) or 0)


def billing_run_rows(user: User | None = None) -> Select:
    """Runs the user may see, newest first, with the community's name (None: every one)."""
    return (
        visible(BillingRun, user)
        .outerjoin(Community, Community.id == BillingRun.community_id)
        .outerjoin(User, User.id == BillingRun.user_id)
        .add_columns(Community.name.label("community_name"), User.display_name.label("by"))
        .order_by(BillingRun.created_at.desc(), BillingRun.id.desc())
    )


def community_rows(search: str = "", user: User | None = None) -> Select:
    """Visible communities with their households, active fee items and last month billed.
    The figures are correlated subqueries, so a page of 25 costs 25 index lookups each,
    not an aggregate over the city."""
    households = (
        select(func.count(Household.id))
        .where(Household.community_id == Community.id)
        .scalar_subquery()
    )
    fee_items = (
        select(func.count(FeeItem.id))
        .where(FeeItem.community_id == Community.id, FeeItem.active.is_(True))
        .scalar_subquery()
    )
    last_billed = (
        select(func.max(Bill.period)).where(Bill.community_id == Community.id).scalar_subquery()
    )
    query = (
        visible(Community, user)
        .add_columns(
            households.label("households"),
            fee_items.label("fee_items"),
            last_billed.label("last_billed"),
        )
        .order_by(Community.name, Community.id)
    )
    if search.strip():
        query = query.where(Community.name.contains(search.strip(), autoescape=True))
    return query
