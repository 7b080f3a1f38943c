"""Billing demo data: fee items and rates for each demo community, parking spaces and leases,
a late-fee rule, and the bills of the last twelve months (payments are the payments part's).

Idempotent: items, rates, spaces and leases are found before they are made, and a month is
billed only while it has bills to issue.
"""

from __future__ import annotations

import random

from sqlalchemy import select

from app.blueprints.fees.billing.services import add_spaces, preview_billing, run_billing
from app.extensions import db
from app.models import (
    Building,
    Community,
    FeeItem,
    FeeKind,
    FeeRate,
    Household,
    LateFeeMode,
    LateFeeRule,
    ParkingLease,
    ParkingSpace,
    Unit,
)
from app.periods import add_months, current_period

MONTHS = 12
# community: (property fee in fen per m² a month, parking fee in fen per space a month,
# parking spaces). Market companies charge more than red ones; 兴隆苑 raised its fee lately.
FEES = {
    "兴隆苑": (140, 25000, 40),
    "弹新街社区": (80, 15000, 24),
    "嘉明花园": (100, 18000, 20),
    "黄龙小区": (90, 20000, 16),
    "宜港小区": (85, 22000, 20),
    "四合院小区": (80, 15000, 8),
    "白龙岗小区": (120, 30000, 24),
}
RAISES = {"兴隆苑": (150, -5)}  # new rate, from how many months ago
FIXED_CHARGES = {"弹新街社区": ("垃圾清运费", 1000)}  # name, fen per household a month
LATE_FEE_COMMUNITIES = ("弹新街社区",)
PROVINCES = {"重庆市": "渝", "宜昌市": "鄂"}
PLATE_LETTERS = {"重庆市": "ABCDFGH", "宜昌市": "E"}


def _item(community: Community, kind: FeeKind, name: str) -> FeeItem:
    item = db.session.scalar(
        select(FeeItem).where(FeeItem.community_id == community.id, FeeItem.name == name)
    )
    if item is None:
        item = FeeItem(community_id=community.id, kind=kind, name=name, active=True)
        db.session.add(item)
        db.session.flush()
    return item


def _rate(item: FeeItem, effective_from: int, amount_fen: int) -> None:
    present = select(FeeRate.id).where(
        FeeRate.fee_item_id == item.id, FeeRate.effective_from == effective_from
    )
    if db.session.scalar(present) is None:
        db.session.add(
            FeeRate(fee_item_id=item.id, effective_from=effective_from, amount_fen=amount_fen)
        )


def _plate(community: Community, rng: random.Random) -> str:
    letter = rng.choice(PLATE_LETTERS.get(community.city, "A"))
    tail = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(4))
    return f"{PROVINCES.get(community.city, '鄂')}{letter}{rng.randrange(10)}{tail}"


def _leases(community: Community, spaces: int, first: int, rng: random.Random) -> None:
    """Three spaces in four let, most since the first month, a few ended since. The first
    space goes to the community's first household (兴隆苑 1-1-101 is the demo resident's)."""
    space_ids = db.session.scalars(
        select(ParkingSpace.id)
        .where(ParkingSpace.community_id == community.id)
        .order_by(ParkingSpace.number)
    ).all()
    if db.session.scalar(
        select(ParkingLease.id).where(ParkingLease.community_id == community.id).limit(1)
    ):
        return
    households = db.session.scalars(
        select(Household.id)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .where(Household.community_id == community.id)
        .order_by(Building.sort_key, Unit.number, Household.room)
    ).all()
    tenants = [households[0], *rng.sample(households[1:], spaces * 3 // 4 - 1)]
    for space_id, household_id in zip(space_ids, tenants, strict=False):
        start = add_months(first, rng.choice((0, 0, 0, 2, 5)))
        ended = household_id != households[0] and rng.random() < 0.1
        db.session.add(
            ParkingLease(
                space_id=space_id,
                community_id=community.id,
                household_id=household_id,
                plate=_plate(community, rng),
                start_period=start,
                end_period=add_months(start, rng.randint(2, 5)) if ended else None,
            )
        )


def load_demo(communities: dict[str, Community], rng: random.Random) -> None:
    """Fees, parking and twelve months of bills for the demo communities."""
    today = current_period()
    first = add_months(today, 1 - MONTHS)
    for name, (property_fen, parking_fen, spaces) in FEES.items():
        community = communities.get(name)
        if community is None:
            continue
        property_fee = _item(community, FeeKind.PROPERTY, "物业费")
        _rate(property_fee, first, property_fen)
        if name in RAISES:
            raised, months_ago = RAISES[name]
            _rate(property_fee, add_months(today, months_ago), raised)
        _rate(_item(community, FeeKind.PARKING, "停车费"), first, parking_fen)
        if name in FIXED_CHARGES:
            charge, fen = FIXED_CHARGES[name]
            _rate(_item(community, FeeKind.FIXED, charge), first, fen)
        add_spaces(community.id, [f"A{n:03d}" for n in range(1, spaces + 1)])
        _leases(community, spaces, first, rng)
        if (
            name in LATE_FEE_COMMUNITIES
            and db.session.scalar(
                select(LateFeeRule.id).where(LateFeeRule.community_id == community.id)
            )
            is None
        ):
            db.session.add(
                LateFeeRule(
                    community_id=community.id,
                    enabled=True,
                    mode=LateFeeMode.DAILY_RATE,
                    daily_rate_per_10k=5,
                    fixed_fen=0,
                    grace_days=30,
                    cap_percent=20,
                )
            )
        db.session.flush()
        for offset in range(MONTHS):
            period = add_months(first, offset)
            if preview_billing(period, community.id).new_bills:
                run_billing(period, community.id, None)
    db.session.commit()
