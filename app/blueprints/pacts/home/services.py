"""What the resident's and the steward's pages read; see the package docstring."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.authz import scope, visible
from app.blueprints.pacts.standing import UnitStanding, last_month, standings, unit_ranking
from app.extensions import db
from app.models import (
    Building,
    Community,
    Household,
    Inspection,
    Staff,
    StewardAssignment,
    StewardKind,
    Unit,
    User,
)
from app.periods import current_period

RECENT_INSPECTIONS = 6


@dataclass
class HomeUnit:
    """A resident's household and where it stands."""

    household: Household
    unit: Unit
    building: Building
    community: Community
    standing: UnitStanding
    recent: list[tuple[Inspection, str]] = field(default_factory=list)  # with the unit number
    rank: int | None = None  # the unit's rank in its community last month
    ranked: int = 0  # how many units were ranked


def resident_units(user: User) -> list[HomeUnit]:
    """The resident's households, each with its unit's standing and its building's latest
    inspections, as the resident may see them."""
    rows = db.session.execute(
        visible(Household, user)
        .add_columns(Unit, Building, Community)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .join(Community, Community.id == Household.community_id)
        .order_by(Household.id)
    ).all()
    found = standings([(u.id, b.id, c.id) for _, u, b, c in rows], user)
    homes = [HomeUnit(h, u, b, c, found[u.id]) for h, u, b, c in rows]
    for home in homes:
        home.recent = [
            (inspection, number)
            for inspection, number in db.session.execute(
                select(Inspection, Unit.number)
                .join(Unit, Unit.id == Inspection.unit_id)
                .where(Inspection.building_id == home.building.id, scope(Inspection, user))
                .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
                .limit(RECENT_INSPECTIONS)
            )
        ]
        home.rank, home.ranked = _rank_last_month(home.unit, user)
    return homes


def _rank_last_month(unit: Unit, user: User) -> tuple[int | None, int]:
    ranking = unit_ranking(
        last_month(), (Inspection.community_id == unit.community_id) & scope(Inspection, user)
    ).subquery()
    rank = db.session.scalar(select(ranking.c.rank).where(ranking.c.unit_id == unit.id))
    return rank, db.session.scalar(select(func.count()).select_from(ranking))


@dataclass
class StewardUnit:
    """A unit on a steward's round and what it lacks."""

    unit: Unit
    building: Building
    community: Community
    standing: UnitStanding
    inspected_this_month: bool

    @property
    def missing(self) -> list[str]:
        gaps = []
        if self.standing.leader is None:
            gaps.append("leader")
        if self.standing.pact is None:
            gaps.append("pact")
        if not self.inspected_this_month:
            gaps.append("inspection")
        return gaps


def steward_units(user: User, period: int | None = None) -> list[StewardUnit]:
    """The units whose current steward is the user's staff record, those lacking something
    first."""
    mine = (
        select(StewardAssignment.unit_id)
        .join(Staff, Staff.id == StewardAssignment.staff_id)
        .where(
            Staff.user_id == user.id,
            StewardAssignment.kind == StewardKind.STEWARD,
            StewardAssignment.ends_on.is_(None),
            scope(StewardAssignment, user),
        )
    )
    rows = db.session.execute(
        select(Unit, Building, Community)
        .join(Building, Building.id == Unit.building_id)
        .join(Community, Community.id == Unit.community_id)
        .where(Unit.id.in_(mine), scope(Unit, user))
        .order_by(Community.name, Building.sort_key, Building.number, Unit.number)
    ).all()
    inspected = set(
        db.session.scalars(
            select(Inspection.unit_id).where(
                Inspection.unit_id.in_(mine),
                Inspection.period == (period or current_period()),
                scope(Inspection, user),
            )
        )
    )
    found = standings([(u.id, b.id, c.id) for u, b, c in rows], user)
    units = [StewardUnit(u, b, c, found[u.id], u.id in inspected) for u, b, c in rows]
    return sorted(units, key=lambda s: not s.missing)
