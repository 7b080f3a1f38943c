"""Communities, buildings and units of the roster: lists with counts, and their edits.

Changes are recorded in the history: "community" entries carry the community's id, "building"
entries the building's (the building generator records "generated" ones), "unit" entries the
unit's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from app.audit import record, record_changes, snapshot
from app.authz import visible
from app.blueprints.property.roster.services.parsing import MAX_FLOORS, MAX_SORT_KEY
from app.blueprints.property.services import community_rows
from app.extensions import db
from app.listing import Sort, ordered, starts_with
from app.models import Building, Community, Company, Household, Unit
from app.places import company_of
from app.rules import RuleError, refuse_duplicates

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


COMMUNITY_NAME_TAKEN = _l("A community of this name already exists in this district.")
refuse_duplicates(
    Community.__table__, ("city", "district", "name"), "name", lambda _row: COMMUNITY_NAME_TAKEN
)


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
        raise RuleError(COMMUNITY_NAME_TAKEN, "name")


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
    return record_changes("community", community, community.company_id, COMMUNITY_FIELDS, values)


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


# --- buildings and units ---------------------------------------------------------------------


def building_taken(number: str) -> RuleError:
    return RuleError(
        _l("Building %(number)s is already on the roster of this community.", number=number),
        "number",
    )


def unit_taken(number: str) -> RuleError:
    return RuleError(
        _l("Unit %(number)s is already on the roster of this building.", number=number), "number"
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


def _flush_or(error: RuleError) -> None:
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
        raise RuleError(_l("A building has from 1 to 200 floors."), "floors")
    if not 0 <= sort_key <= MAX_SORT_KEY:
        raise RuleError(_l("A whole number from 0 to %(most)s.", most=MAX_SORT_KEY), "sort_key")
    if number != building.number:
        _check_building_number_free(building, number)
    top_floor = db.session.scalar(
        select(func.max(Household.floor))
        .join(Unit, Unit.id == Household.unit_id)
        .where(Unit.building_id == building.id)
    )
    if top_floor is not None and floors < top_floor:
        raise RuleError(
            _l(
                "Households of this building live on floor %(floor)s: it has at least "
                "%(floor)s floors.",
                floor=top_floor,
            ),
            "floors",
        )
    values = {"number": number, "floors": floors, "sort_key": sort_key}
    company_id = company_of(building.community_id)
    changes = record_changes("building", building, company_id, BUILDING_FIELDS, values)
    _flush_or(building_taken(number))
    return changes


def update_unit(unit: Unit, number: str) -> dict[str, list[Any]]:
    """Renumber a unit, recorded in the history; returns {field: [before, after]}. Moving a unit
    to another building is not an edit: its households' addresses would change with it."""
    if number != unit.number:
        _check_unit_number_free(unit, number)
    company_id = company_of(unit.community_id)
    changes = record_changes("unit", unit, company_id, UNIT_FIELDS, {"number": number})
    _flush_or(unit_taken(number))
    return changes
