"""Demo data for the roster: 新守正物业's front desk corrected a few households of 兴隆苑 over the
past weeks (a new phone, a sale, a re-measured flat), one of its stewards has an account
(`steward`, for the read-only roster), and a former cleaner has left. All of it goes through
the roster's services, so it is in the history as a manager would have made it."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select, update

from app.blueprints.property.roster import services
from app.demo.base import DEMO_PASSWORD, household_at
from app.extensions import db
from app.models import (
    AuditEntry,
    Community,
    Role,
    Staff,
    StaffPosition,
    User,
)
from app.periods import utcnow

COMMUNITY = "兴隆苑"
STEWARD_USERNAME = "steward"
FORMER_CLEANER = "陈桂兰"
# (building, unit, room, days ago, what changed)
CORRECTIONS = [
    ("1", "1", "102", 26, {"phone": "13983326617"}),
    ("1", "2", "301", 12, {"owner_name": "周子涵", "phone": "15923410088"}),
    ("2", "1", "502", 5, {"area_m2": Decimal("89.35")}),
    ("1", "1", "102", 2, {"phone": "13983326671"}),
]


def _as_made_by(actor: User, days_ago: int, entity: str, entity_id: int) -> None:
    """Sign the entries just written for `entity_id` by the desk, on the day it happened."""
    db.session.flush()
    db.session.execute(
        update(AuditEntry)
        .where(
            AuditEntry.entity == entity,
            AuditEntry.entity_id == entity_id,
            AuditEntry.actor_user_id.is_(None),
        )
        .values(actor_user_id=actor.id, created_at=utcnow() - timedelta(days=days_ago))
    )


def _corrections(community: Community, desk: User) -> None:
    homes = [household_at(community, b, u, r) for b, u, r, _days, _values in CORRECTIONS]
    ids = [home.id for home in homes if home is not None]
    done = db.session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.entity == "household",
            AuditEntry.entity_id.in_(ids),
            AuditEntry.action == "updated",
            AuditEntry.actor_user_id == desk.id,
        )
    )
    if done:
        return
    for home, (_b, _u, _r, days_ago, values) in zip(homes, CORRECTIONS, strict=True):
        if home is not None and services.update_household(home, **values):
            _as_made_by(desk, days_ago, "household", home.id)


def _steward_account(community: Community, desk: User) -> None:
    if db.session.scalar(select(User.id).where(User.username == STEWARD_USERNAME)):
        return
    member = db.session.scalar(
        select(Staff)
        .where(
            Staff.company_id == community.company_id,
            Staff.position == StaffPosition.STEWARD,
            Staff.user_id.is_(None),
            Staff.is_active.is_(True),
        )
        .order_by(Staff.id)
    )
    if member is None:
        return
    services.link_account(
        member, STEWARD_USERNAME, DEMO_PASSWORD, Role.STEWARD, f"{member.name} · 物业管家"
    )
    _as_made_by(desk, 20, "staff", member.id)


def _former_cleaner(community: Community, desk: User, rng: random.Random) -> None:
    exists = db.session.scalar(
        select(Staff.id).where(
            Staff.company_id == community.company_id, Staff.name == FORMER_CLEANER
        )
    )
    if exists:
        return
    phone = f"135{rng.randrange(10**8):08d}"
    member = services.create_staff(
        community.company_id, FORMER_CLEANER, phone, StaffPosition.CLEANER, False
    )
    _as_made_by(desk, 40, "staff", member.id)
    services.set_staff_active(member, False)
    _as_made_by(desk, 9, "staff", member.id)


def load_demo(communities: dict[str, Community], rng: random.Random) -> None:
    """Add the roster's demo history on top of `app.demo.base`'s data; running it twice adds
    nothing (each step looks for what it would create first)."""
    community = communities.get(COMMUNITY)
    desk = db.session.scalar(select(User).where(User.username == "manager"))
    if community is None or desk is None:
        return
    _corrections(community, desk)
    _steward_account(community, desk)
    _former_cleaner(community, desk, rng)
