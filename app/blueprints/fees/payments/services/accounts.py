"""A household at the counter: finding it, what it owes (its open bills, late fees as of
today) and its payment history."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, false, func, or_, select

from app.authz import visible
from app.blueprints.fees.billing.services import DUE, due_as_of, late_fee_as_of
from app.blueprints.fees.payments.services.credit import credit_balance
from app.extensions import db
from app.models import (
    Bill,
    Building,
    Community,
    FeeItem,
    Household,
    HouseholdCredit,
    Payment,
    Unit,
    User,
)
from app.periods import shanghai_today
from app.places import household_addresses

_ROOM_SEPARATORS = re.compile(r"[\s\-栋单元室号/]+")
# A phone number is searched once this many digits are typed; fewer match half the city.
PHONE_DIGITS = 4


def household_rows(search: str, user: User | None = None) -> Select:
    """Visible households matching what the clerk typed: a room ('101', '3-2-101',
    '3栋2单元101'), the beginning of the owner's name or of a phone number (prefixes, which
    the household indexes serve); with the community,
    building and unit, what is owed and the credit held. An empty search matches nothing."""
    text = search.strip()
    parts = [p for p in _ROOM_SEPARATORS.split(text) if p]
    if not parts:
        condition: ColumnElement[bool] = false()
    elif len(parts) == 1:
        condition = or_(
            Household.room == parts[0],
            Household.owner_name.startswith(text, autoescape=True),
        )
        if sum(ch.isdigit() for ch in text) >= PHONE_DIGITS:
            condition = condition | Household.phone.startswith(text, autoescape=True)
    else:
        condition = (Household.room == parts[-1]) & (Unit.number == parts[-2])
        if len(parts) >= 3:
            condition = condition & (Building.number == parts[-3])
    owed = (
        select(func.coalesce(func.sum(due_as_of(shanghai_today())), 0))
        .where(Bill.household_id == Household.id, DUE > 0)
        .scalar_subquery()
    )
    return (
        household_addresses(user)
        .outerjoin(HouseholdCredit, HouseholdCredit.household_id == Household.id)
        .add_columns(
            Community.name.label("community"),
            Building.number.label("building"),
            Unit.number.label("unit"),
            owed.label("owed_fen"),
            func.coalesce(HouseholdCredit.balance_fen, 0).label("credit_fen"),
        )
        .where(condition)
        .order_by(Community.name, Building.sort_key, Building.number, Unit.number, Household.room)
    )


@dataclass(frozen=True)
class OpenBill:
    bill: Bill
    item: str
    # The part of what is owed that is principal, and the part that is late fee (shown apart).
    principal_fen: int
    late_fen: int

    @property
    def due_fen(self) -> int:
        return self.principal_fen + self.late_fen


class OwedTotals:
    """What a household's open bills add up to: principal and late fees apart, and in all."""

    bills: list[OpenBill]

    @property
    def principal_fen(self) -> int:
        return sum(b.principal_fen for b in self.bills)

    @property
    def late_fen(self) -> int:
        return sum(b.late_fen for b in self.bills)

    @property
    def owed_fen(self) -> int:
        return self.principal_fen + self.late_fen


@dataclass(frozen=True)
class Account(OwedTotals):
    household: Household
    community: Community
    building: Building
    unit: Unit
    bills: list[OpenBill]
    credit_fen: int


def owed_fen(bill: Bill, late_fee_fen: int | None = None) -> int:
    """What a bill still owes, as DUE computes it in SQL; with the late fee `late_fee_fen`
    instead of the one stored, as due_as_of does."""
    late = bill.late_fee_fen if late_fee_fen is None else late_fee_fen
    return bill.amount_fen + late - bill.late_fee_waived_fen - bill.paid_fen


def _open_bill(bill: Bill, item: str, late_fee_fen: int) -> OpenBill:
    # Payments pay the principal first, then the late fee.
    principal = max(0, bill.amount_fen - bill.paid_fen)
    return OpenBill(bill, item, principal, owed_fen(bill, late_fee_fen) - principal)


def open_bills(household_id: int, user: User | None = None) -> list[OpenBill]:
    """The household's bills with something still owed, oldest first, with their late fees
    as of today."""
    rows = db.session.execute(
        visible(Bill, user)
        .join(FeeItem, FeeItem.id == Bill.fee_item_id)
        .add_columns(FeeItem.name, late_fee_as_of(shanghai_today()).label("late_fee_fen"))
        .where(Bill.household_id == household_id, DUE > 0)
        .order_by(Bill.period, Bill.id)
    ).all()
    return [_open_bill(row.Bill, row.name, int(row.late_fee_fen)) for row in rows]


def account(household: Household, user: User | None = None) -> Account:
    """What the counter shows for a household: its home, open bills and credit, with late fees
    as of today: the amounts a payment will find once it has assessed them."""
    unit = db.session.get(Unit, household.unit_id)
    return Account(
        household=household,
        community=db.session.get(Community, household.community_id),
        building=db.session.get(Building, unit.building_id),
        unit=unit,
        bills=open_bills(household.id, user),
        credit_fen=credit_balance(household.id),
    )


def payment_rows(household_id: int | None = None, user: User | None = None) -> Select:
    """Payments and reversals the user may see, newest first, with the collector's name and,
    for a payment, the receipt number of the reversal that cancelled it."""
    reversal = Payment.__table__.alias("reversal")
    # A correlated lookup, not a join: reverses_id is NULL on almost every row, which makes
    # SQLite's statistics steer a join away from its index and through the whole table.
    reversed_by = (
        select(reversal.c.receipt_no)
        .where(reversal.c.reverses_id == Payment.id)
        .scalar_subquery()
        .label("reversed_by")
    )
    query = (
        visible(Payment, user)
        .join(User, User.id == Payment.collector_user_id)
        .add_columns(User.display_name.label("collector"), reversed_by)
        .order_by(Payment.created_at.desc(), Payment.id.desc())
    )
    if household_id is not None:
        query = query.where(Payment.household_id == household_id)
    return query
