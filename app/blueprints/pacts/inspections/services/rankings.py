"""Rankings and the honour board: units and buildings by their average score over a month or a
quarter (standing.unit_ranking / building_ranking, one grouped query, paginated by the caller
and its page named afterwards),
within a community, across a company, or across every community the reader sees (the city, for
the district office); the honours each community's best hold (standing.honours); and the
month's count and average for the dashboards."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, func, null, select

from app.authz import scope, visible
from app.blueprints.pacts.standing import (
    Honour,
    Span,
    SpanKind,
    building_ranking,
    honours,
    last_month,
    last_quarter,
    unit_ranking,
)
from app.extensions import db
from app.listing import starts_with
from app.models import Building, Community, Inspection, Unit, User
from app.periods import current_period


class Level(enum.StrEnum):
    UNITS = "units"
    BUILDINGS = "buildings"


def completed_span(kind: SpanKind) -> Span:
    """The last month or quarter that has ended: what is ranked unless the reader picks."""
    return last_month() if kind is SpanKind.MONTH else last_quarter()


def span_of(kind: SpanKind, period: int) -> Span:
    """The month `period`, or the quarter it falls in."""
    return Span.month(period) if kind is SpanKind.MONTH else Span.quarter_of(period)


@dataclass(frozen=True)
class Reach:
    """What a ranking covers: one community, one company's communities, or (neither) every
    community the reader may see."""

    community_id: int | None = None
    company_id: int | None = None

    def where(self, user: User) -> ColumnElement[bool]:
        clause = scope(Inspection, user)
        if self.community_id is not None:
            return clause & (Inspection.community_id == self.community_id)
        if self.company_id is not None:
            companies = select(Community.id).where(Community.company_id == self.company_id)
            return clause & Inspection.community_id.in_(companies)
        return clause

    @property
    def across(self) -> bool:
        """Ranked as one field (a company, the city) rather than within the one community."""
        return self.community_id is None


def ranking(span: Span, level: Level, reach: Reach, user: User) -> Select:
    """One grouped query: rank, average, inspections and the ids of where, best first; ties
    share a rank and are listed in the order of their ids. It names no place, so that a page of
    the city's ranking sorts 8,000 small rows rather than joins them all: `with_places` names a
    page's rows afterwards."""
    if level is Level.UNITS:
        ranked = unit_ranking(span, reach.where(user), across=reach.across).subquery()
        ties = (ranked.c.community_id, ranked.c.building_id, ranked.c.unit_id)
    else:
        ranked = building_ranking(span, reach.where(user), across=reach.across).subquery()
        ties = (ranked.c.community_id, ranked.c.building_id)
    return select(ranked).order_by(ranked.c.rank, *ties)


@dataclass(frozen=True)
class Ranked:
    """A ranked unit (or building, `unit` None) with its place."""

    rank: int
    average: float
    inspections: int
    community_id: int
    community: str
    building_id: int
    building: str
    unit_id: int | None = None
    unit: str | None = None


def with_places(rows: Sequence[Any]) -> list[Ranked]:
    """Rows of `ranking` (one page of them) with the names of their places, in one query; the
    ranking read the inspections the user may see, and their places are named by them."""
    if not rows:
        return []
    by_unit = "unit_id" in rows[0]._fields
    if by_unit:
        query = (
            select(Unit.id, Building.number, Community.name, Unit.number)
            .join(Building, Building.id == Unit.building_id)
            .where(Unit.id.in_([row.unit_id for row in rows]))
        )
    else:
        query = select(Building.id, Building.number, Community.name, null()).where(
            Building.id.in_([row.building_id for row in rows])
        )
    query = query.join(Community, Community.id == Building.community_id)
    places = {key: place for key, *place in db.session.execute(query)}
    found = []
    for row in rows:
        building, community, unit = places[row.unit_id if by_unit else row.building_id]
        found.append(
            Ranked(
                rank=row.rank,
                average=float(row.average),
                inspections=row.inspections,
                community_id=row.community_id,
                community=community,
                building_id=row.building_id,
                building=building,
                unit_id=row.unit_id if by_unit else None,
                unit=unit,
            )
        )
    return found


# --- the honour board -----------------------------------------------------------------------


def honour_spans() -> tuple[Span, Span]:
    return last_month(), last_quarter()


def honour_communities(user: User, q: str = "", spans: Sequence[Span] | None = None) -> Select:
    """The communities the user sees that were inspected in the spans, by name: those that can
    hold an honour."""
    spans = spans or honour_spans()
    first, last = min(s.first for s in spans), max(s.last for s in spans)
    inspected = select(Inspection.community_id).where(
        Inspection.period.between(first, last), scope(Inspection, user)
    )
    query = (
        visible(Community, user)
        .with_only_columns(Community.id, Community.name)
        .where(Community.id.in_(inspected))
        .order_by(Community.name, Community.id)
    )
    if q.strip():
        query = query.where(starts_with(Community.name, q.strip()))
    return query


@dataclass(frozen=True)
class Honoured:
    """A unit (or a building, `unit` None) named on the board."""

    rank: int
    average: float
    building: str
    unit: str | None = None


@dataclass
class SpanHonours:
    span: Span
    units: list[Honoured] = field(default_factory=list)
    buildings: list[Honoured] = field(default_factory=list)


@dataclass
class CommunityHonours:
    community_id: int
    name: str
    spans: list[SpanHonours]

    @property
    def empty(self) -> bool:
        return not any(s.units or s.buildings for s in self.spans)


Where = tuple[int, str, str | None]  # community id, building number, unit number


def _grouped(found: dict[int, list[Honour]], where: dict[int, Where]) -> dict:
    """{(community_id, span): [Honoured, …] best first} from honours by unit or building id."""
    grouped: dict[tuple[int, Span], list[Honoured]] = {}
    for key, held in found.items():
        community_id, building, unit = where[key]
        for honour in held:
            grouped.setdefault((community_id, honour.span), []).append(
                Honoured(honour.rank, honour.average, building, unit)
            )
    for found_in_span in grouped.values():
        found_in_span.sort(key=lambda h: (h.rank, h.building, h.unit or ""))
    return grouped


def honour_board(
    communities: Sequence[tuple[int, str]], user: User, spans: Sequence[Span] | None = None
) -> list[CommunityHonours]:
    """The 最美单元 and 最美楼栋 of each community (id, name) for each span, best first."""
    spans = tuple(spans or honour_spans())
    by_unit, by_building = honours([cid for cid, _name in communities], user, spans)
    # The honours come from inspections the user may see: naming their places reads nothing
    # more than those inspections already name.
    unit_places: dict[int, Where] = {
        uid: (cid, building, unit)
        for uid, cid, building, unit in db.session.execute(
            select(Unit.id, Unit.community_id, Building.number, Unit.number)
            .join(Building, Building.id == Unit.building_id)
            .where(Unit.id.in_(list(by_unit)))
        )
    }
    building_places: dict[int, Where] = {
        bid: (cid, number, None)
        for bid, cid, number in db.session.execute(
            select(Building.id, Building.community_id, Building.number).where(
                Building.id.in_(list(by_building))
            )
        )
    }
    units = _grouped(by_unit, unit_places)
    buildings = _grouped(by_building, building_places)
    return [
        CommunityHonours(
            cid,
            name,
            [
                SpanHonours(span, units.get((cid, span), []), buildings.get((cid, span), []))
                for span in spans
            ],
        )
        for cid, name in communities
    ]


# --- for the dashboards ---------------------------------------------------------------------


def inspections_this_month(
    community_ids: Select, period: int | None = None
) -> tuple[int, float | None]:
    """How many inspections the communities `community_ids` selects had this month (or in
    `period`), and their average score: one query, for the dashboards."""
    count, average = db.session.execute(
        select(func.count(), func.avg(Inspection.score)).where(
            Inspection.community_id.in_(community_ids),
            Inspection.period == (period or current_period()),
        )
    ).one()
    return count, None if average is None else float(average)
