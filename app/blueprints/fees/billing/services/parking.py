"""Parking (车位): the spaces of a community and their leases to households, by plate and months.
A lease names no fee item: a billing run bills each household's spaces in force that month at
the community's parking rate."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _
from sqlalchemy import ColumnElement, Select, func, or_, select

from app import sql
from app.authz import visible
from app.extensions import db
from app.models import Building, Household, ParkingLease, ParkingSpace, Unit, User
from app.periods import current_period, format_period, utcnow
from app.places import household_addresses, with_address
from app.rules import RuleError
from app.sql import lock_row

# A range of parking spaces is typed by hand; more than this at once is a typo.
MAX_SPACES_PER_RANGE = 500
_SPACE_NUMBER = re.compile(r"^(.*?)(\d+)$")
# 渝A12345, 鄂E·D12345 (new-energy plates have six characters after the letter).
_PLATE = re.compile(r"^[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6}$")


def parking_rows(
    community_id: int, search: str = "", period: int | None = None, user: User | None = None
) -> Select:
    """The community's spaces in number order, each with the lease in force this month (if
    any) and the room it is let to."""
    period = period or current_period()
    lease = select(ParkingLease).where(lease_active(period)).subquery()
    let_to = (
        visible(ParkingSpace, user)
        .outerjoin(lease, lease.c.space_id == ParkingSpace.id)
        .outerjoin(Household, Household.id == lease.c.household_id)
    )
    query = (
        with_address(let_to, outer=True)
        .add_columns(
            lease.c.id.label("lease_id"),
            lease.c.plate,
            lease.c.start_period,
            lease.c.end_period,
            Building.number.label("building"),
            Unit.number.label("unit"),
            Household.room,
            Household.owner_name,
        )
        .where(ParkingSpace.community_id == community_id)
        .order_by(func.length(ParkingSpace.number), ParkingSpace.number)
    )
    search = search.strip()
    if search:
        pattern = f"%{search.upper()}%"
        query = query.where(or_(ParkingSpace.number.like(pattern), lease.c.plate.like(pattern)))
    return query


def lease_active(period: int) -> ColumnElement[bool]:
    return (ParkingLease.start_period <= period) & (
        ParkingLease.end_period.is_(None) | (ParkingLease.end_period >= period)
    )


def space_numbers(first: str, last: str | None = None) -> list[str]:
    """'A001' alone → ['A001']; 'A001' to 'A120' → the 120 numbers, zero-padded alike."""
    first = first.strip().upper()
    last = (last or "").strip().upper()
    if not first:
        raise RuleError(_("Enter a space number."), "first")
    if not last or last == first:
        return [first]
    start, end = _SPACE_NUMBER.match(first), _SPACE_NUMBER.match(last)
    if not start or not end or start.group(1) != end.group(1):
        raise RuleError(
            _("A range needs two numbers with the same prefix, e.g. A001 to A120."), "last"
        )
    low, high = int(start.group(2)), int(end.group(2))
    if high < low:
        raise RuleError(_("The last number must come after the first."), "last")
    if high - low + 1 > MAX_SPACES_PER_RANGE:
        raise RuleError(_("Add at most %(n)s spaces at once.", n=MAX_SPACES_PER_RANGE), "last")
    width = len(start.group(2))
    return [f"{start.group(1)}{n:0{width}d}" for n in range(low, high + 1)]


def add_spaces(community_id: int, numbers: list[str]) -> tuple[int, int]:
    """Add the spaces not there yet, in one statement; (added, already there)."""
    if any(len(number) > ParkingSpace.number.type.length for number in numbers):
        raise RuleError(_("A space number has at most 16 characters."), "first")
    present = set(
        db.session.scalars(
            select(ParkingSpace.number).where(
                ParkingSpace.community_id == community_id, ParkingSpace.number.in_(numbers)
            )
        )
    )
    missing = [n for n in numbers if n not in present]
    if missing:
        now = utcnow()
        db.session.execute(
            sql.insert(ParkingSpace).on_conflict_do_nothing(
                index_elements=["community_id", "number"]
            ),
            [{"community_id": community_id, "number": n, "created_at": now} for n in missing],
        )
    return len(missing), len(present)


def _household_rows(community_id: int, user: User | None) -> Select:
    return (
        household_addresses(user)
        .add_columns(Building.number.label("building"), Unit.number.label("unit"))
        .where(Household.community_id == community_id)
    )


def household_row(community_id: int, household_id: int, user: User | None = None) -> Any:
    """One household of the community as a (Household, building, unit) row, or None."""
    return db.session.execute(
        _household_rows(community_id, user).where(Household.id == household_id)
    ).first()


def household_matches(
    community_id: int, text: str, limit: int = 12, user: User | None = None
) -> list:
    """Households of the community whose room matches what was typed: '101', '3-2-101' or
    '3栋2单元101'; rows of (Household, building number, unit number)."""
    parts = [p for p in re.split(r"[\s\-栋单元室号/]+", text.strip()) if p]
    if not parts:
        return []
    query = _household_rows(community_id, user).where(Household.room == parts[-1])
    if len(parts) >= 2:
        query = query.where(Unit.number == parts[-2])
    if len(parts) >= 3:
        query = query.where(Building.number == parts[-3])
    return db.session.execute(
        query.order_by(Building.sort_key, Building.number, Unit.number).limit(limit)
    ).all()


def normalise_plate(text: str) -> str:
    plate = re.sub(r"[\s·.\-]", "", text or "").upper()
    if not _PLATE.match(plate):
        raise RuleError(_("Enter a plate number such as 渝A12345 or 鄂ED12345."), "plate")
    return plate


def _overlapping_lease(
    space_id: int, start: int, end: int | None, other_than: int | None = None
) -> ParkingLease | None:
    query = select(ParkingLease).where(
        ParkingLease.space_id == space_id,
        ParkingLease.end_period.is_(None) | (ParkingLease.end_period >= start),
    )
    if end is not None:
        query = query.where(ParkingLease.start_period <= end)
    if other_than is not None:
        query = query.where(ParkingLease.id != other_than)
    return db.session.scalar(query.order_by(ParkingLease.start_period).limit(1))


def _overlap_error(lease: ParkingLease) -> RuleError:
    until = format_period(lease.end_period) if lease.end_period else _("open-ended")
    return RuleError(
        _(
            "This space is already let to %(plate)s from %(start)s to %(end)s; those months "
            "overlap.",
            plate=lease.plate,
            start=format_period(lease.start_period),
            end=until,
        ),
        "start_period",
    )


def let_space(
    space: ParkingSpace,
    household: Household,
    plate: str,
    start_period: int,
    end_period: int | None,
) -> ParkingLease:
    """Let a space to a household for a plate, from a month to a month (open-ended if none).
    The space's row lock makes the overlap check and the insert one step: two clerks letting
    the same space at once never both succeed."""
    if household.community_id != space.community_id:
        raise RuleError(_("The household lives in another community."), "household_id")
    if end_period is not None and end_period < start_period:
        raise RuleError(_("The last month cannot come before the first."), "end_period")
    plate = normalise_plate(plate)
    lock_row(ParkingSpace, space.id)
    clash = _overlapping_lease(space.id, start_period, end_period)
    if clash is not None:
        raise _overlap_error(clash)
    lease = ParkingLease(
        space_id=space.id,
        community_id=space.community_id,
        household_id=household.id,
        plate=plate,
        start_period=start_period,
        end_period=end_period,
    )
    db.session.add(lease)
    db.session.flush()
    return lease


def end_lease(lease: ParkingLease, end_period: int) -> None:
    """End a lease with the last month it is billed for; never later than it already ends."""
    lock_row(ParkingSpace, lease.space_id)
    db.session.refresh(lease)
    if end_period < lease.start_period:
        raise RuleError(
            _(
                "The lease starts in %(start)s; it cannot end before that.",
                start=format_period(lease.start_period),
            ),
            "end_period",
        )
    if lease.end_period is not None and end_period > lease.end_period:
        raise RuleError(
            _(
                "The lease already ends in %(end)s; let the space again to extend it.",
                end=format_period(lease.end_period),
            ),
            "end_period",
        )
    lease.end_period = end_period
    db.session.flush()


def lease_history(space_id: int, user: User | None = None) -> list:
    """Every lease of a space, newest first, with the room it was let to."""
    leases = visible(ParkingLease, user).join(Household, Household.id == ParkingLease.household_id)
    return db.session.execute(
        with_address(leases)
        .add_columns(
            Building.number.label("building"),
            Unit.number.label("unit"),
            Household.room,
            Household.owner_name,
        )
        .where(ParkingLease.space_id == space_id)
        .order_by(ParkingLease.start_period.desc())
    ).all()
