"""Household credit (预存): what a household has paid ahead or over, which the next billing
run draws on. The balance moves only in SQL, with a ledger entry for each move."""

from __future__ import annotations

from sqlalchemy import select, update

from app import sql
from app.extensions import db
from app.models import CreditEntry, CreditReason, HouseholdCredit, Payment


def credit_balance(household_id: int) -> int:
    balance = db.session.scalar(
        select(HouseholdCredit.balance_fen).where(HouseholdCredit.household_id == household_id)
    )
    return int(balance or 0)


def add_credit(household_id: int, amount_fen: int, reason: CreditReason, payment: Payment) -> None:
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
