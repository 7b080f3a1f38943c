"""Service requests (一门受理、一体派单、联合处置、实时追溯、闭环问效): rules and read models.

Who may take which step, from which status:

- file: a resident for their household (app); a manager for a household of the company
  (taken at the window or by phone).
- dispatch (派单), from submitted, dispatched or reopened: a manager.
- note, departments, from anything but closed: a manager; the steward it is dispatched to.
- resolve, from dispatched: a manager; the steward it is dispatched to.
- accept and rate, or reopen with a reason, from resolved: the household's residents; a
  manager for a request taken at the window or by phone, after a follow-up call (回访).

Every step is a RequestEvent (the timeline) and, when it changes the request, a history entry.
A step that changes the status is a conditional UPDATE on the status it was taken from, so two
people (or a double click) acting on the same request at once cannot both move it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone, to_utc
from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    case,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import FunctionElement

from app import audit
from app.authz import scope, visible
from app.extensions import db
from app.models import (
    Building,
    Community,
    Company,
    Household,
    RequestCategory,
    RequestChannel,
    RequestEvent,
    RequestEventKind,
    RequestLocation,
    RequestStatus,
    Role,
    ServiceRequest,
    Staff,
    StaffPosition,
    Unit,
    User,
)
from app.periods import Month, utcnow
from app.workflow import Workflow

# From filing to resolution; a safety hazard cannot wait like a suggestion can.
TIME_LIMITS = {
    RequestCategory.SAFETY: timedelta(hours=24),
    RequestCategory.COMPLAINT: timedelta(hours=48),
    RequestCategory.REPAIR: timedelta(hours=72),
    RequestCategory.DISPUTE: timedelta(hours=120),
    RequestCategory.SUGGESTION: timedelta(hours=240),
}
# Waiting for the property side; a resolved request waits for the resident.
OPEN = (RequestStatus.SUBMITTED, RequestStatus.DISPATCHED, RequestStatus.REOPENED)
NOT_CLOSED = (*OPEN, RequestStatus.RESOLVED)
# The bodies usually involved in joint handling (联合处置); others are typed in.
DEPARTMENTS = {
    "property": _l("Property company"),
    "community": _l("Community office"),
    "urban": _l("Urban management"),
    "water": _l("Water supply"),
    "power": _l("Power supply"),
    "gas": _l("Gas supply"),
}
MAX_DEPARTMENTS = 10
MAX_DEPARTMENT_NAME = 20
SPOKEN_CHANNELS = (RequestChannel.WINDOW, RequestChannel.PHONE)

RESIDENT_EVENTS = (RequestEventKind.ACCEPTED, RequestEventKind.REOPENED)


class RequestError(Exception):
    """A step the rules do not allow now; the message says why, in the user's language."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message  # a lazy string: shown in the language of whoever reads it


class NotAllowed(RequestError):
    """The user may not take this step on this request at all (403, not a form error)."""


# --- who may do what -----------------------------------------------------------------------


def company_id_of(request: ServiceRequest) -> int:
    return db.session.scalar(
        select(Community.company_id).where(Community.id == request.community_id)
    )


def staff_record(user: User) -> Staff | None:
    """The staff row a steward's account is linked to, if any."""
    if user.role not in (Role.MANAGER, Role.STEWARD):
        return None
    return db.session.scalar(
        select(Staff).where(Staff.user_id == user.id, Staff.company_id == user.company_id)
    )


def _manages(user: User, request: ServiceRequest) -> bool:
    return user.role == Role.MANAGER and user.company_id == company_id_of(request)


def _handles(user: User, request: ServiceRequest) -> bool:
    """A manager of the company, or the steward the request is dispatched to."""
    if _manages(user, request):
        return True
    if user.role != Role.STEWARD or request.assignee_staff_id is None:
        return False
    staff = staff_record(user)
    return staff is not None and staff.id == request.assignee_staff_id


def _gives_verdict(user: User, request: ServiceRequest) -> bool:
    if user.role == Role.RESIDENT:
        return (
            db.session.scalar(
                select(ServiceRequest.id).where(
                    ServiceRequest.id == request.id, scope(ServiceRequest, user)
                )
            )
            is not None
        )
    # Someone who called or came to the window is asked on the phone (回访).
    return request.channel in SPOKEN_CHANNELS and _manages(user, request)


def _stale() -> RequestError:
    return RequestError(_l("Someone has just changed this request. Reload the page to see it."))


WORKFLOW = Workflow(
    ServiceRequest,
    "request",
    {
        "dispatch": _manages,
        "note": _handles,
        "departments": _handles,
        "resolve": _handles,
        "accept": _gives_verdict,
        "reopen": _gives_verdict,
    },
    company_id_of,
    _stale,
)


def may(user: User, request: ServiceRequest, step: str) -> bool:
    """Whether the user may ever take `step` on this request, whatever its status now."""
    return WORKFLOW.may(user, request, step)


@dataclass(frozen=True)
class Permissions:
    """What the user may do with one request now: the views show the forms that apply."""

    dispatch: bool
    note: bool
    departments: bool
    resolve: bool
    verdict: bool

    @property
    def any_staff_action(self) -> bool:
        return self.dispatch or self.note or self.departments or self.resolve


def permissions(user: User, request: ServiceRequest) -> Permissions:
    status = request.status
    handles = status != RequestStatus.CLOSED and _handles(user, request)
    return Permissions(
        dispatch=status in OPEN and _manages(user, request),
        note=handles,
        departments=handles,
        resolve=handles and status == RequestStatus.DISPATCHED,
        verdict=status == RequestStatus.RESOLVED and _gives_verdict(user, request),
    )


def _allow(allowed: bool) -> None:
    if not allowed:
        raise NotAllowed(_l("You may not take this step on this request."))


def _status_in(request: ServiceRequest, statuses: Iterable[RequestStatus], message: str) -> None:
    if request.status not in tuple(statuses):
        raise RequestError(message)


def _text(value: str | None, message: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise RequestError(message)
    return cleaned


# --- the steps ------------------------------------------------------------------------------


def due_at(category: RequestCategory, filed_at: datetime) -> datetime:
    return filed_at + TIME_LIMITS[category]


def is_overdue(request: ServiceRequest, now: datetime | None = None) -> bool:
    return request.status in OPEN and request.due_at < (now or utcnow())


def overdue_clause(now: datetime | None = None) -> ColumnElement[bool]:
    return ServiceRequest.status.in_(OPEN) & (ServiceRequest.due_at < (now or utcnow()))


def _event(
    request: ServiceRequest, actor: User | None, kind: RequestEventKind, at: datetime, **fields: Any
) -> RequestEvent:
    event = RequestEvent(
        request_id=request.id,
        at=at,
        actor_user_id=actor.id if actor else None,
        kind=kind,
        **fields,
    )
    db.session.add(event)
    return event


def _move(
    request: ServiceRequest,
    actor: User,
    to: RequestStatus,
    kind: RequestEventKind,
    at: datetime,
    values: dict[str, Any],
    **event_fields: Any,
) -> RequestEvent:
    """Change the status (and `values`) only if nobody changed the status meanwhile."""
    WORKFLOW.move(request, to, kind.value, values)
    return _event(request, actor, kind, at, **event_fields)


def file_request(
    actor: User,
    household: Household,
    *,
    category: RequestCategory,
    location: RequestLocation,
    description: str,
    location_note: str | None = None,
    photo: str | None = None,
    channel: RequestChannel = RequestChannel.APP,
    at: datetime | None = None,
) -> ServiceRequest:
    """Take a request at the one window (一门受理) for `household`."""
    at = at or utcnow()
    if actor.role == Role.RESIDENT:
        _allow(channel == RequestChannel.APP)
    elif actor.role == Role.MANAGER:
        _allow(channel in SPOKEN_CHANNELS)
    else:
        _allow(False)
    _allow(
        db.session.scalar(
            select(Household.id).where(Household.id == household.id, scope(Household, actor))
        )
        is not None
    )
    description = _text(description, _l("Describe the problem."))
    location_note = (location_note or "").strip() or None
    if location == RequestLocation.COMMON_AREA and not location_note:
        raise RequestError(_l("Say where in the community it is."))
    request = ServiceRequest(
        community_id=household.community_id,
        household_id=household.id,
        unit_id=household.unit_id if location != RequestLocation.COMMON_AREA else None,
        reporter_user_id=actor.id if actor.role == Role.RESIDENT else None,
        channel=channel,
        category=category,
        location=location,
        location_note=location_note,
        description=description,
        photo=photo,
        status=RequestStatus.SUBMITTED,
        departments=[],
        due_at=due_at(category, at),
        created_at=at,
    )
    db.session.add(request)
    db.session.flush()
    _event(request, actor, RequestEventKind.FILED, at)
    audit.record(
        "request",
        request.id,
        company_id_of(request),
        "filed",
        audit.snapshot(request, ("channel", "category", "location", "household_id", "status")),
    )
    return request


def dispatch(
    actor: User,
    request: ServiceRequest,
    staff: Staff,
    note: str | None = None,
    at: datetime | None = None,
) -> RequestEvent:
    """Hand the request to one staff member (一体派单), or to another one."""
    _allow(_manages(actor, request))
    _status_in(request, OPEN, _l("Only a request waiting for handling can be dispatched."))
    if staff.company_id != company_id_of(request) or not staff.is_active:
        raise RequestError(_l("Choose an active member of this company's staff."))
    if request.status == RequestStatus.DISPATCHED and request.assignee_staff_id == staff.id:
        raise RequestError(_l("It is already dispatched to %(name)s.", name=staff.name))
    return _move(
        request,
        actor,
        RequestStatus.DISPATCHED,
        RequestEventKind.DISPATCHED,
        at or utcnow(),
        {"assignee_staff_id": staff.id},
        staff_id=staff.id,
        note=(note or "").strip() or None,
    )


def add_note(
    actor: User, request: ServiceRequest, note: str, at: datetime | None = None
) -> RequestEvent:
    """A progress note on the timeline (实时追溯)."""
    _allow(_handles(actor, request))
    _status_in(request, NOT_CLOSED, _l("A closed request takes no more notes."))
    return _event(
        request, actor, RequestEventKind.NOTE, at or utcnow(), note=_text(note, _l("Write a note."))
    )


def clean_departments(codes: Iterable[str], others: str | None) -> list[str]:
    """The fixed codes chosen plus the names typed in (split at commas), without repeats."""
    typed = [name.strip() for name in re.split(r"[,，、;；\n]", others or "") if name.strip()]
    if any(len(name) > MAX_DEPARTMENT_NAME for name in typed):
        raise RequestError(
            _l("Keep each department's name under %(n)s characters.", n=MAX_DEPARTMENT_NAME + 1)
        )
    names = list(dict.fromkeys([code for code in codes if code in DEPARTMENTS] + typed))
    if len(names) > MAX_DEPARTMENTS:
        raise RequestError(_l("Name at most %(n)s departments.", n=MAX_DEPARTMENTS))
    return names


def set_departments(
    actor: User, request: ServiceRequest, departments: list[str], at: datetime | None = None
) -> RequestEvent:
    """Note which departments handle the request jointly (联合处置)."""
    _allow(_handles(actor, request))
    _status_in(request, NOT_CLOSED, _l("A closed request cannot change."))
    if departments == list(request.departments or []):
        raise RequestError(_l("These are already the departments involved."))
    audit.record(
        "request",
        request.id,
        company_id_of(request),
        RequestEventKind.DEPARTMENTS.value,
        {"departments": [list(request.departments or []), departments]},
    )
    request.departments = departments
    return _event(
        request, actor, RequestEventKind.DEPARTMENTS, at or utcnow(), note="\n".join(departments)
    )


def resolve(
    actor: User, request: ServiceRequest, note: str, at: datetime | None = None
) -> RequestEvent:
    """The handler says it is done; the resident is asked for their verdict."""
    _allow(_handles(actor, request))
    _status_in(
        request, (RequestStatus.DISPATCHED,), _l("Only a dispatched request can be resolved.")
    )
    note = _text(note, _l("Say what was done."))
    at = at or utcnow()
    return _move(
        request,
        actor,
        RequestStatus.RESOLVED,
        RequestEventKind.RESOLVED,
        at,
        {"resolved_at": at},
        note=note,
    )


def accept(
    actor: User,
    request: ServiceRequest,
    rating: int | None,
    note: str | None = None,
    at: datetime | None = None,
) -> RequestEvent:
    """The resident accepts the resolution and rates it (闭环问效); the request closes."""
    _allow(_gives_verdict(actor, request))
    _status_in(request, (RequestStatus.RESOLVED,), _l("Only a resolved request can be accepted."))
    if rating not in range(1, 6):
        raise RequestError(_l("Choose a rating from 1 to 5."))
    at = at or utcnow()
    return _move(
        request,
        actor,
        RequestStatus.CLOSED,
        RequestEventKind.ACCEPTED,
        at,
        {"closed_at": at, "rating": rating},
        rating=rating,
        note=(note or "").strip() or None,
    )


def reopen(
    actor: User, request: ServiceRequest, reason: str, at: datetime | None = None
) -> RequestEvent:
    """The resident is not satisfied: the request goes back to be dispatched again."""
    _allow(_gives_verdict(actor, request))
    _status_in(request, (RequestStatus.RESOLVED,), _l("Only a resolved request can be reopened."))
    reason = _text(reason, _l("Say what is still wrong."))
    return _move(
        request,
        actor,
        RequestStatus.REOPENED,
        RequestEventKind.REOPENED,
        at or utcnow(),
        {"resolved_at": None},
        note=reason,
    )


# --- reading -------------------------------------------------------------------------------


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


# --- monthly figures ----------------------------------------------------------------------


class hours_between(FunctionElement):
    """Hours from the first timestamp to the second, in the database's own date arithmetic."""

    type = Float()
    inherit_cache = True


@compiles(hours_between)
def _hours_postgresql(element: hours_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0)"


@compiles(hours_between, "sqlite")
def _hours_sqlite(element: hours_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 24.0)"


def _within(column: Any, month: Month) -> ColumnElement[bool]:
    start, end = month.bounds()
    return and_(column >= start, column < end)


def _figure_columns(month: Month) -> list[Any]:
    r = ServiceRequest
    received = _within(r.created_at, month)
    resolved = _within(r.resolved_at, month)
    closed = _within(r.closed_at, month)
    complaint = r.category == RequestCategory.COMPLAINT
    return [
        func.count(r.id).filter(received).label("received"),
        func.count(r.id).filter(resolved).label("resolved"),
        func.avg(hours_between(r.created_at, r.resolved_at)).filter(resolved).label("avg_hours"),
        func.count(r.id).filter(closed).label("rated"),
        func.avg(r.rating).filter(closed).label("avg_rating"),
        func.count(r.id).filter(closed & (r.rating >= 4)).label("satisfied"),
        func.count(r.id).filter(received & complaint).label("complaints"),
        func.count(r.id)
        .filter(_within(r.created_at, month.shifted(-12)) & complaint)
        .label("complaints_last_year"),
    ]


def _touching(month: Month) -> ColumnElement[bool]:
    """Only the rows any figure counts, so the query reads a month's worth, not the table."""
    r = ServiceRequest
    return or_(
        _within(r.created_at, month),
        _within(r.created_at, month.shifted(-12)),
        _within(r.resolved_at, month),
        _within(r.closed_at, month),
    )


FIGURE_NAMES = (
    "received",
    "resolved",
    "avg_hours",
    "rated",
    "avg_rating",
    "satisfied",
    "complaints",
    "complaints_last_year",
)


@dataclass(frozen=True)
class Figures:
    """One month's figures for one community, one company, or everything the user sees."""

    name: str
    received: int
    resolved: int
    avg_hours: float | None
    rated: int
    avg_rating: float | None
    satisfied: int
    complaints: int
    complaints_last_year: int

    @classmethod
    def of(cls, name: str, values: Any) -> Figures:
        def number(value: Any) -> float | None:
            return None if value is None else float(value)

        return cls(
            name=name,
            received=values.received or 0,
            resolved=values.resolved or 0,
            avg_hours=number(values.avg_hours),
            rated=values.rated or 0,
            avg_rating=number(values.avg_rating),
            satisfied=values.satisfied or 0,
            complaints=values.complaints or 0,
            complaints_last_year=values.complaints_last_year or 0,
        )

    @property
    def satisfied_share(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    @property
    def complaint_change(self) -> float | None:
        """Complaints against the same month a year earlier, in per cent (None: none then)."""
        if not self.complaints_last_year:
            return None
        return (self.complaints - self.complaints_last_year) / self.complaints_last_year * 100


def figure_rows(month: Month, user: User) -> Select:
    """One row per community (a manager) or per company (the district office), in SQL."""
    by_company = user.role == Role.ADMIN
    key = Community.company_id if by_company else ServiceRequest.community_id
    grouped = (
        select(key.label("key"), *_figure_columns(month))
        .select_from(ServiceRequest)
        .join(Community, Community.id == ServiceRequest.community_id)
        .where(_touching(month), scope(ServiceRequest, user))
        .group_by(key)
        .subquery()
    )
    owner = Company if by_company else Community
    return (
        select(owner.name.label("name"), *(grouped.c[name] for name in FIGURE_NAMES))
        .outerjoin(grouped, grouped.c.key == owner.id)
        .where(scope(owner, user))
        .order_by(owner.name, owner.id)
    )


def figure_totals(month: Month, user: User) -> Figures:
    row = db.session.execute(
        select(*_figure_columns(month)).where(_touching(month), scope(ServiceRequest, user))
    ).one()
    return Figures.of("", row)


def overdue_count(user: User | None = None, now: datetime | None = None) -> int:
    return db.session.scalar(
        select(func.count(ServiceRequest.id)).where(
            scope(ServiceRequest, user), overdue_clause(now)
        )
    )
