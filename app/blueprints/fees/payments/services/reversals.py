"""Reversals (冲正): a payment is never edited or deleted; a reversal cancels it entirely, with
negative allocations that reopen the bills and a credit entry that takes back the credit it
created."""

from __future__ import annotations

from flask_babel import lazy_gettext as _
from sqlalchemy import select

from app.blueprints.fees.payments.services.credit import add_credit, credit_balance
from app.blueprints.fees.payments.services.receipts import reversal_of, take_receipt_number
from app.blueprints.fees.payments.services.recording import (
    add_paid,
    check_key,
    insert_payment,
    payment_for_key,
    take_write_lock,
)
from app.extensions import db
from app.models import (
    Bill,
    CreditReason,
    HouseholdCredit,
    Payment,
    PaymentAllocation,
    PaymentKind,
    User,
)
from app.money import format_fen
from app.periods import utcnow
from app.rules import RuleError


def reversal_refusal(payment: Payment) -> str | None:
    """Why `payment` cannot be reversed now, or None if it can."""
    if payment.kind == PaymentKind.REVERSAL:
        return str(_("A reversal cannot itself be reversed."))
    done = reversal_of(payment)
    if done is not None:
        return str(
            _("This payment has already been reversed by receipt %(no)s.", no=done.receipt_no)
        )
    balance = credit_balance(payment.household_id)
    if payment.credit_fen > balance:
        return str(
            _(
                "This payment left %(credit)s of credit, and later bills have used some of it: "
                "only %(balance)s is left. It cannot be reversed.",
                credit=format_fen(payment.credit_fen),
                balance=format_fen(balance),
            )
        )
    return None


def reverse_payment(
    payment: Payment, reason: str, collector: User, idempotency_key: str
) -> Payment:
    """Cancel a payment entirely (冲正) with a reason: a reversal with its own receipt number,
    negative allocations that reopen the bills, and the credit it created taken back. Refused
    for a reversal, a payment already reversed, or one whose credit later bills have used."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleError(_("Give the reason for the reversal."), "reason")
    key = check_key(idempotency_key)
    household_id = payment.household_id
    earlier = payment_for_key(key)
    if earlier is not None and earlier.reverses_id == payment.id:
        return earlier

    take_write_lock(household_id)
    # The payment's row lock makes two reversals of it take turns; then its bills, by id.
    db.session.execute(select(Payment.id).where(Payment.id == payment.id).with_for_update())
    db.session.execute(
        select(Bill.id)
        .where(
            Bill.id.in_(
                select(PaymentAllocation.bill_id).where(PaymentAllocation.payment_id == payment.id)
            )
        )
        .order_by(Bill.id)
        .with_for_update()
    )
    if payment.credit_fen:
        db.session.execute(
            select(HouseholdCredit.household_id)
            .where(HouseholdCredit.household_id == household_id)
            .with_for_update()
        )
    earlier = payment_for_key(key)
    if earlier is not None:
        if earlier.reverses_id == payment.id:
            return earlier
        raise RuleError(_("This form has expired. Open the household again and re-enter."))
    refusal = reversal_refusal(payment)
    if refusal:
        raise RuleError(refusal)

    now = utcnow()
    year, seq, number = take_receipt_number(payment.company_id, now)
    allocations = db.session.execute(
        select(PaymentAllocation.bill_id, PaymentAllocation.amount_fen).where(
            PaymentAllocation.payment_id == payment.id
        )
    ).all()
    reversal = insert_payment(
        Payment(
            company_id=payment.company_id,
            household_id=household_id,
            community_id=payment.community_id,
            kind=PaymentKind.REVERSAL,
            method=payment.method,
            amount_fen=-payment.amount_fen,
            credit_fen=-payment.credit_fen,
            receipt_year=year,
            receipt_seq=seq,
            receipt_no=number,
            idempotency_key=key,
            collector_user_id=collector.id,
            note=reason,
            reverses_id=payment.id,
            reversed_kind=PaymentKind.PAYMENT.value,
            reversed_amount_fen=payment.amount_fen,
            created_at=now,
        )
    )
    if reversal is None:
        earlier = payment_for_key(key)
        if earlier is not None and earlier.reverses_id == payment.id:
            return earlier
        raise RuleError(_("This payment has just been reversed by someone else."))
    for bill_id, amount in allocations:
        db.session.add(
            PaymentAllocation(payment_id=reversal.id, bill_id=bill_id, amount_fen=-amount)
        )
        add_paid(bill_id, -amount)
    if payment.credit_fen:
        add_credit(household_id, -payment.credit_fen, CreditReason.REVERSED, reversal)
    db.session.flush()
    return reversal
