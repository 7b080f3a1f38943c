"""What the campaign pages read: the list of campaigns, the canvass list, progress by unit and
building, the households still to visit, a household's answers, and the state other parts
show (the resident's view, the steward's day). Every count is SQL's: GROUP BY over the
households in scope joined to their votes, never a loop over households."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from app.authz import scope, visible
from app.blueprints.pacts.campaigns.services.scope import (
    Threshold,
    covers_unit,
    households_in,
    units_in,
)
from app.extensions import db
from app.listing import starts_with
from app.models import (
    Answer,
    AnswerChannel,
    AuditEntry,
    Building,
    CampaignAnswer,
    CampaignStatus,
    CampaignVote,
    Community,
    Household,
    Pact,
    PactVersion,
    SigningCampaign,
    Unit,
    User,
)

ADDRESS_ORDER = (Building.sort_key, Building.number, Unit.number, Household.floor, Household.room)


# --- the list of campaigns ------------------------------------------------------------------


def campaign_rows(
    status: CampaignStatus | None = None,
    community_id: int | None = None,
    user: User | None = None,
) -> Select:
    """Visible campaigns, newest first, each with its community, its pact version's number
    and the building and unit it covers (when it covers one)."""
    c = SigningCampaign
    query = (
        select(
            c,
            Community.name.label("community_name"),
            PactVersion.number.label("version_number"),
            Building.number.label("building_number"),
            Unit.number.label("unit_number"),
        )
        .join(Community, Community.id == c.community_id)
        .join(PactVersion, PactVersion.id == c.version_id)
        .outerjoin(Unit, Unit.id == c.unit_id)
        .outerjoin(Building, Building.id == func.coalesce(c.building_id, Unit.building_id))
        .where(scope(c, user))
        .order_by(c.created_at.desc(), c.id.desc())
    )
    if status is not None:
        query = query.where(c.status == status)
    if community_id is not None:
        query = query.where(c.community_id == community_id)
    return query


def campaign_row(campaign: SigningCampaign, user: User | None = None) -> Any:
    return db.session.execute(
        campaign_rows(user=user).where(SigningCampaign.id == campaign.id)
    ).one()


def campaign_history(campaign: SigningCampaign, user: User | None = None) -> list[Any]:
    """Who took which step, oldest first."""
    return list(
        db.session.execute(
            visible(AuditEntry, user)
            .add_columns(User.display_name.label("actor"))
            .outerjoin(User, User.id == AuditEntry.actor_user_id)
            .where(AuditEntry.entity == "campaign", AuditEntry.entity_id == campaign.id)
            .order_by(AuditEntry.created_at, AuditEntry.id)
        )
    )


# --- progress -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """Where support stands among some households: the campaign's, a building's or a unit's.
    `base` is what the threshold is a share of: the households counted when the campaign
    opened (for the whole campaign), or those there now (for a part of it)."""

    households: int
    agreed: int
    disagreed: int
    absent: int
    threshold: Threshold
    base: int

    @classmethod
    def of(cls, row: Any, threshold: Threshold, base: int | None = None) -> Progress:
        return cls(
            row.households,
            row.agreed,
            row.disagreed,
            row.absent,
            threshold,
            row.households if base is None else base,
        )

    @property
    def unasked(self) -> int:
        return max(self.households - self.agreed - self.disagreed - self.absent, 0)

    @property
    def needed(self) -> int:
        return self.threshold.needed(self.base)

    @property
    def missing(self) -> int:
        """Agreeing households still needed to reach the threshold."""
        return max(self.needed - self.agreed, 0)

    @property
    def reached(self) -> bool:
        return self.base > 0 and self.threshold.reached(self.agreed, self.base)

    @property
    def scale(self) -> int:
        """What a bar runs up to: every household, and at least the base."""
        return max(self.households, self.base, 1)

    def share(self, count: int) -> float:
        """`count` as a percentage of the bar."""
        return round(count * 100 / self.scale, 2)


def _counted() -> list[Any]:
    """The households counted by their current answer, as columns of a select over votes."""
    vote = CampaignVote
    return [
        func.count(vote.household_id).filter(vote.answer == answer).label(name)
        for name, answer in (
            ("agreed", Answer.AGREE),
            ("disagreed", Answer.DISAGREE),
            ("absent", Answer.ABSENT),
        )
    ]


def _tally(campaign: SigningCampaign, *group: Any) -> Select:
    """The households in scope and their current answers, counted (by `group`)."""
    vote = CampaignVote
    query = (
        select(*group, func.count(Household.id).label("households"), *_counted())
        .select_from(Household)
        .join(Unit, Unit.id == Household.unit_id)
        .outerjoin(vote, (vote.campaign_id == campaign.id) & (vote.household_id == Household.id))
        .where(households_in(campaign))
    )
    return query.group_by(*group) if group else query


def progress(campaign: SigningCampaign) -> Progress:
    """The campaign's progress as a whole (the caller has read the campaign through
    `visible`). The threshold is a share of the households counted at opening."""
    row = db.session.execute(_tally(campaign)).one()
    return Progress.of(row, Threshold.of(campaign), campaign.household_count)


def tallies(campaigns: Iterable[SigningCampaign]) -> dict[int, Progress]:
    """The progress of each opened campaign of a list, from one query over their votes. The
    households are those counted at opening, which a list is content with."""
    opened = {c.id: c for c in campaigns if c.household_count}
    if not opened:
        return {}
    rows = db.session.execute(
        select(CampaignVote.campaign_id, *_counted())
        .where(CampaignVote.campaign_id.in_(opened))
        .group_by(CampaignVote.campaign_id)
    )
    counts = {row.campaign_id: row for row in rows}
    result = {}
    for campaign_id, campaign in opened.items():
        row = counts.get(campaign_id)
        result[campaign_id] = Progress(
            campaign.household_count,
            row.agreed if row else 0,
            row.disagreed if row else 0,
            row.absent if row else 0,
            Threshold.of(campaign),
            campaign.household_count,
        )
    return result


def progress_by_unit(campaign: SigningCampaign, building_id: int | None = None) -> Select:
    """One row per unit in scope (in the building, if given): its numbers and counts."""
    query = _tally(
        campaign,
        Unit.id.label("unit_id"),
        Unit.number.label("unit_number"),
        Building.id.label("building_id"),
        Building.number.label("building_number"),
        Building.sort_key,
    ).join(Building, Building.id == Unit.building_id)
    if building_id is not None:
        query = query.where(Unit.building_id == building_id)
    return query.order_by(Building.sort_key, Building.number, Unit.number)


def progress_by_building(campaign: SigningCampaign) -> list[Any]:
    """One row per building in scope, in the buildings' order."""
    query = _tally(
        campaign,
        Building.id.label("building_id"),
        Building.number.label("building_number"),
        Building.sort_key,
    ).join(Building, Building.id == Unit.building_id)
    return list(db.session.execute(query.order_by(Building.sort_key, Building.number)))


# --- households: the canvass list, the visits still to make, one household's answers --------


class State(enum.StrEnum):
    """A household's standing in a campaign, as the canvass list filters it."""

    PENDING = "pending"  # anything but agree: still to visit
    AGREE = "agree"
    DISAGREE = "disagree"
    ABSENT = "absent"
    UNASKED = "unasked"


@dataclass(frozen=True)
class CanvassFilters:
    building_id: int | None = None
    unit_id: int | None = None
    state: State | None = None
    q: str = ""


def _state_clause(state: State) -> ColumnElement[bool]:
    answer = CampaignVote.answer
    if state == State.PENDING:
        return answer.is_(None) | (answer != Answer.AGREE)
    if state == State.UNASKED:
        return answer.is_(None)
    return answer == Answer(state.value)


def _households(campaign: SigningCampaign, user: User | None) -> Select:
    """The households in scope that `user` may see, with their address, their vote and the
    answer it is (outer: a household never asked has neither)."""
    return (
        select(
            Household.id.label("household_id"),
            Household.room,
            Household.floor,
            Household.owner_name,
            Unit.id.label("unit_id"),
            Unit.number.label("unit_number"),
            Building.id.label("building_id"),
            Building.number.label("building_number"),
            CampaignVote.answer,
            CampaignVote.answered_at,
            CampaignAnswer.round,
            CampaignAnswer.channel,
            CampaignAnswer.asked_by,
            CampaignAnswer.remark,
        )
        .select_from(Household)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .outerjoin(
            CampaignVote,
            (CampaignVote.campaign_id == campaign.id) & (CampaignVote.household_id == Household.id),
        )
        .outerjoin(CampaignAnswer, CampaignAnswer.id == CampaignVote.answer_id)
        .where(households_in(campaign), scope(Household, user))
        .order_by(*ADDRESS_ORDER)
    )


def canvass_rows(
    campaign: SigningCampaign, filters: CanvassFilters, user: User | None = None
) -> Select:
    """The households a canvasser works through, in address order, filtered."""
    query = _households(campaign, user)
    if filters.building_id is not None:
        query = query.where(Unit.building_id == filters.building_id)
    if filters.unit_id is not None:
        query = query.where(Household.unit_id == filters.unit_id)
    if filters.state is not None:
        query = query.where(_state_clause(filters.state))
    if filters.q:
        query = query.where(starts_with(Household.room, filters.q))
    return query


def canvass_row(campaign: SigningCampaign, household_id: int, user: User | None = None) -> Any:
    """One household of the canvass list, or None outside the campaign or the user's sight."""
    return db.session.execute(
        _households(campaign, user).where(Household.id == household_id)
    ).one_or_none()


def visits(
    campaign: SigningCampaign,
    building_id: int | None = None,
    unit_id: int | None = None,
    user: User | None = None,
) -> list[Any]:
    """The households still to visit, those whose answer is not agree, by building and unit:
    the sheet canvassers take to the doors."""
    filters = CanvassFilters(building_id=building_id, unit_id=unit_id, state=State.PENDING)
    return list(db.session.execute(canvass_rows(campaign, filters, user)))


def answer_history(
    campaign: SigningCampaign, household_id: int, user: User | None = None
) -> list[Any]:
    """Every answer of the household in the campaign, latest first, with who recorded it."""
    return list(
        db.session.execute(
            visible(CampaignAnswer, user)
            .add_columns(User.display_name.label("recorder"))
            .join(User, User.id == CampaignAnswer.recorded_by_user_id)
            .where(
                CampaignAnswer.campaign_id == campaign.id,
                CampaignAnswer.household_id == household_id,
            )
            .order_by(CampaignAnswer.answered_at.desc(), CampaignAnswer.id.desc())
        )
    )


# --- what other parts show: the resident's view, the steward's day ---------------------------


@dataclass(frozen=True)
class HouseholdState:
    """A household's standing in one campaign: its current answer (None if never asked), how
    and when it was given, and whether it may still answer (or change its answer)."""

    campaign_id: int
    household_id: int
    answer: Answer | None
    answered_at: datetime | None
    channel: AnswerChannel | None
    round: int | None
    open: bool


def campaign_state_for_household(campaign: SigningCampaign, household_id: int) -> HouseholdState:
    row = db.session.execute(
        select(
            CampaignVote.answer,
            CampaignVote.answered_at,
            CampaignAnswer.channel,
            CampaignAnswer.round,
        )
        .join(CampaignAnswer, CampaignAnswer.id == CampaignVote.answer_id)
        .where(CampaignVote.campaign_id == campaign.id, CampaignVote.household_id == household_id)
    ).one_or_none()
    return HouseholdState(
        campaign.id,
        household_id,
        row.answer if row else None,
        row.answered_at if row else None,
        row.channel if row else None,
        row.round if row else None,
        campaign.status == CampaignStatus.OPEN,
    )


def open_campaigns_for_households(
    household_ids: Iterable[int], user: User | None = None
) -> list[tuple[SigningCampaign, int, Answer | None]]:
    """The open campaigns asking any of these households, as (campaign, household_id, its
    current answer or None), newest campaign first; only what `user` may see."""
    ids = list(household_ids)
    if not ids:
        return []
    rows = db.session.execute(
        select(SigningCampaign, Household.id, CampaignVote.answer)
        .select_from(Household)
        .join(Unit, Unit.id == Household.unit_id)
        .join(SigningCampaign, covers_unit())
        .outerjoin(
            CampaignVote,
            (CampaignVote.campaign_id == SigningCampaign.id)
            & (CampaignVote.household_id == Household.id),
        )
        .where(
            Household.id.in_(ids),
            SigningCampaign.status == CampaignStatus.OPEN,
            scope(SigningCampaign, user),
            scope(Household, user),
        )
        .order_by(SigningCampaign.opened_at.desc(), SigningCampaign.id.desc(), Household.id)
    )
    return [(campaign, household_id, answer) for campaign, household_id, answer in rows]


def asked_households(campaign: SigningCampaign, user: User | None = None) -> list[Any]:
    """The households the campaign asks that `user` may see (a resident: their own), with
    their address and answer."""
    return list(db.session.execute(_households(campaign, user)))


# --- choices for the campaign form ------------------------------------------------------------


def community_choices(user: User | None = None) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Community.id, Community.name).where(scope(Community, user)).order_by(Community.name)
    )
    return [(row.id, row.name) for row in rows]


def version_choices(community_id: int | None, user: User | None = None) -> list[Any]:
    """The community's pact versions, community-wide pacts first, then by unit, each pact's
    newest version first: id, title, number, and the unit a unit's pact belongs to."""
    if community_id is None:
        return []
    return list(
        db.session.execute(
            select(
                PactVersion.id,
                PactVersion.title,
                PactVersion.number,
                Pact.unit_id,
                Unit.number.label("unit_number"),
                Building.number.label("building_number"),
            )
            .join(Pact, Pact.id == PactVersion.pact_id)
            .outerjoin(Unit, Unit.id == Pact.unit_id)
            .outerjoin(Building, Building.id == Unit.building_id)
            .where(scope(PactVersion, user), PactVersion.community_id == community_id)
            .order_by(
                Pact.unit_id.is_not(None),
                Building.sort_key,
                Building.number,
                Unit.number,
                PactVersion.pact_id,
                PactVersion.number.desc(),
            )
        )
    )


def version_community(version_id: int | None, user: User | None = None) -> int | None:
    """The community of a pact version the user may see (a link to start its campaign)."""
    if version_id is None:
        return None
    return db.session.scalar(
        select(PactVersion.community_id).where(
            PactVersion.id == version_id, scope(PactVersion, user)
        )
    )


def units_in_scope(campaign: SigningCampaign) -> list[Any]:
    """The units a campaign covers, with their building, in the buildings' order."""
    return _units_with_buildings(units_in(campaign))


def _units_with_buildings(where: Any) -> list[Any]:
    return list(
        db.session.execute(
            select(
                Unit.id,
                Unit.number,
                Building.id.label("building_id"),
                Building.number.label("building_number"),
            )
            .join(Building, Building.id == Unit.building_id)
            .where(where)
            .order_by(Building.sort_key, Building.number, Unit.number)
        )
    )


def building_choices(community_id: int | None, user: User | None = None) -> list[Any]:
    if community_id is None:
        return []
    return list(
        db.session.execute(
            select(Building.id, Building.number)
            .where(scope(Building, user), Building.community_id == community_id)
            .order_by(Building.sort_key, Building.number)
        )
    )


def unit_choices(community_id: int | None, user: User | None = None) -> list[Any]:
    if community_id is None:
        return []
    return _units_with_buildings(scope(Unit, user) & (Unit.community_id == community_id))
