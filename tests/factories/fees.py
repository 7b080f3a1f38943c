"""Factories of the fees area: fee items, parking, bills, payments and reversals."""

from __future__ import annotations

from decimal import Decimal

from app.extensions import db
from app.models import (
    Bill,
    Community,
    FeeItem,
    FeeKind,
    FeeRate,
    Household,
    ParkingLease,
    ParkingSpace,
    Role,
    User,
)
from tests.factories.base import _next, _save, user
from tests.factories.property import community, household


def fee_item(place: Community | None = None, **fields) -> FeeItem:  # type: ignore[no-untyped-def]
    """A fee item with one rate (`rate_fen`, default ¥1.20) in force since 2000-01."""
    place = place or community()
    rate_fen = fields.pop("rate_fen", 120)
    effective_from = fields.pop("effective_from", 200001)
    values = {"kind": FeeKind.PROPERTY, "name": f"物业费{_next()}", "active": True}
    item = _save(FeeItem(community_id=place.id, **(values | fields)))
    _save(FeeRate(fee_item_id=item.id, effective_from=effective_from, amount_fen=rate_fen))
    return item


def parking_space(place: Community | None = None, **fields) -> ParkingSpace:  # type: ignore[no-untyped-def]
    place = place or community()
    return _save(ParkingSpace(community_id=place.id, **({"number": f"A{_next():03d}"} | fields)))


def parking_lease(space: ParkingSpace, home: Household, **fields) -> ParkingLease:  # type: ignore[no-untyped-def]
    values = {"plate": "渝A12345", "start_period": 202601, "end_period": None}
    return _save(
        ParkingLease(
            space_id=space.id,
            community_id=space.community_id,
            household_id=home.id,
            **(values | fields),
        )
    )


def bill(home: Household | None = None, item: FeeItem | None = None, **fields) -> Bill:  # type: ignore[no-untyped-def]
    """A bill as a billing run issues it (¥100.00 for 2026-01 unless told)."""
    home = home or household()
    item = item or fee_item(db.session.get(Community, home.community_id))
    values = {"period": 202601, "quantity": Decimal("1"), "rate_fen": 10000, "amount_fen": 10000}
    return _save(
        Bill(
            household_id=home.id,
            community_id=home.community_id,
            fee_item_id=item.id,
            **(values | fields),
        )
    )


def collector(home: Household) -> User:
    """A manager of the company running `home`'s community, to take its payments."""
    place = db.session.get(Community, home.community_id)
    return user(Role.MANAGER, company_id=place.company_id)


def payment(home: Household | None = None, amount_fen: int = 10000, **fields):  # type: ignore[no-untyped-def]
    """A payment of `amount_fen` (default ¥100.00) by cash, committed: it pays the household's
    open bills oldest first (or `bill_ids`) and keeps the rest as credit. `clerk=`, `method=`,
    `key=` (the idempotency key), `bill_ids=` and `note=` may be given."""
    from app.blueprints.fees.payments.services import record_payment
    from app.models import PaymentMethod

    home = home or household()
    clerk = fields.pop("clerk", None) or collector(home)
    method = fields.pop("method", PaymentMethod.CASH)
    key = fields.pop("key", None) or f"factory-payment-{_next()}"
    paid = record_payment(home, amount_fen, method, clerk, key, **fields)
    db.session.commit()
    return paid


def reversal(paid, reason: str = "录入金额有误", **fields):  # type: ignore[no-untyped-def]
    """The reversal (冲正) of payment `paid`, committed."""
    from app.blueprints.fees.payments.services import reverse_payment

    home = db.session.get(Household, paid.household_id)
    clerk = fields.pop("clerk", None) or collector(home)
    key = fields.pop("key", None) or f"factory-reversal-{_next()}"
    reversed_payment = reverse_payment(paid, reason, clerk, key)
    db.session.commit()
    return reversed_payment
