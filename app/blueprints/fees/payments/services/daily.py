"""The daily cash report (日结): a day's takings per company, collector and method."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func

from app.authz import visible
from app.extensions import db
from app.models import Company, Payment, PaymentKind, PaymentMethod, User
from app.periods import SHANGHAI


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
