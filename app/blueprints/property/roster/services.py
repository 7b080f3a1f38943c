"""Roster rules: communities, buildings, units, households, resident links, staff and history.

Every read goes through `visible()` / `scope()`; every change to a household, a resident link,
a staff member or a community is recorded with `app.audit.record` in the same transaction.
History conventions: "household" entries carry the household's id, with the actions
"created", "generated", "updated" and, for its residents coming and going, "resident_linked"
(written by the activation codes) and "resident_unlinked"; "staff" entries the staff member's
id; "community" entries the community's id; "building" entries the building's id (the
actions "generated" and "updated"); "unit" entries the unit's id.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, and_, func, insert, inspect, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from app.audit import pending_changes, record, snapshot
from app.authz import scope, visible
from app.blueprints.auth.services import create_user
from app.blueprints.property.services import community_rows
from app.extensions import db
from app.labels import label
from app.listing import Sort, ordered, starts_with
from app.models import (
    AuditEntry,
    Building,
    Community,
    Company,
    Household,
    ManagementMode,
    ResidentHousehold,
    Role,
    Staff,
    StaffPosition,
    Unit,
    User,
)
from app.periods import utcnow

HOUSEHOLD_FIELDS = ("room", "floor", "area_m2", "owner_name", "phone")
STAFF_FIELDS = ("name", "phone", "position", "is_party_member", "is_active")
COMMUNITY_FIELDS = (
    "name",
    "city",
    "district",
    "street",
    "address",
    "built_year",
    "management_mode",
)
BUILDING_FIELDS = ("number", "floors", "sort_key")
UNIT_FIELDS = ("number",)
ACCOUNT_ROLES = (Role.STEWARD, Role.MANAGER)
RELATIONS = {"owner": _l("Owner"), "family": _l("Family member"), "tenant": _l("Tenant")}
MAX_AREA = Decimal("9999.99")
AREA = re.compile(r"[0-9]{1,6}(?:\.[0-9]+)?")
PHONE = re.compile(r"\+?[0-9][0-9 -]{4,30}")


class RosterError(ValueError):
    """A rule of the roster refused the change; `field` names the form field it concerns."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(field, message)
        self.field = field
        self.message = message


# "3-1-101", "3-1", "3栋1单元101室": building, unit and (the start of) a room.
ADDRESS = re.compile(
    r"([0-9A-Za-z]+)\s*(?:-|栋|号楼)\s*([0-9A-Za-z]+)\s*(?:(?:-|单元)\s*([0-9A-Za-z]*)\s*室?)?"
)


def normalise_phone(text: str | None) -> str | None:
    value = (text or "").strip()
    if not value:
        return None
    if not PHONE.fullmatch(value):
        raise RosterError("phone", _l("Enter a phone number of digits, e.g. 13800001234."))
    return value


def parse_area(text: str | None, field: str = "area_m2") -> Decimal:
    """A floor area in m² with at most two decimals, as the manager typed it."""
    value = (text or "").strip().removesuffix("m²").removesuffix("㎡").strip()
    if not AREA.fullmatch(value):
        raise RosterError(field, _l("Enter the floor area as a number, e.g. 89.5."))
    area = Decimal(value)
    if area <= 0 or area > MAX_AREA:
        raise RosterError(field, _l("The floor area must be between 0.01 and 9999.99 m²."))
    if area != area.quantize(Decimal("0.01")):
        raise RosterError(field, _l("Give the floor area with at most two decimals."))
    return area.quantize(Decimal("0.01"))


def _load(obj: object) -> None:
    """Load an expired object's columns first: pending_changes can only compare with values
    the session has seen."""
    if inspect(obj).expired_attributes:
        db.session.refresh(obj)


def _company_of(community_id: int) -> int:
    return db.session.scalar(select(Community.company_id).where(Community.id == community_id))


# --- households ------------------------------------------------------------------------------

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
    query = (
        visible(Household, user)
        .add_columns(
            Unit.number.label("unit_number"),
            Building.id.label("building_id"),
            Building.number.label("building_number"),
            Community.name.label("community_name"),
        )
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .join(Community, Community.id == Household.community_id)
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
                or_(
                    starts_with(Household.room, q),
                    starts_with(Household.owner_name, q),
                    starts_with(Household.phone, q),
                )
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


def _check_room_free(unit_id: int, room: str, household_id: int | None = None) -> None:
    taken = select(Household.id).where(Household.unit_id == unit_id, Household.room == room)
    if household_id is not None:
        taken = taken.where(Household.id != household_id)
    if db.session.scalar(taken.limit(1)) is not None:
        raise RosterError(
            "room", _l("Room %(room)s is already on the roster of this unit.", room=room)
        )


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
        _company_of(unit.community_id),
        "created",
        snapshot(household, HOUSEHOLD_FIELDS),
    )
    return household


def update_household(household: Household, **values: Any) -> dict[str, list[Any]]:
    """Change a household and record what changed; returns {field: [before, after]}."""
    if "room" in values and values["room"] != household.room:
        _check_room_free(household.unit_id, values["room"], household.id)
    _load(household)
    with db.session.no_autoflush:
        for field, value in values.items():
            setattr(household, field, value)
        changes = pending_changes(household, HOUSEHOLD_FIELDS)
        if changes:
            record(
                "household",
                household.id,
                _company_of(household.community_id),
                "updated",
                changes,
            )
    return changes


# --- residents -------------------------------------------------------------------------------

RESIDENT_SORTS: dict[str, tuple[Any, ...]] = {
    "name": (User.display_name, ResidentHousehold.id),
    "room": (Community.name, Building.sort_key, Building.number, Unit.number, Household.room),
    "linked": (ResidentHousehold.created_at, ResidentHousehold.id),
}


def resident_rows(q: str = "", sort: Sort = Sort("room")) -> Select:
    """Resident accounts linked to visible households, with the household and its address."""
    query = (
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
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .join(Community, Community.id == Household.community_id)
    )
    q = q.strip()
    if q:
        query = query.where(
            or_(
                starts_with(User.display_name, q),
                starts_with(User.username, q),
                starts_with(Household.room, q),
            )
        )
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
        _company_of(household.community_id),
        "resident_unlinked",
        {"user_id": user_id, "username": row.username, "relation": link.relation},
    )
    db.session.delete(link)


# --- communities, buildings and units --------------------------------------------------------

COMMUNITY_SORT_KEYS = ("name", "street", "households", "company")


def community_list(q: str = "", sort: Sort = Sort("name")) -> Select:
    """The visible communities with their counts (the dashboard's query), searched and sorted."""
    query = community_rows().join(Company, Company.id == Community.company_id)
    query = query.add_columns(Company.name.label("company_name"))
    if q.strip():
        query = query.where(starts_with(Community.name, q.strip()))
    columns = {
        "name": (Community.name, Community.id),
        "street": (Community.district, Community.street, Community.name),
        "households": (query.selected_columns.households, Community.id),
        "company": (Company.name, Community.name),
    }
    return ordered(query, sort, columns)


def visible_communities() -> list[Community]:
    return list(db.session.scalars(visible(Community).order_by(Community.name)))


def _check_community_name(
    city: str, district: str, name: str, community_id: int | None = None
) -> None:
    # Unique over every company: the same name in one district would confuse the district office.
    same = select(Community.id).where(
        Community.city == city, Community.district == district, Community.name == name
    )
    if community_id is not None:
        same = same.where(Community.id != community_id)
    if db.session.scalar(same.limit(1)) is not None:
        raise RosterError("name", _l("A community of this name already exists in this district."))


def create_community(company_id: int, **values: Any) -> Community:
    _check_community_name(values["city"], values["district"], values["name"])
    community = Community(company_id=company_id, **values)
    db.session.add(community)
    db.session.flush()
    record("community", community.id, company_id, "created", snapshot(community, COMMUNITY_FIELDS))
    return community


def update_community(community: Community, **values: Any) -> dict[str, list[Any]]:
    _check_community_name(
        values.get("city", community.city),
        values.get("district", community.district),
        values.get("name", community.name),
        community.id,
    )
    _load(community)
    with db.session.no_autoflush:
        for field, value in values.items():
            setattr(community, field, value)
        changes = pending_changes(community, COMMUNITY_FIELDS)
        if changes:
            record("community", community.id, community.company_id, "updated", changes)
    return changes


def building_rows(community: Community) -> Select:
    """The community's buildings with unit and household counts and floor area."""
    homes = (
        select(
            Unit.building_id.label("key"),
            func.count(func.distinct(Unit.id)).label("units"),
            func.count(Household.id).label("households"),
            func.sum(Household.area_m2).label("area_m2"),
        )
        .select_from(Unit)
        .outerjoin(Household, Household.unit_id == Unit.id)
        .where(Unit.community_id == community.id)
        .group_by(Unit.building_id)
        .subquery()
    )
    return (
        visible(Building)
        .add_columns(
            func.coalesce(homes.c.units, 0).label("units"),
            func.coalesce(homes.c.households, 0).label("households"),
            func.coalesce(homes.c.area_m2, 0).label("area_m2"),
        )
        .outerjoin(homes, homes.c.key == Building.id)
        .where(Building.community_id == community.id)
        .order_by(Building.sort_key, Building.number)
    )


def units_of(building_ids: Iterable[int]) -> dict[int, list[Any]]:
    """{building id: [(unit, households)]} for the buildings on one page of the list."""
    ids = list(building_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        visible(Unit)
        .add_columns(func.count(Household.id).label("households"))
        .outerjoin(Household, Household.unit_id == Unit.id)
        .where(Unit.building_id.in_(ids))
        .group_by(Unit.id)
        .order_by(Unit.number)
    )
    units: dict[int, list[Any]] = {}
    for row in rows:
        units.setdefault(row.Unit.building_id, []).append(row)
    return units


def building_row(building: Building) -> Any:
    """One building as a row of `building_rows` (for swapping a single table row)."""
    return db.session.execute(
        building_rows(building.community).where(Building.id == building.id)
    ).one()


# The word after a number (3栋 → 3, 2单元 → 2, 101室 → 101): the roster keeps bare numbers, so
# "3栋" typed in a form or a spreadsheet must meet the "3" already there.
SUFFIXES = {
    "building": ("号楼", "栋", "幢", "座"),
    "unit": ("单元",),
    "room": ("室", "号", "房"),
}
PLACE_NUMBER = re.compile(r"\S{1,16}")
MAX_FLOORS = 200  # as the building's CHECK constraint
# Buildings named by a number sort by it; others ("A", "综合楼") after them, with this key,
# which the generator and imports both give them and the edit form accepts.
NON_NUMERIC_SORT_KEY = MAX_SORT_KEY = 1_000_000
NUMBERED = re.compile(r"[0-9]{1,6}")


def building_sort_key(number: str) -> int:
    """Where a new building goes in lists: by its number, or after the numbered ones."""
    return int(number) if NUMBERED.fullmatch(number) else NON_NUMERIC_SORT_KEY


def strip_suffix(text: str, place: str) -> str:
    """`text` without the word after its number, for a "building", "unit" or "room"."""
    for suffix in SUFFIXES[place]:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)].strip()
    return text


def _place_number(text: str | None, place: str, message: object) -> str:
    value = strip_suffix((text or "").strip(), place)
    if not PLACE_NUMBER.fullmatch(value):
        raise RosterError("number", message)
    return value


def building_number(text: str | None) -> str:
    return _place_number(
        text,
        "building",
        _l("Enter the building number without spaces, at most 16 characters, e.g. 3."),
    )


def unit_number(text: str | None) -> str:
    return _place_number(
        text,
        "unit",
        _l("Enter the unit number without spaces, at most 16 characters, e.g. 2."),
    )


def building_taken(number: str) -> RosterError:
    return RosterError(
        "number",
        _l("Building %(number)s is already on the roster of this community.", number=number),
    )


def unit_taken(number: str) -> RosterError:
    return RosterError(
        "number", _l("Unit %(number)s is already on the roster of this building.", number=number)
    )


def _check_building_number_free(building: Building, number: str) -> None:
    taken = select(Building.id).where(
        Building.community_id == building.community_id,
        Building.number == number,
        Building.id != building.id,
    )
    if db.session.scalar(taken.limit(1)) is not None:
        raise building_taken(number)


def _check_unit_number_free(unit: Unit, number: str) -> None:
    taken = select(Unit.id).where(
        Unit.building_id == unit.building_id, Unit.number == number, Unit.id != unit.id
    )
    if db.session.scalar(taken.limit(1)) is not None:
        raise unit_taken(number)


def _flush_or(error: RosterError) -> None:
    """Flush; a unique key taken by someone else since the check becomes `error` (the session
    is then rolled back, as after any failed flush)."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise error from None


def update_building(
    building: Building, number: str, floors: int, sort_key: int
) -> dict[str, list[Any]]:
    """Renumber a building or correct its floors and place in lists, recorded in the history;
    returns {field: [before, after]}. The caller commits."""
    if not 1 <= floors <= MAX_FLOORS:
        raise RosterError("floors", _l("A building has from 1 to 200 floors."))
    if not 0 <= sort_key <= MAX_SORT_KEY:
        raise RosterError("sort_key", _l("A whole number from 0 to %(most)s.", most=MAX_SORT_KEY))
    if number != building.number:
        _check_building_number_free(building, number)
    top_floor = db.session.scalar(
        select(func.max(Household.floor))
        .join(Unit, Unit.id == Household.unit_id)
        .where(Unit.building_id == building.id)
    )
    if top_floor is not None and floors < top_floor:
        raise RosterError(
            "floors",
            _l(
                "Households of this building live on floor %(floor)s: it has at least "
                "%(floor)s floors.",
                floor=top_floor,
            ),
        )
    _load(building)
    with db.session.no_autoflush:
        building.number, building.floors, building.sort_key = number, floors, sort_key
        changes = pending_changes(building, BUILDING_FIELDS)
        if changes:
            record("building", building.id, _company_of(building.community_id), "updated", changes)
    _flush_or(building_taken(number))
    return changes


def update_unit(unit: Unit, number: str) -> dict[str, list[Any]]:
    """Renumber a unit, recorded in the history; returns {field: [before, after]}. Moving a unit
    to another building is not an edit: its households' addresses would change with it."""
    if number != unit.number:
        _check_unit_number_free(unit, number)
    _load(unit)
    with db.session.no_autoflush:
        unit.number = number
        changes = pending_changes(unit, UNIT_FIELDS)
        if changes:
            record("unit", unit.id, _company_of(unit.community_id), "updated", changes)
    _flush_or(unit_taken(number))
    return changes


# --- the building generator ------------------------------------------------------------------

MAX_GENERATED = 5000
RANGE_PART = re.compile(r"(\d{1,3})\s*(?:-|~|至|到)\s*(\d{1,3})|(\d{1,3})")
LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")


def parse_numbers(text: str | None, field: str, low: int, high: int, most: int) -> list[str]:
    """ "1-3", "1,2,5" or "01-02" → the numbers as written (zero padding kept), in order."""
    parts = [p for p in LIST_SEPARATORS.split((text or "").strip()) if p]
    message = _l('Write a range like "1-6" or a list like "1, 2, 5".')
    if not parts:
        raise RosterError(field, message)
    numbers: list[str] = []
    for part in parts:
        match = RANGE_PART.fullmatch(part)
        if not match:
            raise RosterError(field, message)
        first, last, single = match.groups()
        width = len(single or first)
        start, end = (int(single), int(single)) if single else (int(first), int(last))
        if start > end:
            raise RosterError(field, _l("A range must run from the smaller number to the larger."))
        numbers.extend(f"{n:0{width}d}" for n in range(start, end + 1))
    values = [int(n) for n in numbers]
    if min(values) < low or max(values) > high:
        raise RosterError(field, _l("Use numbers from %(low)s to %(high)s.", low=low, high=high))
    if len(set(values)) != len(values):
        raise RosterError(field, _l("A number appears twice."))
    if len(values) > most:
        raise RosterError(field, _l("At most %(most)s at a time.", most=most))
    return numbers


def parse_areas(text: str | None, positions: int) -> list[Decimal]:
    """One area for every room, or one per room position on a floor ("72.4, 89.5")."""
    parts = [p for p in LIST_SEPARATORS.split((text or "").strip()) if p]
    if not parts:
        raise RosterError("areas", _l("Enter the floor area, e.g. 89.5."))
    areas = [parse_area(part, "areas") for part in parts]
    if len(areas) == 1:
        return areas * positions
    if len(areas) != positions:
        raise RosterError(
            "areas",
            _l(
                "Give one area for all rooms, or one for each of the %(n)s rooms on a floor.",
                n=positions,
            ),
        )
    return areas


@dataclass(frozen=True)
class BuildingSpec:
    building: str
    units: list[str]
    floors: list[int]
    positions: list[str]
    areas: list[Decimal]

    @property
    def rooms(self) -> list[tuple[str, int, Decimal]]:
        """(room, floor, area) of one unit: floor 6, position "02" → room "602"."""
        return [
            (f"{floor}{position}", floor, area)
            for floor in self.floors
            for position, area in zip(self.positions, self.areas, strict=True)
        ]


def parse_spec(
    building: str | None,
    units: str | None,
    floors: str | None,
    rooms: str | None,
    areas: str | None,
) -> BuildingSpec:
    """The generator's form as a spec; raises RosterError naming the first bad field."""
    number = (building or "").strip()
    if not re.fullmatch(r"[0-9A-Za-z]{1,16}", number):
        raise RosterError("building", _l("Enter the building number, e.g. 3."))
    unit_numbers = [str(int(n)) for n in parse_numbers(units, "units", 1, 99, 30)]
    floor_numbers = [int(n) for n in parse_numbers(floors, "floors", 1, 200, 200)]
    positions = parse_numbers(rooms, "rooms", 1, 99, 40)
    width = max(2, max(len(p) for p in positions))
    positions = [f"{int(p):0{width}d}" for p in positions]
    spec = BuildingSpec(
        number, unit_numbers, floor_numbers, positions, parse_areas(areas, len(positions))
    )
    if len(spec.units) * len(spec.rooms) > MAX_GENERATED:
        raise RosterError(
            "floors",
            _l("That makes more than %(most)s homes; generate it in parts.", most=MAX_GENERATED),
        )
    return spec


@dataclass(frozen=True)
class Plan:
    """What generating a spec would create, and what is already there."""

    spec: BuildingSpec
    building: Building | None
    new_units: list[str]
    new_rows: list[tuple[str, str, int, Decimal]]  # (unit, room, floor, area)
    conflicts: list[tuple[str, str]]  # (unit, room) already on the roster

    @property
    def total_area(self) -> Decimal:
        return sum((row[3] for row in self.new_rows), Decimal("0.00"))

    @property
    def sample(self) -> list[str]:
        """A few room numbers of one unit, e.g. 101, 102, 201 … 602."""
        rooms = [room for room, _floor, _area in self.spec.rooms]
        return rooms if len(rooms) <= 5 else [*rooms[:3], "…", rooms[-1]]

    @property
    def nothing_new(self) -> bool:
        return not self.new_rows and not self.new_units and self.building is not None


def plan_building(community: Community, spec: BuildingSpec) -> Plan:
    """Compare the spec with the roster: three queries, whatever the size of the building."""
    building = db.session.scalar(
        visible(Building).where(
            Building.community_id == community.id, Building.number == spec.building
        )
    )
    present: set[tuple[str, str]] = set()
    existing_units: set[str] = set()
    if building is not None:
        existing_units = set(
            db.session.scalars(
                select(Unit.number).where(
                    Unit.building_id == building.id, Unit.number.in_(spec.units)
                )
            )
        )
        present = {
            (unit, room)
            for unit, room in db.session.execute(
                select(Unit.number, Household.room)
                .join(Household, Household.unit_id == Unit.id)
                .where(Unit.building_id == building.id, Unit.number.in_(spec.units))
            )
        }
    new_rows = []
    conflicts = []
    for unit in spec.units:
        for room, floor, area in spec.rooms:
            if (unit, room) in present:
                conflicts.append((unit, room))
            else:
                new_rows.append((unit, room, floor, area))
    return Plan(
        spec=spec,
        building=building,
        new_units=[u for u in spec.units if u not in existing_units],
        new_rows=new_rows,
        conflicts=conflicts,
    )


def generate_building(community: Community, spec: BuildingSpec) -> Plan:
    """Create the building, its units and households in one go; the caller commits or rolls
    back. Rooms already on the roster are left alone, so running a spec twice adds nothing."""
    plan = plan_building(community, spec)
    if plan.nothing_new:
        return plan
    company_id = community.company_id
    building = plan.building
    top_floor = max(spec.floors)
    if building is None:
        building = Building(
            community_id=community.id,
            number=spec.building,
            floors=top_floor,
            sort_key=building_sort_key(spec.building),
        )
        db.session.add(building)
        db.session.flush()
    elif building.floors < top_floor:
        building.floors = top_floor
    if plan.new_units:
        db.session.execute(
            insert(Unit),
            [
                {"building_id": building.id, "community_id": community.id, "number": number}
                for number in plan.new_units
            ],
        )
    unit_ids = {
        number: unit_id
        for number, unit_id in db.session.execute(
            select(Unit.number, Unit.id).where(
                Unit.building_id == building.id, Unit.number.in_(spec.units)
            )
        )
    }
    created = db.session.execute(
        insert(Household).returning(
            Household.id,
            Household.room,
            Household.floor,
            Household.area_m2,
        ),
        [
            {
                "unit_id": unit_ids[unit],
                "community_id": community.id,
                "room": room,
                "floor": floor,
                "area_m2": area,
                # The owner is filled in later, by hand or by an import.
                "owner_name": "",
            }
            for unit, room, floor, area in plan.new_rows
        ],
    ).all()
    # The actor record() notes, for the rows inserted in bulk beside its own entry.
    actor = getattr(current_user, "id", None) if current_user else None
    now = utcnow()
    db.session.execute(
        insert(AuditEntry),
        [
            {
                "company_id": company_id,
                "actor_user_id": actor,
                "entity": "household",
                "entity_id": row.id,
                "action": "generated",
                "changes": {"room": row.room, "floor": row.floor, "area_m2": str(row.area_m2)},
                "created_at": now,
            }
            for row in created
        ],
    )
    record(
        "building",
        building.id,
        company_id,
        "generated",
        {"units": len(spec.units), "households": len(created), "building": spec.building},
    )
    return plan


# --- staff -----------------------------------------------------------------------------------

STAFF_SORTS: dict[str, tuple[Any, ...]] = {
    "name": (Staff.name, Staff.id),
    "position": (Staff.position, Staff.name),
    "party": (Staff.is_party_member, Staff.name),
    "since": (Staff.created_at, Staff.id),
}
STAFF_STATUSES = ("active", "inactive", "all")


@dataclass(frozen=True)
class StaffCounts:
    staff: int
    party_members: int

    @property
    def share(self) -> int:
        """Party members among the active staff, in whole per cent."""
        return round(100 * self.party_members / self.staff) if self.staff else 0


def staff_counts(user: User | None = None) -> StaffCounts:
    """Active staff the user may see, and the party members among them."""
    staff, party = db.session.execute(
        select(
            func.count(Staff.id),
            func.count(Staff.id).filter(Staff.is_party_member.is_(True)),
        ).where(scope(Staff, user), Staff.is_active.is_(True))
    ).one()
    return StaffCounts(staff, party)


def staff_rows(q: str = "", status: str = "active", sort: Sort = Sort("name")) -> Select:
    query = (
        visible(Staff)
        .add_columns(
            Company.name.label("company_name"),
            User.username,
            User.role,
        )
        .join(Company, Company.id == Staff.company_id)
        .outerjoin(User, User.id == Staff.user_id)
    )
    if status == "active":
        query = query.where(Staff.is_active.is_(True))
    elif status == "inactive":
        query = query.where(Staff.is_active.is_(False))
    q = q.strip()
    if q:
        query = query.where(or_(starts_with(Staff.name, q), starts_with(Staff.phone, q)))
    return ordered(query, sort, STAFF_SORTS)


def staff_row(staff_id: int) -> Any:
    row = db.session.execute(staff_rows(status="all").where(Staff.id == staff_id)).first()
    if row is None:
        raise LookupError(staff_id)
    return row


def create_staff(
    company_id: int, name: str, phone: str | None, position: StaffPosition, is_party_member: bool
) -> Staff:
    member = Staff(
        company_id=company_id,
        name=name.strip(),
        phone=phone,
        position=position,
        is_party_member=is_party_member,
        is_active=True,
    )
    db.session.add(member)
    db.session.flush()
    record("staff", member.id, company_id, "created", snapshot(member, STAFF_FIELDS))
    return member


def update_staff(member: Staff, **values: Any) -> dict[str, list[Any]]:
    _load(member)
    with db.session.no_autoflush:
        for field, value in values.items():
            setattr(member, field, value)
        changes = pending_changes(member, STAFF_FIELDS)
        if changes:
            record("staff", member.id, member.company_id, "updated", changes)
    return changes


def set_staff_active(member: Staff, active: bool) -> None:
    """Deactivate (or bring back) a staff member; their account, if any, follows: a former
    employee cannot sign in, and load_session_user refuses their open sessions at once."""
    update_staff(member, is_active=active)
    if member.user_id is not None:
        account = db.session.get(User, member.user_id)
        if account is not None:
            account.is_active = active


def new_initial_password() -> str:
    # Unambiguous characters: the password is read off the screen and typed by someone else.
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def give_account(member: Staff, username: str, role: Role) -> tuple[User, str]:
    """An account for a staff member of the same company; returns it and the initial password,
    which is shown once and never stored in clear."""
    if role not in ACCOUNT_ROLES:
        raise RosterError("role", _l("Choose steward or manager."))
    if member.user_id is not None:
        raise RosterError("username", _l("This staff member already has an account."))
    if not member.is_active:
        raise RosterError("username", _l("Reactivate this staff member first."))
    username = username.strip()
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise RosterError("username", _l("This username is taken; choose another."))
    password = new_initial_password()
    account = create_user(username, password, role, member.name, member.company_id)
    db.session.flush()
    member.user_id = account.id
    record(
        "staff",
        member.id,
        member.company_id,
        "account_created",
        {"account": [None, username], "role": [None, role.value]},
    )
    return account, password


# --- history ---------------------------------------------------------------------------------

FIELD_LABELS = {
    "room": _l("Room"),
    "floor": _l("Floor"),
    "area_m2": _l("Floor area"),
    "owner_name": _l("Owner"),
    "phone": _l("Phone"),
    "username": _l("Resident account"),
    "relation": _l("Relation"),
    "expires_at": _l("Expires"),
    "name": _l("Name"),
    "position": _l("Position"),
    "is_party_member": _l("Party member"),
    "is_active": _l("Active"),
    "account": _l("Account"),
    "role": _l("Role"),
    "city": _l("City"),
    "district": _l("District"),
    "street": _l("Street"),
    "address": _l("Address"),
    "built_year": _l("Built"),
    "management_mode": _l("Management"),
    "units": _l("Units"),
    "households": _l("Households"),
    "building": _l("Building"),
    "floors": _l("Floors"),
    "sort_key": _l("Order in lists"),
}
ACTION_LABELS = {
    "created": _l("Created"),
    "generated": _l("Generated"),
    "updated": _l("Changed"),
    "resident_linked": _l("Resident linked"),
    "resident_unlinked": _l("Resident unlinked"),
    "code_issued": _l("Activation code issued"),
    "code_revoked": _l("Activation code revoked"),
    "imported": _l("Imported"),
    "account_created": _l("Account given"),
}
ENTITY_LABELS = {
    "household": _l("Household"),
    "staff": _l("Staff"),
    "community": _l("Community"),
    "building": _l("Building"),
    "unit": _l("Unit"),
    "import": _l("Import"),
}
# Where a field means something else for one kind of entry.
_ENTITY_FIELD_LABELS = {
    ("staff", "name"): _l("Full name"),
    ("building", "number"): _l("Building number"),
    ("unit", "number"): _l("Unit number"),
}
# Internal references kept in entries for tracing, not for reading.
_HIDDEN_FIELDS = {"code_id", "user_id", "community_id"}
_CODED_FIELDS = {
    "position": StaffPosition,
    "role": Role,
    "management_mode": ManagementMode,
}


def show_value(field: str, value: Any) -> str:
    """A stored history value as the reader expects it: labels, yes/no, units."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if field in _CODED_FIELDS:
        try:
            return label(_CODED_FIELDS[field](value))
        except ValueError:
            return str(value)
    if field == "relation":
        return str(RELATIONS.get(value, value))
    if field == "area_m2":
        return f"{value} m²"
    if field == "expires_at":
        try:
            return format_datetime(datetime.fromisoformat(value), "yyyy-MM-dd HH:mm")
        except (TypeError, ValueError):
            return str(value)
    return str(value)


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # None for a value set when the thing was created
    after: str


def describe(entry: AuditEntry) -> list[Change]:
    """An entry's changes field by field: {f: [before, after]} or, on creation, {f: value}."""
    changes = []
    for field, value in (entry.changes or {}).items():
        if field in _HIDDEN_FIELDS:
            continue
        title = str(
            _ENTITY_FIELD_LABELS.get((entry.entity, field)) or FIELD_LABELS.get(field, field)
        )
        if isinstance(value, list) and len(value) == 2:
            changes.append(Change(title, show_value(field, value[0]), show_value(field, value[1])))
        else:
            changes.append(Change(title, None, show_value(field, value)))
    return changes


def household_history(household: Household) -> Select:
    """A household's history, newest first: its own edits and its residents coming and going."""
    return (
        visible(AuditEntry)
        .add_columns(User.display_name.label("actor"))
        .outerjoin(User, User.id == AuditEntry.actor_user_id)
        .where(AuditEntry.entity == "household", AuditEntry.entity_id == household.id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )


def recent_changes(entity: str | None = None) -> Select:
    """Every change to the roster the user may see, newest first, with the thing it concerns.
    A service request's steps are not here: its timeline tells them, with the rest of it."""
    home = aliased(Household)
    home_unit = aliased(Unit)
    home_building = aliased(Building)
    entrance = aliased(Unit)
    block = aliased(Building)
    place = aliased(Community)
    about_home = AuditEntry.entity == "household"
    query = (
        visible(AuditEntry)
        .add_columns(
            User.display_name.label("actor"),
            home.room.label("room"),
            home_unit.number.label("unit_number"),
            home_building.number.label("building_number"),
            block.number.label("subject_building"),
            entrance.number.label("subject_unit"),
            place.id.label("community_id"),
            place.name.label("community_name"),
            Staff.name.label("staff_name"),
        )
        .outerjoin(User, User.id == AuditEntry.actor_user_id)
        .outerjoin(home, and_(about_home, home.id == AuditEntry.entity_id))
        .outerjoin(home_unit, home_unit.id == home.unit_id)
        .outerjoin(home_building, home_building.id == home_unit.building_id)
        .outerjoin(entrance, and_(AuditEntry.entity == "unit", entrance.id == AuditEntry.entity_id))
        .outerjoin(
            block,
            or_(
                and_(AuditEntry.entity == "building", block.id == AuditEntry.entity_id),
                block.id == entrance.building_id,
            ),
        )
        .outerjoin(
            place,
            or_(
                place.id == home.community_id,
                place.id == block.community_id,
                and_(AuditEntry.entity == "community", place.id == AuditEntry.entity_id),
            ),
        )
        .outerjoin(Staff, and_(AuditEntry.entity == "staff", Staff.id == AuditEntry.entity_id))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    query = query.where(AuditEntry.entity.in_(list(ENTITY_LABELS)))
    if entity:
        query = query.where(AuditEntry.entity == entity)
    return query
