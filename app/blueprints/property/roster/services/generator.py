"""The building generator: a whole building's units and households from a short spec
("units 1-3, floors 1-6, rooms 01-02, 89.5 m²"), previewed, then created in a few statements.

A generated building is recorded as one "building" entry ("generated") and one "household"
entry per home, inserted in bulk beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import insert, select

from app.audit import record
from app.authz import visible
from app.blueprints.property.roster.services.parsing import building_sort_key, parse_area
from app.extensions import db
from app.models import AuditEntry, Building, Community, Household, Unit
from app.periods import utcnow
from app.rules import RuleError

MAX_GENERATED = 5000
RANGE_PART = re.compile(r"(\d{1,3})\s*(?:-|~|至|到)\s*(\d{1,3})|(\d{1,3})")
LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")


def parse_numbers(text: str | None, field: str, low: int, high: int, most: int) -> list[str]:
    """ "1-3", "1,2,5" or "01-02" → the numbers as written (zero padding kept), in order."""
    parts = [p for p in LIST_SEPARATORS.split((text or "").strip()) if p]
    message = _l('Write a range like "1-6" or a list like "1, 2, 5".')
    if not parts:
        raise RuleError(message, field)
    numbers: list[str] = []
    for part in parts:
        match = RANGE_PART.fullmatch(part)
        if not match:
            raise RuleError(message, field)
        first, last, single = match.groups()
        width = len(single or first)
        start, end = (int(single), int(single)) if single else (int(first), int(last))
        if start > end:
            raise RuleError(_l("A range must run from the smaller number to the larger."), field)
        numbers.extend(f"{n:0{width}d}" for n in range(start, end + 1))
    values = [int(n) for n in numbers]
    if min(values) < low or max(values) > high:
        raise RuleError(_l("Use numbers from %(low)s to %(high)s.", low=low, high=high), field)
    if len(set(values)) != len(values):
        raise RuleError(_l("A number appears twice."), field)
    if len(values) > most:
        raise RuleError(_l("At most %(most)s at a time.", most=most), field)
    return numbers


def parse_areas(text: str | None, positions: int) -> list[Decimal]:
    """One area for every room, or one per room position on a floor ("72.4, 89.5")."""
    parts = [p for p in LIST_SEPARATORS.split((text or "").strip()) if p]
    if not parts:
        raise RuleError(_l("Enter the floor area, e.g. 89.5."), "areas")
    areas = [parse_area(part, "areas") for part in parts]
    if len(areas) == 1:
        return areas * positions
    if len(areas) != positions:
        raise RuleError(
            _l(
                "Give one area for all rooms, or one for each of the %(n)s rooms on a floor.",
                n=positions,
            ),
            "areas",
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
    """The generator's form as a spec; raises RuleError naming the first bad field."""
    number = (building or "").strip()
    if not re.fullmatch(r"[0-9A-Za-z]{1,16}", number):
        raise RuleError(_l("Enter the building number, e.g. 3."), "building")
    unit_numbers = [str(int(n)) for n in parse_numbers(units, "units", 1, 99, 30)]
    floor_numbers = [int(n) for n in parse_numbers(floors, "floors", 1, 200, 200)]
    positions = parse_numbers(rooms, "rooms", 1, 99, 40)
    width = max(2, max(len(p) for p in positions))
    positions = [f"{int(p):0{width}d}" for p in positions]
    spec = BuildingSpec(
        number, unit_numbers, floor_numbers, positions, parse_areas(areas, len(positions))
    )
    if len(spec.units) * len(spec.rooms) > MAX_GENERATED:
        raise RuleError(
            _l("That makes more than %(most)s homes; generate it in parts.", most=MAX_GENERATED),
            "floors",
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
