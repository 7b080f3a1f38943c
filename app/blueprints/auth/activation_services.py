"""Activation codes (开通码): how a resident's account comes to belong to a household.

A manager issues a code for one household and hands it over on a printed slip. The resident
redeems it once, within its validity, to open an account (or, already signed in, to add the
household to theirs). Only the code's hash is stored, so the slip is the only copy.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.exc import IntegrityError

from app.audit import record
from app.authz import scope
from app.blueprints.auth.services import create_user
from app.extensions import db
from app.models import (
    ActivationCode,
    Building,
    Community,
    Household,
    ResidentHousehold,
    Role,
    Unit,
    User,
)
from app.models.accounts import hash_token
from app.periods import utcnow

# No 0/O, 1/I/L: a code read off paper and typed on a phone must not be ambiguous.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUPS = 4
GROUP_LENGTH = 4
VALID_FOR = timedelta(days=30)
RELATIONS = ("owner", "family", "tenant")


class ActivationError(Exception):
    """A code that cannot be redeemed, or an account that cannot be made, and why."""

    MESSAGES = {  # noqa: RUF012 - a constant table
        "invalid": _l("This activation code is not valid. Check it against the slip."),
        "used": _l("This activation code has already been used."),
        "expired": _l("This activation code has expired. Ask your property office for a new one."),
        "already_linked": _l("Your account is already linked to this household."),
        "username_taken": _l("This username is taken. Choose another."),
    }

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def field(self) -> str:
        """The form field the message belongs to."""
        return "username" if self.reason == "username_taken" else "code"

    @property
    def message(self) -> str:
        return str(self.MESSAGES[self.reason])


def new_code() -> str:
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)
    )


def normalize(code: str) -> str:
    """The code as issued, whatever the case and spacing it was typed with."""
    return re.sub(r"[^0-9A-Z]", "", code.upper())


def code_hash(code: str) -> str:
    return hash_token(normalize(code))


def outstanding_clause(now: datetime | None = None) -> ColumnElement[bool]:
    now = now or utcnow()
    return ActivationCode.redeemed_at.is_(None) & (ActivationCode.expires_at > now)


def _company_of(household: Household) -> int:
    return db.session.scalar(
        select(Community.company_id).where(Community.id == household.community_id)
    )


def home_label(household: Household) -> str:
    unit = household.unit
    return f"{unit.building.community.name} {unit.building.number}-{unit.number}-{household.room}"


def issue_code(
    household: Household, relation: str, issued_by: User, now: datetime | None = None
) -> tuple[ActivationCode, str]:
    """A new code for the household; returns the row and the code itself, shown only once."""
    now = now or utcnow()
    code = new_code()
    row = ActivationCode(
        household_id=household.id,
        code_hash=code_hash(code),
        relation=relation,
        created_by_user_id=issued_by.id,
        expires_at=now + VALID_FOR,
    )
    db.session.add(row)
    db.session.flush()
    record(
        "household",
        household.id,
        _company_of(household),
        "code_issued",
        {"code_id": row.id, "relation": relation, "expires_at": row.expires_at.isoformat()},
    )
    return row, code


def revoke_code(code: ActivationCode, now: datetime | None = None) -> bool:
    """End an outstanding code now; False when it was already used or expired."""
    now = now or utcnow()
    done = db.session.execute(
        update(ActivationCode)
        .where(ActivationCode.id == code.id, outstanding_clause(now))
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done:
        household = db.session.get(Household, code.household_id)
        record(
            "household",
            code.household_id,
            _company_of(household),
            "code_revoked",
            {"code_id": code.id},
        )
        db.session.refresh(code)
    return bool(done)


def household_codes(household: Household, now: datetime | None = None) -> list[ActivationCode]:
    """The household's codes still waiting to be redeemed, newest first."""
    return list(
        db.session.scalars(
            select(ActivationCode)
            .where(ActivationCode.household_id == household.id, outstanding_clause(now))
            .order_by(ActivationCode.created_at.desc(), ActivationCode.id.desc())
        )
    )


def household_residents(household: Household) -> list[tuple[User, str]]:
    """The accounts linked to the household, with their relation to it."""
    return list(
        db.session.execute(
            select(User, ResidentHousehold.relation)
            .join(ResidentHousehold, ResidentHousehold.user_id == User.id)
            .where(ResidentHousehold.household_id == household.id)
            .order_by(ResidentHousehold.id)
        ).all()
    )


def household_search(community_id: int | None, query: str, user: User | None = None) -> Select:
    """The user's visible households, in a community, whose room or owner name contains
    `query`, in building, unit and room order, with their linked accounts and outstanding
    codes."""
    linked = (
        select(func.count(ResidentHousehold.id))
        .where(ResidentHousehold.household_id == Household.id)
        .scalar_subquery()
    )
    waiting = (
        select(func.count(ActivationCode.id))
        .where(ActivationCode.household_id == Household.id, outstanding_clause())
        .scalar_subquery()
    )
    statement = (
        select(
            Household,
            Unit,
            Building,
            Community,
            linked.label("residents"),
            waiting.label("outstanding"),
        )
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .join(Community, Community.id == Household.community_id)
        .where(scope(Household, user))
        .order_by(Community.name, Building.sort_key, Building.number, Unit.number, Household.room)
    )
    if community_id is not None:
        statement = statement.where(Household.community_id == community_id)
    words = query.strip()
    if words:
        pattern = f"%{words}%"
        statement = statement.where(
            Household.room.ilike(pattern) | Household.owner_name.ilike(pattern)
        )
    return statement


@dataclass(frozen=True)
class Redemption:
    user: User
    household: Household


def _redeemable(code: str, now: datetime) -> ActivationCode:
    """The code's row if it can still be redeemed, else an ActivationError saying why.
    Looked up by hash and not scoped: knowing the code is what grants access to it."""
    row = db.session.scalar(
        select(ActivationCode).where(ActivationCode.code_hash == code_hash(code))
    )
    if row is None or len(normalize(code)) != GROUPS * GROUP_LENGTH:
        raise ActivationError("invalid")
    if row.redeemed_at is not None:
        raise ActivationError("used")
    if row.expires_at <= now:
        raise ActivationError("expired")
    return row


def _claim(row: ActivationCode, user: User, now: datetime) -> Household:
    """Mark the code redeemed by `user` and link them to its household. The conditional
    UPDATE lets exactly one of two simultaneous submissions through: the other finds the
    code already redeemed (PostgreSQL re-checks the row after the first commits; SQLite
    lets one writer at a time) and everything it did is rolled back."""
    claimed = db.session.execute(
        update(ActivationCode)
        .where(ActivationCode.id == row.id, outstanding_clause(now))
        .values(redeemed_at=now, redeemed_user_id=user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise ActivationError("used")
    household = db.session.get(Household, row.household_id)
    db.session.add(
        ResidentHousehold(user_id=user.id, household_id=household.id, relation=row.relation)
    )
    try:
        db.session.flush()
    except IntegrityError as error:  # linked by another code in the meantime
        db.session.rollback()
        raise ActivationError("already_linked") from error
    entry = record(
        "household",
        household.id,
        _company_of(household),
        "resident_linked",
        {
            "code_id": row.id,
            "user_id": user.id,
            "username": user.username,
            "relation": row.relation,
        },
    )
    # The resident acts on their own behalf, signed in or not yet.
    entry.actor_user_id = user.id
    db.session.flush()
    return household


def redeem_new_account(
    code: str,
    username: str,
    password: str,
    display_name: str | None = None,
    now: datetime | None = None,
) -> Redemption:
    """Open a resident account with the code; the caller commits and signs them in."""
    now = now or utcnow()
    row = _redeemable(code, now)
    username = username.strip()
    if db.session.scalar(select(func.count(User.id)).where(User.username == username)):
        raise ActivationError("username_taken")
    household = db.session.get(Household, row.household_id)
    user = create_user(
        username, password, Role.RESIDENT, (display_name or "").strip() or home_label(household)
    )
    try:
        db.session.flush()
    except IntegrityError as error:  # taken by someone else in the meantime
        db.session.rollback()
        raise ActivationError("username_taken") from error
    return Redemption(user, _claim(row, user, now))


def redeem_for_user(code: str, user: User, now: datetime | None = None) -> Redemption:
    """Add the code's household to a signed-in resident's account; the caller commits."""
    now = now or utcnow()
    row = _redeemable(code, now)
    already = db.session.scalar(
        select(func.count(ResidentHousehold.id)).where(
            ResidentHousehold.user_id == user.id,
            ResidentHousehold.household_id == row.household_id,
        )
    )
    if already:
        raise ActivationError("already_linked")
    return Redemption(user, _claim(row, user, now))
