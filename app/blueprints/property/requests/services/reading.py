"""Reading service requests: the inbox and its filters, a steward's tasks, a resident's
requests, a request's timeline, whom a request can be dispatched to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import to_user_timezone, to_utc
from sqlalchemy import (
    Select,
    case,
    false,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from app.authz import scope, visible
from app.blueprints.property.requests.services.steps import (
    DEPARTMENTS,
    NOT_CLOSED,
    OPEN,
    company_id_of,
    overdue_clause,
    staff_record,
)
from app.extensions import db
from app.models import (
    Building,
    Community,
    Household,
    RequestCategory,
    RequestEvent,
    RequestStatus,
    ServiceRequest,
    Staff,
    StaffPosition,
    Unit,
    User,
)
from app.periods import utcnow


@dataclass(frozen=True)
class Filters:
    status: str = ""  # "" open (not closed), "all", or one RequestStatus value
    category: str = ""
    community_id: int | None = None
    overdue: bool = False
    q: str = ""
    filed: str = ""  # "" any time, or a key of FILED_WITHIN: filed since the start of that day


# How far back the "filed" filter reaches, in days before today (0: since midnight).
FILED_WITHIN = {"today": 0, "7d": 6, "30d": 29}


def start_of_day(now: datetime, days_back: int = 0) -> datetime:
    """Midnight `days_back` days before `now`, on the user's clock (Asia/Shanghai), in UTC:
    "today" is the office's day, not UTC's."""
    local = to_user_timezone(now).replace(hour=0, minute=0, second=0, microsecond=0)
    local -= timedelta(days=days_back)
    return to_utc(local.replace(tzinfo=None)).replace(tzinfo=UTC)


def request_rows(user: User | None = None, now: datetime | None = None) -> Select:
    """Requests the user may see, with where they are, who handles them and whether late."""
    return (
        select(
            ServiceRequest,
            Community.name.label("community"),
            Building.number.label("building"),
            Unit.number.label("unit"),
            Household.room.label("room"),
            Household.owner_name.label("owner_name"),
            Household.phone.label("phone"),
            Staff.name.label("assignee"),
            overdue_clause(now).label("overdue"),
        )
        .join(Community, Community.id == ServiceRequest.community_id)
        .outerjoin(Household, Household.id == ServiceRequest.household_id)
        .outerjoin(Unit, Unit.id == Household.unit_id)
        .outerjoin(Building, Building.id == Unit.building_id)
        .outerjoin(Staff, Staff.id == ServiceRequest.assignee_staff_id)
        .where(scope(ServiceRequest, user))
    )


def filtered(query: Select, filters: Filters, now: datetime | None = None) -> Select:
    if filters.status == "all":
        pass
    elif filters.status:
        query = query.where(ServiceRequest.status == RequestStatus(filters.status))
    else:
        query = query.where(ServiceRequest.status.in_(NOT_CLOSED))
    if filters.category:
        query = query.where(ServiceRequest.category == RequestCategory(filters.category))
    if filters.community_id:
        query = query.where(ServiceRequest.community_id == filters.community_id)
    if filters.overdue:
        query = query.where(overdue_clause(now))
    if filters.filed in FILED_WITHIN:
        since = start_of_day(now or utcnow(), FILED_WITHIN[filters.filed])
        query = query.where(ServiceRequest.created_at >= since)
    if filters.q:
        query = query.where(
            or_(
                ServiceRequest.description.icontains(filters.q, autoescape=True),
                ServiceRequest.location_note.icontains(filters.q, autoescape=True),
                Household.owner_name.icontains(filters.q, autoescape=True),
                Household.room.icontains(filters.q, autoescape=True),
            )
        )
    if filters.status in ("", *(s.value for s in OPEN)):
        # Work waiting on the property side: the most urgent first.
        return query.order_by(ServiceRequest.due_at, ServiceRequest.id)
    return query.order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())


def inbox(filters: Filters, user: User | None = None, now: datetime | None = None) -> Select:
    """The manager's one inbox: every request of the company that matches the filters."""
    return filtered(request_rows(user, now), filters, now)


def tasks(user: User, filters: Filters, now: datetime | None = None) -> Select:
    """A steward's "my tasks": the requests dispatched to their staff record."""
    staff = staff_record(user)
    query = request_rows(user, now).where(
        ServiceRequest.assignee_staff_id == staff.id if staff else false()
    )
    return filtered(query, filters, now)


def resident_requests(user: User | None = None, now: datetime | None = None) -> Select:
    return request_rows(user, now).order_by(
        ServiceRequest.created_at.desc(), ServiceRequest.id.desc()
    )


def request_row(request_id: int, user: User | None = None, now: datetime | None = None) -> Any:
    return db.session.execute(request_rows(user, now).where(ServiceRequest.id == request_id)).one()


def timeline(request: ServiceRequest, user: User | None = None) -> list[Any]:
    """The request's events in order, with who acted and whom it was dispatched to."""
    actor = aliased(User)
    return list(
        db.session.execute(
            select(
                RequestEvent,
                actor.display_name.label("actor"),
                actor.role.label("actor_role"),
                Staff.name.label("staff"),
            )
            .outerjoin(actor, actor.id == RequestEvent.actor_user_id)
            .outerjoin(Staff, Staff.id == RequestEvent.staff_id)
            .where(RequestEvent.request_id == request.id, scope(RequestEvent, user))
            .order_by(RequestEvent.at, RequestEvent.id)
        )
    )


# Whom a request usually goes to first: the stewards, then the repairmen.
DISPATCH_ORDER = (
    StaffPosition.STEWARD,
    StaffPosition.MAINTENANCE,
    StaffPosition.MANAGER,
    StaffPosition.SECURITY,
    StaffPosition.CLEANER,
)


def dispatchable_staff(request: ServiceRequest, user: User | None = None) -> list[Staff]:
    order = case(
        {position: rank for rank, position in enumerate(DISPATCH_ORDER)}, value=Staff.position
    )
    return list(
        db.session.scalars(
            visible(Staff, user)
            .where(Staff.company_id == company_id_of(request), Staff.is_active.is_(True))
            .order_by(order, Staff.name, Staff.id)
        )
    )


def department_name(code: str) -> str:
    return str(DEPARTMENTS[code]) if code in DEPARTMENTS else code


def find_household(community_id: int, text: str, user: User | None = None) -> Household | None:
    """The household a clerk names as "1-2-301" (building-unit-room) or "1栋2单元301室"."""
    match = re.fullmatch(
        r"\s*(\w+?)\s*(?:栋|幢|号楼|-|－|/)\s*(\w+?)\s*(?:单元|-|－|/)\s*(\w+?)\s*(?:室|号)?\s*",
        text or "",
    )
    if not match:
        return None
    building, unit, room = match.groups()
    return db.session.scalar(
        visible(Household, user)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .where(
            Household.community_id == community_id,
            Building.number == building,
            Unit.number == unit,
            Household.room == room,
        )
    )
