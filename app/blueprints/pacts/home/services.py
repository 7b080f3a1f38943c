"""What the resident's and the steward's pages read; see the package docstring."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.authz import scope, visible
from app.blueprints.pacts.campaigns import services as campaigns
from app.blueprints.pacts.standing import UnitStanding, last_month, standings, unit_ranking
from app.blueprints.pacts.stewards import services as stewards
from app.extensions import db
from app.models import (
    Answer,
    Building,
    Community,
    Household,
    Inspection,
    SigningCampaign,
    Staff,
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
    # Open signing campaigns asking this household, with its current answer (None: not yet).
    campaigns: list[tuple[SigningCampaign, Answer | None]] = field(default_factory=list)


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
    asking = campaigns.open_campaigns_for_households([home.household.id for home in homes], user)
    for home in homes:
        home.campaigns = [(c, answer) for c, hid, answer in asking if hid == home.household.id]
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
    building_number: str
    community_name: str
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
    staff_id = db.session.scalar(select(Staff.id).where(Staff.user_id == user.id))
    if staff_id is None:
        return []
    rows = db.session.execute(stewards.units_of_staff(staff_id, user)).all()
    unit_ids = [row.Unit.id for row in rows]
    inspected = set(
        db.session.scalars(
            select(Inspection.unit_id).where(
                Inspection.unit_id.in_(unit_ids),
                Inspection.period == (period or current_period()),
                scope(Inspection, user),
            )
        )
    )
    found = standings([(r.Unit.id, r.Unit.building_id, r.Unit.community_id) for r in rows], user)
    units = [
        StewardUnit(
            r.Unit, r.building_number, r.community_name, found[r.Unit.id], r.Unit.id in inspected
        )
        for r in rows
    ]
    return sorted(units, key=lambda s: not s.missing)
