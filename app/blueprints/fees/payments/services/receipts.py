"""Receipts (收据): gapless numbers per company and year, and what a printed receipt shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from app import sql
from app.authz import get_visible_or_404
from app.extensions import db
from app.models import (
    Bill,
    Building,
    Community,
    Company,
    FeeItem,
    Household,
    Payment,
    PaymentAllocation,
    PaymentKind,
    ReceiptCounter,
    Unit,
    User,
)
from app.periods import SHANGHAI


def take_receipt_number(company_id: int, when: datetime) -> tuple[int, int, str]:
    """The company's next receipt number for the year of `when` in Asia/Shanghai, as (year,
    sequence, 'XSZ-2026-000123'). The counter row stays locked until the transaction ends; a
    rollback gives the number back."""
    year = when.astimezone(SHANGHAI).year
    bump = (
        update(ReceiptCounter)
        .where(ReceiptCounter.company_id == company_id, ReceiptCounter.year == year)
        .values(last_seq=ReceiptCounter.last_seq + 1)
        .returning(ReceiptCounter.last_seq)
        .execution_options(synchronize_session=False)
    )
    seq = db.session.scalar(bump)
    if seq is None:
        # The year's first receipt: two clerks may both get here; the key lets one row in and
        # the other waits for it, then both take their turn at the UPDATE.
        db.session.execute(
            sql.insert(ReceiptCounter)
            .values(company_id=company_id, year=year, last_seq=0)
            .on_conflict_do_nothing(index_elements=["company_id", "year"])
        )
        seq = db.session.scalar(bump)
    code = db.session.scalar(select(Company.code).where(Company.id == company_id))
    return year, seq, f"{code}-{year}-{seq:06d}"


def reversal_of(payment: Payment) -> Payment | None:
    """The reversal that cancelled `payment`, if any."""
    return db.session.scalar(select(Payment).where(Payment.reverses_id == payment.id))


@dataclass(frozen=True)
class Receipt:
    payment: Payment
    company: Company
    community: Community
    household: Household
    building: Building
    unit: Unit
    collector: str
    items: list[Any]  # rows of (amount_fen, period, item name), by month
    reverses: Payment | None  # for a reversal: the payment it cancels
    reversed_by: Payment | None  # for a payment: the reversal that cancelled it


def receipt(payment_id: int, user: User | None = None) -> Receipt:
    """Everything a printed receipt shows; 404 unless the user may see the payment."""
    payment = get_visible_or_404(Payment, payment_id, user)
    household = db.session.get(Household, payment.household_id)
    unit = db.session.get(Unit, household.unit_id)
    items = db.session.execute(
        select(PaymentAllocation.amount_fen, Bill.period, FeeItem.name)
        .join(Bill, Bill.id == PaymentAllocation.bill_id)
        .join(FeeItem, FeeItem.id == Bill.fee_item_id)
        .where(PaymentAllocation.payment_id == payment.id)
        .order_by(Bill.period, FeeItem.name, Bill.id)
    ).all()
    return Receipt(
        payment=payment,
        company=db.session.get(Company, payment.company_id),
        community=db.session.get(Community, payment.community_id),
        household=household,
        building=db.session.get(Building, unit.building_id),
        unit=unit,
        collector=db.session.scalar(
            select(User.display_name).where(User.id == payment.collector_user_id)
        ),
        items=list(items),
        reverses=db.session.get(Payment, payment.reverses_id) if payment.reverses_id else None,
        reversed_by=reversal_of(payment) if payment.kind == PaymentKind.PAYMENT else None,
    )
