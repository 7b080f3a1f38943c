"""Where the pacts stand: per community, per unit and per version, what is drafted and what is
in force.

A unit's pact in force is the version its latest adoption (UnitPact) names: a version of its
own pact or of the community-wide pact, whichever a campaign adopted last.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import Select, Subquery, and_, exists, func, select
from sqlalchemy.orm import aliased

from app.authz import scope, visible
from app.extensions import db
from app.listing import starts_with
from app.models import Building, Community, Pact, PactVersion, Unit, UnitPact, User


class UnitState(enum.StrEnum):
    IN_FORCE = "in_force"
    NOT_IN_FORCE = "not_in_force"


def current_adoptions(user: User | None = None) -> Subquery:
    """Each unit's latest adoption: unit_id, community_id, version_id, adopted_at."""
    ranked = (
        select(
            UnitPact.unit_id,
            UnitPact.community_id,
            UnitPact.version_id,
            UnitPact.adopted_at,
            func.row_number()
            .over(
                partition_by=UnitPact.unit_id,
                order_by=(UnitPact.adopted_at.desc(), UnitPact.id.desc()),
            )
            .label("n"),
        )
        .where(scope(UnitPact, user))
        .subquery()
    )
    return (
        select(ranked.c.unit_id, ranked.c.community_id, ranked.c.version_id, ranked.c.adopted_at)
        .where(ranked.c.n == 1)
        .subquery("current_adoption")
    )


def _latest_numbers() -> Subquery:
    return (
        select(PactVersion.pact_id, func.max(PactVersion.number).label("number"))
        .group_by(PactVersion.pact_id)
        .subquery("latest_number")
    )


def community_rows(q: str = "", user: User | None = None) -> Select:
    """The visible communities by name, each with its units, the units with a pact of their
    own, the units with a pact in force, and its community-wide pact and latest version."""
    units = (
        select(Unit.community_id, func.count(Unit.id).label("n"))
        .group_by(Unit.community_id)
        .subquery("units")
    )
    own = (
        select(Pact.community_id, func.count(Pact.id).label("n"))
        .where(Pact.unit_id.is_not(None))
        .group_by(Pact.community_id)
        .subquery("own")
    )
    adoptions = current_adoptions(user)
    in_force = (
        select(adoptions.c.community_id, func.count().label("n"))
        .group_by(adoptions.c.community_id)
        .subquery("in_force")
    )
    wide = aliased(Pact)
    latest = _latest_numbers()
    query = (
        visible(Community, user)
        .add_columns(
            func.coalesce(units.c.n, 0).label("units"),
            func.coalesce(own.c.n, 0).label("own_pacts"),
            func.coalesce(in_force.c.n, 0).label("in_force"),
            wide.id.label("wide_pact_id"),
            latest.c.number.label("wide_number"),
        )
        .outerjoin(units, units.c.community_id == Community.id)
        .outerjoin(own, own.c.community_id == Community.id)
        .outerjoin(in_force, in_force.c.community_id == Community.id)
        .outerjoin(wide, and_(wide.community_id == Community.id, wide.unit_id.is_(None)))
        .outerjoin(latest, latest.c.pact_id == wide.id)
        .order_by(Community.name, Community.id)
    )
    if q.strip():
        query = query.where(starts_with(Community.name, q.strip()))
    return query


@dataclass(frozen=True)
class CommunityFigures:
    units: int
    own_pacts: int
    in_force: int


def community_figures(community_id: int, user: User | None = None) -> CommunityFigures:
    row = db.session.execute(
        community_rows(user=user).where(Community.id == community_id).limit(1)
    ).one()
    return CommunityFigures(row.units, row.own_pacts, row.in_force)


def unit_rows(
    community_id: int,
    q: str = "",
    state: UnitState | None = None,
    version_id: int | None = None,
    user: User | None = None,
) -> Select:
    """The community's units in their natural order, each with its building's number
    (`building_number`) and its own pact (`pact_id`) with that pact's latest version (`latest`,
    a PactVersion or None); `q` is the start of a building number, `state` keeps the units with
    or without a pact in force, `version_id` those where that version is in force."""
    latest_number = _latest_numbers()
    latest = aliased(PactVersion, name="latest")
    query = (
        visible(Unit, user)
        .add_columns(Building.number.label("building_number"), Pact.id.label("pact_id"), latest)
        .join(Building, Building.id == Unit.building_id)
        .outerjoin(Pact, Pact.unit_id == Unit.id)
        .outerjoin(latest_number, latest_number.c.pact_id == Pact.id)
        .outerjoin(
            latest,
            and_(latest.pact_id == Pact.id, latest.number == latest_number.c.number),
        )
        .where(Unit.community_id == community_id)
        .order_by(Building.sort_key, Building.number, Unit.number, Unit.id)
    )
    if q.strip():
        query = query.where(starts_with(Building.number, q.strip()))
    adopted = exists(select(UnitPact.id).where(UnitPact.unit_id == Unit.id))
    if state is UnitState.IN_FORCE:
        query = query.where(adopted)
    elif state is UnitState.NOT_IN_FORCE:
        query = query.where(~adopted)
    if version_id is not None:
        adoptions = current_adoptions(user)
        query = query.where(
            Unit.id.in_(select(adoptions.c.unit_id).where(adoptions.c.version_id == version_id))
        )
    return query


@dataclass(frozen=True)
class InForce:
    """A version of a pact and the number of units it is in force in now."""

    version_id: int
    number: int
    units: int


def in_force_by_version(pact_id: int, user: User | None = None) -> dict[int, InForce]:
    """The versions of the pact in force somewhere, by id, newest first."""
    adoptions = current_adoptions(user)
    rows = db.session.execute(
        select(PactVersion.id, PactVersion.number, func.count())
        .join(adoptions, adoptions.c.version_id == PactVersion.id)
        .where(PactVersion.pact_id == pact_id)
        .group_by(PactVersion.id, PactVersion.number)
        .order_by(PactVersion.number.desc())
    )
    return {row[0]: InForce(*row) for row in rows}


def in_force_units(version_id: int, user: User | None = None) -> Select:
    """The units where this version is in force now, with their building's number and the
    moment it was adopted there (`adopted_at`)."""
    adoptions = current_adoptions(user)
    return (
        visible(Unit, user)
        .add_columns(Building.number.label("building_number"), adoptions.c.adopted_at)
        .join(Building, Building.id == Unit.building_id)
        .join(adoptions, adoptions.c.unit_id == Unit.id)
        .where(adoptions.c.version_id == version_id)
        .order_by(Building.sort_key, Building.number, Unit.number, Unit.id)
    )


def copy_sources(q: str = "", user: User | None = None) -> Select:
    """The pacts a new one may be copied from — every visible pact, community by community,
    the community-wide one first — each with its community's name (`community_name`), its
    unit's and building's numbers and its latest version (`latest`); `q` is the start of the
    community's name or of the latest title."""
    latest_number = _latest_numbers()
    latest = aliased(PactVersion, name="latest")
    query = (
        visible(Pact, user)
        .add_columns(
            Community.name.label("community_name"),
            Building.number.label("building_number"),
            Unit.number.label("unit_number"),
            latest,
        )
        .join(Community, Community.id == Pact.community_id)
        .join(latest_number, latest_number.c.pact_id == Pact.id)
        .join(latest, and_(latest.pact_id == Pact.id, latest.number == latest_number.c.number))
        .outerjoin(Unit, Unit.id == Pact.unit_id)
        .outerjoin(Building, Building.id == Unit.building_id)
        .order_by(
            Community.name,
            Community.id,
            Pact.unit_id.is_not(None),
            Building.sort_key,
            Building.number,
            Unit.number,
        )
    )
    if q.strip():
        query = query.where(
            starts_with(Community.name, q.strip()) | starts_with(latest.title, q.strip())
        )
    return query
