"""Fee items (收费项目) and their rates: a rate holds from its month on, and bills keep the rate
they were issued with, so a rate never starts in a month already billed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _
from sqlalchemy import case, func, select

from app.authz import visible
from app.extensions import db
from app.models import Bill, FeeItem, FeeKind, FeeRate, User
from app.periods import add_months, current_period, format_period
from app.rules import RuleError, refuse_duplicates
from app.sql import lock_row

# Property first, then parking, then the other charges.
KIND_ORDER = case({FeeKind.PROPERTY: 0, FeeKind.PARKING: 1}, value=FeeItem.kind, else_=2)


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
        .order_by(FeeItem.active.desc(), KIND_ORDER, FeeItem.name)
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
        raise RuleError(
            _("This community already bills parking with another item; pause that one first."),
            "kind",
        )


ITEM_NAME_TAKEN = _("This community already has a fee item with that name.")
refuse_duplicates(FeeItem.__table__, ("community_id", "name"), "name", lambda _row: ITEM_NAME_TAKEN)


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
        raise RuleError(ITEM_NAME_TAKEN, "name")
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
        raise RuleError(
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
