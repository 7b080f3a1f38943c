"""The demo as `flask --app wsgi demo` loads it: `base`'s communities, homes and accounts,
then each area's activity on top — the roster's corrections, an Excel import, a year of service
requests, notices, fee items with twelve months of bills, the payments against them, and the
corridor pacts with their boards, stewards, campaigns and inspections, and the merchant
alliances of 弹子石老街 and 二马路 — so that every page of a fresh install has something real to
show. Idempotent, like each part."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from app.demo import alliance, billing, imports, notices, pacts, payments, requests, roster
from app.demo.base import load_demo
from app.extensions import db
from app.models import Bill, Community, Notice, Payment, ServiceRequest, Shop, Upgrade, User

# In this order: payments pay the bills that billing issues; pacts needs the managers' accounts
# that payments makes for the Yichang companies.
AREAS = (roster, imports, requests, notices, billing, payments, pacts, alliance)


def load_full_demo() -> dict[str, int]:
    """Load (or complete) the whole demo and return how many rows each main table holds."""
    counts = load_demo()
    communities = {c.name: c for c in db.session.scalars(select(Community))}
    rng = random.Random(20261129)  # fixed: the same activity on every machine
    for area in AREAS:
        area.load_demo(communities, rng)
        db.session.commit()
    for model in (User, ServiceRequest, Notice, Bill, Payment, Shop, Upgrade):
        counts[model.__tablename__] = db.session.scalar(select(func.count()).select_from(model))
    return counts
