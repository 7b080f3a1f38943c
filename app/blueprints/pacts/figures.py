"""The pacts area's figures on the manager's dashboard and the district overview: steward
coverage, pacts in force, campaigns under way, this month's inspections — over every unit the
reader may see, each in one query."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.authz import scope
from app.dashboards import Figure, Panel
from app.extensions import db
from app.models import (
    CampaignStatus,
    Inspection,
    Role,
    SigningCampaign,
    StewardAssignment,
    Unit,
    UnitPact,
    User,
)
from app.periods import current_period


@dataclass(frozen=True)
class PactFigures:
    units: int
    with_steward: int
    with_leader: int
    with_both: int
    with_pact: int
    campaigns_open: int
    inspections: int
    average_score: float | None


def pact_figures(user: User | None = None, period: int | None = None) -> PactFigures:
    on_duty = (
        select(
            StewardAssignment.unit_id,
            func.count().filter(StewardAssignment.kind == "steward").label("stewards"),
            func.count().filter(StewardAssignment.kind == "leader").label("leaders"),
        )
        .where(StewardAssignment.ends_on.is_(None), scope(StewardAssignment, user))
        .group_by(StewardAssignment.unit_id)
        .subquery()
    )
    duty = db.session.execute(
        select(
            func.count().filter(on_duty.c.stewards > 0),
            func.count().filter(on_duty.c.leaders > 0),
            func.count().filter((on_duty.c.stewards > 0) & (on_duty.c.leaders > 0)),
        )
    ).one()
    inspections = db.session.execute(
        select(func.count(), func.avg(Inspection.score)).where(
            Inspection.period == (period or current_period()), scope(Inspection, user)
        )
    ).one()
    return PactFigures(
        units=db.session.scalar(select(func.count(Unit.id)).where(scope(Unit, user))),
        with_steward=duty[0],
        with_leader=duty[1],
        with_both=duty[2],
        with_pact=db.session.scalar(
            select(func.count(func.distinct(UnitPact.unit_id))).where(scope(UnitPact, user))
        ),
        campaigns_open=db.session.scalar(
            select(func.count(SigningCampaign.id)).where(
                SigningCampaign.status == CampaignStatus.OPEN, scope(SigningCampaign, user)
            )
        ),
        inspections=inspections[0],
        average_score=None if inspections[1] is None else float(inspections[1]),
    )


def _figures(user: User) -> list[Figure]:
    f = pact_figures(user)
    return [
        Figure(f.with_both, _l("Units with a steward and a leader"), whole=f.units),
        Figure(f.with_pact, _l("Units with an adopted pact"), whole=f.units),
        Figure(f.campaigns_open, _l("Signing campaigns under way")),
        Figure(f.inspections, _l("Inspections this month")),
        Figure(f.average_score, _l("Average inspection score this month")),
    ]


PANELS = (
    Panel(_l("Corridor pacts and stewards"), (Role.ADMIN, Role.MANAGER, Role.STEWARD), _figures),
)
