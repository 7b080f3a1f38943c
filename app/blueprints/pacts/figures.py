"""The pacts area's figures on the manager's dashboard and the district overview: steward
coverage, pacts in force, campaigns under way, this month's inspections — over every unit the
reader may see, each in one query."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.authz import scope
from app.blueprints.pacts.inspections import services as inspections
from app.blueprints.pacts.stewards import services as stewards
from app.dashboards import Figure, Panel
from app.extensions import db
from app.models import (
    CampaignStatus,
    Role,
    SigningCampaign,
    UnitPact,
    User,
)


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
    communities = stewards.visible_communities(user)
    duty = stewards.coverage(communities)
    inspected, average = inspections.inspections_this_month(communities, period)
    return PactFigures(
        units=duty.units,
        with_steward=duty.with_steward,
        with_leader=duty.with_leader,
        with_both=duty.with_both,
        with_pact=db.session.scalar(
            select(func.count(func.distinct(UnitPact.unit_id))).where(scope(UnitPact, user))
        ),
        campaigns_open=db.session.scalar(
            select(func.count(SigningCampaign.id)).where(
                SigningCampaign.status == CampaignStatus.OPEN, scope(SigningCampaign, user)
            )
        ),
        inspections=inspected,
        average_score=average,
    )


def _figures(user: User) -> list[Figure]:
    f = pact_figures(user)
    inspections_list = url_for("pacts.inspections.inspections_index")
    return [
        Figure(
            f.with_both,
            _l("Units with a steward and a leader"),
            whole=f.units,
            href=url_for("pacts.stewards.index"),
        ),
        Figure(
            f.with_pact,
            _l("Units with an adopted pact"),
            whole=f.units,
            href=url_for("pacts.library.index"),
        ),
        Figure(
            f.campaigns_open,
            _l("Signing campaigns under way"),
            href=url_for("pacts.campaigns.campaign_list"),
        ),
        Figure(f.inspections, _l("Inspections this month"), href=inspections_list),
        Figure(f.average_score, _l("Average inspection score this month"), href=inspections_list),
    ]


PANELS = (
    Panel(_l("Corridor pacts and stewards"), (Role.ADMIN, Role.MANAGER, Role.STEWARD), _figures),
)
