"""Who is on duty where: coverage (units with a steward, a leader, both) per company and per
community, a community's units grid with the gaps, a unit's history, a steward's own units.

Every figure is one grouped query over the units and their current rows, whatever the number
of units: a unit has at most one current row per role, so the outer joins never multiply it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import aliased

from app.authz import scope, visible
from app.blueprints.pacts.stewards.services.posts import ENTITY
from app.extensions import db
from app.models import (
    AuditEntry,
    Building,
    Community,
    Company,
    Household,
    StewardAssignment,
    StewardKind,
    Unit,
    User,
)

RECENT_CHANGES = 8

steward = aliased(StewardAssignment, name="steward")
leader = aliased(StewardAssignment, name="leader")


def _with_duty(query: Select) -> Select:
    """`query` (over `Unit`) joined to the unit's current steward and leader, when it has them."""
    for post, kind in ((steward, StewardKind.STEWARD), (leader, StewardKind.LEADER)):
        query = query.outerjoin(
            post, and_(post.unit_id == Unit.id, post.kind == kind, post.ends_on.is_(None))
        )
    return query


def _counts() -> tuple[Any, ...]:
    return (
        func.count(Unit.id).label("units"),
        func.count(steward.id).label("with_steward"),
        func.count(leader.id).label("with_leader"),
        func.count(steward.id).filter(leader.id.is_not(None)).label("with_both"),
    )


@dataclass(frozen=True)
class Coverage:
    """How many units have a steward, a leader, both; shares in whole per cent, rounded down
    so that 100% means every unit."""

    units: int
    with_steward: int
    with_leader: int
    with_both: int

    @classmethod
    def of(cls, row: Any) -> Coverage:
        return cls(row.units, row.with_steward, row.with_leader, row.with_both)

    def share(self, count: int) -> int | None:
        return 100 * count // self.units if self.units else None

    @property
    def steward_share(self) -> int | None:
        return self.share(self.with_steward)

    @property
    def leader_share(self) -> int | None:
        return self.share(self.with_leader)

    @property
    def both_share(self) -> int | None:
        return self.share(self.with_both)

    @property
    def without_steward(self) -> int:
        return self.units - self.with_steward

    @property
    def without_leader(self) -> int:
        return self.units - self.with_leader

    @property
    def missing_someone(self) -> int:
        return self.units - self.with_both


def coverage(community_ids: Select | Iterable[int]) -> Coverage:
    """Coverage of the units of these communities (a select of their ids, or the ids): the
    dashboards' figure. The caller limits the communities to what its reader may see."""
    ids = community_ids if isinstance(community_ids, Select) else list(community_ids)
    row = db.session.execute(
        _with_duty(select(*_counts()).select_from(Unit)).where(Unit.community_id.in_(ids))
    ).one()
    return Coverage.of(row)


def visible_communities(user: User | None = None) -> Select:
    """The ids of the communities `user` (default: the current one) may see."""
    return select(Community.id).where(scope(Community, user))


def _per(key: Any) -> Any:
    """Coverage grouped by `key` (a column reached from `Unit`, Community joined)."""
    query = select(key.label("key"), *_counts()).select_from(Unit)
    query = _with_duty(query).join(Community, Community.id == Unit.community_id)
    return query.group_by(key).subquery()


def _zero(column: Any) -> Any:
    return func.coalesce(column, 0)


def _coverage_columns(figures: Any) -> tuple[Any, ...]:
    return tuple(
        _zero(figures.c[name]).label(name)
        for name in ("units", "with_steward", "with_leader", "with_both")
    )


def company_coverage(user: User | None = None) -> Select:
    """One row per visible company: its communities and its units' coverage, by name."""
    communities = (
        select(Community.company_id.label("key"), func.count(Community.id).label("n"))
        .group_by(Community.company_id)
        .subquery()
    )
    figures = _per(Community.company_id)
    return (
        select(Company, _zero(communities.c.n).label("communities"), *_coverage_columns(figures))
        .outerjoin(communities, communities.c.key == Company.id)
        .outerjoin(figures, figures.c.key == Company.id)
        .where(scope(Company, user))
        .order_by(Company.name, Company.id)
    )


def community_coverage(user: User | None = None, company_id: int | None = None) -> Select:
    """One row per visible community (of one company, when given) with its coverage, by name."""
    figures = _per(Unit.community_id)
    query = (
        select(Community, *_coverage_columns(figures))
        .outerjoin(figures, figures.c.key == Community.id)
        .where(scope(Community, user))
        .order_by(Community.name, Community.id)
    )
    if company_id is not None:
        query = query.where(Community.company_id == company_id)
    return query


# --- one community's grid --------------------------------------------------------------------


class Gap(enum.StrEnum):
    """The grid's filter: units missing someone, a steward, or a leader."""

    ANYONE = "anyone"
    STEWARD = "steward"
    LEADER = "leader"


def _missing(gap: Gap | None) -> ColumnElement[bool] | None:
    """The condition on a unit joined by `_with_duty` that it has the gap."""
    if gap is Gap.STEWARD:
        return steward.id.is_(None)
    if gap is Gap.LEADER:
        return leader.id.is_(None)
    if gap is Gap.ANYONE:
        return steward.id.is_(None) | leader.id.is_(None)
    return None


def building_rows(community: Community, gap: Gap | None = None, user: User | None = None) -> Select:
    """The community's buildings in their natural order, each with its units' coverage; with a
    gap, only the buildings that have a unit with it."""
    figures = (
        _with_duty(select(Unit.building_id.label("key"), *_counts()).select_from(Unit))
        .where(Unit.community_id == community.id)
        .group_by(Unit.building_id)
        .subquery()
    )
    query = (
        visible(Building, user)
        .add_columns(*_coverage_columns(figures))
        .outerjoin(figures, figures.c.key == Building.id)
        .where(Building.community_id == community.id)
        .order_by(Building.sort_key, Building.number, Building.id)
    )
    if gap is Gap.STEWARD:
        query = query.where(figures.c.with_steward < figures.c.units)
    elif gap is Gap.LEADER:
        query = query.where(figures.c.with_leader < figures.c.units)
    elif gap is Gap.ANYONE:
        query = query.where(figures.c.with_both < figures.c.units)
    return query


def _duty(where: ColumnElement[bool], gap: Gap | None, user: User | None) -> Select:
    """Visible units `where` selects, each with its current `steward` and `leader` (or None)
    and the leader's home (`leader_unit`, `leader_room`), in unit order."""
    home = aliased(Household, name="leader_home")
    home_unit = aliased(Unit, name="leader_unit")
    query = (
        _with_duty(visible(Unit, user).add_columns(steward, leader))
        .add_columns(home_unit.number.label("leader_unit"), home.room.label("leader_room"))
        .outerjoin(home, home.id == leader.household_id)
        .outerjoin(home_unit, home_unit.id == home.unit_id)
        .where(where)
        .order_by(Unit.number, Unit.id)
    )
    missing = _missing(gap)
    return query if missing is None else query.where(missing)


def duty_rows(
    building_ids: Iterable[int], gap: Gap | None = None, user: User | None = None
) -> dict[int, list[Any]]:
    """{building id: [row of `_duty`]} for the buildings on one page of the grid."""
    ids = list(building_ids)
    units: dict[int, list[Any]] = {}
    if ids:
        for row in db.session.execute(_duty(Unit.building_id.in_(ids), gap, user)):
            units.setdefault(row.Unit.building_id, []).append(row)
    return units


def unit_duty(unit: Unit, user: User | None = None) -> Any:
    """One unit as a row of `duty_rows`."""
    return db.session.execute(_duty(Unit.id == unit.id, None, user)).one()


def unit_history(unit: Unit, user: User | None = None) -> Select:
    """Everyone who was ever posted on the unit, the latest first, with who posted them."""
    return (
        visible(StewardAssignment, user)
        .add_columns(User.display_name.label("assigned_by"))
        .join(User, User.id == StewardAssignment.assigned_by_user_id)
        .where(StewardAssignment.unit_id == unit.id)
        .order_by(
            StewardAssignment.starts_on.desc(),
            StewardAssignment.ends_on.is_(None).desc(),
            StewardAssignment.id.desc(),
        )
    )


def recent_changes(community: Community, user: User | None = None) -> list[Any]:
    """The community's latest steward and leader changes, newest first, with who made them."""
    return list(
        db.session.execute(
            visible(AuditEntry, user)
            .add_columns(User.display_name.label("actor"))
            .outerjoin(User, User.id == AuditEntry.actor_user_id)
            .where(AuditEntry.entity == ENTITY, AuditEntry.entity_id == community.id)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(RECENT_CHANGES)
        )
    )


def units_of_staff(staff_id: int, user: User | None = None) -> Select:
    """The units where the staff member is the current steward, in address order: rows of the
    Unit, its building's and community's names, and the assignment. For the steward's own
    view; page it with app.pagination."""
    return (
        select(
            Unit,
            Building.number.label("building_number"),
            Community.name.label("community_name"),
            StewardAssignment,
        )
        .join(StewardAssignment, StewardAssignment.unit_id == Unit.id)
        .join(Building, Building.id == Unit.building_id)
        .join(Community, Community.id == Unit.community_id)
        .where(
            StewardAssignment.staff_id == staff_id,
            StewardAssignment.kind == StewardKind.STEWARD,
            StewardAssignment.ends_on.is_(None),
            scope(StewardAssignment, user),
        )
        .order_by(Community.name, Building.sort_key, Building.number, Unit.number, Unit.id)
    )
