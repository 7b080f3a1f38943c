"""Fee collection (物业费、停车费): items and rates, parking, bills, payments, receipts, credit.

Money is integer fen everywhere. Periods are calendar months stored as the integer yyyymm
(202611), which sorts, compares and indexes simply. Payments are append-only: a mistake is
undone by a reversal row pointing at the payment it cancels, and the database makes a partial,
double or chained reversal impossible.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAt, UTCDateTime, str_enum

# yyyymm with a real month: used by every period column.
PERIOD_CHECK = "{col} BETWEEN 200001 AND 299912 AND {col} % 100 BETWEEN 1 AND 12"


class FeeKind(enum.StrEnum):
    PROPERTY = "property"  # 物业费: fen per m² of floor area per month
    PARKING = "parking"  # 停车费: fen per leased space per month
    FIXED = "fixed"  # other fixed monthly charges per household (e.g. 垃圾清运费)


class FeeItem(CreatedAt, Base):
    """A charge a community bills monthly (收费项目)."""

    __tablename__ = "fee_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="RESTRICT"))
    kind: Mapped[FeeKind] = mapped_column(str_enum(FeeKind, "fee_kind"))
    name: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    rates: Mapped[list[FeeRate]] = relationship(order_by="FeeRate.effective_from")

    __table_args__ = (
        UniqueConstraint("community_id", "name"),
        UniqueConstraint("id", "community_id"),
    )


class FeeRate(CreatedAt, Base):
    """The price of a fee item from a month on, until the next rate. Bills keep the rate they
    were issued with, so a change never rewrites them."""

    __tablename__ = "fee_rate"

    id: Mapped[int] = mapped_column(primary_key=True)
    fee_item_id: Mapped[int] = mapped_column(ForeignKey("fee_item.id", ondelete="RESTRICT"))
    effective_from: Mapped[int] = mapped_column(Integer)  # yyyymm
    amount_fen: Mapped[int] = mapped_column(Integer)
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )

    __table_args__ = (
        UniqueConstraint("fee_item_id", "effective_from"),
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
        CheckConstraint(PERIOD_CHECK.format(col="effective_from"), name="period"),
    )


class ParkingSpace(CreatedAt, Base):
    """A numbered parking space of a community (车位)."""

    __tablename__ = "parking_space"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="RESTRICT"))
    number: Mapped[str] = mapped_column(String(16))

    __table_args__ = (
        UniqueConstraint("community_id", "number"),
        UniqueConstraint("id", "community_id"),
    )


class ParkingLease(CreatedAt, Base):
    """A space let to a household for a plate, from a month to a month (open-ended if none)."""

    __tablename__ = "parking_lease"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column()
    community_id: Mapped[int] = mapped_column()
    household_id: Mapped[int] = mapped_column(index=True)
    plate: Mapped[str] = mapped_column(String(16))
    start_period: Mapped[int] = mapped_column(Integer)
    end_period: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        ForeignKeyConstraint(
            ["space_id", "community_id"],
            ["parking_space.id", "parking_space.community_id"],
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["household_id", "community_id"],
            ["household.id", "household.community_id"],
            ondelete="RESTRICT",
        ),
        CheckConstraint(PERIOD_CHECK.format(col="start_period"), name="start_period"),
        CheckConstraint("end_period IS NULL OR end_period >= start_period", name="end_after_start"),
        Index("ix_parking_lease_space_periods", "space_id", "start_period"),
    )


class LateFeeMode(enum.StrEnum):
    DAILY_RATE = "daily_rate"  # 滞纳金 per day, in units of 1/10,000 of the amount owed (万分之)
    FIXED = "fixed"  # a fixed amount once the grace period has passed


class LateFeeRule(CreatedAt, Base):
    """A community's late-fee rule; off unless a manager turns it on."""

    __tablename__ = "late_fee_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="RESTRICT"), unique=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    mode: Mapped[LateFeeMode] = mapped_column(str_enum(LateFeeMode, "late_fee_mode"))
    daily_rate_per_10k: Mapped[int] = mapped_column(Integer, default=0)
    fixed_fen: Mapped[int] = mapped_column(Integer, default=0)
    grace_days: Mapped[int] = mapped_column(Integer, default=30)
    # The late fee of one bill never exceeds this share of the bill (percent).
    cap_percent: Mapped[int] = mapped_column(Integer, default=100)

    __table_args__ = (
        CheckConstraint("daily_rate_per_10k BETWEEN 0 AND 100", name="daily_rate"),
        CheckConstraint("fixed_fen >= 0", name="fixed_fen"),
        CheckConstraint("grace_days BETWEEN 0 AND 365", name="grace_days"),
        CheckConstraint("cap_percent BETWEEN 0 AND 100", name="cap_percent"),
    )


class BillingRun(CreatedAt, Base):
    """One run of monthly billing, for a community or (admins) for every community."""

    __tablename__ = "billing_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[int] = mapped_column(Integer)
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("community.id", ondelete="RESTRICT")
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    bills_created: Mapped[int] = mapped_column(Integer, default=0)
    total_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint(PERIOD_CHECK.format(col="period"), name="period"),)


class Bill(CreatedAt, Base):
    """What one household owes for one fee item in one month (账单). Unique per household ×
    item × month, which makes billing runs idempotent."""

    __tablename__ = "bill"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column()
    community_id: Mapped[int] = mapped_column()
    fee_item_id: Mapped[int] = mapped_column()
    period: Mapped[int] = mapped_column(Integer)
    # What was billed: m² or spaces, at which rate (fen per unit), for how much.
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    rate_fen: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(Integer)
    late_fee_fen: Mapped[int] = mapped_column(Integer, default=0)
    late_fee_waived_fen: Mapped[int] = mapped_column(Integer, default=0)
    # Kept equal to the sum of the bill's allocations, in the same transaction.
    paid_fen: Mapped[int] = mapped_column(Integer, default=0)
    billing_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("billing_run.id", ondelete="RESTRICT")
    )

    __table_args__ = (
        ForeignKeyConstraint(
            ["household_id", "community_id"],
            ["household.id", "household.community_id"],
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["fee_item_id", "community_id"],
            ["fee_item.id", "fee_item.community_id"],
            ondelete="RESTRICT",
        ),
        UniqueConstraint("household_id", "fee_item_id", "period"),
        CheckConstraint(PERIOD_CHECK.format(col="period"), name="period"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("late_fee_fen >= 0", name="late_fee_not_negative"),
        CheckConstraint(
            "late_fee_waived_fen BETWEEN 0 AND late_fee_fen", name="waiver_within_late_fee"
        ),
        # Never collected twice: what is paid stays within what is owed.
        CheckConstraint(
            "paid_fen BETWEEN 0 AND amount_fen + late_fee_fen - late_fee_waived_fen",
            name="paid_within_due",
        ),
        Index("ix_bill_community_period", "community_id", "period"),
        Index("ix_bill_household_period", "household_id", "period"),
        # The bills not yet paid in full, with what the collection-rate report reads of them:
        # a small index, as most bills are paid (see BillMonthTotal).
        Index(
            "ix_bill_unpaid",
            "community_id",
            "fee_item_id",
            "period",
            "amount_fen",
            "paid_fen",
            postgresql_where=text("paid_fen < amount_fen"),
            sqlite_where=text("paid_fen < amount_fen"),
        ),
    )


class BillMonthTotal(Base):
    """What was billed per community, fee item and month: the collection-rate report reads
    these few thousand rows instead of a city's million bills, and takes off what the unpaid
    bills still owe (ix_bill_unpaid) to know what was collected. Kept by triggers on `bill`
    in the same transaction as the bills (migration 0005_fees_report_indexes): bills are
    inserted, and deleted only by tests emptying tables; their amounts never change (a trigger
    refuses it)."""

    __tablename__ = "bill_month_total"

    community_id: Mapped[int] = mapped_column(primary_key=True)
    fee_item_id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    bills: Mapped[int] = mapped_column(Integer)
    billed_fen: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        ForeignKeyConstraint(
            ["fee_item_id", "community_id"],
            ["fee_item.id", "fee_item.community_id"],
            ondelete="RESTRICT",
        ),
    )


class PaymentMethod(enum.StrEnum):
    CASH = "cash"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    BANK = "bank"  # bank transfer


class PaymentKind(enum.StrEnum):
    PAYMENT = "payment"
    REVERSAL = "reversal"  # 冲正: cancels one payment entirely


class Payment(CreatedAt, Base):
    """Money received at the counter, or the reversal of such a payment. Never edited or
    deleted. Each has a receipt number, gapless per company and year."""

    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="RESTRICT"))
    household_id: Mapped[int] = mapped_column()
    community_id: Mapped[int] = mapped_column()
    kind: Mapped[PaymentKind] = mapped_column(str_enum(PaymentKind, "payment_kind"))
    method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod, "payment_method"))
    amount_fen: Mapped[int] = mapped_column(Integer)
    # The part of a payment that became credit on the household (overpayment, 预存).
    credit_fen: Mapped[int] = mapped_column(Integer, default=0)
    receipt_year: Mapped[int] = mapped_column(Integer)
    receipt_seq: Mapped[int] = mapped_column(Integer)
    receipt_no: Mapped[str] = mapped_column(String(32), unique=True)
    # The form's one-time token: a double click or a retry records the payment once.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    collector_user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    note: Mapped[str | None] = mapped_column(Text)
    # For a reversal: the payment it cancels, its kind and amount. The composite foreign key
    # lets only a payment (never a reversal) be reversed, and only for its full amount.
    reverses_id: Mapped[int | None] = mapped_column(unique=True)
    reversed_kind: Mapped[str | None] = mapped_column(String(24))
    reversed_amount_fen: Mapped[int | None] = mapped_column(Integer)

    allocations: Mapped[list[PaymentAllocation]] = relationship(back_populates="payment")

    __table_args__ = (
        ForeignKeyConstraint(
            ["household_id", "community_id"],
            ["household.id", "household.community_id"],
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["reverses_id", "reversed_kind", "reversed_amount_fen"],
            ["payment.id", "payment.kind", "payment.amount_fen"],
            ondelete="RESTRICT",
        ),
        UniqueConstraint("id", "kind", "amount_fen"),
        UniqueConstraint("company_id", "receipt_year", "receipt_seq"),
        CheckConstraint("receipt_seq > 0", name="receipt_seq_positive"),
        CheckConstraint(
            "(kind = 'payment' AND amount_fen > 0 AND reverses_id IS NULL) OR "
            "(kind = 'reversal' AND amount_fen < 0 AND reverses_id IS NOT NULL "
            "AND reversed_kind = 'payment' AND reversed_amount_fen = -amount_fen)",
            name="payment_or_full_reversal",
        ),
        CheckConstraint(
            "(kind = 'payment' AND credit_fen BETWEEN 0 AND amount_fen) OR "
            "(kind = 'reversal' AND credit_fen BETWEEN amount_fen AND 0)",
            name="credit_within_amount",
        ),
        Index("ix_payment_household", "household_id", "created_at"),
        Index("ix_payment_company_created", "company_id", "created_at"),
    )


class PaymentAllocation(Base):
    """The part of a payment (or, negative, of a reversal) applied to one bill."""

    __tablename__ = "payment_allocation"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(
        ForeignKey("payment.id", ondelete="RESTRICT"), index=True
    )
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id", ondelete="RESTRICT"), index=True)
    amount_fen: Mapped[int] = mapped_column(Integer)

    payment: Mapped[Payment] = relationship(back_populates="allocations")

    __table_args__ = (
        UniqueConstraint("payment_id", "bill_id"),
        CheckConstraint("amount_fen != 0", name="amount_not_zero"),
    )


class CreditReason(enum.StrEnum):
    OVERPAYMENT = "overpayment"  # paid more than owed: kept for the next bills
    PREPAYMENT = "prepayment"  # 预存: paid ahead on purpose
    APPLIED = "applied"  # drawn by a bill
    REVERSED = "reversed"  # the payment that created it was reversed


class HouseholdCredit(Base):
    """A household's credit balance (预存余额); the database keeps it from going negative."""

    __tablename__ = "household_credit"

    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="RESTRICT"), primary_key=True
    )
    balance_fen: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (CheckConstraint("balance_fen >= 0", name="balance_not_negative"),)


class CreditEntry(CreatedAt, Base):
    """Every change of a household's credit, with its cause; they sum to the balance."""

    __tablename__ = "credit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="RESTRICT"), index=True
    )
    amount_fen: Mapped[int] = mapped_column(Integer)
    reason: Mapped[CreditReason] = mapped_column(str_enum(CreditReason, "credit_reason"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id", ondelete="RESTRICT"))
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bill.id", ondelete="RESTRICT"))

    __table_args__ = (CheckConstraint("amount_fen != 0", name="amount_not_zero"),)


class LateFeeWaiver(CreatedAt, Base):
    """A manager's waiver of (part of) a bill's late fee, with the reason."""

    __tablename__ = "late_fee_waiver"

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id", ondelete="RESTRICT"), index=True)
    amount_fen: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))

    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)


class ReceiptCounter(Base):
    """The last receipt number used per company and year. Taken with an UPDATE in the
    payment's own transaction, so a rolled-back payment gives its number back: no gaps."""

    __tablename__ = "receipt_counter"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("company.id", ondelete="RESTRICT"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
