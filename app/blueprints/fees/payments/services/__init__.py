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
rolls the session back (the first payment is then read and returned). One module per concern;
this package hands their names on.
"""

from __future__ import annotations

from app.blueprints.fees.billing.services import DUE
from app.blueprints.fees.payments.services.accounts import (
    PHONE_DIGITS,
    Account,
    OpenBill,
    OwedTotals,
    account,
    household_rows,
    open_bills,
    owed_fen,
    payment_rows,
)
from app.blueprints.fees.payments.services.credit import credit_balance
from app.blueprints.fees.payments.services.daily import (
    DailyReport,
    daily_report,
    day_bounds,
    report_companies,
)
from app.blueprints.fees.payments.services.receipts import (
    Receipt,
    receipt,
    reversal_of,
    take_receipt_number,
)
from app.blueprints.fees.payments.services.recording import (
    MAX_KEY_LENGTH,
    ExcessPayment,
    earlier_payment,
    payment_for_key,
    record_payment,
)
from app.blueprints.fees.payments.services.reversals import (
    reversal_refusal,
    reverse_payment,
)

__all__ = [
    "DUE",
    "MAX_KEY_LENGTH",
    "PHONE_DIGITS",
    "Account",
    "DailyReport",
    "ExcessPayment",
    "OpenBill",
    "OwedTotals",
    "Receipt",
    "account",
    "credit_balance",
    "daily_report",
    "day_bounds",
    "earlier_payment",
    "household_rows",
    "open_bills",
    "owed_fen",
    "payment_for_key",
    "payment_rows",
    "receipt",
    "record_payment",
    "report_companies",
    "reversal_of",
    "reversal_refusal",
    "reverse_payment",
    "take_receipt_number",
]
