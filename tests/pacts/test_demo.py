"""The pacts area's demo data: loaded once, every campaign state, counts that agree with the
answers, adoptions that cover their scope, leaders missing on purpose, honest inspections; and
the same at city scale."""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.blueprints.auth.services import create_user
from app.blueprints.pacts.standing import honours, last_month
from app.demo import DEMO_PASSWORD, city
from app.demo import pacts as pacts_demo
from app.demo.base import household_at, load_demo
from app.demo.city_pacts import build_city_pacts
from app.demo.roster import load_demo as load_roster
from app.extensions import db
from app.models import (
    INSPECTION_ITEMS,
    CampaignAnswer,
    CampaignScope,
    CampaignStatus,
    CampaignVote,
    Community,
    Company,
    Household,
    Inspection,
    Pact,
    PactVersion,
    Role,
    SigningCampaign,
    Staff,
    StaffPosition,
    StewardAssignment,
    StewardBoard,
    StewardKind,
    Unit,
    UnitPact,
    User,
)
from app.periods import add_months, current_period, shanghai_today

TABLES = (
    StewardBoard,
    StewardAssignment,
    Pact,
    PactVersion,
    SigningCampaign,
    CampaignAnswer,
    CampaignVote,
    UnitPact,
    Inspection,
    Staff,
    User,
)


def _count(model: type, *where) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def communities(database) -> dict[str, Community]:
    """The base demo and the roster's steward account, a manager account for the companies the
    payments demo would give a cashier, then the pacts demo."""
    load_demo()
    found = {c.name: c for c in db.session.scalars(select(Community))}
    load_roster(found, random.Random(1))
    for company in db.session.scalars(select(Company)):
        if not _count(User, User.company_id == company.id, User.role == Role.MANAGER):
            create_user(
                f"desk-{company.code.lower()}", DEMO_PASSWORD, Role.MANAGER, "前台", company.id
            )
    pacts_demo.load_demo(found, random.Random(7))
    db.session.commit()
    return found


def test_the_demo_loads_once_and_has_its_accounts(communities):
    first = {model.__tablename__: _count(model) for model in TABLES}
    pacts_demo.load_demo(communities, random.Random(8))
    db.session.commit()
    assert {model.__tablename__: _count(model) for model in TABLES} == first
    assert first["steward_board"] == _count(Unit)
    assert first["inspection"] > 12 * _count(Unit)

    gridworker = db.session.scalar(select(User).where(User.username == "gridworker"))
    assert gridworker.role is Role.STEWARD and gridworker.display_name.startswith("网格员 · 王")
    member = db.session.scalar(select(Staff).where(Staff.user_id == gridworker.id))
    assert member.position is StaffPosition.GRID_WORKER
    assert member.company.name == "新守正物业"
    assert gridworker.check_password(DEMO_PASSWORD)


def test_every_unit_has_a_steward_and_most_a_leader(communities):
    units = _count(Unit)
    current = StewardAssignment.ends_on.is_(None)
    stewards = StewardAssignment.kind == StewardKind.STEWARD
    leaders = StewardAssignment.kind == StewardKind.LEADER
    assert _count(StewardAssignment, current, stewards) == units
    # Some stewards were replaced, and the history stays.
    assert _count(StewardAssignment, ~current, stewards) > 0
    with_leader = _count(StewardAssignment, current, leaders)
    assert units * 0.8 < with_leader < units
    for name in ("兴隆苑", "弹新街社区"):
        community = communities[name]
        without = _count(Unit, Unit.community_id == community.id) - _count(
            StewardAssignment, current, leaders, StewardAssignment.community_id == community.id
        )
        assert without >= 1  # left without a leader on purpose
    # A leader lives in the unit, and their name and phone are their household's.
    for row, home in db.session.execute(
        select(StewardAssignment, Household)
        .join(Household, Household.id == StewardAssignment.household_id)
        .where(leaders)
    ):
        assert (row.unit_id, row.name, row.phone) == (home.unit_id, home.owner_name, home.phone)
    for row, member in db.session.execute(
        select(StewardAssignment, Staff).join(Staff, Staff.id == StewardAssignment.staff_id)
    ):
        assert member.position is StaffPosition.STEWARD and row.phone == member.phone
        assert row.phone.isdigit() and len(row.phone) == 11 and row.phone.startswith("1")

    resident = db.session.scalar(select(User).where(User.username == "resident"))
    home = household_at(communities["兴隆苑"], "1", "1", "101")
    (leads,) = db.session.scalars(
        select(StewardAssignment).where(StewardAssignment.user_id == resident.id)
    )
    assert (leads.household_id, leads.unit_id, leads.ends_on) == (home.id, home.unit_id, None)
    steward = db.session.scalar(select(User).where(User.username == "steward"))
    assert _count(StewardAssignment, current, StewardAssignment.user_id == steward.id) >= 2


def test_campaigns_in_every_state_agree_with_their_answers(communities):
    campaigns = list(db.session.scalars(select(SigningCampaign)))
    assert {c.status for c in campaigns} == set(CampaignStatus)
    assert {c.current_round for c in campaigns if c.status is CampaignStatus.OPEN} >= {1, 2}
    assert {c.scope for c in campaigns} >= {CampaignScope.COMMUNITY, CampaignScope.UNIT}
    for campaign in campaigns:
        votes = dict(
            db.session.execute(
                select(CampaignVote.household_id, CampaignVote.answer).where(
                    CampaignVote.campaign_id == campaign.id
                )
            ).all()
        )
        answers = list(
            db.session.scalars(
                select(CampaignAnswer)
                .where(CampaignAnswer.campaign_id == campaign.id)
                .order_by(CampaignAnswer.answered_at, CampaignAnswer.id)
            )
        )
        latest = {a.household_id: a.answer for a in answers}
        assert votes == latest  # one voice per household: its latest answer
        assert campaign.agreed_count == sum(a == "agree" for a in votes.values())
        if campaign.status is CampaignStatus.DRAFT:
            assert not answers and campaign.household_count is None
            continue
        in_scope = Household.community_id == campaign.community_id
        if campaign.scope is CampaignScope.UNIT:
            in_scope = Household.unit_id == campaign.unit_id
        assert campaign.household_count == _count(Household, in_scope)
        assert {a.round for a in answers} == set(range(1, campaign.current_round + 1))
        needed = math.ceil(
            campaign.threshold_numerator * campaign.household_count / campaign.threshold_denominator
        )
        adopted = campaign.status is CampaignStatus.ADOPTED
        assert (campaign.agreed_count >= needed) == adopted
        if adopted:
            # Adopted by the answer that reached the threshold, and nothing after it.
            assert answers[-1].answered_at == campaign.adopted_at
            assert campaign.agreed_count == needed
        for answer in answers:
            assert campaign.opened_at <= answer.answered_at
            assert (answer.channel == "online") == (answer.asked_by is None)

    # Adoptions cover their campaign's scope, and only adopted campaigns have any.
    adopted = db.session.scalars(
        select(SigningCampaign).where(SigningCampaign.status == CampaignStatus.ADOPTED)
    ).all()
    assert len(adopted) >= 2
    for campaign in adopted:
        rows = db.session.scalars(select(UnitPact).where(UnitPact.campaign_id == campaign.id))
        covered = {(r.unit_id, r.version_id, r.adopted_at) for r in rows}
        units = select(Unit.id).where(Unit.community_id == campaign.community_id)
        if campaign.scope is CampaignScope.UNIT:
            units = units.where(Unit.id == campaign.unit_id)
        assert covered == {
            (unit_id, campaign.version_id, campaign.adopted_at)
            for unit_id in db.session.scalars(units)
        }
    assert _count(UnitPact) == _count(
        UnitPact,
        UnitPact.campaign_id.in_(
            select(SigningCampaign.id).where(SigningCampaign.status == CampaignStatus.ADOPTED)
        ),
    )


def test_a_year_of_inspections_ranks_the_units(communities):
    today = shanghai_today()
    inspections = list(db.session.scalars(select(Inspection)))
    units = {u.id: u for u in db.session.scalars(select(Unit))}
    for row in inspections:
        items = [getattr(row, item) for item in INSPECTION_ITEMS]
        assert row.score == round(sum(items) * 100 / 30)
        assert row.period == row.inspected_on.year * 100 + row.inspected_on.month
        assert row.building_id == units[row.unit_id].building_id
        assert today - timedelta(days=365) < row.inspected_on <= today
    periods = {row.period for row in inspections}
    assert len(periods) >= 12 and max(periods) <= current_period()
    # Roughly one or two a unit a month.
    per_unit_month = len(inspections) / len(units) / 12
    assert 1.0 < per_unit_month < 1.7
    inspectors = {row.inspector_user_id for row in inspections}
    for username in ("steward", "resident", "manager"):
        assert db.session.scalar(select(User.id).where(User.username == username)) in inspectors

    community = communities["兴隆苑"]
    by_unit, by_building = honours([community.id], spans=[last_month()])
    assert len(by_unit) >= 3 and len(by_building) >= 1
    # Better-kept units stay better kept: last month's best beat the year's worst on average.
    year = dict(
        db.session.execute(
            select(Inspection.unit_id, func.avg(Inspection.score))
            .where(
                Inspection.community_id == community.id,
                Inspection.period < add_months(current_period(), -1),
            )
            .group_by(Inspection.unit_id)
        ).all()
    )
    best = [year[unit_id] for unit_id in by_unit]
    assert min(best) > sorted(year.values())[len(year) // 2]


def test_the_city_gains_boards_pacts_and_inspections_once(database):
    city.build_city(communities=12, months=3)
    assert build_city_pacts()
    first = {model.__tablename__: _count(model) for model in TABLES}
    assert build_city_pacts() == {}  # built once
    assert {model.__tablename__: _count(model) for model in TABLES} == first

    units = _count(Unit)
    current = StewardAssignment.ends_on.is_(None)
    assert first["steward_board"] == units
    assert (
        _count(StewardAssignment, current, StewardAssignment.kind == StewardKind.STEWARD) == units
    )
    assert _count(StewardAssignment, ~current) > 0  # some buildings changed steward
    leaders = _count(StewardAssignment, StewardAssignment.kind == StewardKind.LEADER)
    assert units * 0.7 < leaders < units
    assert len(set(db.session.scalars(select(StewardBoard.token)))) == units

    campaigns = list(db.session.scalars(select(SigningCampaign)))
    assert len(campaigns) == _count(Community) == _count(Pact)
    for campaign in campaigns:
        agreed = _count(
            CampaignVote, CampaignVote.campaign_id == campaign.id, CampaignVote.answer == "agree"
        )
        assert campaign.agreed_count == agreed
        assert campaign.household_count == _count(
            Household, Household.community_id == campaign.community_id
        )
        reached = 3 * agreed >= 2 * campaign.household_count
        assert (campaign.status is CampaignStatus.ADOPTED) == reached
        in_force = _count(UnitPact, UnitPact.campaign_id == campaign.id)
        assert in_force == (
            _count(Unit, Unit.community_id == campaign.community_id) if reached else 0
        )
    statuses = {c.status for c in campaigns}
    assert CampaignStatus.ADOPTED in statuses
    assert statuses <= {CampaignStatus.ADOPTED, CampaignStatus.OPEN}
    # One vote per household that answered, the latest of its answers.
    assert _count(CampaignVote) == db.session.scalar(
        select(func.count(func.distinct(CampaignAnswer.household_id)))
    )

    inspections = list(db.session.scalars(select(Inspection)))
    for row in inspections:
        items = [getattr(row, item) for item in INSPECTION_ITEMS]
        assert row.score == round(sum(items) * 100 / 30)
        assert row.period == row.inspected_on.year * 100 + row.inspected_on.month
    assert 1.0 < len(inspections) / units / 12 < 1.7
    assert len({row.score for row in inspections}) > 10
