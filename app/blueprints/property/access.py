"""Who sees the property area's records: company staff their company's, residents their own
homes and where they live, nobody else (the public boards come with the pacts)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, select

from app.authz import Audience, Rules, company_communities, own_households, through
from app.models import (
    AuditEntry,
    Building,
    Community,
    Company,
    Household,
    ImportJob,
    ImportRow,
    Notice,
    NoticeBuilding,
    NoticeRead,
    RequestEvent,
    ResidentHousehold,
    ServiceRequest,
    Staff,
    Unit,
    User,
)


def _own_requests(user: User) -> Select:
    return select(ServiceRequest.id).where(
        ServiceRequest.household_id.in_(own_households(user))
        | (ServiceRequest.reporter_user_id == user.id)
    )


def _notices_addressed_to(user: User) -> ColumnElement[bool]:
    """Notices for a community the resident lives in: to all of it, or to their building."""
    own_homes = own_households(user)
    own_communities = select(Household.community_id).where(Household.id.in_(own_homes))
    own_buildings = select(Unit.building_id).where(
        Unit.id.in_(select(Household.unit_id).where(Household.id.in_(own_homes)))
    )
    targeted = select(NoticeBuilding.notice_id)
    return Notice.community_id.in_(own_communities) & (
        Notice.id.not_in(targeted)
        | Notice.id.in_(targeted.where(NoticeBuilding.building_id.in_(own_buildings)))
    )


RULES: Rules = {
    Company: {
        Audience.STAFF: lambda u: Company.id == u.company_id,
        Audience.RESIDENT: lambda u: Company.id.in_(
            select(Community.company_id).where(
                Community.id.in_(
                    select(Household.community_id).where(Household.id.in_(own_households(u)))
                )
            )
        ),
    },
    Community: {
        Audience.STAFF: lambda u: Community.company_id == u.company_id,
        Audience.RESIDENT: lambda u: Community.id.in_(
            select(Household.community_id).where(Household.id.in_(own_households(u)))
        ),
    },
    Building: {
        Audience.STAFF: lambda u: Building.community_id.in_(company_communities(u)),
        Audience.RESIDENT: lambda u: Building.id.in_(
            select(Unit.building_id).where(
                Unit.id.in_(select(Household.unit_id).where(Household.id.in_(own_households(u))))
            )
        ),
    },
    Unit: {
        Audience.STAFF: lambda u: Unit.community_id.in_(company_communities(u)),
        Audience.RESIDENT: lambda u: Unit.id.in_(
            select(Household.unit_id).where(Household.id.in_(own_households(u)))
        ),
    },
    Household: {
        Audience.STAFF: lambda u: Household.community_id.in_(company_communities(u)),
        Audience.RESIDENT: lambda u: Household.id.in_(own_households(u)),
    },
    ResidentHousehold: {
        Audience.STAFF: through(ResidentHousehold.household_id, Household),
        Audience.RESIDENT: lambda u: ResidentHousehold.user_id == u.id,
    },
    Staff: {
        Audience.STAFF: lambda u: Staff.company_id == u.company_id,
    },
    ServiceRequest: {
        Audience.STAFF: lambda u: ServiceRequest.community_id.in_(company_communities(u)),
        Audience.RESIDENT: lambda u: ServiceRequest.id.in_(_own_requests(u)),
    },
    RequestEvent: {
        Audience.STAFF: through(RequestEvent.request_id, ServiceRequest),
        Audience.RESIDENT: through(RequestEvent.request_id, ServiceRequest),
    },
    Notice: {
        Audience.STAFF: lambda u: Notice.community_id.in_(company_communities(u)),
        Audience.RESIDENT: _notices_addressed_to,
    },
    NoticeRead: {
        Audience.STAFF: through(NoticeRead.notice_id, Notice),
        Audience.RESIDENT: lambda u: NoticeRead.user_id == u.id,
    },
    AuditEntry: {
        Audience.STAFF: lambda u: AuditEntry.company_id == u.company_id,
    },
    ImportJob: {
        Audience.STAFF: lambda u: ImportJob.company_id == u.company_id,
    },
    ImportRow: {
        Audience.STAFF: through(ImportRow.job_id, ImportJob),
    },
}
