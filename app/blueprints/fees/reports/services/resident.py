"""A resident's own fees (我的缴费): their homes, what each owes now (late fees as of today) and
its credit, and its bills month by month."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, distinct, func, select

from app.authz import scope, visible
from app.blueprints.fees.billing.services import (
    DUE,
    KIND_ORDER,
    PRINCIPAL_DUE,
    due_as_of,
    late_fee_as_of,
)
from app.extensions import db
from app.models import (
    Bill,
    Building,
    Community,
    FeeItem,
    FeeKind,
    Household,
    HouseholdCredit,
    ResidentHousehold,
    Unit,
    User,
)
from app.periods import shanghai_today
from app.places import household_addresses


def own_households(user: User) -> list[Any]:
    """The homes the resident is linked to, as rows of (Household, community, building, unit)."""
    return list(
        db.session.execute(
            household_addresses(user)
            .join(ResidentHousehold, ResidentHousehold.household_id == Household.id)
            .add_columns(
                Community.name.label("community"),
                Building.number.label("building"),
                Unit.number.label("unit"),
            )
            .where(ResidentHousehold.user_id == user.id)
            .order_by(Household.id)
            .distinct()
        )
    )


@dataclass(frozen=True)
class FeeStanding:
    """What a household (or all of a resident's households) owes now, and its credit."""

    principal_fen: int
    late_fen: int
    months: int
    since: int | None
    credit_fen: int

    @property
    def owed_fen(self) -> int:
        return self.principal_fen + self.late_fen


def fee_standing(household_ids: Sequence[int], user: User | None = None) -> FeeStanding:
    """One aggregate over the households' bills still owing, and their credit balances."""
    if not household_ids:
        return FeeStanding(0, 0, 0, None, 0)
    principal, owed, months, since = db.session.execute(
        select(
            func.coalesce(func.sum(PRINCIPAL_DUE), 0),
            func.coalesce(func.sum(due_as_of(shanghai_today())), 0),
            func.count(distinct(Bill.period)),
            func.min(Bill.period),
        ).where(scope(Bill, user), Bill.household_id.in_(household_ids), DUE > 0)
    ).one()
    credit = db.session.scalar(
        select(func.coalesce(func.sum(HouseholdCredit.balance_fen), 0)).where(
            scope(HouseholdCredit, user), HouseholdCredit.household_id.in_(household_ids)
        )
    )
    return FeeStanding(int(principal), int(owed) - int(principal), int(months), since, int(credit))


def bill_months(household_id: int, user: User | None = None) -> Select:
    """The months the household has bills for, newest first: the unit the page is paged by."""
    return (
        select(Bill.period)
        .where(scope(Bill, user), Bill.household_id == household_id)
        .group_by(Bill.period)
        .order_by(Bill.period.desc())
    )


BILL_PAID, BILL_PART_PAID, BILL_UNPAID = "paid", "part_paid", "unpaid"
BILL_STATUS_LABELS: Mapping[str, object] = {
    BILL_PAID: _l("Paid"),
    BILL_PART_PAID: _l("Part paid"),
    BILL_UNPAID: _l("Unpaid"),
}


@dataclass(frozen=True)
class MonthBill:
    bill: Bill
    item: str
    kind: FeeKind
    late_fee_fen: int  # the late fee charged as of today (see late_fee_as_of)

    @property
    def late_fen(self) -> int:
        """The late fee still charged, after any waiver."""
        return self.late_fee_fen - self.bill.late_fee_waived_fen

    @property
    def due_fen(self) -> int:
        return self.bill.amount_fen + self.late_fen - self.bill.paid_fen

    @property
    def status(self) -> str:
        if self.due_fen <= 0:
            return BILL_PAID
        return BILL_PART_PAID if self.bill.paid_fen else BILL_UNPAID


@dataclass(frozen=True)
class Month:
    period: int
    bills: list[MonthBill]

    @property
    def due_fen(self) -> int:
        return sum(b.due_fen for b in self.bills)

    @property
    def status(self) -> str:
        statuses = {b.status for b in self.bills}
        if statuses == {BILL_PAID}:
            return BILL_PAID
        return BILL_UNPAID if statuses == {BILL_UNPAID} else BILL_PART_PAID


def months_with_bills(
    household_id: int, periods: Iterable[int], user: User | None = None
) -> list[Month]:
    """The household's bills of these months, grouped by month, newest first."""
    wanted = list(periods)
    rows = db.session.execute(
        visible(Bill, user)
        .join(FeeItem, FeeItem.id == Bill.fee_item_id)
        .add_columns(
            FeeItem.name, FeeItem.kind, late_fee_as_of(shanghai_today()).label("late_fee_fen")
        )
        .where(Bill.household_id == household_id, Bill.period.in_(wanted))
        .order_by(Bill.period.desc(), KIND_ORDER, FeeItem.name, Bill.id)
    ).all()
    by_month: dict[int, list[MonthBill]] = {period: [] for period in wanted}
    for row in rows:
        by_month[row.Bill.period].append(
            MonthBill(row.Bill, row.name, row.kind, int(row.late_fee_fen))
        )
    return [Month(period, bills) for period, bills in by_month.items() if bills]
