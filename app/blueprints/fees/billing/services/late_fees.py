"""Late fees (滞纳金): a community's rule, bringing the fees up to a day, what a page shows of
them, and waivers.

A bill is due by the end of its month. Once the rule's grace days have passed, its late fee is
charged on what is unpaid of its principal (a daily rate, or a fixed sum), up to a share of the
bill. A late fee only grows: paying the principal stops it growing but leaves what was charged,
which the household still owes unless a manager waives it.

The stored late fee is written by requests that change money (a payment assesses its household
first) and by the nightly `flask fees assess-late-fees`; pages only read it, through
`late_fee_as_of`, which adds what the rule has grown since. Both apply the one rule of
`_assessment`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    case,
    cast,
    func,
    literal_column,
    select,
    update,
)

from app import sql
from app.authz import get_visible_or_404, visible
from app.blueprints.fees.billing.services.bills import expire_loaded
from app.extensions import db
from app.models import Bill, FeeItem, Household, LateFeeMode, LateFeeRule, LateFeeWaiver, User
from app.money import format_fen
from app.periods import add_months
from app.rules import RuleError
from app.sql import lock_row


def _days_past_month_end(as_of: date) -> ColumnElement[int]:
    """Days from the last day of the bill's month to `as_of`. Date arithmetic differs by
    backend; `as_of` is a date, never user text."""
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


def _assessment(as_of: date) -> tuple[ColumnElement[int], tuple[ColumnElement[bool], ...]]:
    """The community's rule applied to a bill as of `as_of`, in terms of `Bill` and
    `LateFeeRule`: the late fee it charges, and when that raises the bill's (the rule is on,
    the month ended before `as_of`, principal is unpaid, the grace days have passed, and the
    fee charged is more than the bill carries)."""
    rule = LateFeeRule
    late_days = _days_past_month_end(as_of) - rule.grace_days
    unpaid = cast(Bill.amount_fen - Bill.paid_fen, BigInteger)
    daily = (unpaid * rule.daily_rate_per_10k * late_days + 5000) // 10000
    charged = case((rule.mode == LateFeeMode.DAILY_RATE, daily), else_=rule.fixed_fen)
    cap = cast(Bill.amount_fen, BigInteger) * rule.cap_percent // 100
    assessed = case((charged > cap, cap), else_=charged)
    last_month = add_months(as_of.year * 100 + as_of.month, -1)
    raises = (
        Bill.community_id == rule.community_id,
        rule.enabled.is_(True),
        Bill.period <= last_month,
        Bill.paid_fen < Bill.amount_fen,
        late_days > 0,
        assessed > Bill.late_fee_fen,
    )
    return assessed, raises


def assess_late_fees(
    as_of: date, community_id: int | None = None, household_id: int | None = None
) -> int:
    """Bring late fees up to `as_of` on every unpaid bill of the communities whose rule is on
    — or of one community, or one household (a payment does so for its household first). One
    UPDATE; the caller commits. Returns how many bills changed."""
    assessed, raises = _assessment(as_of)
    stmt = (
        update(Bill)
        .where(*raises)
        .values(late_fee_fen=assessed)
        .execution_options(synchronize_session=False)
    )
    if community_id is not None:
        stmt = stmt.where(Bill.community_id == community_id)
    if household_id is not None:
        stmt = stmt.where(Bill.household_id == household_id)
    changed = db.session.execute(stmt).rowcount
    expire_loaded(Bill)
    return changed


def late_fee_as_of(as_of: date) -> ColumnElement[int]:
    """A bill's late fee as of `as_of`, read-only: the one assessed, or what `assess_late_fees`
    would raise it to on that day. For the columns of a query over `Bill`, which it
    correlates to."""
    assessed, raises = _assessment(as_of)
    raised = select(assessed).where(*raises).correlate(Bill).scalar_subquery()
    return func.coalesce(raised, Bill.late_fee_fen)


def due_as_of(as_of: date) -> ColumnElement[int]:
    """What a bill owes as of `as_of` (as DUE does, with the late fee of that day). Where
    `DUE > 0` and where this is are the same bills: a late fee grows only on unpaid principal."""
    return Bill.amount_fen + late_fee_as_of(as_of) - Bill.late_fee_waived_fen - Bill.paid_fen


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
    """Create or change the community's rule. Two first saves at once both succeed, the
    later one's terms kept: the row is made if missing, then locked and changed."""
    db.session.execute(
        sql.insert(LateFeeRule)
        .values(community_id=community_id, mode=terms.mode)
        .on_conflict_do_nothing(index_elements=["community_id"])
    )
    rule = db.session.scalars(
        select(LateFeeRule)
        .where(LateFeeRule.community_id == community_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
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
        raise RuleError(
            _("At most %(amount)s of this late fee can be waived.", amount=format_fen(limit)),
            "amount",
        )
    reason = reason.strip()
    if not reason:
        raise RuleError(_("Give the reason for the waiver."), "reason")
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
