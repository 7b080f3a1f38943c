"""Answers: a resident signing on their phone, a canvasser recording an answer at the door, and
the adoption that the answer reaching the threshold brings.

One household, one voice. Every answer is appended to CampaignAnswer (the history, with who
recorded it); CampaignVote holds the one that counts: the household's latest by the time it
was given (then by id), whoever recorded it. An answer noted on paper last week and typed in
today does not override the signature the resident gave yesterday.

An answer locks the campaign's row before it reads the status, so that the answers to one
campaign take turns: the one that brings the agreeing households to the threshold finds the
campaign open and adopts it; every answer after it finds it adopted and is refused. Adopting
puts the pact in force on every unit in scope with one INSERT … SELECT.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, literal, select

from app import sql
from app.authz import scope
from app.blueprints.pacts.campaigns.services.scope import Threshold, households_in, units_in
from app.blueprints.pacts.campaigns.services.steps import (
    WORKFLOW,
    CampaignError,
    allow,
    locked,
    may,
    too_long,
)
from app.extensions import db
from app.models import (
    Answer,
    AnswerChannel,
    CampaignAnswer,
    CampaignStatus,
    CampaignVote,
    Household,
    SigningCampaign,
    Unit,
    UnitPact,
    User,
)
from app.periods import utcnow

# Online a resident agrees or disagrees; "not at home" is what a canvasser finds at the door.
RESIDENT_ANSWERS = (Answer.AGREE, Answer.DISAGREE)
ASKED_BY_LENGTH = 60
REMARK_LENGTH = 200


def refusal(campaign: SigningCampaign) -> object | None:
    """Why the campaign takes no answer now, or None while it is open."""
    if campaign.status == CampaignStatus.DRAFT:
        return _l("This campaign has not opened yet: it takes no answers.")
    if campaign.status == CampaignStatus.ADOPTED:
        return _l("The pact has been adopted: this campaign takes no more answers.")
    if campaign.status == CampaignStatus.CLOSED:
        return _l("This campaign has been closed: it takes no more answers.")
    return None


def _takes_answers(campaign: SigningCampaign) -> None:
    reason = refusal(campaign)
    if reason is not None:
        raise CampaignError(reason)


def _household(
    actor: User, campaign: SigningCampaign, household_id: int, not_yours: object
) -> None:
    """The household is one the actor may answer for, and one the campaign asks."""
    if (
        db.session.scalar(
            select(Household.id).where(Household.id == household_id, scope(Household, actor))
        )
        is None
    ):
        raise CampaignError(not_yours, "household_id")
    asked = db.session.scalar(
        select(Household.id)
        .join(Unit, Unit.id == Household.unit_id)
        .where(Household.id == household_id, households_in(campaign))
    )
    if asked is None:
        raise CampaignError(_l("This campaign does not ask this household."), "household_id")


def sign(
    resident: User,
    campaign: SigningCampaign,
    household_id: int,
    answer: Answer,
    now: datetime | None = None,
) -> CampaignAnswer:
    """A resident's own answer for their household, online, in the current round; they may
    change it while the campaign is open."""
    allow(may(resident, campaign, "sign"))
    if answer not in RESIDENT_ANSWERS:
        raise CampaignError(_l("Choose agree or disagree."), "answer")
    locked(campaign)
    _takes_answers(campaign)
    _household(resident, campaign, household_id, _l("You may answer only for your own household."))
    now = now or utcnow()
    return _record(
        campaign,
        CampaignAnswer(
            household_id=household_id,
            answer=answer,
            channel=AnswerChannel.ONLINE,
            round=campaign.current_round,
            answered_at=now,
            recorded_by_user_id=resident.id,
        ),
        now,
    )


def record_answer(
    canvasser: User,
    campaign: SigningCampaign,
    household_id: int,
    answer: Answer,
    *,
    round: int | None = None,
    asked_by: str | None = None,
    answered_at: datetime | None = None,
    remark: str | None = None,
    now: datetime | None = None,
) -> CampaignAnswer:
    """An answer given at the door, recorded by company staff: in any round up to the current
    one (a sheet from round 1 typed in during round 2), at a time since the campaign opened and
    not in the future; `asked_by` is who knocked, the canvasser unless told."""
    allow(may(canvasser, campaign, "canvass"))
    now = now or utcnow()
    locked(campaign)
    _takes_answers(campaign)
    _household(
        canvasser, campaign, household_id, _l("This household is not one of your company's.")
    )
    round = campaign.current_round if round is None else round
    if not 1 <= round <= campaign.current_round:
        raise CampaignError(
            _l(
                "Choose a round from 1 to %(n)s, the campaign's current round.",
                n=campaign.current_round,
            ),
            "round",
        )
    answered_at = answered_at or now
    if answered_at > now:
        raise CampaignError(_l("The answer cannot have been given in the future."), "answered_at")
    # The form gives minutes: an answer in the minute the campaign opened is in time.
    if answered_at < campaign.opened_at.replace(second=0, microsecond=0):
        raise CampaignError(
            _l(
                "The campaign opened at %(at)s: the answer cannot be earlier.",
                at=format_datetime(campaign.opened_at, "yyyy-MM-dd HH:mm"),
            ),
            "answered_at",
        )
    asked_by = " ".join((asked_by or "").split()) or canvasser.display_name
    if len(asked_by) > ASKED_BY_LENGTH:
        raise CampaignError(too_long(ASKED_BY_LENGTH), "asked_by")
    remark = (remark or "").strip() or None
    if remark is not None and len(remark) > REMARK_LENGTH:
        raise CampaignError(too_long(REMARK_LENGTH), "remark")
    return _record(
        campaign,
        CampaignAnswer(
            household_id=household_id,
            answer=answer,
            channel=AnswerChannel.DOOR,
            round=round,
            asked_by=asked_by,
            answered_at=answered_at,
            remark=remark,
            recorded_by_user_id=canvasser.id,
        ),
        now,
    )


def _record(campaign: SigningCampaign, entry: CampaignAnswer, now: datetime) -> CampaignAnswer:
    """Append the answer, let it count if it is the household's latest, recount, and adopt the
    pact if support has reached the threshold. The caller holds the campaign's lock."""
    entry.campaign_id = campaign.id
    entry.community_id = campaign.community_id
    entry.created_at = now
    db.session.add(entry)
    db.session.flush()
    _count(entry)
    agreed = db.session.scalar(
        select(func.count()).where(
            CampaignVote.campaign_id == campaign.id, CampaignVote.answer == Answer.AGREE
        )
    )
    if Threshold.of(campaign).reached(agreed, campaign.household_count or 0):
        WORKFLOW.move(
            campaign, CampaignStatus.ADOPTED, "adopted", {"adopted_at": now, "agreed_count": agreed}
        )
        _adopt(campaign)
    else:
        campaign.agreed_count = agreed
    return entry


def _count(entry: CampaignAnswer) -> None:
    """The household's vote becomes this answer unless it holds a later one. An upsert, so that
    the primary key, not only the lock, keeps one vote per household."""
    statement = sql.insert(CampaignVote).values(
        campaign_id=entry.campaign_id,
        household_id=entry.household_id,
        community_id=entry.community_id,
        answer_id=entry.id,
        answer=entry.answer,
        answered_at=entry.answered_at,
    )
    new = statement.excluded
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["campaign_id", "household_id"],
            set_={"answer_id": new.answer_id, "answer": new.answer, "answered_at": new.answered_at},
            # The later answer counts; of two given at the same moment, the one recorded last.
            where=new.answered_at >= CampaignVote.answered_at,
        )
    )


def _adopt(campaign: SigningCampaign) -> None:
    """The pact version is in force on every unit in scope, from the moment of adoption."""
    units = select(
        Unit.id,
        Unit.community_id,
        literal(campaign.version_id),
        literal(campaign.id),
        literal(campaign.adopted_at, UnitPact.adopted_at.type),
    ).where(units_in(campaign))
    db.session.execute(
        insert(UnitPact).from_select(
            ["unit_id", "community_id", "version_id", "campaign_id", "adopted_at"], units
        )
    )
