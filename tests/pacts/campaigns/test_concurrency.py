"""Signatures at the same moment, on PostgreSQL: real concurrent connections, one thread and one
session each, released together by a barrier. Support crossing the threshold adopts the pact
exactly once, with one set of units in force; answers for one household leave one vote, the
latest. SQLite lets one writer in at a time, so there is nothing to race."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.blueprints.pacts.campaigns import services
from app.extensions import db
from app.models import (
    Answer,
    AuditEntry,
    CampaignAnswer,
    CampaignStatus,
    CampaignVote,
    Role,
    SigningCampaign,
    UnitPact,
    User,
)
from app.places import company_of
from tests import factories
from tests.races import at_once

SIGNERS = 6


@pytest.fixture(autouse=True)
def postgres_only(app: Flask, database: None) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite lets one writer in at a time: the race needs PostgreSQL")


def community_campaign(households_per_unit: int, units: int, **fields) -> tuple:  # type: ignore[no-untyped-def]
    """An open campaign over a community of `units` units, with its households."""
    block = factories.building()
    entrances = [factories.unit(block) for _ in range(units)]
    homes = [factories.household(e) for e in entrances for _ in range(households_per_unit)]
    version = factories.pact_version(entrances[0], community_wide=True)
    campaign = factories.campaign(version, **fields)
    return campaign, homes, entrances


def signing(campaign_id: int, household_id: int, user_id: int) -> Callable[[], object]:
    def sign() -> int:
        campaign = db.session.get(SigningCampaign, campaign_id)
        return services.sign(db.session.get(User, user_id), campaign, household_id, Answer.AGREE).id

    return sign


def canvassing(
    campaign_id: int, household_id: int, user_id: int, answer: Answer
) -> Callable[[], object]:
    def record() -> int:
        campaign = db.session.get(SigningCampaign, campaign_id)
        return services.record_answer(
            db.session.get(User, user_id), campaign, household_id, answer
        ).id

    return record


@pytest.mark.parametrize("attempt", range(3))
def test_signatures_crossing_the_threshold_at_once_adopt_the_pact_once(app: Flask, attempt: int):
    # 12 households in 3 units, half needed: 5 agree already, 6 sign at once; the first of
    # them reaches 6 and adopts, the others find the campaign adopted.
    campaign, homes, entrances = community_campaign(
        4, 3, threshold_numerator=1, threshold_denominator=2
    )
    assert campaign.household_count == 12
    steward = factories.user(Role.STEWARD, company_id=company_of(campaign.community_id))
    for home in homes[:5]:
        services.record_answer(steward, campaign, home.id, Answer.AGREE)
    db.session.commit()
    signers = [(home.id, factories.resident(home).id) for home in homes[5 : 5 + SIGNERS]]

    results = at_once(app, [signing(campaign.id, home_id, user) for home_id, user in signers])

    signed = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, str)]
    assert len(signed) == 1, results
    assert len(refused) == SIGNERS - 1 and all("has been adopted" in r for r in refused)
    db.session.expire_all()
    adopted = db.session.get(SigningCampaign, campaign.id)
    assert adopted.status == CampaignStatus.ADOPTED and adopted.agreed_count == 6
    units = db.session.scalars(
        select(UnitPact.unit_id)
        .where(UnitPact.campaign_id == campaign.id)
        .order_by(UnitPact.unit_id)
    ).all()
    assert units == sorted(e.id for e in entrances)
    assert db.session.scalar(select(func.count(UnitPact.id))) == len(entrances)
    assert (
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.entity == "campaign", AuditEntry.action == "adopted"
            )
        )
        == 1
    )
    # Nothing of the refused signatures was written: the answers are the five and the winner.
    assert db.session.scalar(select(func.count(CampaignAnswer.id))) == 6
    assert db.session.scalar(select(func.count()).select_from(CampaignVote)) == 6


def test_answers_for_one_household_at_once_leave_one_vote_the_latest(app: Flask):
    campaign, homes, _entrances = community_campaign(3, 1)  # two thirds of 3: two needed
    home = homes[0]
    company_id = company_of(campaign.community_id)
    canvassers = [factories.user(Role.STEWARD, company_id=company_id).id for _ in range(SIGNERS)]
    answers = [Answer.AGREE, Answer.DISAGREE, Answer.ABSENT] * 2

    results = at_once(
        app,
        [
            canvassing(campaign.id, home.id, user, answer)
            for user, answer in zip(canvassers, answers, strict=True)
        ],
    )

    assert all(isinstance(r, int) for r in results), results
    db.session.expire_all()
    assert db.session.scalar(select(func.count(CampaignAnswer.id))) == SIGNERS
    votes = db.session.scalars(select(CampaignVote)).all()
    assert len(votes) == 1
    latest = db.session.scalar(
        select(CampaignAnswer)
        .order_by(CampaignAnswer.answered_at.desc(), CampaignAnswer.id.desc())
        .limit(1)
    )
    assert (votes[0].answer_id, votes[0].answer) == (latest.id, latest.answer)
    counted = db.session.get(SigningCampaign, campaign.id)
    assert counted.agreed_count == (1 if latest.answer == Answer.AGREE else 0)
    assert counted.status == CampaignStatus.OPEN
