"""A campaign over a 400-unit community: its pages are counted in SQL, a handful of statements
each whatever the number of households, and answer quickly."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from sqlalchemy import event, insert, select, text

from app import sql
from app.extensions import db
from app.models import (
    Answer,
    AnswerChannel,
    Building,
    CampaignAnswer,
    CampaignScope,
    CampaignVote,
    Household,
    Role,
    Unit,
)
from app.periods import utcnow
from tests import factories

BUILDINGS, UNITS, HOUSEHOLDS = 40, 10, 12  # 400 units, 4,800 households
# Generous for a shared test machine; the bench measures the real figures.
SECONDS = 3.0
STATEMENTS = 40


@contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


@pytest.fixture
def large(database):
    """A community of 400 units, written set-based, with a campaign over all of it in which
    two households of three have answered."""
    company = factories.company()
    community = factories.community(company, name="大型小区")
    db.session.execute(
        insert(Building),
        [
            {"community_id": community.id, "number": str(b), "floors": 6, "sort_key": b}
            for b in range(1, BUILDINGS + 1)
        ],
    )
    buildings = db.session.scalars(
        select(Building.id).where(Building.community_id == community.id)
    ).all()
    db.session.execute(
        insert(Unit),
        [
            {"building_id": b, "community_id": community.id, "number": str(u)}
            for b in buildings
            for u in range(1, UNITS + 1)
        ],
    )
    units = db.session.scalars(select(Unit.id).where(Unit.community_id == community.id)).all()
    db.session.execute(
        insert(Household),
        [
            {
                "unit_id": u,
                "community_id": community.id,
                "room": f"{h // 2 + 1}0{h % 2 + 1}",
                "floor": h // 2 + 1,
                "area_m2": Decimal("70.00"),
                "owner_name": "业主",
                "created_at": utcnow(),
            }
            for u in units
            for h in range(HOUSEHOLDS)
        ],
    )
    db.session.commit()
    first = db.session.get(Unit, units[0])
    campaign = factories.campaign(factories.pact_version(first, community_wide=True))
    assert campaign.scope == CampaignScope.COMMUNITY
    assert campaign.household_count == BUILDINGS * UNITS * HOUSEHOLDS
    steward = factories.user(Role.STEWARD, company_id=company.id)
    homes = db.session.scalars(
        select(Household.id).where(Household.community_id == community.id).order_by(Household.id)
    ).all()
    answered = [h for n, h in enumerate(homes) if n % 3]
    now = utcnow()
    db.session.execute(
        insert(CampaignAnswer),
        [
            {
                "campaign_id": campaign.id,
                "community_id": community.id,
                "household_id": h,
                "answer": Answer.AGREE if n % 2 else Answer.ABSENT,
                "channel": AnswerChannel.DOOR,
                "round": 1,
                "answered_at": now,
                "recorded_by_user_id": steward.id,
                "created_at": now,
            }
            for n, h in enumerate(answered)
        ],
    )
    db.session.execute(
        insert(CampaignVote).from_select(
            ["campaign_id", "household_id", "community_id", "answer_id", "answer", "answered_at"],
            select(
                CampaignAnswer.campaign_id,
                CampaignAnswer.household_id,
                CampaignAnswer.community_id,
                CampaignAnswer.id,
                CampaignAnswer.answer,
                CampaignAnswer.answered_at,
            ),
        )
    )
    if sql.is_postgres():
        # Rows written in bulk a moment ago: PostgreSQL's planner needs the statistics that
        # autovacuum gathers in production, or it plans for empty tables.
        db.session.execute(text("ANALYZE"))
    db.session.commit()
    return {"campaign": campaign, "steward": steward, "company": company}


@pytest.mark.parametrize(
    "path",
    [
        "",
        "?building={building}",
        "/canvass",
        "/canvass?state=pending&page=20",
        "/visits?building={building}",
        "/visits",
    ],
)
def test_the_pages_of_a_400_unit_campaign_are_counted_in_sql(login_as, large, path):
    campaign = large["campaign"]
    manager = login_as(user=factories.user(Role.MANAGER, company_id=large["company"].id))
    building = db.session.scalar(
        select(Building.id).where(Building.community_id == campaign.community_id).limit(1)
    )
    url = f"/pacts/campaigns/{campaign.id}" + path.format(building=building)
    manager.get(url)  # templates compiled, caches warm
    with counted() as statements:
        started = time.perf_counter()
        response = manager.get(url)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert len(statements) <= STATEMENTS, f"{len(statements)} statements for {url}"
    assert elapsed < SECONDS, f"{url} took {elapsed:.2f}s"
    html = response.get_data(as_text=True)
    if path == "":
        assert "1,600" in html  # agreed: every other of the 3,200 who answered
