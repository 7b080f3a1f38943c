"""Where a unit stands: who is on duty, the pact in force, its latest inspection, its rank and
honours. One read side for the public board, the resident's view, the steward's day and the
dashboards, so that each shows the same answer.

Rankings order units (and buildings) by the average score of their inspections in a span of
months — a month or a quarter — within each community. The best three units of a community
in the last completed month or quarter are its 最美单元, its best building its 最美楼栋; ties
share a rank.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, select

from app.authz import scope
from app.extensions import db
from app.models import (
    Inspection,
    PactVersion,
    StewardAssignment,
    StewardKind,
    UnitPact,
    User,
)
from app.periods import add_months, current_period, format_period

HONOURED_UNITS = 3  # per community and span
HONOURED_BUILDINGS = 1


class SpanKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


@dataclass(frozen=True)
class Span:
    """Months first..last (YYYYMM) ranked together."""

    kind: SpanKind
    first: int
    last: int

    @classmethod
    def month(cls, period: int) -> Span:
        return cls(SpanKind.MONTH, period, period)

    @classmethod
    def quarter_of(cls, period: int) -> Span:
        year, month = divmod(period, 100)
        first = year * 100 + (month - 1) // 3 * 3 + 1
        return cls(SpanKind.QUARTER, first, first + 2)

    @property
    def label(self) -> str:
        if self.kind is SpanKind.MONTH:
            return format_period(self.first)
        year, month = divmod(self.first, 100)
        return str(_l("%(year)s Q%(quarter)s", year=year, quarter=(month - 1) // 3 + 1))

    def contains(self, column: Any) -> ColumnElement[bool]:
        return column.between(self.first, self.last)


def last_month(today_period: int | None = None) -> Span:
    return Span.month(add_months(today_period or current_period(), -1))


def last_quarter(today_period: int | None = None) -> Span:
    this_quarter = Span.quarter_of(today_period or current_period())
    return Span.quarter_of(add_months(this_quarter.first, -1))


def unit_ranking(span: Span, where: ColumnElement[bool], *, across: bool = False) -> Select:
    """Units with inspections in `span` among those `where` selects: unit_id, community_id,
    building_id, average, inspections and rank — within each community, or across the whole
    selection when `across`."""
    average = func.avg(Inspection.score)
    partition = {} if across else {"partition_by": Inspection.community_id}
    return (
        select(
            Inspection.unit_id,
            Inspection.community_id,
            Inspection.building_id,
            average.label("average"),
            func.count().label("inspections"),
            func.rank().over(order_by=average.desc(), **partition).label("rank"),
        )
        .where(span.contains(Inspection.period), where)
        .group_by(Inspection.unit_id, Inspection.community_id, Inspection.building_id)
    )


def building_ranking(span: Span, where: ColumnElement[bool], *, across: bool = False) -> Select:
    """Buildings by the average of all their units' inspections in `span`: building_id,
    community_id, average, inspections, rank."""
    average = func.avg(Inspection.score)
    partition = {} if across else {"partition_by": Inspection.community_id}
    return (
        select(
            Inspection.building_id,
            Inspection.community_id,
            average.label("average"),
            func.count().label("inspections"),
            func.rank().over(order_by=average.desc(), **partition).label("rank"),
        )
        .where(span.contains(Inspection.period), where)
        .group_by(Inspection.building_id, Inspection.community_id)
    )


@dataclass(frozen=True)
class Honour:
    """最美单元 or 最美楼栋 of a community for a span."""

    title: Any  # lazy: rendered in the reader's language
    span: Span
    rank: int
    average: float


FINEST_UNIT = _l("Finest unit")  # 最美单元
FINEST_BUILDING = _l("Finest building")  # 最美楼栋


def honours(
    community_ids: Iterable[int], user: User | None = None, spans: Iterable[Span] | None = None
) -> tuple[dict[int, list[Honour]], dict[int, list[Honour]]]:
    """The honours held in these communities, by unit and by building, for the last completed
    month and quarter (or `spans`)."""
    ids = list(community_ids)
    by_unit: dict[int, list[Honour]] = {}
    by_building: dict[int, list[Honour]] = {}
    if not ids:
        return by_unit, by_building
    where = Inspection.community_id.in_(ids) & scope(Inspection, user)
    for span in spans or (last_month(), last_quarter()):
        units = unit_ranking(span, where).subquery()
        for row in db.session.execute(select(units).where(units.c.rank <= HONOURED_UNITS)):
            by_unit.setdefault(row.unit_id, []).append(
                Honour(FINEST_UNIT, span, row.rank, float(row.average))
            )
        buildings = building_ranking(span, where).subquery()
        for row in db.session.execute(
            select(buildings).where(buildings.c.rank <= HONOURED_BUILDINGS)
        ):
            by_building.setdefault(row.building_id, []).append(
                Honour(FINEST_BUILDING, span, row.rank, float(row.average))
            )
    return by_unit, by_building


def current_assignments(
    unit_ids: Iterable[int], user: User | None = None
) -> dict[int, dict[StewardKind, StewardAssignment]]:
    """The steward and the leader on duty now, by unit."""
    ids = list(unit_ids)
    found: dict[int, dict[StewardKind, StewardAssignment]] = {uid: {} for uid in ids}
    if not ids:
        return found
    rows = db.session.scalars(
        select(StewardAssignment).where(
            StewardAssignment.unit_id.in_(ids),
            StewardAssignment.ends_on.is_(None),
            scope(StewardAssignment, user),
        )
    )
    for row in rows:
        found[row.unit_id][row.kind] = row
    return found


def pacts_in_force(
    unit_ids: Iterable[int], user: User | None = None
) -> dict[int, tuple[PactVersion, UnitPact]]:
    """The pact version each unit adopted last, with its adoption."""
    ids = list(unit_ids)
    if not ids:
        return {}
    latest = (
        select(UnitPact.unit_id, func.max(UnitPact.adopted_at).label("adopted_at"))
        .where(UnitPact.unit_id.in_(ids), scope(UnitPact, user))
        .group_by(UnitPact.unit_id)
        .subquery()
    )
    rows = db.session.execute(
        select(PactVersion, UnitPact)
        .join(UnitPact, UnitPact.version_id == PactVersion.id)
        .join(
            latest,
            (latest.c.unit_id == UnitPact.unit_id) & (latest.c.adopted_at == UnitPact.adopted_at),
        )
        .where(scope(PactVersion, user))
    )
    return {adoption.unit_id: (version, adoption) for version, adoption in rows}


def latest_inspections(unit_ids: Iterable[int], user: User | None = None) -> dict[int, Inspection]:
    """Each unit's most recent inspection."""
    ids = list(unit_ids)
    if not ids:
        return {}
    ranked = (
        select(
            Inspection.id,
            func.row_number()
            .over(
                partition_by=Inspection.unit_id,
                order_by=(Inspection.inspected_on.desc(), Inspection.id.desc()),
            )
            .label("n"),
        )
        .where(Inspection.unit_id.in_(ids), scope(Inspection, user))
        .subquery()
    )
    rows = db.session.scalars(
        select(Inspection).where(Inspection.id.in_(select(ranked.c.id).where(ranked.c.n == 1)))
    )
    return {row.unit_id: row for row in rows}


@dataclass
class UnitStanding:
    """Everything a unit's board shows about it."""

    unit_id: int
    steward: StewardAssignment | None = None
    leader: StewardAssignment | None = None
    pact: PactVersion | None = None
    adoption: UnitPact | None = None
    latest: Inspection | None = None
    honours: list[Honour] = field(default_factory=list)
    building_honours: list[Honour] = field(default_factory=list)


def standings(
    units: Iterable[tuple[int, int, int]], user: User | None = None
) -> dict[int, UnitStanding]:
    """Standing of each (unit_id, building_id, community_id), as `user`'s audience sees it
    (pass an anonymous user for what the public board shows)."""
    triples = list(units)
    unit_ids = [t[0] for t in triples]
    duty = current_assignments(unit_ids, user)
    pacts = pacts_in_force(unit_ids, user)
    latest = latest_inspections(unit_ids, user)
    unit_honours, building_honours = honours({t[2] for t in triples}, user)
    result = {}
    for unit_id, building_id, _community_id in triples:
        version, adoption = pacts.get(unit_id, (None, None))
        result[unit_id] = UnitStanding(
            unit_id,
            steward=duty[unit_id].get(StewardKind.STEWARD),
            leader=duty[unit_id].get(StewardKind.LEADER),
            pact=version,
            adoption=adoption,
            latest=latest.get(unit_id),
            honours=unit_honours.get(unit_id, []),
            building_honours=building_honours.get(building_id, []),
        )
    return result
