"""Reading inspections: the communities' month at a glance, a community's inspections, a unit's
history and its monthly averages, one inspection with its place and photos.

The inspection is what the reader's audience must be allowed to see; its unit, building and
community are read through it, by its own keys, to name where it was made.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select

from app.authz import scope, visible
from app.extensions import db
from app.listing import starts_with
from app.models import (
    Building,
    Community,
    Inspection,
    InspectionPhoto,
    Unit,
    User,
)
from app.periods import add_months, current_period

TREND_MONTHS = 12


def community_overview(user: User, q: str = "", period: int | None = None) -> Select:
    """The communities the user sees, by name, with this month's inspections: how many, their
    average score, how many units they covered, and the units there are."""
    month = (
        select(
            Inspection.community_id,
            func.count().label("inspections"),
            func.avg(Inspection.score).label("average"),
            func.count(func.distinct(Inspection.unit_id)).label("units_inspected"),
        )
        .where(Inspection.period == (period or current_period()), scope(Inspection, user))
        .group_by(Inspection.community_id)
        .subquery()
    )
    units = (
        select(Unit.community_id, func.count().label("units"))
        .where(scope(Unit, user))
        .group_by(Unit.community_id)
        .subquery()
    )
    query = (
        select(
            Community.id,
            Community.name,
            func.coalesce(month.c.inspections, 0).label("inspections"),
            month.c.average,
            func.coalesce(month.c.units_inspected, 0).label("units_inspected"),
            func.coalesce(units.c.units, 0).label("units"),
        )
        .outerjoin(month, month.c.community_id == Community.id)
        .outerjoin(units, units.c.community_id == Community.id)
        .where(scope(Community, user))
        .order_by(Community.name, Community.id)
    )
    if q.strip():
        query = query.where(starts_with(Community.name, q.strip()))
    return query


@dataclass(frozen=True)
class Filters:
    """What narrows a community's list of inspections."""

    building_id: int | None = None
    unit: str = ""  # a unit's number, e.g. "2"
    period: int | None = None  # yyyymm


def _with_place(query: Select) -> Select:
    """Inspections with the numbers of their building and unit and how many photos they have."""
    photos = (
        select(func.count())
        .where(InspectionPhoto.inspection_id == Inspection.id)
        .correlate(Inspection)
        .scalar_subquery()
    )
    return (
        query.add_columns(
            Building.number.label("building"),
            Unit.number.label("unit"),
            photos.label("photos"),
        )
        .join(Unit, Unit.id == Inspection.unit_id)
        .join(Building, Building.id == Inspection.building_id)
        .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
    )


def community_inspections(community_id: int, filters: Filters, user: User) -> Select:
    """A community's inspections, newest first, as the filters narrow them."""
    query = visible(Inspection, user).where(Inspection.community_id == community_id)
    if filters.building_id is not None:
        query = query.where(Inspection.building_id == filters.building_id)
    if filters.unit:
        query = query.where(
            Inspection.unit_id.in_(
                select(Unit.id).where(
                    Unit.community_id == community_id, Unit.number == filters.unit
                )
            )
        )
    if filters.period is not None:
        query = query.where(Inspection.period == filters.period)
    return _with_place(query)


def unit_inspections(unit_id: int, user: User) -> Select:
    """A unit's inspections, newest first."""
    return _with_place(visible(Inspection, user).where(Inspection.unit_id == unit_id))


@dataclass(frozen=True)
class MonthAverage:
    period: int
    average: float | None
    inspections: int


def monthly_averages(unit_id: int, user: User, last: int | None = None) -> list[MonthAverage]:
    """The unit's average score in each of the TREND_MONTHS months up to `last`, oldest first;
    a month without an inspection has no average."""
    last = last or current_period()
    first = add_months(last, -(TREND_MONTHS - 1))
    found = {
        period: (float(average), n)
        for period, average, n in db.session.execute(
            select(Inspection.period, func.avg(Inspection.score), func.count())
            .where(
                Inspection.unit_id == unit_id,
                Inspection.period.between(first, last),
                scope(Inspection, user),
            )
            .group_by(Inspection.period)
        )
    }
    months = [add_months(first, i) for i in range(TREND_MONTHS)]
    return [MonthAverage(p, *found.get(p, (None, 0))) for p in months]


@dataclass(frozen=True)
class Place:
    community_id: int
    community: str
    building_id: int
    building: str
    unit_id: int
    unit: str


def place_of(unit_id: int) -> Place:
    """Where a unit is, by name; the caller has checked that the reader may know it."""
    row = db.session.execute(
        select(Community.id, Community.name, Building.id, Building.number, Unit.id, Unit.number)
        .select_from(Unit)
        .join(Building, Building.id == Unit.building_id)
        .join(Community, Community.id == Unit.community_id)
        .where(Unit.id == unit_id)
    ).one()
    return Place(*row)


def photos_of(inspection: Inspection, user: User) -> list[InspectionPhoto]:
    return list(
        db.session.scalars(
            visible(InspectionPhoto, user)
            .where(InspectionPhoto.inspection_id == inspection.id)
            .order_by(InspectionPhoto.id)
        )
    )


def building_choices(community_id: int, user: User) -> list[tuple[int, str]]:
    return [
        (bid, number)
        for bid, number in db.session.execute(
            visible(Building, user)
            .with_only_columns(Building.id, Building.number)
            .where(Building.community_id == community_id)
            .order_by(Building.sort_key, Building.number)
        )
    ]
