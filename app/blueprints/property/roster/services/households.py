"""Households of the roster and the resident accounts linked to them: lists, search, edits.

Every change to a household is recorded in the history ("household" entries, with its id).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from app.audit import record, record_changes, snapshot
from app.authz import visible
from app.extensions import db
from app.listing import Sort, ordered, starts_with, starts_with_any
from app.models import Building, Community, Household, ResidentHousehold, Unit, User
from app.places import company_of, household_addresses, with_address
from app.rules import RuleError, refuse_duplicates

HOUSEHOLD_FIELDS = ("room", "floor", "area_m2", "owner_name", "phone")
RELATIONS = {"owner": _l("Owner"), "family": _l("Family member"), "tenant": _l("Tenant")}
# "3-1-101", "3-1", "3栋1单元101室": building, unit and (the start of) a room.
ADDRESS = re.compile(
    r"([0-9A-Za-z]+)\s*(?:-|栋|号楼)\s*([0-9A-Za-z]+)\s*(?:(?:-|单元)\s*([0-9A-Za-z]*)\s*室?)?"
)
HOUSEHOLD_SORTS: dict[str, tuple[Any, ...]] = {
    "room": (
        Community.name,
        Building.sort_key,
        Building.number,
        Unit.number,
        Household.floor,
        Household.room,
    ),
    "owner": (Household.owner_name, Household.id),
    "phone": (Household.phone, Household.id),
    "area": (Household.area_m2, Household.id),
}


@dataclass(frozen=True)
class HouseholdFilter:
    q: str = ""
    community_id: int | None = None
    building_id: int | None = None
    unit_id: int | None = None


def household_rows(
    filters: HouseholdFilter = HouseholdFilter(),
    sort: Sort = Sort("room"),
    user: User | None = None,
) -> Select:
    """Households the user (default: the current one) may see, with where they are,
    searched by room, owner or phone, sorted."""
    query = household_addresses(user).add_columns(
        Unit.number.label("unit_number"),
        Building.id.label("building_id"),
        Building.number.label("building_number"),
        Community.name.label("community_name"),
    )
    if filters.community_id:
        query = query.where(Household.community_id == filters.community_id)
    if filters.building_id:
        query = query.where(Unit.building_id == filters.building_id)
    if filters.unit_id:
        query = query.where(Household.unit_id == filters.unit_id)
    q = filters.q.strip()
    if q:
        address = ADDRESS.fullmatch(q)
        if address:
            building, unit, room = address.groups()
            query = query.where(Building.number == building, Unit.number == unit)
            if room:
                query = query.where(starts_with(Household.room, room))
        else:
            query = query.where(
                starts_with_any(q, Household.room, Household.owner_name, Household.phone)
            )
    return ordered(query, sort, HOUSEHOLD_SORTS)


def household_row(household_id: int) -> Any:
    """One household as a row of `household_rows` (for swapping a single table row)."""
    row = db.session.execute(household_rows().where(Household.id == household_id)).first()
    if row is None:
        raise LookupError(household_id)
    return row


def visible_units(community_id: int | None = None) -> list[Any]:
    """(unit id, community name, building number, unit number) of every visible unit."""
    query = (
        visible(Unit)
        .with_only_columns(Unit.id, Community.name, Building.number, Unit.number)
        .join(Building, Building.id == Unit.building_id)
        .join(Community, Community.id == Unit.community_id)
        .order_by(Community.name, Building.sort_key, Building.number, Unit.number)
    )
    if community_id:
        query = query.where(Unit.community_id == community_id)
    return list(db.session.execute(query))


def room_taken(values: dict[str, Any]) -> object:
    return _l("Room %(room)s is already on the roster of this unit.", room=values.get("room"))


refuse_duplicates(Household.__table__, ("unit_id", "room"), "room", room_taken)


def _check_room_free(unit_id: int, room: str, household_id: int | None = None) -> None:
    taken = select(Household.id).where(Household.unit_id == unit_id, Household.room == room)
    if household_id is not None:
        taken = taken.where(Household.id != household_id)
    if db.session.scalar(taken.limit(1)) is not None:
        raise RuleError(room_taken({"room": room}), "room")


def create_household(
    unit: Unit,
    room: str,
    floor: int,
    area_m2: Decimal,
    owner_name: str,
    phone: str | None,
) -> Household:
    """A new home in `unit` (already checked visible by the caller); the caller commits."""
    room = room.strip()
    _check_room_free(unit.id, room)
    household = Household(
        unit_id=unit.id,
        community_id=unit.community_id,
        room=room,
        floor=floor,
        area_m2=area_m2,
        owner_name=owner_name.strip(),
        phone=phone,
    )
    db.session.add(household)
    db.session.flush()
    record(
        "household",
        household.id,
        company_of(unit.community_id),
        "created",
        snapshot(household, HOUSEHOLD_FIELDS),
    )
    return household


def update_household(household: Household, **values: Any) -> dict[str, list[Any]]:
    """Change a household and record what changed; returns {field: [before, after]}."""
    if "room" in values and values["room"] != household.room:
        _check_room_free(household.unit_id, values["room"], household.id)
    company_id = company_of(household.community_id)
    return record_changes("household", household, company_id, HOUSEHOLD_FIELDS, values)


# --- residents -------------------------------------------------------------------------------

RESIDENT_SORTS: dict[str, tuple[Any, ...]] = {
    "name": (User.display_name, ResidentHousehold.id),
    "room": (Community.name, Building.sort_key, Building.number, Unit.number, Household.room),
    "linked": (ResidentHousehold.created_at, ResidentHousehold.id),
}


def resident_rows(q: str = "", sort: Sort = Sort("room")) -> Select:
    """Resident accounts linked to visible households, with the household and its address."""
    query = with_address(
        visible(ResidentHousehold)
        .add_columns(
            User.display_name,
            User.username,
            User.is_active,
            Household.room,
            Household.owner_name,
            Unit.number.label("unit_number"),
            Building.number.label("building_number"),
            Community.name.label("community_name"),
        )
        .join(User, User.id == ResidentHousehold.user_id)
        .join(Household, Household.id == ResidentHousehold.household_id)
    )
    q = q.strip()
    if q:
        query = query.where(starts_with_any(q, User.display_name, User.username, Household.room))
    return ordered(query, sort, RESIDENT_SORTS)


def household_residents(household: Household) -> list[Any]:
    return list(
        db.session.execute(
            visible(ResidentHousehold)
            .add_columns(User.display_name, User.username)
            .join(User, User.id == ResidentHousehold.user_id)
            .where(ResidentHousehold.household_id == household.id)
            .order_by(ResidentHousehold.created_at, ResidentHousehold.id)
        )
    )


def unlink_resident(household: Household, user_id: int, user: User | None = None) -> None:
    """Remove a resident account from a household; the account itself stays. `user` is who
    does it (default: the current user)."""
    row = db.session.execute(
        visible(ResidentHousehold, user)
        .add_columns(User.username)
        .join(User, User.id == ResidentHousehold.user_id)
        .where(
            ResidentHousehold.household_id == household.id,
            ResidentHousehold.user_id == user_id,
        )
    ).first()
    if row is None:
        raise LookupError(user_id)
    link = row.ResidentHousehold
    record(
        "household",
        household.id,
        company_of(household.community_id),
        "resident_unlinked",
        {"user_id": user_id, "username": row.username, "relation": link.relation},
    )
    db.session.delete(link)
