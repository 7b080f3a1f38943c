"""Who sees the pacts area's records.

Company staff see their company's; residents what concerns where they live (their unit's
stewards and pact, their community's inspections and standing, the campaigns that ask their
household); the public only what a unit's board shows, and only through the board's token.
Pages that show the public board read through the anonymous audience whoever opens them, so a
signed-in visitor sees the same board as a passer-by.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, select, true

from app.authz import (
    Audience,
    Rules,
    company_communities,
    in_company_communities,
    in_own_communities,
    in_own_households,
    own_households,
    through,
)
from app.models import (
    Building,
    CampaignAnswer,
    CampaignScope,
    CampaignStatus,
    CampaignVote,
    Community,
    Household,
    Inspection,
    InspectionPhoto,
    Pact,
    PactClause,
    PactVersion,
    SigningCampaign,
    StewardAssignment,
    StewardBoard,
    Unit,
    UnitPact,
    User,
)


def own_units(user: User) -> Select:
    return select(Household.unit_id).where(Household.id.in_(own_households(user)))


def _own_buildings(user: User) -> Select:
    return select(Unit.building_id).where(Unit.id.in_(own_units(user)))


def _campaigns_asking(user: User) -> ColumnElement[bool]:
    """Campaigns, once opened, whose scope holds one of the resident's households."""
    c = SigningCampaign
    in_scope = (
        (c.scope == CampaignScope.COMMUNITY)
        | c.building_id.in_(_own_buildings(user))
        | c.unit_id.in_(own_units(user))
    )
    own_communities = select(Household.community_id).where(Household.id.in_(own_households(user)))
    return c.community_id.in_(own_communities) & (c.status != CampaignStatus.DRAFT) & in_scope


def _pacts_of_own_units(user: User) -> ColumnElement[bool]:
    own_communities = select(Household.community_id).where(Household.id.in_(own_households(user)))
    return Pact.unit_id.in_(own_units(user)) | (
        Pact.unit_id.is_(None) & Pact.community_id.in_(own_communities)
    )


_boarded_units = select(StewardBoard.unit_id)

RULES: Rules = {
    StewardAssignment: {
        Audience.STAFF: in_company_communities(StewardAssignment.community_id),
        Audience.RESIDENT: lambda u: StewardAssignment.unit_id.in_(own_units(u)),
        # What a board posts: the people on duty now.
        Audience.PUBLIC: lambda u: (
            StewardAssignment.ends_on.is_(None) & StewardAssignment.unit_id.in_(_boarded_units)
        ),
    },
    StewardBoard: {
        Audience.STAFF: in_company_communities(StewardBoard.community_id),
        Audience.RESIDENT: lambda u: StewardBoard.unit_id.in_(own_units(u)),
        # Reached only by its token: no public page lists boards.
        Audience.PUBLIC: lambda u: true(),
    },
    # A board names its community, building and unit.
    Unit: {Audience.PUBLIC: lambda u: Unit.id.in_(_boarded_units)},
    Building: {
        Audience.PUBLIC: lambda u: Building.id.in_(
            select(Unit.building_id).where(Unit.id.in_(_boarded_units))
        )
    },
    Community: {Audience.PUBLIC: lambda u: Community.id.in_(select(StewardBoard.community_id))},
    PactClause: {
        Audience.STAFF: lambda u: PactClause.company_id == u.company_id,
    },
    Pact: {
        Audience.STAFF: in_company_communities(Pact.community_id),
        Audience.RESIDENT: _pacts_of_own_units,
    },
    PactVersion: {
        Audience.STAFF: in_company_communities(PactVersion.community_id),
        Audience.RESIDENT: through(PactVersion.pact_id, Pact),
        # A board prints the text in force.
        Audience.PUBLIC: lambda u: PactVersion.id.in_(
            select(UnitPact.version_id).where(UnitPact.unit_id.in_(_boarded_units))
        ),
    },
    SigningCampaign: {
        Audience.STAFF: in_company_communities(SigningCampaign.community_id),
        Audience.RESIDENT: _campaigns_asking,
    },
    CampaignAnswer: {
        Audience.STAFF: in_company_communities(CampaignAnswer.community_id),
        Audience.RESIDENT: in_own_households(CampaignAnswer.household_id),
    },
    CampaignVote: {
        Audience.STAFF: in_company_communities(CampaignVote.community_id),
        Audience.RESIDENT: in_own_households(CampaignVote.household_id),
    },
    UnitPact: {
        Audience.STAFF: in_company_communities(UnitPact.community_id),
        Audience.RESIDENT: in_own_communities(UnitPact.community_id),
        Audience.PUBLIC: lambda u: UnitPact.unit_id.in_(_boarded_units),
    },
    Inspection: {
        Audience.STAFF: in_company_communities(Inspection.community_id),
        Audience.RESIDENT: in_own_communities(Inspection.community_id),
        # The board shows a unit's latest score and its honours, never the remarks.
        Audience.PUBLIC: lambda u: Inspection.unit_id.in_(_boarded_units),
    },
    InspectionPhoto: {
        Audience.STAFF: through(InspectionPhoto.inspection_id, Inspection),
        Audience.RESIDENT: through(InspectionPhoto.inspection_id, Inspection),
    },
}

__all__ = ["RULES", "company_communities", "own_units"]
