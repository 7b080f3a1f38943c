"""Read models for the property area: counts and totals, computed in SQL and scoped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, Subquery, func, select

from app.authz import scope, visible
from app.blueprints.property.notices.services import in_force_count
from app.blueprints.property.requests.services import NOT_CLOSED, overdue_clause, start_of_day
from app.extensions import db
from app.models import Building, Community, Company, Household, ServiceRequest, Staff, Unit, User
from app.periods import utcnow


@dataclass(frozen=True)
class Totals:
    companies: int
    communities: int
    households: int
    area_m2: Decimal
    staff: int
    party_members: int

    @property
    def party_share(self) -> float:
        return self.party_members / self.staff if self.staff else 0.0


def totals(user: User | None = None) -> Totals:
    """Headline figures over everything the user may see."""
    households = db.session.execute(
        select(func.count(Household.id), func.coalesce(func.sum(Household.area_m2), 0)).where(
            scope(Household, user)
        )
    ).one()
    staff = db.session.execute(
        select(
            func.count(Staff.id),
            func.count(Staff.id).filter(Staff.is_party_member.is_(True)),
        ).where(scope(Staff, user), Staff.is_active.is_(True))
    ).one()
    return Totals(
        companies=db.session.scalar(
            select(func.count()).select_from(visible(Company, user).subquery())
        ),
        communities=db.session.scalar(
            select(func.count()).select_from(visible(Community, user).subquery())
        ),
        households=households[0],
        area_m2=Decimal(households[1]),
        staff=staff[0],
        party_members=staff[1],
    )


def _household_counts(key, *join) -> Subquery:  # type: ignore[no-untyped-def]
    """Households and floor area grouped by `key`, joining `join` (target, on) when given."""
    query = select(
        key.label("key"),
        func.count(Household.id).label("households"),
        func.sum(Household.area_m2).label("area_m2"),
    ).select_from(Household)
    if join:
        query = query.join(*join)
    return query.group_by(key).subquery()


def company_rows(user: User | None = None) -> Select:
    """One row per visible company with its communities, households, area and staff."""
    communities = (
        select(Community.company_id.label("key"), func.count(Community.id).label("communities"))
        .group_by(Community.company_id)
        .subquery()
    )
    homes = _household_counts(
        Community.company_id, Community, Community.id == Household.community_id
    )
    staff = (
        select(
            Staff.company_id.label("key"),
            func.count(Staff.id).label("staff"),
            func.count(Staff.id).filter(Staff.is_party_member.is_(True)).label("party_members"),
        )
        .where(Staff.is_active.is_(True))
        .group_by(Staff.company_id)
        .subquery()
    )
    return (
        select(
            Company,
            func.coalesce(communities.c.communities, 0).label("communities"),
            func.coalesce(homes.c.households, 0).label("households"),
            func.coalesce(homes.c.area_m2, 0).label("area_m2"),
            func.coalesce(staff.c.staff, 0).label("staff"),
            func.coalesce(staff.c.party_members, 0).label("party_members"),
        )
        .outerjoin(communities, communities.c.key == Company.id)
        .outerjoin(homes, homes.c.key == Company.id)
        .outerjoin(staff, staff.c.key == Company.id)
        .where(scope(Company, user))
        .order_by(Company.name)
    )


def community_rows(user: User | None = None, company_id: int | None = None) -> Select:
    """One row per visible community with its buildings, units, households and area."""
    buildings = (
        select(Building.community_id.label("key"), func.count(Building.id).label("n"))
        .group_by(Building.community_id)
        .subquery()
    )
    units = (
        select(Unit.community_id.label("key"), func.count(Unit.id).label("n"))
        .group_by(Unit.community_id)
        .subquery()
    )
    homes = _household_counts(Household.community_id)
    query = (
        select(
            Community,
            func.coalesce(buildings.c.n, 0).label("buildings"),
            func.coalesce(units.c.n, 0).label("units"),
            func.coalesce(homes.c.households, 0).label("households"),
            func.coalesce(homes.c.area_m2, 0).label("area_m2"),
        )
        .outerjoin(buildings, buildings.c.key == Community.id)
        .outerjoin(units, units.c.key == Community.id)
        .outerjoin(homes, homes.c.key == Community.id)
        .where(scope(Community, user))
        .order_by(Community.name)
    )
    if company_id is not None:
        query = query.where(Community.company_id == company_id)
    return query


def building_rows(community: Community) -> list:
    """The community's buildings with unit and household counts, in their natural order."""
    units = (
        select(Unit.building_id.label("key"), func.count(Unit.id).label("n"))
        .group_by(Unit.building_id)
        .subquery()
    )
    homes = _household_counts(Unit.building_id, Unit, Unit.id == Household.unit_id)
    return db.session.execute(
        select(
            Building,
            func.coalesce(units.c.n, 0).label("units"),
            func.coalesce(homes.c.households, 0).label("households"),
            func.coalesce(homes.c.area_m2, 0).label("area_m2"),
        )
        .outerjoin(units, units.c.key == Building.id)
        .outerjoin(homes, homes.c.key == Building.id)
        .where(Building.community_id == community.id)
        .order_by(Building.sort_key, Building.number)
    ).all()


def resident_homes(user: User | None = None) -> list[Household]:
    """The households the resident belongs to, with where they are and who runs them."""
    return list(db.session.scalars(visible(Household, user).order_by(Household.id)))


@dataclass(frozen=True)
class DayFigures:
    open_requests: int
    overdue_requests: int
    new_today: int
    notices_in_force: int


def day_figures(user: User | None = None, now: datetime | None = None) -> DayFigures:
    """The manager's day: open (not closed) and overdue requests, today's new ones (from
    midnight on the user's clock), notices in force."""
    now = now or utcnow()
    since = start_of_day(now)
    # "Open" as the request inbox counts it by default: everything not closed.
    requests = db.session.execute(
        select(
            func.count(ServiceRequest.id).filter(ServiceRequest.status.in_(NOT_CLOSED)),
            func.count(ServiceRequest.id).filter(overdue_clause(now)),
            func.count(ServiceRequest.id).filter(ServiceRequest.created_at >= since),
        ).where(scope(ServiceRequest, user))
    ).one()
    return DayFigures(
        open_requests=requests[0],
        overdue_requests=requests[1],
        new_today=requests[2],
        notices_in_force=in_force_count(user, now),
    )
