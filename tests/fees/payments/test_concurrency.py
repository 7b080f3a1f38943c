"""Clerks at several counters at the same moment, on PostgreSQL: real concurrent connections,
one thread and one session each, released together by a barrier. A bill is never collected
twice, a double submit in flight records one payment, receipt numbers stay gapless, and the
household's money adds up. SQLite runs one writer at a time, so there is nothing to race."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.blueprints.fees.payments import services
from app.extensions import db
from app.models import (
    Bill,
    Community,
    CreditEntry,
    Household,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    Role,
    User,
)
from tests import factories
from tests.races import at_once

CLERKS = 6


@pytest.fixture(autouse=True)
def postgres_only(app: Flask, database: None) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite lets one writer in at a time: the race needs PostgreSQL")


def clerks_of(home: Household) -> list[int]:
    company_id = db.session.get(Community, home.community_id).company_id
    return [factories.user(Role.MANAGER, company_id=company_id).id for _ in range(CLERKS)]


def paying(home_id: int, clerk_id: int, amount: int, key: str, **options) -> Callable[[], object]:  # type: ignore[no-untyped-def]
    def pay() -> int:
        return services.record_payment(
            db.session.get(Household, home_id),
            amount,
            PaymentMethod.WECHAT,
            db.session.get(User, clerk_id),
            key,
            **options,
        ).id

    return pay


def assert_the_money_adds_up(home: Household) -> None:
    """Every fen received is on a bill or in credit; each bill's paid equals its allocations
    and stays within what it owes; the credit ledger sums to the balance."""
    db.session.expire_all()
    received = db.session.scalar(
        select(func.coalesce(func.sum(Payment.amount_fen), 0)).where(
            Payment.household_id == home.id
        )
    )
    bills = db.session.scalars(select(Bill).where(Bill.household_id == home.id)).all()
    for bill in bills:
        allocated = db.session.scalar(
            select(func.coalesce(func.sum(PaymentAllocation.amount_fen), 0)).where(
                PaymentAllocation.bill_id == bill.id
            )
        )
        assert bill.paid_fen == allocated
        assert 0 <= bill.paid_fen <= bill.amount_fen + bill.late_fee_fen - bill.late_fee_waived_fen
    ledger = db.session.scalar(
        select(func.coalesce(func.sum(CreditEntry.amount_fen), 0)).where(
            CreditEntry.household_id == home.id
        )
    )
    credit = services.credit_balance(home.id)
    assert ledger == credit
    assert received == sum(bill.paid_fen for bill in bills) + credit


def test_clerks_ticking_the_same_bill_at_once_collect_it_once(app: Flask):
    home = factories.household()
    jan = factories.bill(home, period=202601, amount_fen=10000)
    factories.bill(home, period=202602, amount_fen=10000)
    work = [
        paying(home.id, clerk, 10000, f"tick-{n}", bill_ids=[jan.id], confirm_excess=False)
        for n, clerk in enumerate(clerks_of(home))
    ]

    results = at_once(app, work)

    paid = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, str)]
    assert len(paid) == 1, results
    assert len(refused) == CLERKS - 1
    assert all("paid already" in message for message in refused)
    db.session.refresh(jan)
    assert jan.paid_fen == 10000
    assert_the_money_adds_up(home)


def test_clerks_paying_oldest_first_at_once_never_over_collect(app: Flask):
    home = factories.household()
    bills = [factories.bill(home, period=202601 + n, amount_fen=7000) for n in range(3)]
    work = [
        paying(home.id, clerk, 5000, f"oldest-{n}")  # the last ones' money becomes credit
        for n, clerk in enumerate(clerks_of(home))
    ]

    results = at_once(app, work)

    assert all(isinstance(r, int) for r in results), results
    for bill in bills:
        db.session.refresh(bill)
    assert [bill.paid_fen for bill in bills] == [7000, 7000, 7000]
    assert services.credit_balance(home.id) == CLERKS * 5000 - 21000
    assert_the_money_adds_up(home)


def test_a_double_submit_still_in_flight_records_one_payment(app: Flask):
    home = factories.household()  # nothing owed: the whole amount is credit (预存)
    work = [paying(home.id, clerk, 30000, "one-form") for clerk in clerks_of(home)]

    results = at_once(app, work)

    assert len(set(results)) == 1 and isinstance(results[0], int), results
    assert db.session.scalar(select(func.count(Payment.id))) == 1
    assert services.credit_balance(home.id) == 30000
    assert_the_money_adds_up(home)


def test_receipt_numbers_stay_gapless_when_clerks_take_them_at_once(app: Flask):
    place = factories.community()
    homes = [factories.household(factories.unit(factories.building(place))) for _ in range(CLERKS)]
    clerks = clerks_of(homes[0])
    work = [
        paying(home.id, clerk, 100, f"gapless-{n}")
        for n, (home, clerk) in enumerate(zip(homes, clerks, strict=True))
    ]

    results = at_once(app, work)

    assert all(isinstance(r, int) for r in results), results
    seqs = db.session.scalars(select(Payment.receipt_seq).order_by(Payment.receipt_seq)).all()
    assert seqs == list(range(1, CLERKS + 1))


def test_reversals_racing_the_payments_of_the_bills_they_reopen_never_deadlock(app: Flask):
    """Each money change locks its household first and then bills in id order: a reversal that
    reopens an older bill while payments of the same household arrive waits its turn instead
    of meeting a payment halfway (which PostgreSQL would end as a deadlock)."""
    home = factories.household()
    bills = [factories.bill(home, period=202601 + n, amount_fen=5000) for n in range(4)]
    clerk = clerks_of(home)[0]
    paid = [factories.payment(home, amount_fen=5000, bill_ids=[bill.id]) for bill in bills[:2]]
    db.session.commit()

    def reversing(payment_id: int, key: str) -> Callable[[], object]:
        return lambda: (
            services.reverse_payment(
                db.session.get(Payment, payment_id), "录入有误", db.session.get(User, clerk), key
            ).id
        )

    work = [reversing(paid[n % 2].id, f"undo-{n}") for n in range(4)]
    work += [paying(home.id, clerk, 2500, f"race-{n}") for n in range(8)]

    results = at_once(app, work)

    # Every answer is a payment or a refusal in words; no database error reached anyone.
    assert all(isinstance(r, int) or "reversed" in r for r in results), results
    assert_the_money_adds_up(home)
