"""A signing campaign's steps and who may take them.

- draft, edit, delete (a draft only): a manager of the company, on a pact version of one of its
  communities, over a scope the pact allows.
- open (draft → open, round 1): a manager; the households in scope are counted then, and that
  count is what the threshold is a share of.
- round (open, round 1 → 2 → 3): a manager, one round at a time.
- close (open → closed): a manager, when the campaign ends without adoption.
- answer (open): see `answers`; the answer that brings support to the threshold adopts the pact
  (open → adopted), which is nobody's step of its own.

Each step locks the campaign's row before it reads the status, and moves the status by
compare-and-set (app.workflow), so that two managers (or a double click) cannot both move it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import audit, history
from app.authz import scope
from app.blueprints.pacts.campaigns.services.scope import (
    DEFAULT_THRESHOLD,
    LAST_ROUND,
    Threshold,
    households_in,
    overlaps,
)
from app.extensions import db
from app.models import (
    Building,
    CampaignScope,
    CampaignStatus,
    Community,
    Household,
    Pact,
    PactVersion,
    Role,
    SigningCampaign,
    Unit,
    User,
)
from app.periods import utcnow
from app.places import company_of
from app.rules import RuleError
from app.sql import lock_row
from app.workflow import Workflow

TITLE_LENGTH = 120
STAFF_ROLES = (Role.MANAGER, Role.STEWARD)
DRAFT_FIELDS = (
    "community_id",
    "version_id",
    "title",
    "scope",
    "building_id",
    "unit_id",
    "threshold_numerator",
    "threshold_denominator",
)


class CampaignError(RuleError):
    """A step the rules do not allow now; the message says why, in the user's language."""


class NotAllowed(CampaignError):
    """The user may not take this step on this campaign at all (403, not a form error)."""


def company_id_of(campaign: SigningCampaign) -> int:
    return company_of(campaign.community_id)


def _of_company(user: User, campaign: SigningCampaign) -> bool:
    return user.company_id is not None and user.company_id == company_id_of(campaign)


def manages(user: User, campaign: SigningCampaign) -> bool:
    return user.role == Role.MANAGER and _of_company(user, campaign)


def canvasses(user: User, campaign: SigningCampaign) -> bool:
    """Company staff knock on doors: managers, stewards (物业管家) and grid workers (网格员)."""
    return user.role in STAFF_ROLES and _of_company(user, campaign)


def _signs(user: User, campaign: SigningCampaign) -> bool:
    """A resident asked by the campaign (their household is in its scope)."""
    return user.role == Role.RESIDENT and (
        db.session.scalar(
            select(SigningCampaign.id).where(
                SigningCampaign.id == campaign.id, scope(SigningCampaign, user)
            )
        )
        is not None
    )


def _stale() -> CampaignError:
    return CampaignError(_l("Someone has just changed this campaign. Reload the page to see it."))


WORKFLOW = Workflow(
    SigningCampaign,
    "campaign",
    {
        "edit": manages,
        "delete": manages,
        "open": manages,
        "round": manages,
        "close": manages,
        "canvass": canvasses,
        "sign": _signs,
    },
    company_id_of,
    _stale,
)

history.register(
    "campaign",
    _l("Signing campaign"),
    actions={
        "created": _l("Drafted"),
        "updated": _l("Draft changed"),
        "deleted": _l("Draft deleted"),
        "opened": _l("Opened for answers"),
        "round": _l("Next round"),
        "adopted": _l("Adopted"),
        "closed": _l("Closed without adoption"),
    },
    fields={
        "status": _l("Status"),
        "title": _l("Title"),
        "scope": _l("Scope"),
        "current_round": _l("Round"),
        "household_count": _l("Households asked"),
        "agreed_count": _l("Households agreeing"),
        "threshold_numerator": _l("Threshold (numerator)"),
        "threshold_denominator": _l("Threshold (denominator)"),
    },
    values={"status": history.coded(CampaignStatus), "scope": history.coded(CampaignScope)},
    hidden=(
        "community_id",
        "version_id",
        "building_id",
        "unit_id",
        "opened_at",
        "adopted_at",
        "closed_at",
    ),
)


def too_long(limit: int) -> object:
    return _l("Use at most %(max)d characters.", max=limit)


def may(user: User, campaign: SigningCampaign, step: str) -> bool:
    return WORKFLOW.may(user, campaign, step)


def allow(allowed: bool) -> None:
    if not allowed:
        raise NotAllowed(_l("You may not take this step on this campaign."))


def locked(campaign: SigningCampaign) -> SigningCampaign:
    """The campaign read afresh under its row lock: every step and every answer takes turns,
    and the status it then reads is the one the last of them committed."""
    lock_row(SigningCampaign, campaign.id)
    db.session.refresh(campaign)
    return campaign


def _status_is(campaign: SigningCampaign, status: CampaignStatus, message: object) -> None:
    if campaign.status != status:
        raise CampaignError(message)


# --- drafting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignDraft:
    """What a manager sets up before opening: the pact version, the scope, the threshold."""

    version_id: int
    title: str
    scope: CampaignScope
    building_id: int | None = None
    unit_id: int | None = None
    threshold: Threshold = DEFAULT_THRESHOLD


def _version(actor: User, version_id: int) -> PactVersion:
    version = db.session.scalar(
        select(PactVersion).where(PactVersion.id == version_id, scope(PactVersion, actor))
    )
    if version is None:
        raise CampaignError(_l("Choose a pact of your company's communities."), "version_id")
    return version


def _target(actor: User, version: PactVersion, draft: CampaignDraft) -> dict[str, object]:
    """The scope's columns, checked against the pact: a unit's own pact is signed by that unit
    alone; a community-wide one by a unit, a building or the whole community."""
    pact_unit = db.session.scalar(select(Pact.unit_id).where(Pact.id == version.pact_id))
    if pact_unit is not None:
        if draft.scope != CampaignScope.UNIT or draft.unit_id not in (None, pact_unit):
            raise CampaignError(
                _l("This is one unit's pact: only that unit's households sign it."), "scope"
            )
        return {"scope": CampaignScope.UNIT, "building_id": None, "unit_id": pact_unit}
    if draft.scope == CampaignScope.UNIT:
        found = db.session.scalar(
            select(Unit.id).where(
                Unit.id == draft.unit_id,
                Unit.community_id == version.community_id,
                scope(Unit, actor),
            )
        )
        if found is None:
            raise CampaignError(_l("Choose a unit of the pact's community."), "unit_id")
        return {"scope": draft.scope, "building_id": None, "unit_id": found}
    if draft.scope == CampaignScope.BUILDING:
        found = db.session.scalar(
            select(Building.id).where(
                Building.id == draft.building_id,
                Building.community_id == version.community_id,
                scope(Building, actor),
            )
        )
        if found is None:
            raise CampaignError(_l("Choose a building of the pact's community."), "building_id")
        return {"scope": draft.scope, "building_id": found, "unit_id": None}
    return {"scope": CampaignScope.COMMUNITY, "building_id": None, "unit_id": None}


def _values(actor: User, draft: CampaignDraft) -> dict[str, object]:
    version = _version(actor, draft.version_id)
    title = " ".join(draft.title.split()) or version.title
    if len(title) > TITLE_LENGTH:
        raise CampaignError(too_long(TITLE_LENGTH), "title")
    if not draft.threshold.valid:
        raise CampaignError(_l("Enter a percentage from 1 to 100."), "custom_percent")
    return {
        "community_id": version.community_id,
        "version_id": version.id,
        "title": title,
        **_target(actor, version, draft),
        "threshold_numerator": draft.threshold.numerator,
        "threshold_denominator": draft.threshold.denominator,
    }


def create_campaign(actor: User, draft: CampaignDraft) -> SigningCampaign:
    """A new campaign, a draft until a manager opens it."""
    allow(actor.role == Role.MANAGER)
    campaign = SigningCampaign(
        **_values(actor, draft), status=CampaignStatus.DRAFT, created_by_user_id=actor.id
    )
    db.session.add(campaign)
    db.session.flush()
    audit.record(
        "campaign",
        campaign.id,
        company_id_of(campaign),
        "created",
        audit.snapshot(campaign, ("status", *DRAFT_FIELDS)),
    )
    return campaign


def update_campaign(actor: User, campaign: SigningCampaign, draft: CampaignDraft) -> None:
    allow(may(actor, campaign, "edit"))
    locked(campaign)
    _status_is(campaign, CampaignStatus.DRAFT, _l("Only a draft can be changed."))
    values = _values(actor, draft)
    audit.record_changes("campaign", campaign, company_id_of(campaign), DRAFT_FIELDS, values)


def delete_campaign(actor: User, campaign: SigningCampaign) -> None:
    allow(may(actor, campaign, "delete"))
    locked(campaign)
    _status_is(campaign, CampaignStatus.DRAFT, _l("Only a draft can be deleted."))
    audit.record(
        "campaign",
        campaign.id,
        company_id_of(campaign),
        "deleted",
        audit.snapshot(campaign, ("title", "scope")),
    )
    db.session.delete(campaign)


# --- the rounds -----------------------------------------------------------------------------


def households_in_scope(campaign: SigningCampaign) -> int:
    return db.session.scalar(
        select(func.count(Household.id))
        .join(Unit, Unit.id == Household.unit_id)
        .where(households_in(campaign))
    )


def open_campaign(actor: User, campaign: SigningCampaign, now: datetime | None = None) -> None:
    """Start round 1. The households in scope are counted now; the threshold is a share of
    that count for the rest of the campaign."""
    allow(may(actor, campaign, "open"))
    # Openings in one community take turns, so that two overlapping campaigns cannot both
    # pass the check below.
    lock_row(Community, campaign.community_id)
    locked(campaign)
    _status_is(campaign, CampaignStatus.DRAFT, _l("This campaign is open already."))
    clash = db.session.scalar(
        select(SigningCampaign.title)
        .where(overlaps(campaign), SigningCampaign.status == CampaignStatus.OPEN)
        .limit(1)
    )
    if clash is not None:
        raise CampaignError(
            _l(
                "Some of these households are being asked already, in “%(title)s”. "
                "Close that campaign first, or choose another scope.",
                title=clash,
            )
        )
    households = households_in_scope(campaign)
    if households == 0:
        raise CampaignError(_l("No household lives in this scope yet: nobody could sign."))
    WORKFLOW.move(
        campaign,
        CampaignStatus.OPEN,
        "opened",
        {
            "opened_at": now or utcnow(),
            "household_count": households,
            "current_round": 1,
            "agreed_count": 0,
        },
    )


def next_round(actor: User, campaign: SigningCampaign, to_round: int) -> None:
    """Move to `to_round`, the round after the current one: the round a form was showing, so
    that a second click (or a second manager) does not skip one."""
    allow(may(actor, campaign, "round"))
    locked(campaign)
    _status_is(campaign, CampaignStatus.OPEN, _l("Only an open campaign moves to another round."))
    if to_round <= campaign.current_round:
        raise CampaignError(_l("The campaign is in round %(n)s already.", n=campaign.current_round))
    if to_round > LAST_ROUND:
        raise CampaignError(_l("Round %(n)s is the last round.", n=LAST_ROUND))
    if to_round != campaign.current_round + 1:
        raise CampaignError(_l("Move one round at a time."))
    WORKFLOW.move(campaign, CampaignStatus.OPEN, "round", {"current_round": to_round})


def close_campaign(actor: User, campaign: SigningCampaign, now: datetime | None = None) -> None:
    """End the campaign without adoption; it takes no more answers."""
    allow(may(actor, campaign, "close"))
    locked(campaign)
    _status_is(campaign, CampaignStatus.OPEN, _l("Only an open campaign can be closed."))
    WORKFLOW.move(campaign, CampaignStatus.CLOSED, "closed", {"closed_at": now or utcnow()})
