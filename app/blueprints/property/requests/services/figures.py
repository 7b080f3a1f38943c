"""Monthly service figures (工单统计): received, resolved, hours to resolve, satisfaction,
complaints against the same month a year before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    func,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from app.authz import scope
from app.blueprints.property.requests.services.steps import overdue_clause
from app.extensions import db
from app.models import (
    Community,
    Company,
    RequestCategory,
    Role,
    ServiceRequest,
    User,
)
from app.periods import Month


class hours_between(FunctionElement):
    """Hours from the first timestamp to the second, in the database's own date arithmetic."""

    type = Float()
    inherit_cache = True


@compiles(hours_between)
def _hours_postgresql(element: hours_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0)"


@compiles(hours_between, "sqlite")
def _hours_sqlite(element: hours_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 24.0)"


def _within(column: Any, month: Month) -> ColumnElement[bool]:
    start, end = month.bounds()
    return and_(column >= start, column < end)


def _figure_columns(month: Month) -> list[Any]:
    r = ServiceRequest
    received = _within(r.created_at, month)
    resolved = _within(r.resolved_at, month)
    closed = _within(r.closed_at, month)
    complaint = r.category == RequestCategory.COMPLAINT
    return [
        func.count(r.id).filter(received).label("received"),
        func.count(r.id).filter(resolved).label("resolved"),
        func.avg(hours_between(r.created_at, r.resolved_at)).filter(resolved).label("avg_hours"),
        func.count(r.id).filter(closed).label("rated"),
        func.avg(r.rating).filter(closed).label("avg_rating"),
        func.count(r.id).filter(closed & (r.rating >= 4)).label("satisfied"),
        func.count(r.id).filter(received & complaint).label("complaints"),
        func.count(r.id)
        .filter(_within(r.created_at, month.shifted(-12)) & complaint)
        .label("complaints_last_year"),
    ]


def _touching(month: Month) -> ColumnElement[bool]:
    """Only the rows any figure counts, so the query reads a month's worth, not the table."""
    r = ServiceRequest
    return or_(
        _within(r.created_at, month),
        _within(r.created_at, month.shifted(-12)),
        _within(r.resolved_at, month),
        _within(r.closed_at, month),
    )


FIGURE_NAMES = (
    "received",
    "resolved",
    "avg_hours",
    "rated",
    "avg_rating",
    "satisfied",
    "complaints",
    "complaints_last_year",
)


@dataclass(frozen=True)
class Figures:
    """One month's figures for one community, one company, or everything the user sees."""

    name: str
    received: int
    resolved: int
    avg_hours: float | None
    rated: int
    avg_rating: float | None
    satisfied: int
    complaints: int
    complaints_last_year: int

    @classmethod
    def of(cls, name: str, values: Any) -> Figures:
        def number(value: Any) -> float | None:
            return None if value is None else float(value)

        return cls(
            name=name,
            received=values.received or 0,
            resolved=values.resolved or 0,
            avg_hours=number(values.avg_hours),
            rated=values.rated or 0,
            avg_rating=number(values.avg_rating),
            satisfied=values.satisfied or 0,
            complaints=values.complaints or 0,
            complaints_last_year=values.complaints_last_year or 0,
        )

    @property
    def satisfied_share(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    @property
    def complaint_change(self) -> float | None:
        """Complaints against the same month a year earlier, in per cent (None: none then)."""
        if not self.complaints_last_year:
            return None
        return (self.complaints - self.complaints_last_year) / self.complaints_last_year * 100


def figure_rows(month: Month, user: User) -> Select:
    """One row per community (a manager) or per company (the district office), in SQL."""
    by_company = user.role == Role.ADMIN
    key = Community.company_id if by_company else ServiceRequest.community_id
    grouped = (
        select(key.label("key"), *_figure_columns(month))
        .select_from(ServiceRequest)
        .join(Community, Community.id == ServiceRequest.community_id)
        .where(_touching(month), scope(ServiceRequest, user))
        .group_by(key)
        .subquery()
    )
    owner = Company if by_company else Community
    return (
        select(owner.name.label("name"), *(grouped.c[name] for name in FIGURE_NAMES))
        .outerjoin(grouped, grouped.c.key == owner.id)
        .where(scope(owner, user))
        .order_by(owner.name, owner.id)
    )


def figure_totals(month: Month, user: User) -> Figures:
    row = db.session.execute(
        select(*_figure_columns(month)).where(_touching(month), scope(ServiceRequest, user))
    ).one()
    return Figures.of("", row)


def overdue_count(user: User | None = None, now: datetime | None = None) -> int:
    return db.session.scalar(
        select(func.count(ServiceRequest.id)).where(
            scope(ServiceRequest, user), overdue_clause(now)
        )
    )
