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
from app.queue import queue
from bench.registry import Bench, Client, Skipped, case

RUNS = 20  # these are quick: enough runs for the 99th percentile to mean something
BOARD_PREFIX = "/pacts/b/"
PDF, PRINTING = "app.pdf", "app.blueprints.pacts.boards.printing"


@dataclass(frozen=True)
class PactsSample:
    community_id: int  # the city's largest community, by households
    campaign_id: int  # its community-wide campaign
    unit: tuple[int, int, int]  # one of its units: unit, building, community
    token: str  # that unit's board


_samples: dict[int, PactsSample] = {}
_anonymous: dict[int, FlaskClient] = {}


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
            campaign_id,
            (unit_id, building_id, community_id),
            token,
        )
    return _samples[id(bench)]


@case("pacts: public board page, one unit", runs=RUNS)
def public_board_page(bench: Bench) -> None:
    """What a passer-by's phone opens from the QR code: no session, the board by its token."""
    if not any(rule.rule.startswith(BOARD_PREFIX) for rule in bench.app.url_map.iter_rules()):
        raise Skipped(f"no {BOARD_PREFIX}<token> route in this build (the boards part)")
    if id(bench) not in _anonymous:
        bench.app.test_client_class = Client
        _anonymous[id(bench)] = bench.app.test_client()
    bench.get_ok(_anonymous[id(bench)], BOARD_PREFIX + sample(bench).token)


@case("pacts: board standing of one unit, as the public sees it", runs=RUNS)
def board_standing(bench: Bench) -> None:
    """The board's reads without the page around them: duty, pact, latest inspection, honours."""
    standings([sample(bench).unit], AnonymousUserMixin())


@case("pacts: campaign progress, largest community", runs=RUNS)
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


@case("pacts: monthly ranking, whole city, top 50", runs=RUNS)
def city_ranking(bench: Bench) -> None:
    ranked = unit_ranking(last_month(), true(), across=True).subquery()
    rows = db.session.execute(
        select(ranked).order_by(ranked.c.rank, ranked.c.unit_id).limit(50)
    ).all()
    assert len(rows) == 50, "fewer than 50 units were inspected last month"


@case("pacts: boards PDF, largest community", runs=3)
def community_pdf(bench: Bench) -> None:
    """The print shop's PDF, one A4 page per unit, made as the queue's task makes it (here in
    the bench's own process: the queue runs it at once)."""
    for module, part in ((PDF, "pdf"), (PRINTING, "boards")):
        if importlib.util.find_spec(module) is None:
            raise Skipped(f"no {module} in this build (the {part} part)")
    printing = importlib.import_module(PRINTING)
    community = db.session.get(Community, sample(bench).community_id)
    immediate, queue.immediate = queue.immediate, True
    try:
        printing.start(community, _count_units(community.id), "zh")
    finally:
        queue.immediate = immediate
    pdf = printing.ready_pdf(community.id)
    assert pdf and pdf.startswith(b"%PDF"), "the boards PDF was not made"


def _count_units(community_id: int) -> int:
    return db.session.scalar(select(func.count(Unit.id)).where(Unit.community_id == community_id))
