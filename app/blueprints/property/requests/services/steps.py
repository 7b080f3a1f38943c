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
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    select,
)

from app import audit
from app.authz import scope
from app.extensions import db
from app.models import (
    Community,
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
    User,
)
from app.periods import utcnow
from app.rules import RuleError
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


class RequestError(RuleError):
    """A step the rules do not allow now; the message says why, in the user's language."""


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
