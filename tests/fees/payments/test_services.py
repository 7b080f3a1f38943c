"""Payments at the counter: allocation oldest first or by ticks, credit, idempotency, receipts
gapless per company and year, reversals, the daily cash report, household search; the views
and their refusals of bad input. On SQLite and PostgreSQL."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.blueprints.fees.billing.services import (
    LateFeeTerms,
    run_billing,
    save_late_fee_rule,
)
from app.blueprints.fees.payments import services
from app.blueprints.fees.payments.services import ExcessPayment
from app.blueprints.fees.payments.services import recording as payment_recording
from app.demo.base import load_demo as load_base
from app.demo.billing import load_demo as load_billing
from app.demo.payments import load_demo as load_payments
from app.extensions import db
from app.models import (
    Bill,
    Community,
    CreditEntry,
    CreditReason,
    HouseholdCredit,
    LateFeeMode,
    Payment,
    PaymentAllocation,
    PaymentKind,
    PaymentMethod,
    ReceiptCounter,
    Role,
)
from app.periods import shanghai_now, shanghai_today
from app.rules import RuleError
from tests import factories
from tests.conftest import csrf_token

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def english(app: Flask, database):  # type: ignore[no-untyped-def]
    """Messages of refused requests are read in English, as a request would render them."""
    with app.test_request_context(headers=EN):
        yield


@pytest.fixture
def admin():  # type: ignore[no-untyped-def]
    return factories.user(Role.ADMIN)


def home_with_bills(*amounts: int, place: Community | None = None):  # type: ignore[no-untyped-def]
    """A household with one bill a month from 2026-01 of each amount (fen); (home, bills)."""
    home = factories.household(factories.unit(factories.building(place)))
    item = factories.fee_item(db.session.get(Community, home.community_id))
    bills = [
        factories.bill(home, item, period=202601 + n, amount_fen=amount)
        for n, amount in enumerate(amounts)
    ]
    return home, bills


def pay(home, amount_fen: int, **fields) -> Payment:  # type: ignore[no-untyped-def]
    return factories.payment(home, amount_fen, **fields)


def fresh(bill: Bill) -> Bill:
    db.session.refresh(bill)
    return bill


def allocations(payment: Payment) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(PaymentAllocation.bill_id, PaymentAllocation.amount_fen).where(
                PaymentAllocation.payment_id == payment.id
            )
        ).all()
    )


def balance(home) -> int:  # type: ignore[no-untyped-def]
    return services.credit_balance(home.id)


def ledger(home) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        select(func.coalesce(func.sum(CreditEntry.amount_fen), 0)).where(
            CreditEntry.household_id == home.id
        )
    )


# ---- Allocation -----------------------------------------------------------------------------


def test_a_payment_pays_the_oldest_bills_first_and_may_pay_part_of_one(database):
    home, (jan, feb, mar) = home_with_bills(10000, 10000, 10000)

    payment = pay(home, 15000)

    assert allocations(payment) == {jan.id: 10000, feb.id: 5000}
    assert [fresh(b).paid_fen for b in (jan, feb, mar)] == [10000, 5000, 0]
    assert payment.credit_fen == 0
    assert payment.kind == PaymentKind.PAYMENT


def test_a_payment_pays_only_the_ticked_bills_oldest_first(database):
    home, (jan, feb, mar) = home_with_bills(10000, 10000, 10000)

    payment = pay(home, 15000, bill_ids=[mar.id, feb.id])

    assert allocations(payment) == {feb.id: 10000, mar.id: 5000}
    assert fresh(jan).paid_fen == 0


def test_an_amount_above_what_is_owed_asks_for_confirmation_then_becomes_credit(database, admin):
    home, (jan,) = home_with_bills(10000)
    clerk = factories.collector(home)

    with pytest.raises(ExcessPayment) as asked:
        services.record_payment(
            home, 12550, PaymentMethod.WECHAT, clerk, "k-1", confirm_excess=False
        )
    assert asked.value.excess_fen == 2550
    db.session.rollback()
    assert db.session.scalar(select(func.count(Payment.id))) == 0

    payment = pay(home, 12550, method=PaymentMethod.WECHAT, key="k-1")
    assert payment.credit_fen == 2550
    assert fresh(jan).paid_fen == 10000
    assert balance(home) == ledger(home) == 2550
    entry = db.session.scalar(select(CreditEntry).where(CreditEntry.payment_id == payment.id))
    assert entry.reason == CreditReason.OVERPAYMENT
    assert services.account(home, admin).owed_fen == 0


def test_paying_ahead_with_nothing_owed_is_all_credit_which_the_next_bills_draw_on(database):
    place = factories.community()
    home = factories.household(factories.unit(factories.building(place)), area_m2=Decimal("50"))
    factories.fee_item(place, rate_fen=200)  # ¥2.00 per m²: ¥100.00 a month

    payment = pay(home, 30000)
    assert (payment.credit_fen, balance(home)) == (30000, 30000)
    entry = db.session.scalar(select(CreditEntry).where(CreditEntry.payment_id == payment.id))
    assert entry.reason == CreditReason.PREPAYMENT

    run_billing(202603, place.id, None)
    db.session.commit()
    bill = db.session.scalar(select(Bill).where(Bill.household_id == home.id))
    assert bill.paid_fen == bill.amount_fen == 10000
    assert balance(home) == ledger(home) == 20000


def test_late_fees_are_shown_apart_and_paid_after_the_bill(database, admin):
    place = factories.community()
    save_late_fee_rule(
        place.id,
        LateFeeTerms(
            enabled=True,
            mode=LateFeeMode.FIXED,
            daily_rate_per_10k=0,
            fixed_fen=500,
            grace_days=0,
            cap_percent=100,
        ),
    )
    db.session.commit()
    home, (old,) = home_with_bills(10000, place=place)  # 2026-01: long overdue

    account = services.account(home, admin)
    db.session.commit()
    (open_bill,) = account.bills
    assert (open_bill.principal_fen, open_bill.late_fen) == (10000, 500)
    assert (account.principal_fen, account.late_fen, account.owed_fen) == (10000, 500, 10500)

    pay(home, 10200)
    (open_bill,) = services.account(home, admin).bills
    assert (open_bill.principal_fen, open_bill.late_fen) == (0, 300)
    pay(home, 300)
    assert fresh(old).paid_fen == 10500
    assert services.account(home, admin).bills == []


# ---- Refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [0, -100])
def test_an_amount_of_nothing_or_less_is_refused(database, amount):
    home, _bills = home_with_bills(10000)
    with pytest.raises(RuleError, match="greater than zero"):
        services.record_payment(
            home, amount, PaymentMethod.CASH, factories.collector(home), "k-zero"
        )


def test_another_households_bill_or_a_paid_bill_cannot_be_ticked(database):
    home, (jan, feb) = home_with_bills(10000, 10000)
    _other, (theirs,) = home_with_bills(10000)
    clerk = factories.collector(home)

    with pytest.raises(RuleError, match="not one of this household"):
        services.record_payment(home, 100, PaymentMethod.CASH, clerk, "k-a", [theirs.id])
    db.session.rollback()
    pay(home, 10000, bill_ids=[jan.id])
    with pytest.raises(RuleError, match="paid already"):
        services.record_payment(home, 100, PaymentMethod.CASH, clerk, "k-b", [jan.id, feb.id])
    db.session.rollback()
    assert fresh(theirs).paid_fen == 0


def test_the_database_never_lets_a_bill_be_paid_beyond_what_it_owes(database):
    _home, (bill,) = home_with_bills(10000)
    with pytest.raises(IntegrityError):
        db.session.execute(update(Bill).where(Bill.id == bill.id).values(paid_fen=10001))
    db.session.rollback()


# ---- Idempotency ----------------------------------------------------------------------------


def test_the_same_form_submitted_twice_records_one_payment(database):
    home, (jan, feb) = home_with_bills(10000, 10000)

    first = pay(home, 10000, key="form-token-1")
    again = pay(home, 10000, key="form-token-1")

    assert again.id == first.id
    assert db.session.scalar(select(func.count(Payment.id))) == 1
    assert (fresh(jan).paid_fen, fresh(feb).paid_fen) == (10000, 0)


def test_a_token_of_another_household_is_refused(database):
    home, _bills = home_with_bills(10000)
    other, _their_bills = home_with_bills(10000)
    pay(home, 10000, key="form-token-2")
    with pytest.raises(RuleError, match="expired"):
        pay(other, 10000, key="form-token-2")


def test_a_token_reused_with_another_amount_is_refused_not_merged(database):
    """As Stripe does with an idempotency key: the same key with other details is a mistake
    (a stale form), not a repeat; it neither records a second payment nor answers the first."""
    home, _bills = home_with_bills(10000)
    pay(home, 4000, key="form-token-4")
    with pytest.raises(RuleError, match="already used for a payment of"):
        pay(home, 5000, key="form-token-4")
    assert db.session.scalar(select(func.count(Payment.id))) == 1


def test_a_request_overtaking_the_first_is_caught_by_the_unique_key(database, monkeypatch):
    """The second request of a double click may pass both look-ups before the first commits;
    the unique key then refuses its insert, and it answers with the first payment."""
    home, (jan,) = home_with_bills(10000)
    first = pay(home, 4000, key="form-token-3")
    real_lookup = services.payment_for_key
    misses = iter([None, None])  # the two look-ups before the insert see nothing yet
    monkeypatch.setattr(
        payment_recording, "payment_for_key", lambda key: next(misses, None) or real_lookup(key)
    )

    again = services.record_payment(
        home, 4000, PaymentMethod.CASH, factories.collector(home), "form-token-3"
    )
    db.session.commit()

    assert again.id == first.id
    assert db.session.scalar(select(func.count(Payment.id))) == 1
    assert fresh(jan).paid_fen == 4000
    counter = db.session.scalar(select(ReceiptCounter.last_seq))
    assert counter == 1  # the number the overtaking request took went back


# ---- Receipt numbers ------------------------------------------------------------------------


def test_receipt_numbers_count_up_per_company_and_year(database):
    xsz = factories.company(code="XSZ")
    lq = factories.company(code="LQ")
    ours = [home_with_bills(10000, place=factories.community(xsz))[0] for _ in range(2)]
    theirs = home_with_bills(10000, place=factories.community(lq))[0]
    year = shanghai_now().year

    numbers = [pay(ours[0], 100).receipt_no, pay(theirs, 100).receipt_no]
    numbers += [pay(ours[1], 100).receipt_no, pay(ours[0], 100).receipt_no]

    assert numbers == [
        f"XSZ-{year}-000001",
        f"LQ-{year}-000001",
        f"XSZ-{year}-000002",
        f"XSZ-{year}-000003",
    ]


def test_receipt_numbers_stay_gapless_across_failed_transactions(database):
    home, _bills = home_with_bills(10000, 10000, 10000)
    year = shanghai_now().year
    code = db.session.get(Community, home.community_id).company.code

    first = pay(home, 100)
    failed = services.record_payment(
        home, 100, PaymentMethod.CASH, factories.collector(home), "fails-after-its-number"
    )
    assert failed.receipt_seq == 2  # taken, then the transaction fails:
    db.session.rollback()
    with pytest.raises(RuleError):  # and one refused before it takes a number
        services.record_payment(
            home, 10**7, PaymentMethod.CASH, factories.collector(home), "k", confirm_excess=False
        )
    db.session.rollback()
    second = pay(home, 100)

    assert (first.receipt_seq, second.receipt_seq) == (1, 2)
    assert second.receipt_no == f"{code}-{year}-000002"
    assert db.session.scalar(select(func.count(Payment.id))) == 2


def test_the_receipt_year_is_the_year_in_shanghai(database):
    company = factories.company(code="NY")
    new_year_in_shanghai = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    assert services.take_receipt_number(company.id, new_year_in_shanghai) == (
        2027,
        1,
        "NY-2027-000001",
    )
    assert services.take_receipt_number(company.id, new_year_in_shanghai - timedelta(hours=1))[
        2
    ] == ("NY-2026-000001")
    db.session.rollback()


# ---- Reversals ------------------------------------------------------------------------------


def test_a_reversal_undoes_the_payment_entirely_with_its_own_receipt(database):
    home, (jan, feb) = home_with_bills(10000, 10000)
    payment = pay(home, 25000)  # both bills and ¥50.00 of credit

    reversal = factories.reversal(payment, "金额录入错误")

    assert reversal.kind == PaymentKind.REVERSAL
    assert (reversal.amount_fen, reversal.credit_fen) == (-25000, -5000)
    assert reversal.reverses_id == payment.id
    assert reversal.receipt_seq == payment.receipt_seq + 1
    assert reversal.note == "金额录入错误"
    assert allocations(reversal) == {jan.id: -10000, feb.id: -10000}
    assert (fresh(jan).paid_fen, fresh(feb).paid_fen) == (0, 0)
    assert balance(home) == ledger(home) == 0
    assert services.reversal_of(payment).id == reversal.id


def test_a_reversal_needs_a_reason_and_happens_once(database):
    home, _bills = home_with_bills(10000)
    payment = pay(home, 10000)
    clerk = factories.collector(home)

    with pytest.raises(RuleError, match="reason"):
        services.reverse_payment(payment, "  ", clerk, "r-1")
    reversal = factories.reversal(payment, key="r-2")
    assert services.reverse_payment(payment, "again", clerk, "r-2").id == reversal.id
    with pytest.raises(RuleError, match="already been reversed"):
        services.reverse_payment(payment, "again", clerk, "r-3")
    db.session.rollback()


def test_a_reversal_cannot_be_reversed_and_the_database_forbids_it_too(database):
    home, _bills = home_with_bills(10000)
    reversal = factories.reversal(pay(home, 10000))

    with pytest.raises(RuleError, match="cannot itself be reversed"):
        services.reverse_payment(reversal, "why", factories.collector(home), "r-4")
    db.session.rollback()

    forged = Payment(
        company_id=reversal.company_id,
        household_id=reversal.household_id,
        community_id=reversal.community_id,
        kind=PaymentKind.REVERSAL,
        method=reversal.method,
        amount_fen=-reversal.amount_fen,
        credit_fen=0,
        receipt_year=reversal.receipt_year,
        receipt_seq=99,
        receipt_no="FORGED-1",
        idempotency_key="forged",
        collector_user_id=reversal.collector_user_id,
        reverses_id=reversal.id,
        reversed_kind=PaymentKind.REVERSAL.value,
        reversed_amount_fen=reversal.amount_fen,
    )
    db.session.add(forged)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_payment_whose_credit_later_bills_used_cannot_be_reversed(database):
    place = factories.community()
    home = factories.household(factories.unit(factories.building(place)), area_m2=Decimal("50"))
    factories.fee_item(place, rate_fen=200)
    payment = pay(home, 15000)  # all credit
    run_billing(202603, place.id, None)  # draws ¥100.00 of it
    db.session.commit()

    assert "cannot be reversed" in services.reversal_refusal(payment)
    with pytest.raises(RuleError, match=r"only ¥50\.00 is left"):
        services.reverse_payment(payment, "退款", factories.collector(home), "r-5")
    db.session.rollback()
    assert balance(home) == 5000


# ---- The daily cash report ------------------------------------------------------------------


def test_the_daily_report_nets_payments_and_reversals_per_collector_and_method(database):
    company = factories.company()
    place = factories.community(company)
    home, _bills = home_with_bills(50000, place=place)
    wang = factories.user(Role.MANAGER, company_id=company.id, display_name="王收费")
    li = factories.user(Role.MANAGER, company_id=company.id, display_name="李收费")
    pay(home, 10000, clerk=wang, method=PaymentMethod.CASH)
    pay(home, 5000, clerk=wang, method=PaymentMethod.CASH)
    wrong = pay(home, 2000, clerk=li, method=PaymentMethod.WECHAT)
    factories.reversal(wrong, clerk=li)
    # Yesterday in Shanghai, though today in UTC for part of the day: left out.
    yesterday = pay(home, 700, clerk=wang, method=PaymentMethod.CASH)
    start, _end = services.day_bounds(shanghai_today())
    yesterday.created_at = start - timedelta(seconds=1)
    # Another company's takings are not this manager's.
    pay(home_with_bills(10000)[0], 10000)
    db.session.commit()

    report = services.daily_report(shanghai_today(), user=wang)

    rows = {(r.collector, r.method): r for r in report.rows}
    assert set(rows) == {("王收费", PaymentMethod.CASH), ("李收费", PaymentMethod.WECHAT)}
    cash = rows[("王收费", PaymentMethod.CASH)]
    assert (cash.payments, cash.paid_fen, cash.reversals, cash.net_fen) == (2, 15000, 0, 15000)
    wechat = rows[("李收费", PaymentMethod.WECHAT)]
    assert (wechat.payments, wechat.paid_fen, wechat.reversals, wechat.reversed_fen) == (
        1,
        2000,
        1,
        -2000,
    )
    assert wechat.net_fen == 0
    assert report.by_method[PaymentMethod.CASH] == 15000
    assert (report.net_fen, report.payments, report.reversals) == (15000, 3, 1)


def test_the_day_runs_midnight_to_midnight_in_shanghai():
    start, end = services.day_bounds(date(2026, 11, 23))
    assert start == datetime(2026, 11, 22, 16, tzinfo=UTC)
    assert end - start == timedelta(days=1)


# ---- Finding a household --------------------------------------------------------------------


def test_households_are_found_by_room_owner_or_phone_within_the_users_company(database):
    company = factories.company()
    place = factories.community(company)
    entrance = factories.unit(factories.building(place, number="3"), number="2")
    home = factories.household(entrance, room="101", owner_name="张建国", phone="13912345678")
    elsewhere = factories.household(room="101")  # another company's
    manager = factories.user(Role.MANAGER, company_id=company.id)

    def found(text: str) -> list[int]:
        rows = db.session.execute(services.household_rows(text, manager)).all()
        return [row.Household.id for row in rows]

    for text in ("101", "3-2-101", "3栋2单元101室", "张建", "张建国", "1391", "13912345678"):
        assert found(text) == [home.id], text
    assert found("") == []
    assert found("4-2-101") == []
    assert found("建国") == []  # names and phones match from the beginning
    assert found("139") == []  # too few digits for a phone number
    assert elsewhere.id not in found("101")


# ---- The views ------------------------------------------------------------------------------


@pytest.fixture
def desk(login_as):  # type: ignore[no-untyped-def]
    """A manager signed in, and a household of their company with two bills."""
    home, bills = home_with_bills(10000, 12345)
    place = db.session.get(Community, home.community_id)
    client = login_as(user=factories.user(Role.MANAGER, company_id=place.company_id))
    return client, home, bills


def household_url(home) -> str:  # type: ignore[no-untyped-def]
    return f"/fees/counter/households/{home.id}"


def form_fields(client, home) -> dict:  # type: ignore[no-untyped-def]
    html = client.get(household_url(home), headers=EN).get_data(as_text=True)
    token = re.search(r'name="token"[^>]*value="([^"]+)"', html).group(1)
    return {"csrf_token": csrf_token(client, household_url(home)), "token": token}


def test_the_counter_finds_households_as_the_clerk_types(desk):
    client, home, _bills = desk
    page = client.get("/fees/counter", headers=EN).get_data(as_text=True)
    assert 'hx-trigger="input changed delay:300ms' in page

    partial = client.get(
        f"/fees/counter?q={home.room}", headers=EN | {"HX-Request": "true"}
    ).get_data(as_text=True)
    assert partial.lstrip().startswith('<div id="counter-results"')
    assert household_url(home) in partial
    assert "¥223.45" in partial


def test_the_household_page_shows_bills_late_fees_and_credit(desk):
    client, home, _bills = desk
    page = client.get(household_url(home)).get_data(as_text=True)
    assert "2026-01" in page and "2026-02" in page
    assert "¥223.45" in page
    assert 'name="token"' in page
    assert "微信" in page and "支付宝" in page and "银行转账" in page and "现金" in page


def test_taking_a_payment_leads_to_its_receipt_and_a_double_submit_to_the_same(desk):
    client, home, (jan, feb) = desk
    fields = form_fields(client, home) | {
        "amount": "100",
        "method": "wechat",
        "bill_ids": [str(jan.id)],
    }

    first = client.post(household_url(home), data=fields, headers={"HX-Request": "true"})
    assert first.status_code == 204
    receipt_url = first.headers["HX-Redirect"]
    second = client.post(household_url(home), data=fields)
    assert second.status_code == 302
    assert second.headers["Location"] == receipt_url

    assert db.session.scalar(select(func.count(Payment.id))) == 1
    receipt = client.get(receipt_url).get_data(as_text=True)
    payment = db.session.scalar(select(Payment))
    assert payment.receipt_no in receipt
    assert "壹佰元整" in receipt
    assert "微信" in receipt
    assert "2026-01" in receipt
    assert fresh(jan).paid_fen == 10000 and fresh(feb).paid_fen == 0


def test_an_overpayment_is_confirmed_in_a_second_step(desk):
    client, home, _bills = desk
    fields = form_fields(client, home) | {"amount": "300", "method": "cash"}

    asked = client.post(household_url(home), data=fields, headers=EN | {"HX-Request": "true"})
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert "¥76.55 more than the bills owe" in html
    assert 'name="confirmed_fen" value="30000"' in html
    assert db.session.scalar(select(func.count(Payment.id))) == 0

    changed = fields | {"amount": "400", "confirmed_fen": "30000"}
    assert "¥176.55 more" in client.post(household_url(home), data=changed, headers=EN).get_data(
        as_text=True
    )

    done = client.post(household_url(home), data=fields | {"confirmed_fen": "30000"})
    assert done.status_code == 302
    assert db.session.scalar(select(Payment.credit_fen)) == 7655


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("", "Enter an amount."),
        ("-5", "cannot be negative"),
        ("1.234", "at most two decimals"),
        ("NaN", "at most two decimals"),
        ("1e9", "at most two decimals"),
        ("inf", "at most two decimals"),
        ("0", "greater than zero"),
        ("0.00", "greater than zero"),
        ("99999999", "larger than the portal accepts"),
    ],
)
def test_bad_amounts_are_refused_keeping_what_was_typed(desk, amount, message):
    client, home, _bills = desk
    fields = form_fields(client, home) | {"amount": amount, "method": "cash"}
    response = client.post(household_url(home), data=fields, headers=EN)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'value="{amount}"' in html or not amount
    assert db.session.scalar(select(func.count(Payment.id))) == 0


def test_other_bad_payment_forms_are_refused_with_422(desk):
    client, home, _bills = desk
    _other, (theirs,) = home_with_bills(10000)
    base = form_fields(client, home) | {"amount": "10"}

    no_method = client.post(household_url(home), data=base, headers=EN)
    assert no_method.status_code == 422
    assert "Choose how the household paid." in no_method.get_data(as_text=True)

    bad_method = client.post(household_url(home), data=base | {"method": "bitcoin"}, headers=EN)
    assert bad_method.status_code == 422

    foreign = base | {"method": "cash", "bill_ids": [str(theirs.id)]}
    refused = client.post(household_url(home), data=foreign, headers=EN)
    assert refused.status_code == 422
    assert "not one of this household" in refused.get_data(as_text=True)

    no_token = {"csrf_token": base["csrf_token"], "amount": "10", "method": "cash"}
    expired = client.post(household_url(home), data=no_token, headers=EN)
    assert expired.status_code == 422
    assert "expired" in expired.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Payment.id))) == 0


def test_reversing_through_the_form(desk):
    client, home, (jan, _feb) = desk
    payment = pay(home, 10000)
    url = f"/fees/receipts/{payment.id}/reverse"
    page = client.get(url, headers=EN).get_data(as_text=True)
    token = re.search(r'name="token"[^>]*value="([^"]+)"', page).group(1)
    fields = {"csrf_token": csrf_token(client, url), "token": token}

    missing = client.post(url, data=fields | {"reason": " "}, headers=EN)
    assert missing.status_code == 422
    assert "Give the reason for the reversal." in missing.get_data(as_text=True)

    done = client.post(url, data=fields | {"reason": "银行退回"})
    assert done.status_code == 302
    reversal = services.reversal_of(payment)
    assert done.headers["Location"] == f"/fees/receipts/{reversal.id}"
    assert fresh(jan).paid_fen == 0
    receipt = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "冲正" in receipt and payment.receipt_no in receipt and "银行退回" in receipt
    assert "负壹佰元整" in receipt

    again = client.post(url, data=fields | {"reason": "again"}, headers=EN)
    assert again.status_code == 302  # the same form: the same reversal
    other_form = {"csrf_token": fields["csrf_token"], "token": "another", "reason": "again"}
    refused = client.post(url, data=other_form, headers=EN)
    assert refused.status_code == 422
    assert "already been reversed" in refused.get_data(as_text=True)

    of_reversal = f"/fees/receipts/{reversal.id}/reverse"
    assert "cannot itself be reversed" in client.get(of_reversal, headers=EN).get_data(as_text=True)
    refused = client.post(of_reversal, data=other_form | {"token": "third"}, headers=EN)
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count(Payment.id))) == 2


def test_residents_open_their_own_receipts_only(login_as):
    home, _bills = home_with_bills(10000)
    theirs = pay(home, 10000)
    other = pay(home_with_bills(10000)[0], 10000)
    resident = login_as(user=factories.resident(home))

    assert resident.get(f"/fees/receipts/{theirs.id}").status_code == 200
    assert resident.get(f"/fees/receipts/{other.id}").status_code == 404
    assert resident.get("/fees/counter").status_code == 403
    assert resident.get(f"/fees/receipts/{theirs.id}/reverse").status_code == 403


def test_the_receipt_is_a_printable_a5_page(desk):
    client, home, _bills = desk
    payment = pay(home, 12350)
    html = client.get(f"/fees/receipts/{payment.id}").get_data(as_text=True)
    assert "壹佰贰拾叁元伍角整" in html
    assert 'class="receipt' in html
    assert "style=" not in html
    css = Path("app/static/css/app.css").read_text(encoding="utf-8")
    assert re.search(r"@page\s+receipt\s*\{[^}]*size:\s*A5", css)


def test_the_daily_report_page(desk, login_as):
    client, home, _bills = desk
    pay(home, 10000, method=PaymentMethod.ALIPAY)
    page = client.get("/fees/daily").get_data(as_text=True)
    assert "支付宝" in page and "¥100.00" in page

    bad = client.get("/fees/daily?day=2026-13-45", headers=EN)
    assert bad.status_code == 422
    assert "YYYY-MM-DD" in bad.get_data(as_text=True)

    admin = login_as(Role.ADMIN)
    everyone = admin.get("/fees/daily", headers=EN).get_data(as_text=True)
    assert "Every company" in everyone and "¥100.00" in everyone


# ---- Demo data ------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_demo_collects_most_bills_with_gapless_receipts_once(database):
    load_base()
    communities = {c.name: c for c in db.session.scalars(select(Community))}
    load_billing(communities, random.Random(7))
    load_payments(communities, random.Random(7))
    counts = db.session.scalar(select(func.count(Payment.id)))
    load_payments(communities, random.Random(8))
    assert db.session.scalar(select(func.count(Payment.id))) == counts

    billed, paid = db.session.execute(
        select(func.sum(Bill.amount_fen), func.sum(Bill.paid_fen))
    ).one()
    assert 0.80 < paid / billed < 0.90
    reversals = select(func.count(Payment.id)).where(Payment.kind == PaymentKind.REVERSAL)
    assert db.session.scalar(reversals) == 3
    assert db.session.scalar(select(func.sum(HouseholdCredit.balance_fen))) > 0
    numbered = db.session.execute(
        select(
            Payment.company_id,
            Payment.receipt_year,
            func.count(Payment.id),
            func.max(Payment.receipt_seq),
            ReceiptCounter.last_seq,
        )
        .join(
            ReceiptCounter,
            (ReceiptCounter.company_id == Payment.company_id)
            & (ReceiptCounter.year == Payment.receipt_year),
        )
        .group_by(Payment.company_id, Payment.receipt_year, ReceiptCounter.last_seq)
    ).all()
    assert numbered and all(count == last == counter for _c, _y, count, last, counter in numbered)
    allocated = (
        select(func.coalesce(func.sum(PaymentAllocation.amount_fen), 0))
        .where(PaymentAllocation.bill_id == Bill.id)
        .scalar_subquery()
    )
    assert db.session.scalar(select(func.count(Bill.id)).where(Bill.paid_fen != allocated)) == 0
