"""Payments at the counter (收银): finding a household, what it owes, recording a payment,
reversing one (冲正), receipts with gapless numbers, household credit (预存), the daily cash
report (日结).

A payment pays the household's open bills oldest first (or only the bills ticked); what is left
over becomes credit, which the next billing run draws on. A payment is never edited or deleted:
a reversal cancels it entirely, with negative allocations that reopen the bills and a credit
entry that takes back the credit it created.

Concurrency. Every payment and reversal takes the next receipt number of its company and year
with an UPDATE of ReceiptCounter in its own transaction, so a rolled-back payment gives its
number back and numbers stay gapless; the row lock also orders a company's receipts. On
PostgreSQL the bills being paid are locked (SELECT … FOR UPDATE) and what they owe is read again
under the lock, so two clerks paying one bill never both collect it; the Bill CHECK is the last
guard. On SQLite, which has one writer at a time, the first statement takes the write lock.
A form's idempotency key makes a retried or double-clicked submit return the first payment:
looked up before and after the locks, and, for a request that overtakes the first one, caught
as the unique key's IntegrityError.

Functions leave the commit to the caller, except that an IntegrityError on the idempotency key
rolls the session back (the first payment is then read and returned).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _
from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from app import sql
from app.authz import get_visible_or_404, visible
from app.blueprints.fees.billing.services import assess_late_fees
from app.extensions import db
from app.models import (
    Bill,
    Building,
    Community,
    Company,
    CreditEntry,
    CreditReason,
    FeeItem,
    Household,
    HouseholdCredit,
    Payment,
    PaymentAllocation,
    PaymentKind,
    PaymentMethod,
    ReceiptCounter,
    Unit,
    User,
)
from app.money import format_fen
from app.periods import SHANGHAI, shanghai_today, utcnow

# What a bill still owes: its amount and late fee, less waivers and what has been paid.
DUE = Bill.amount_fen + Bill.late_fee_fen - Bill.late_fee_waived_fen - Bill.paid_fen
MAX_KEY_LENGTH = 64
_ROOM_SEPARATORS = re.compile(r"[\s\-栋单元室号/]+")
# A phone number is searched once this many digits are typed; fewer match half the city.
PHONE_DIGITS = 4


class PaymentError(ValueError):
    """A payment or reversal the rules refuse; the message is for the user, in their language.
    `field` names the form field it is about. `excess_fen` is set when the only objection is
    that the amount exceeds what is owed: confirmed, the excess becomes credit."""

    def __init__(self, message: str, field: str | None = None, excess_fen: int = 0) -> None:
        super().__init__(message)
        self.field = field
        self.excess_fen = excess_fen


def _take_sqlite_write_lock(household_id: int) -> None:
    """SQLite: begin writing now, so that every read below sees the last committed payment
    (a transaction that only read first could not write later without failing)."""
    if not sql.is_postgres():
        db.session.execute(
            update(Household).where(Household.id == household_id).values(id=Household.id)
        )


# ---- Finding a household ----------------------------------------------------------------------


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
        select(func.coalesce(func.sum(DUE), 0))
        .where(Bill.household_id == Household.id, DUE > 0)
        .scalar_subquery()
    )
    return (
        visible(Household, user)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .join(Community, Community.id == Household.community_id)
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


# ---- A household's account --------------------------------------------------------------------


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


def owed_fen(bill: Bill) -> int:
    """What a bill still owes, as DUE computes it in SQL."""
    return bill.amount_fen + bill.late_fee_fen - bill.late_fee_waived_fen - bill.paid_fen


def _open_bill(bill: Bill, item: str) -> OpenBill:
    # Payments pay the principal first, then the late fee.
    principal = max(0, bill.amount_fen - bill.paid_fen)
    return OpenBill(bill, item, principal, owed_fen(bill) - principal)


def open_bills(household_id: int, user: User | None = None) -> list[OpenBill]:
    """The household's bills with something still owed, oldest first."""
    rows = db.session.execute(
        visible(Bill, user)
        .join(FeeItem, FeeItem.id == Bill.fee_item_id)
        .add_columns(FeeItem.name)
        .where(Bill.household_id == household_id, DUE > 0)
        .order_by(Bill.period, Bill.id)
    ).all()
    return [_open_bill(row.Bill, row.name) for row in rows]


def credit_balance(household_id: int) -> int:
    balance = db.session.scalar(
        select(HouseholdCredit.balance_fen).where(HouseholdCredit.household_id == household_id)
    )
    return int(balance or 0)


def account(household: Household, user: User | None = None) -> Account:
    """What the counter shows for a household: its home, open bills and credit. Late fees are
    brought up to today first (the caller commits), so the amounts shown are the ones a
    payment will find."""
    assess_late_fees(shanghai_today(), household_id=household.id)
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


# ---- Receipt numbers --------------------------------------------------------------------------


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


# ---- Recording a payment ----------------------------------------------------------------------


def payment_for_key(idempotency_key: str) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.idempotency_key == idempotency_key))


def _check_key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise PaymentError(_("This form has expired. Open the household again and re-enter."))
    return key


def _replayed(payment: Payment, household_id: int, kind: PaymentKind) -> Payment:
    """The payment a repeated form submit recorded the first time."""
    if payment.household_id != household_id or payment.kind != kind:
        raise PaymentError(_("This form has expired. Open the household again and re-enter."))
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
        raise PaymentError(_("A bill ticked is not one of this household's bills."), "bill_ids")
    chosen = [bill for bill, _name in bills if bill.id in wanted]
    if len(chosen) != len(wanted):
        raise PaymentError(
            _("A bill ticked has been paid already. Reload the household to see what it owes."),
            "bill_ids",
        )
    return chosen


def _add_credit(household_id: int, amount_fen: int, reason: CreditReason, payment: Payment) -> None:
    """Change a household's credit by `amount_fen` with its ledger entry, atomically in SQL;
    the balance's CHECK refuses to go below zero."""
    db.session.execute(
        sql.insert(HouseholdCredit)
        .values(household_id=household_id, balance_fen=0)
        .on_conflict_do_nothing(index_elements=["household_id"])
    )
    db.session.execute(
        update(HouseholdCredit)
        .where(HouseholdCredit.household_id == household_id)
        .values(balance_fen=HouseholdCredit.balance_fen + amount_fen)
        .execution_options(synchronize_session=False)
    )
    db.session.add(
        CreditEntry(
            household_id=household_id, amount_fen=amount_fen, reason=reason, payment_id=payment.id
        )
    )


def _add_paid(bill_id: int, amount_fen: int) -> None:
    """Move a bill's paid amount in SQL, relative to what the database holds: were a lock ever
    missed, the bill's CHECK would refuse an over-collection rather than an update be lost."""
    db.session.execute(
        update(Bill)
        .where(Bill.id == bill_id)
        .values(paid_fen=Bill.paid_fen + amount_fen)
        .execution_options(synchronize_session=False)
    )


def _insert_payment(payment: Payment) -> Payment | None:
    """Flush a new payment or reversal; None if a request with the same key (or, for a
    reversal, of the same payment) got there first — the session is then rolled back."""
    db.session.add(payment)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None
    return payment


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
    False, an amount above what those bills owe is refused with `PaymentError.excess_fen` set,
    so the clerk can confirm it. A key used before returns that payment instead."""
    if amount_fen <= 0:
        raise PaymentError(_("Enter an amount greater than zero."), "amount")
    key = _check_key(idempotency_key)
    household_id, community_id = household.id, household.community_id
    earlier = payment_for_key(key)
    if earlier is not None:
        return _replayed(earlier, household_id, PaymentKind.PAYMENT)

    _take_sqlite_write_lock(household_id)
    _locked_open_bills(household_id)
    earlier = payment_for_key(key)
    if earlier is not None:
        return _replayed(earlier, household_id, PaymentKind.PAYMENT)
    # Late fees up to today on the bills now locked, then what they owe, read once more.
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
        raise PaymentError(
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
    payment = _insert_payment(
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
        return _replayed(_must_find(key), household_id, PaymentKind.PAYMENT)
    for bill, applied in allocations:
        db.session.add(
            PaymentAllocation(payment_id=payment.id, bill_id=bill.id, amount_fen=applied)
        )
        _add_paid(bill.id, applied)
    if left:
        reason = CreditReason.OVERPAYMENT if allocations else CreditReason.PREPAYMENT
        _add_credit(household_id, left, reason, payment)
    db.session.flush()
    return payment


def _must_find(key: str) -> Payment:
    payment = payment_for_key(key)
    if payment is None:
        raise PaymentError(_("The payment could not be recorded. Please try again."))
    return payment


# ---- Reversals ----------------------------------------------------------------------------------


def reversal_of(payment: Payment) -> Payment | None:
    """The reversal that cancelled `payment`, if any."""
    return db.session.scalar(select(Payment).where(Payment.reverses_id == payment.id))


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
        raise PaymentError(_("Give the reason for the reversal."), "reason")
    key = _check_key(idempotency_key)
    household_id = payment.household_id
    earlier = payment_for_key(key)
    if earlier is not None and earlier.reverses_id == payment.id:
        return earlier

    _take_sqlite_write_lock(household_id)
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
        raise PaymentError(_("This form has expired. Open the household again and re-enter."))
    refusal = reversal_refusal(payment)
    if refusal:
        raise PaymentError(refusal)

    now = utcnow()
    year, seq, number = take_receipt_number(payment.company_id, now)
    allocations = db.session.execute(
        select(PaymentAllocation.bill_id, PaymentAllocation.amount_fen).where(
            PaymentAllocation.payment_id == payment.id
        )
    ).all()
    reversal = _insert_payment(
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
        raise PaymentError(_("This payment has just been reversed by someone else."))
    for bill_id, amount in allocations:
        db.session.add(
            PaymentAllocation(payment_id=reversal.id, bill_id=bill_id, amount_fen=-amount)
        )
        _add_paid(bill_id, -amount)
    if payment.credit_fen:
        _add_credit(household_id, -payment.credit_fen, CreditReason.REVERSED, reversal)
    db.session.flush()
    return reversal


# ---- Receipts -----------------------------------------------------------------------------------


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


# ---- Daily cash report --------------------------------------------------------------------------


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants at which `day` begins and ends in Asia/Shanghai."""
    start = datetime.combine(day, time.min, SHANGHAI)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


@dataclass(frozen=True)
class DailyReport:
    day: date
    rows: list[Any]  # company, collector, method, counts and sums
    by_method: dict[PaymentMethod, int]  # net fen per method, for the till

    @property
    def net_fen(self) -> int:
        return sum(self.by_method.values())

    @property
    def payments(self) -> int:
        return sum(row.payments for row in self.rows)

    @property
    def reversals(self) -> int:
        return sum(row.reversals for row in self.rows)


def daily_report(day: date, company_id: int | None = None, user: User | None = None) -> DailyReport:
    """Takings of one day (日结) per company, collector and method: payments and reversals,
    their counts and totals, and the net, for reconciling the till."""
    start, end = day_bounds(day)
    is_payment = Payment.kind == PaymentKind.PAYMENT
    is_reversal = Payment.kind == PaymentKind.REVERSAL
    query = (
        visible(Payment, user)
        .with_only_columns(
            Company.name.label("company"),
            User.display_name.label("collector"),
            Payment.method,
            func.sum(case((is_payment, 1), else_=0)).label("payments"),
            func.sum(case((is_payment, Payment.amount_fen), else_=0)).label("paid_fen"),
            func.sum(case((is_reversal, 1), else_=0)).label("reversals"),
            func.sum(case((is_reversal, Payment.amount_fen), else_=0)).label("reversed_fen"),
            func.sum(Payment.amount_fen).label("net_fen"),
        )
        .join(Company, Company.id == Payment.company_id)
        .join(User, User.id == Payment.collector_user_id)
        .where(Payment.created_at >= start, Payment.created_at < end)
        .group_by(Company.name, User.id, User.display_name, Payment.method)
        .order_by(Company.name, User.display_name, User.id, Payment.method)
    )
    if company_id:
        query = query.where(Payment.company_id == company_id)
    rows = db.session.execute(query).all()
    by_method = {method: 0 for method in PaymentMethod}
    for row in rows:
        by_method[row.method] += int(row.net_fen)
    return DailyReport(day, list(rows), by_method)


def report_companies(user: User | None = None) -> list[tuple[int, str]]:
    return [
        (row.id, row.name)
        for row in db.session.execute(
            visible(Company, user)
            .with_only_columns(Company.id, Company.name)
            .order_by(Company.name)
        )
    ]
