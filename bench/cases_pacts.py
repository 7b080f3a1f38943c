"""Cases of the pacts area: a unit's public board (the page from its QR code, opened without
signing in, and the standing it reads), the progress of the largest community's campaign, the
city-wide ranking of last month, and the PDF of every board of the largest community.

They run over `app.demo.city_pacts`' data. The board page and the PDF belong to parts built
alongside this one: in a build without them, those two cases are skipped with the reason.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from flask.testing import FlaskClient
from flask_login import AnonymousUserMixin
from sqlalchemy import and_, func, select, true

from app.blueprints.pacts.standing import last_month, standings, unit_ranking
from app.demo.city import COMPANY_CODE
from app.extensions import db
from app.models import (
    CampaignScope,
    CampaignVote,
    Community,
    Company,
    Household,
    SigningCampaign,
    StewardBoard,
    Unit,
)
from bench.registry import Bench, Skipped, case

RUNS = 20  # these are quick: enough runs for the 99th percentile to mean something
BOARD_PREFIX = "/pacts/b/"


@dataclass(frozen=True)
class PactsSample:
    community_id: int  # the city's largest community, by households
    manager_username: str  # the clerk of its company
    campaign_id: int  # its community-wide campaign
    unit: tuple[int, int, int]  # one of its units: unit, building, community
    token: str  # that unit's board


_samples: dict[int, PactsSample] = {}
_anonymous: dict[int, FlaskClient] = {}
_clerks: dict[int, FlaskClient] = {}


def sample(bench: Bench) -> PactsSample:
    """Found once per bench (outside the timed part of the first run that asks)."""
    if id(bench) not in _samples:
        city = Community.company_id.in_(
            select(Company.id).where(Company.code.like(COMPANY_CODE[:2] + "%"))
        )
        community_id = db.session.scalar(
            select(Household.community_id)
            .where(Household.community_id.in_(select(Community.id).where(city)))
            .group_by(Household.community_id)
            .order_by(func.count().desc(), Household.community_id)
            .limit(1)
        )
        code = db.session.scalar(
            select(Company.code)
            .join(Community, Community.company_id == Company.id)
            .where(Community.id == community_id)
        )
        campaign_id = db.session.scalar(
            select(SigningCampaign.id).where(
                SigningCampaign.community_id == community_id,
                SigningCampaign.scope == CampaignScope.COMMUNITY,
            )
        )
        unit_id, building_id, token = db.session.execute(
            select(Unit.id, Unit.building_id, StewardBoard.token)
            .join(StewardBoard, StewardBoard.unit_id == Unit.id)
            .where(Unit.community_id == community_id)
            .order_by(Unit.id)
            .limit(1)
        ).one()
        _samples[id(bench)] = PactsSample(
            community_id,
            f"city-{code.lower()}",
            campaign_id,
            (unit_id, building_id, community_id),
            token,
        )
    return _samples[id(bench)]


@case("public board page, one unit", runs=RUNS)
def public_board_page(bench: Bench) -> None:
    """What a passer-by's phone opens from the QR code: no session, the board by its token."""
    if not any(rule.rule.startswith(BOARD_PREFIX) for rule in bench.app.url_map.iter_rules()):
        raise Skipped(f"no {BOARD_PREFIX}<token> route in this build (the boards part)")
    if id(bench) not in _anonymous:
        _anonymous[id(bench)] = bench.app.test_client()
    bench.get_ok(_anonymous[id(bench)], BOARD_PREFIX + sample(bench).token)


@case("board standing of one unit, as the public sees it", runs=RUNS)
def board_standing(bench: Bench) -> None:
    """The board's reads without the page around them: duty, pact, latest inspection, honours."""
    standings([sample(bench).unit], AnonymousUserMixin())


@case("campaign progress, largest community", runs=RUNS)
def campaign_progress(bench: Bench) -> None:
    """Agreed, disagreed, not at home and not yet asked (no vote) per unit of the community."""
    s = sample(bench)
    voted = and_(
        CampaignVote.campaign_id == s.campaign_id, CampaignVote.household_id == Household.id
    )
    rows = db.session.execute(
        select(Household.unit_id, CampaignVote.answer, func.count())
        .outerjoin(CampaignVote, voted)
        .where(Household.community_id == s.community_id)
        .group_by(Household.unit_id, CampaignVote.answer)
    ).all()
    assert rows, "the largest community has no households"


@case("monthly ranking, whole city, top 50", runs=RUNS)
def city_ranking(bench: Bench) -> None:
    ranked = unit_ranking(last_month(), true(), across=True).subquery()
    rows = db.session.execute(
        select(ranked).order_by(ranked.c.rank, ranked.c.unit_id).limit(50)
    ).all()
    assert len(rows) == 50, "fewer than 50 units were inspected last month"


@case("boards PDF, largest community", runs=3)
def community_pdf(bench: Bench) -> None:
    """The print shop's PDF, one A4 page per unit, as the company's clerk downloads it."""
    if importlib.util.find_spec("app.pdf") is None:
        raise Skipped("no app/pdf.py in this build (the pdf part)")
    endpoints = [
        rule.endpoint
        for rule in bench.app.url_map.iter_rules()
        if rule.endpoint.startswith("pacts.")
        and "pdf" in rule.rule
        and rule.arguments == {"community_id"}
    ]
    if not endpoints:
        raise Skipped("no community PDF route under /pacts in this build (the boards part)")
    s = sample(bench)
    if id(bench) not in _clerks:
        _clerks[id(bench)] = bench.sign_in(s.manager_username)
    path = bench.app.url_map.bind("localhost").build(endpoints[0], {"community_id": s.community_id})
    response = bench.get_ok(_clerks[id(bench)], path)
    assert response.data.startswith(b"%PDF"), f"{path} did not answer a PDF"
