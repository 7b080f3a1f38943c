"""Fee items and rates, parking spaces and leases, monthly billing runs, late fees.

A billing run turns "households × active fee items × the rate in force that month" into bills
with one INSERT … SELECT per fee kind; the unique key household × item × month makes a second
run of the same month insert nothing (ON CONFLICT DO NOTHING). Household credit (预存) is then
drawn onto the new bills, oldest first, in the same transaction and just as set-based.

Bill.paid_fen is what has been paid towards a bill: the sum of its payment allocations plus the
credit drawn onto it (CreditEntry rows with reason "applied" and the bill's id). Payments pay the
principal first, so the unpaid principal of a bill is amount_fen - paid_fen while that is
positive; late fees grow on that.

Functions take ids or models and leave the commit to the caller (a view, the CLI or the bench).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    Subquery,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    tuple_,
    update,
)

from app import sql
from app.authz import get_visible_or_404, scope, visible
from app.extensions import db
from app.models import (
    Bill,
    BillingRun,
    BillMonthTotal,
    Building,
    Community,
    CreditEntry,
    CreditReason,
    FeeItem,
    FeeKind,
    FeeRate,
    Household,
    HouseholdCredit,
    LateFeeMode,
    LateFeeRule,
    LateFeeWaiver,
    ParkingLease,
    ParkingSpace,
    Role,
    Unit,
    User,
)
from app.models.base import UTCDateTime
from app.money import format_fen
from app.periods import add_months, current_period, format_period, utcnow
from app.sql import lock_row

BILL_KEY = ["household_id", "fee_item_id", "period"]
# A range of parking spaces is typed by hand; more than this at once is a typo.
MAX_SPACES_PER_RANGE = 500
_SPACE_NUMBER = re.compile(r"^(.*?)(\d+)$")
# 渝A12345, 鄂E·D12345 (new-energy plates have six characters after the letter).
_PLATE = re.compile(r"^[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6}$")


class BillingError(ValueError):
    """A request the billing rules refuse; the message is for the user, in their language.
    `field` names the form field it is about, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _expire_loaded(*models: type) -> None:
    """Bulk UPDATEs bypass the session: objects of these models already loaded are reloaded
    on next access, so a caller never reads a stale paid_fen or late fee."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, models):
            db.session.expire(obj)


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
        raise BillingError(
            _(
                "%(month)s is too far ahead: bills can be issued up to next month (%(latest)s).",
                month=format_period(period),
                latest=format_period(latest),
            ),
            "period",
        )


# ---- Fee items and rates ------------------------------------------------------------------


_KIND_ORDER = case({FeeKind.PROPERTY: 0, FeeKind.PARKING: 1}, value=FeeItem.kind, else_=2)


def fee_item_rows(community_id: int, period: int | None = None, user: User | None = None) -> list:
    """The community's fee items with the rate in force this month (or `period`) and the last
    month billed; None where there is none."""
    period = period or current_period()
    in_force = (
        select(FeeRate.amount_fen)
        .where(FeeRate.fee_item_id == FeeItem.id, FeeRate.effective_from <= period)
        .order_by(FeeRate.effective_from.desc())
        .limit(1)
        .scalar_subquery()
    )
    last_billed = (
        select(func.max(Bill.period))
        .where(Bill.community_id == FeeItem.community_id, Bill.fee_item_id == FeeItem.id)
        .scalar_subquery()
    )
    return db.session.execute(
        visible(FeeItem, user)
        .add_columns(in_force.label("rate_fen"), last_billed.label("last_billed"))
        .where(FeeItem.community_id == community_id)
        .order_by(FeeItem.active.desc(), _KIND_ORDER, FeeItem.name)
    ).all()


def rate_history(community_id: int, user: User | None = None) -> dict[int, list[FeeRate]]:
    """Every rate of the community's items, newest first, by item id."""
    rates = db.session.scalars(
        visible(FeeRate, user)
        .join(FeeItem, FeeItem.id == FeeRate.fee_item_id)
        .where(FeeItem.community_id == community_id)
        .order_by(FeeRate.effective_from.desc())
    )
    history: dict[int, list[FeeRate]] = {}
    for rate in rates:
        history.setdefault(rate.fee_item_id, []).append(rate)
    return history


def _last_billed(item: FeeItem) -> int | None:
    return db.session.scalar(
        select(func.max(Bill.period)).where(
            Bill.community_id == item.community_id, Bill.fee_item_id == item.id
        )
    )


def _check_one_active_parking_item(community_id: int, other_than: int | None = None) -> None:
    # Leases name no fee item: two active parking items would bill every space twice.
    query = select(FeeItem.id).where(
        FeeItem.community_id == community_id,
        FeeItem.kind == FeeKind.PARKING,
        FeeItem.active.is_(True),
    )
    if other_than is not None:
        query = query.where(FeeItem.id != other_than)
    if db.session.scalar(query.limit(1)) is not None:
        raise BillingError(
            _("This community already bills parking with another item; pause that one first."),
            "kind",
        )


def create_fee_item(
    community_id: int,
    kind: FeeKind,
    name: str,
    rate_fen: int,
    effective_from: int,
    user: User | None,
) -> FeeItem:
    """A new fee item with its first rate."""
    name = name.strip()
    taken = select(FeeItem.id).where(FeeItem.community_id == community_id, FeeItem.name == name)
    if db.session.scalar(taken) is not None:
        raise BillingError(_("This community already has a fee item with that name."), "name")
    if kind == FeeKind.PARKING:
        _check_one_active_parking_item(community_id)
    item = FeeItem(community_id=community_id, kind=kind, name=name, active=True)
    db.session.add(item)
    db.session.flush()
    set_rate(item, effective_from, rate_fen, user)
    return item


def set_rate(item: FeeItem, effective_from: int, amount_fen: int, user: User | None) -> FeeRate:
    """A rate for `item` from `effective_from` on. Bills keep the rate they were issued with,
    so a rate may not start in a month that has already been billed for this item."""
    lock_row(FeeItem, item.id)
    billed = _last_billed(item)
    if billed is not None and effective_from <= billed:
        raise BillingError(
            _(
                "Bills up to %(billed)s have already been issued with the old rate, and issued "
                "bills never change. Choose %(next)s or later.",
                billed=format_period(billed),
                next=format_period(add_months(billed, 1)),
            ),
            "effective_from",
        )
    rate = db.session.scalar(
        select(FeeRate).where(
            FeeRate.fee_item_id == item.id, FeeRate.effective_from == effective_from
        )
    )
    if rate is None:
        rate = FeeRate(fee_item_id=item.id, effective_from=effective_from)
        db.session.add(rate)
    rate.amount_fen = amount_fen
    rate.created_by_user_id = user.id if user is not None else None
    db.session.flush()
    return rate


def set_item_active(item: FeeItem, active: bool) -> None:
    """Pause an item (billing runs skip it) or resume it."""
    if active and item.kind == FeeKind.PARKING:
        _check_one_active_parking_item(item.community_id, other_than=item.id)
    item.active = active
    db.session.flush()


# ---- Parking --------------------------------------------------------------------------------


def parking_rows(
    community_id: int, search: str = "", period: int | None = None, user: User | None = None
) -> Select:
    """The community's spaces in number order, each with the lease in force this month (if
    any) and the room it is let to."""
    period = period or current_period()
    lease = select(ParkingLease).where(_lease_active(period)).subquery()
    query = (
        visible(ParkingSpace, user)
        .outerjoin(lease, lease.c.space_id == ParkingSpace.id)
        .outerjoin(Household, Household.id == lease.c.household_id)
        .outerjoin(Unit, Unit.id == Household.unit_id)
        .outerjoin(Building, Building.id == Unit.building_id)
        .add_columns(
            lease.c.id.label("lease_id"),
            lease.c.plate,
            lease.c.start_period,
            lease.c.end_period,
            Building.number.label("building"),
            Unit.number.label("unit"),
            Household.room,
            Household.owner_name,
        )
        .where(ParkingSpace.community_id == community_id)
        .order_by(func.length(ParkingSpace.number), ParkingSpace.number)
    )
    search = search.strip()
    if search:
        pattern = f"%{search.upper()}%"
        query = query.where(or_(ParkingSpace.number.like(pattern), lease.c.plate.like(pattern)))
    return query


def _lease_active(period: int) -> ColumnElement[bool]:
    return (ParkingLease.start_period <= period) & (
        ParkingLease.end_period.is_(None) | (ParkingLease.end_period >= period)
    )


def space_numbers(first: str, last: str | None = None) -> list[str]:
    """'A001' alone → ['A001']; 'A001' to 'A120' → the 120 numbers, zero-padded alike."""
    first = first.strip().upper()
    last = (last or "").strip().upper()
    if not first:
        raise BillingError(_("Enter a space number."), "first")
    if not last or last == first:
        return [first]
    start, end = _SPACE_NUMBER.match(first), _SPACE_NUMBER.match(last)
    if not start or not end or start.group(1) != end.group(1):
        raise BillingError(
            _("A range needs two numbers with the same prefix, e.g. A001 to A120."), "last"
        )
    low, high = int(start.group(2)), int(end.group(2))
    if high < low:
        raise BillingError(_("The last number must come after the first."), "last")
    if high - low + 1 > MAX_SPACES_PER_RANGE:
        raise BillingError(_("Add at most %(n)s spaces at once.", n=MAX_SPACES_PER_RANGE), "last")
    width = len(start.group(2))
    return [f"{start.group(1)}{n:0{width}d}" for n in range(low, high + 1)]


def add_spaces(community_id: int, numbers: list[str]) -> tuple[int, int]:
    """Add the spaces not there yet, in one statement; (added, already there)."""
    if any(len(number) > ParkingSpace.number.type.length for number in numbers):
        raise BillingError(_("A space number has at most 16 characters."), "first")
    present = set(
        db.session.scalars(
            select(ParkingSpace.number).where(
                ParkingSpace.community_id == community_id, ParkingSpace.number.in_(numbers)
            )
        )
    )
    missing = [n for n in numbers if n not in present]
    if missing:
        now = utcnow()
        db.session.execute(
            sql.insert(ParkingSpace).on_conflict_do_nothing(
                index_elements=["community_id", "number"]
            ),
            [{"community_id": community_id, "number": n, "created_at": now} for n in missing],
        )
    return len(missing), len(present)


def _household_rows(community_id: int, user: User | None) -> Select:
    return (
        visible(Household, user)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .add_columns(Building.number.label("building"), Unit.number.label("unit"))
        .where(Household.community_id == community_id)
    )


def household_row(community_id: int, household_id: int, user: User | None = None) -> Any:
    """One household of the community as a (Household, building, unit) row, or None."""
    return db.session.execute(
        _household_rows(community_id, user).where(Household.id == household_id)
    ).first()


def household_matches(
    community_id: int, text: str, limit: int = 12, user: User | None = None
) -> list:
    """Households of the community whose room matches what was typed: '101', '3-2-101' or
    '3栋2单元101'; rows of (Household, building number, unit number)."""
    parts = [p for p in re.split(r"[\s\-栋单元室号/]+", text.strip()) if p]
    if not parts:
        return []
    query = _household_rows(community_id, user).where(Household.room == parts[-1])
    if len(parts) >= 2:
        query = query.where(Unit.number == parts[-2])
    if len(parts) >= 3:
        query = query.where(Building.number == parts[-3])
    return db.session.execute(
        query.order_by(Building.sort_key, Building.number, Unit.number).limit(limit)
    ).all()


def normalise_plate(text: str) -> str:
    plate = re.sub(r"[\s·.\-]", "", text or "").upper()
    if not _PLATE.match(plate):
        raise BillingError(_("Enter a plate number such as 渝A12345 or 鄂ED12345."), "plate")
    return plate


def _overlapping_lease(
    space_id: int, start: int, end: int | None, other_than: int | None = None
) -> ParkingLease | None:
    query = select(ParkingLease).where(
        ParkingLease.space_id == space_id,
        ParkingLease.end_period.is_(None) | (ParkingLease.end_period >= start),
    )
    if end is not None:
        query = query.where(ParkingLease.start_period <= end)
    if other_than is not None:
        query = query.where(ParkingLease.id != other_than)
    return db.session.scalar(query.order_by(ParkingLease.start_period).limit(1))


def _overlap_error(lease: ParkingLease) -> BillingError:
    until = format_period(lease.end_period) if lease.end_period else _("open-ended")
    return BillingError(
        _(
            "This space is already let to %(plate)s from %(start)s to %(end)s; those months "
            "overlap.",
            plate=lease.plate,
            start=format_period(lease.start_period),
            end=until,
        ),
        "start_period",
    )


def let_space(
    space: ParkingSpace,
    household: Household,
    plate: str,
    start_period: int,
    end_period: int | None,
) -> ParkingLease:
    """Let a space to a household for a plate, from a month to a month (open-ended if none).
    The space's row lock makes the overlap check and the insert one step: two clerks letting
    the same space at once never both succeed."""
    if household.community_id != space.community_id:
        raise BillingError(_("The household lives in another community."), "household_id")
    if end_period is not None and end_period < start_period:
        raise BillingError(_("The last month cannot come before the first."), "end_period")
    plate = normalise_plate(plate)
    lock_row(ParkingSpace, space.id)
    clash = _overlapping_lease(space.id, start_period, end_period)
    if clash is not None:
        raise _overlap_error(clash)
    lease = ParkingLease(
        space_id=space.id,
        community_id=space.community_id,
        household_id=household.id,
        plate=plate,
        start_period=start_period,
        end_period=end_period,
    )
    db.session.add(lease)
    db.session.flush()
    return lease


def end_lease(lease: ParkingLease, end_period: int) -> None:
    """End a lease with the last month it is billed for; never later than it already ends."""
    lock_row(ParkingSpace, lease.space_id)
    db.session.refresh(lease)
    if end_period < lease.start_period:
        raise BillingError(
            _(
                "The lease starts in %(start)s; it cannot end before that.",
                start=format_period(lease.start_period),
            ),
            "end_period",
        )
    if lease.end_period is not None and end_period > lease.end_period:
        raise BillingError(
            _(
                "The lease already ends in %(end)s; let the space again to extend it.",
                end=format_period(lease.end_period),
            ),
            "end_period",
        )
    lease.end_period = end_period
    db.session.flush()


def lease_history(space_id: int, user: User | None = None) -> list:
    """Every lease of a space, newest first, with the room it was let to."""
    return db.session.execute(
        visible(ParkingLease, user)
        .join(Household, Household.id == ParkingLease.household_id)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .add_columns(
            Building.number.label("building"),
            Unit.number.label("unit"),
            Household.room,
            Household.owner_name,
        )
        .where(ParkingLease.space_id == space_id)
        .order_by(ParkingLease.start_period.desc())
    ).all()


# ---- Billing runs ---------------------------------------------------------------------------


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
            .where(_lease_active(period), in_scope(ParkingLease.community_id))
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
    due = Bill.amount_fen + Bill.late_fee_fen - Bill.late_fee_waived_fen - Bill.paid_fen
    due_before = (
        func.sum(due).over(partition_by=Bill.household_id, order_by=(Bill.period, Bill.id)) - due
    )
    left = HouseholdCredit.balance_fen - due_before
    draws = (
        select(
            Bill.household_id,
            Bill.id.label("bill_id"),
            case((left >= due, due), (left > 0, left), else_=0).label("draw"),
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
    _expire_loaded(Bill, HouseholdCredit)
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


# ---- Late fees ------------------------------------------------------------------------------


def _days_past_month_end(as_of: date) -> ColumnElement[int]:
    """Days from the last day of the bill's month to `as_of` (a bill is due by the end of its
    month). Date arithmetic differs by backend; `as_of` is a date, never user text."""
    day = as_of.isoformat()
    if sql.is_postgres():
        expression = (
            f"(DATE '{day}' - (make_date(bill.period / 100, bill.period % 100, 1)"
            " + INTERVAL '1 month' - INTERVAL '1 day')::date)"
        )
    else:
        expression = (
            f"CAST(julianday('{day}') - julianday(printf('%04d-%02d-01', bill.period / 100,"
            " bill.period % 100), '+1 month', '-1 day') AS INTEGER)"
        )
    return literal_column(expression, Integer)


def assess_late_fees(
    as_of: date, community_id: int | None = None, household_id: int | None = None
) -> int:
    """Bring late fees (滞纳金) up to `as_of` on every unpaid bill of the communities whose rule
    is on — or of one community, or one household (the counter calls this when it opens a
    household). One UPDATE. A late fee only grows: paying the principal stops it growing but
    leaves what was charged, which the household still owes unless a manager waives it.
    Returns how many bills changed."""
    rule = LateFeeRule
    late_days = _days_past_month_end(as_of) - rule.grace_days
    unpaid = cast(Bill.amount_fen - Bill.paid_fen, BigInteger)
    daily = (unpaid * rule.daily_rate_per_10k * late_days + 5000) // 10000
    charged = case((rule.mode == LateFeeMode.DAILY_RATE, daily), else_=rule.fixed_fen)
    cap = cast(Bill.amount_fen, BigInteger) * rule.cap_percent // 100
    assessed = case((charged > cap, cap), else_=charged)
    # The month ended before as_of: nothing this month or later can be late yet.
    last_month = add_months(as_of.year * 100 + as_of.month, -1)
    stmt = (
        update(Bill)
        .where(
            Bill.community_id == rule.community_id,
            rule.enabled.is_(True),
            Bill.period <= last_month,
            Bill.paid_fen < Bill.amount_fen,
            late_days > 0,
            assessed > Bill.late_fee_fen,
        )
        .values(late_fee_fen=assessed)
        .execution_options(synchronize_session=False)
    )
    if community_id is not None:
        stmt = stmt.where(Bill.community_id == community_id)
    if household_id is not None:
        stmt = stmt.where(Bill.household_id == household_id)
    changed = db.session.execute(stmt).rowcount
    _expire_loaded(Bill)
    return changed


def late_fee_rule(community_id: int, user: User | None = None) -> LateFeeRule | None:
    return db.session.scalar(
        visible(LateFeeRule, user).where(LateFeeRule.community_id == community_id)
    )


@dataclass(frozen=True)
class LateFeeTerms:
    enabled: bool
    mode: LateFeeMode
    daily_rate_per_10k: int
    fixed_fen: int
    grace_days: int
    cap_percent: int


def save_late_fee_rule(community_id: int, terms: LateFeeTerms) -> LateFeeRule:
    rule = db.session.scalar(select(LateFeeRule).where(LateFeeRule.community_id == community_id))
    if rule is None:
        rule = LateFeeRule(community_id=community_id)
        db.session.add(rule)
    rule.enabled = terms.enabled
    rule.mode = terms.mode
    rule.daily_rate_per_10k = terms.daily_rate_per_10k
    rule.fixed_fen = terms.fixed_fen
    rule.grace_days = terms.grace_days
    rule.cap_percent = terms.cap_percent
    db.session.flush()
    return rule


def waivable_fen(bill: Bill) -> int:
    """How much of the late fee may still be waived: not what was waived already, nor what
    has been paid (that would need a refund)."""
    outstanding = bill.late_fee_fen - bill.late_fee_waived_fen
    due = bill.amount_fen + outstanding - bill.paid_fen
    return max(0, min(outstanding, due))


def waive_late_fee(bill: Bill, amount_fen: int, reason: str, user: User) -> LateFeeWaiver:
    """Waive (part of) a bill's late fee with a reason: the waiver row and the bill change in
    the caller's one transaction, under the bill's row lock."""
    lock_row(Bill, bill.id)
    db.session.refresh(bill)
    limit = waivable_fen(bill)
    if amount_fen <= 0 or amount_fen > limit:
        raise BillingError(
            _("At most %(amount)s of this late fee can be waived.", amount=format_fen(limit)),
            "amount",
        )
    reason = reason.strip()
    if not reason:
        raise BillingError(_("Give the reason for the waiver."), "reason")
    bill.late_fee_waived_fen += amount_fen
    waiver = LateFeeWaiver(bill_id=bill.id, amount_fen=amount_fen, reason=reason, user_id=user.id)
    db.session.add(waiver)
    db.session.flush()
    return waiver


def bill_detail(bill_id: int) -> tuple[Bill, FeeItem, Household, list]:
    """One visible bill with its item, household and waivers (newest first)."""
    bill = get_visible_or_404(Bill, bill_id)
    item = db.session.get(FeeItem, bill.fee_item_id)
    household = db.session.get(Household, bill.household_id)
    waivers = db.session.execute(
        visible(LateFeeWaiver)
        .join(User, User.id == LateFeeWaiver.user_id)
        .add_columns(User.display_name.label("by"))
        .where(LateFeeWaiver.bill_id == bill.id)
        .order_by(LateFeeWaiver.created_at.desc())
    ).all()
    return bill, item, household, waivers  # type: ignore[return-value]
