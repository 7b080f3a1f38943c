"""Recording a payment: applied to the household's open bills oldest first (or to the bills
ticked), the rest kept as credit; under locks, with the form's idempotency key."""

from __future__ import annotations

from flask_babel import lazy_gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.blueprints.fees.billing.services import DUE, assess_late_fees
from app.blueprints.fees.payments.services.accounts import owed_fen
from app.blueprints.fees.payments.services.credit import add_credit
from app.blueprints.fees.payments.services.receipts import take_receipt_number
from app.extensions import db
from app.models import (
    Bill,
    Community,
    CreditReason,
    FeeItem,
    Household,
    Payment,
    PaymentAllocation,
    PaymentKind,
    PaymentMethod,
    User,
)
from app.money import format_fen
from app.periods import shanghai_today, utcnow
from app.rules import RuleError
from app.sql import lock_row

MAX_KEY_LENGTH = 64


class ExcessPayment(RuleError):
    """The only objection to a payment is that it exceeds what its bills owe, by `excess_fen`:
    confirmed, the excess becomes credit."""

    def __init__(self, message: object, field: str | None, excess_fen: int) -> None:
        super().__init__(message, field)
        self.excess_fen = excess_fen


def take_write_lock(household_id: int) -> None:
    """Every change to a household's money starts by locking its household row, so that its
    payments, reversals and prepayments take turns and each then locks bills in one order (by
    id) without meeting another halfway. On SQLite this begins writing, so that every read
    below sees the last committed payment."""
    lock_row(Household, household_id)


def payment_for_key(idempotency_key: str) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.idempotency_key == idempotency_key))


def check_key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise RuleError(_("This form has expired. Open the household again and re-enter."))
    return key


def _replayed(
    payment: Payment, household_id: int, amount_fen: int, method: PaymentMethod
) -> Payment:
    """The payment a repeated form submit recorded the first time. The same key with other
    details is not a repeat but a second payment on a stale form: refused, not merged."""
    if payment.household_id != household_id or payment.kind != PaymentKind.PAYMENT:
        raise RuleError(_("This form has expired. Open the household again and re-enter."))
    if payment.amount_fen != amount_fen or payment.method != method:
        raise RuleError(
            _(
                "This form was already used for a payment of %(amount)s (receipt %(receipt)s). "
                "Open the household again to record another payment.",
                amount=format_fen(payment.amount_fen),
                receipt=payment.receipt_no,
            )
        )
    return payment


def _locked_open_bills(household_id: int) -> list[tuple[Bill, str]]:
    """The household's open bills, oldest first, read afresh under a row lock (PostgreSQL)."""
    query = (
        select(Bill, FeeItem.name)
        .join(FeeItem, FeeItem.id == Bill.fee_item_id)
        .where(Bill.household_id == household_id, DUE > 0)
        .order_by(Bill.id)
        .with_for_update(of=Bill)
        .execution_options(populate_existing=True)
    )
    rows = db.session.execute(query).all()
    return sorted(((row.Bill, row.name) for row in rows), key=lambda r: (r[0].period, r[0].id))


def _chosen_bills(
    household_id: int, bills: list[tuple[Bill, str]], bill_ids: list[int] | None
) -> list[Bill]:
    if not bill_ids:
        return [bill for bill, _name in bills]
    wanted = set(bill_ids)
    owners = dict(
        db.session.execute(select(Bill.id, Bill.household_id).where(Bill.id.in_(wanted))).all()
    )
    if len(owners) != len(wanted) or any(h != household_id for h in owners.values()):
        raise RuleError(_("A bill ticked is not one of this household's bills."), "bill_ids")
    chosen = [bill for bill, _name in bills if bill.id in wanted]
    if len(chosen) != len(wanted):
        raise RuleError(
            _("A bill ticked has been paid already. Reload the household to see what it owes."),
            "bill_ids",
        )
    return chosen


def add_paid(bill_id: int, amount_fen: int) -> None:
    """Move a bill's paid amount in SQL, relative to what the database holds: were a lock ever
    missed, the bill's CHECK would refuse an over-collection rather than an update be lost."""
    db.session.execute(
        update(Bill)
        .where(Bill.id == bill_id)
        .values(paid_fen=Bill.paid_fen + amount_fen)
        .execution_options(synchronize_session=False)
    )


def insert_payment(payment: Payment) -> Payment | None:
    """Flush a new payment or reversal; None if a request with the same key (or, for a
    reversal, of the same payment) got there first — the session is then rolled back."""
    db.session.add(payment)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None
    return payment


def earlier_payment(
    idempotency_key: str, household_id: int, amount_fen: int, method: PaymentMethod
) -> Payment | None:
    """The payment this form recorded already, if it did; refused if its key was used for
    another payment."""
    earlier = payment_for_key(idempotency_key)
    return None if earlier is None else _replayed(earlier, household_id, amount_fen, method)


def record_payment(
    household: Household,
    amount_fen: int,
    method: PaymentMethod,
    collector: User,
    idempotency_key: str,
    bill_ids: list[int] | None = None,
    note: str | None = None,
    *,
    confirm_excess: bool = True,
) -> Payment:
    """Record money received from a household: applied to its open bills oldest first (or to
    the bills ticked, oldest first), the rest kept as credit (预存). With `confirm_excess`
    False, an amount above what those bills owe is refused with ExcessPayment, so the clerk
    can confirm it. A key used before returns that payment instead."""
    if amount_fen <= 0:
        raise RuleError(_("Enter an amount greater than zero."), "amount")
    key = check_key(idempotency_key)
    household_id, community_id = household.id, household.community_id
    earlier = earlier_payment(key, household_id, amount_fen, method)
    if earlier is not None:
        return earlier

    take_write_lock(household_id)
    earlier = earlier_payment(key, household_id, amount_fen, method)
    if earlier is not None:
        return earlier
    # Late fees up to today, then the open bills, locked once, in id order.
    assess_late_fees(shanghai_today(), household_id=household_id)
    bills = _locked_open_bills(household_id)
    chosen = _chosen_bills(household_id, bills, bill_ids)

    allocations: list[tuple[Bill, int]] = []
    left = amount_fen
    for bill in chosen:
        if left <= 0:
            break
        applied = min(owed_fen(bill), left)
        allocations.append((bill, applied))
        left -= applied
    if left and not confirm_excess:
        raise ExcessPayment(
            _(
                "%(amount)s is %(excess)s more than owed; the excess would be kept as credit.",
                amount=format_fen(amount_fen),
                excess=format_fen(left),
            ),
            "amount",
            excess_fen=left,
        )

    now = utcnow()
    company_id = db.session.scalar(select(Community.company_id).where(Community.id == community_id))
    year, seq, number = take_receipt_number(company_id, now)
    payment = insert_payment(
        Payment(
            company_id=company_id,
            household_id=household_id,
            community_id=community_id,
            kind=PaymentKind.PAYMENT,
            method=method,
            amount_fen=amount_fen,
            credit_fen=left,
            receipt_year=year,
            receipt_seq=seq,
            receipt_no=number,
            idempotency_key=key,
            collector_user_id=collector.id,
            note=(note or "").strip() or None,
            created_at=now,
        )
    )
    if payment is None:
        return _replayed(_must_find(key), household_id, amount_fen, method)
    for bill, applied in allocations:
        db.session.add(
            PaymentAllocation(payment_id=payment.id, bill_id=bill.id, amount_fen=applied)
        )
        add_paid(bill.id, applied)
    if left:
        reason = CreditReason.OVERPAYMENT if allocations else CreditReason.PREPAYMENT
        add_credit(household_id, left, reason, payment)
    db.session.flush()
    return payment


def _must_find(key: str) -> Payment:
    payment = payment_for_key(key)
    if payment is None:
        raise RuleError(_("The payment could not be recorded. Please try again."))
    return payment
