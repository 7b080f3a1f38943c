"""Payments demo data, on top of the billing demo's bills (run it after that one).

A year of counter payments that leaves about 85% of the bills collected: most households pay
quarter by quarter, some stopped a few months ago, a few never paid. Those are written in bulk
with receipt numbers in time order, gapless per company and year, and the counters set to
match. Then, today and through the real services, a handful of counter moments: prepayments
(预存), overpayments kept as credit, reversals (冲正) with their reasons, and the demo residents'
latest payments.

Idempotent: nothing is added once the demo's payments are there.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, update

from app.blueprints.auth.services import create_user
from app.blueprints.fees.billing.services import assess_late_fees
from app.blueprints.fees.payments.services import DUE, record_payment, reverse_payment
from app.demo.base import DEMO_PASSWORD, household_at
from app.extensions import db
from app.models import (
    Bill,
    Community,
    Company,
    Household,
    Payment,
    PaymentAllocation,
    PaymentKind,
    PaymentMethod,
    ReceiptCounter,
    Role,
    User,
)
from app.periods import (
    SHANGHAI,
    add_months,
    current_period,
    months_between,
    shanghai_now,
    shanghai_today,
)

KEY = "demo-"
METHODS = (PaymentMethod.WECHAT,) * 4 + (PaymentMethod.ALIPAY,) * 2 + (PaymentMethod.CASH,) * 3
METHODS += (PaymentMethod.BANK,)
# Whose bills are paid, and how far: (share of households, months left unpaid at the end).
# None: never paid. Tuned for about 85% of the amount billed collected.
PROFILES = ((0.70, 0), (0.12, 1), (0.07, 3), (0.05, 6), (0.06, None))
RETAKEN = "银行转账被退回"  # the household then pays again, in cash
REVERSAL_REASONS = ("金额录入错误", RETAKEN, "重复收款，已退还业主")
# The demo residents' homes: 兴隆苑 1-1-101 is paid up but for this month; 弹新街社区 2-1-301
# stopped three months ago (its community charges late fees).
RESIDENT_HOMES = {("兴隆苑", "1", "1", "101"): 1, ("弹新街社区", "2", "1", "301"): 3}


@dataclass
class _Home:
    household_id: int
    community_id: int
    company_id: int
    bills: list[tuple[int, int, int]]  # (bill id, period, amount fen), oldest first


def load_demo(communities: dict[str, Community], rng: random.Random) -> None:
    """A year of payments for the demo communities' bills, then today's counter moments."""
    if db.session.scalar(select(Payment.id).where(Payment.idempotency_key.like(KEY + "%"))):
        return
    community_ids = [community.id for community in communities.values()]
    clerks = _clerks(community_ids)
    homes = _homes(community_ids)
    if not homes:
        return
    unpaid_months = _resident_months(communities)
    _pay_in_bulk(homes, clerks, unpaid_months, rng)
    db.session.commit()
    _counter_moments(homes, clerks, rng)
    today = shanghai_today()
    for community_id in community_ids:
        assess_late_fees(today, community_id)
    db.session.commit()


def _clerks(community_ids: list[int]) -> dict[int, int]:
    """A collector for each company: its first manager, or a cashier made for the demo."""
    companies = db.session.scalars(
        select(Company).where(
            Company.id.in_(select(Community.company_id).where(Community.id.in_(community_ids)))
        )
    ).all()
    clerks = {}
    for company in companies:
        clerk = db.session.scalar(
            select(User.id)
            .where(User.company_id == company.id, User.role == Role.MANAGER)
            .order_by(User.id)
            .limit(1)
        )
        if clerk is None:
            cashier = create_user(
                f"cashier-{company.code.lower()}",
                DEMO_PASSWORD,
                Role.MANAGER,
                f"{company.name} · 收费员",
                company.id,
            )
            db.session.flush()
            clerk = cashier.id
        clerks[company.id] = clerk
    return clerks


def _homes(community_ids: list[int]) -> list[_Home]:
    rows = db.session.execute(
        select(
            Bill.household_id,
            Bill.community_id,
            Community.company_id,
            Bill.id,
            Bill.period,
            Bill.amount_fen,
        )
        .join(Community, Community.id == Bill.community_id)
        .where(Bill.community_id.in_(community_ids), Bill.paid_fen == 0)
        .order_by(Bill.household_id, Bill.period, Bill.id)
    ).all()
    homes: dict[int, _Home] = {}
    for household_id, community_id, company_id, bill_id, period, amount in rows:
        home = homes.setdefault(household_id, _Home(household_id, community_id, company_id, []))
        home.bills.append((bill_id, period, amount))
    return list(homes.values())


def _resident_months(communities: dict[str, Community]) -> dict[int, int]:
    """household id → months left unpaid, for the demo residents' homes."""
    months = {}
    for (name, building, unit, room), unpaid in RESIDENT_HOMES.items():
        community = communities.get(name)
        if community is None:
            continue
        household = household_at(community, building, unit, room)
        if household is not None:
            months[household.id] = unpaid
    return months


def _months_unpaid(rng: random.Random) -> int | None:
    draw, running = rng.random(), 0.0
    for share, months in PROFILES:
        running += share
        if draw < running:
            return months
    return None


def _moment(period: int, rng: random.Random, latest: datetime) -> datetime:
    """A working-hours moment in the month `period` (Beijing time), never after `latest`."""
    local = datetime(
        period // 100,
        period % 100,
        rng.randint(3, 28),
        rng.randint(8, 17),
        rng.randint(0, 59),
        rng.randint(0, 59),
        tzinfo=SHANGHAI,
    )
    return min(local, latest - timedelta(minutes=rng.randint(30, 600))).astimezone(UTC)


def _pay_in_bulk(
    homes: list[_Home],
    clerks: dict[int, int],
    unpaid_months: dict[int, int],
    rng: random.Random,
) -> None:
    """One payment per household and quarter paid, in a few statements; receipt numbers in
    time order per company and year, and the counters left at the last of them."""
    this_month = current_period()
    latest = shanghai_now() - timedelta(hours=1)
    payments, paid_bills = [], []
    for home in homes:
        unpaid = unpaid_months.get(home.household_id, _months_unpaid(rng))
        if unpaid is None:
            continue
        until = add_months(this_month, -unpaid)
        # This month's bills are paid by some households already, the rest later.
        if unpaid == 0 and rng.random() < 0.5:
            until = add_months(this_month, -1)
        # Quarters counted back from this month, not calendar quarters: twelve months always
        # make four payments, whatever month the demo is loaded in.
        quarters: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for bill in home.bills:
            if bill[1] <= until:
                quarters[-(months_between(bill[1], this_month) // 3)].append(bill)
        for number, (_quarter, bills) in enumerate(sorted(quarters.items())):
            key = f"{KEY}{home.household_id}-{number}"
            payments.append(
                {
                    "company_id": home.company_id,
                    "household_id": home.household_id,
                    "community_id": home.community_id,
                    "kind": PaymentKind.PAYMENT,
                    "method": rng.choice(METHODS),
                    "amount_fen": sum(amount for _id, _period, amount in bills),
                    "credit_fen": 0,
                    "idempotency_key": key,
                    "collector_user_id": clerks[home.company_id],
                    "created_at": _moment(bills[-1][1], rng, latest),
                }
            )
            paid_bills += [(key, bill_id, amount) for bill_id, _period, amount in bills]
    _number(payments)
    db.session.execute(insert(Payment), payments)
    ids = dict(
        db.session.execute(
            select(Payment.idempotency_key, Payment.id).where(
                Payment.idempotency_key.like(KEY + "%")
            )
        ).all()
    )
    db.session.execute(
        insert(PaymentAllocation),
        [{"payment_id": ids[key], "bill_id": b, "amount_fen": a} for key, b, a in paid_bills],
    )
    db.session.execute(update(Bill), [{"id": b, "paid_fen": a} for _key, b, a in paid_bills])
    _set_counters()


def _number(payments: list[dict]) -> None:
    codes = dict(db.session.execute(select(Company.id, Company.code)).all())
    counters: dict[tuple[int, int], int] = defaultdict(int)
    for payment in sorted(payments, key=lambda p: (p["created_at"], p["idempotency_key"])):
        year = payment["created_at"].astimezone(SHANGHAI).year
        counters[payment["company_id"], year] += 1
        seq = counters[payment["company_id"], year]
        code = codes[payment["company_id"]]
        payment |= {
            "receipt_year": year,
            "receipt_seq": seq,
            "receipt_no": f"{code}-{year}-{seq:06d}",
        }


def _set_counters() -> None:
    last = db.session.execute(
        select(Payment.company_id, Payment.receipt_year, func.max(Payment.receipt_seq)).group_by(
            Payment.company_id, Payment.receipt_year
        )
    ).all()
    for company_id, year, seq in last:
        counter = db.session.get(ReceiptCounter, (company_id, year))
        if counter is None:
            db.session.add(ReceiptCounter(company_id=company_id, year=year, last_seq=seq))
        else:
            counter.last_seq = max(counter.last_seq, seq)
    db.session.flush()


def _counter_moments(homes: list[_Home], clerks: dict[int, int], rng: random.Random) -> None:
    """Today at the counters, through the services; each step commits, as a request would."""
    by_id = {home.household_id: home for home in homes}

    def clerk_of(household_id: int) -> User:
        return db.session.get(User, clerks[by_id[household_id].company_id])

    def household(household_id: int) -> Household:
        return db.session.get(Household, household_id)

    owed = dict(
        db.session.execute(
            select(Bill.household_id, func.sum(DUE))
            .where(Bill.household_id.in_(by_id), DUE > 0)
            .group_by(Bill.household_id)
            .order_by(Bill.household_id)
        ).all()
    )
    paid_up = [household_id for household_id in by_id if household_id not in owed]
    for n, household_id in enumerate(rng.sample(paid_up, min(3, len(paid_up)))):
        record_payment(
            household(household_id),
            rng.choice((30000, 60000, 120000)),
            PaymentMethod.WECHAT,
            clerk_of(household_id),
            f"{KEY}prepay-{n}",
            note="预存物业费",
        )
        db.session.commit()
    for n, household_id in enumerate(rng.sample(sorted(owed), min(2, len(owed)))):
        record_payment(
            household(household_id),
            int(owed[household_id]) + 8800,
            PaymentMethod.CASH,
            clerk_of(household_id),
            f"{KEY}over-{n}",
        )
        db.session.commit()
    recent = db.session.scalars(
        select(Payment)
        .where(
            Payment.idempotency_key.like(KEY + "%"),
            Payment.kind == PaymentKind.PAYMENT,
            Payment.credit_fen == 0,
        )
        .order_by(Payment.created_at.desc(), Payment.id)
        .limit(40)
    ).all()
    reversed_payments = rng.sample(recent, min(len(REVERSAL_REASONS), len(recent)))
    for n, (payment, reason) in enumerate(zip(reversed_payments, REVERSAL_REASONS, strict=False)):
        reverse_payment(payment, reason, clerk_of(payment.household_id), f"{KEY}reversal-{n}")
        db.session.commit()
        if reason == RETAKEN:
            record_payment(
                household(payment.household_id),
                payment.amount_fen,
                PaymentMethod.CASH,
                clerk_of(payment.household_id),
                f"{KEY}retaken-{n}",
                note="转账被退回，改付现金",
            )
            db.session.commit()
