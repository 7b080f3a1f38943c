"""Posting stewards and leaders on the units' boards, replacing them and taking them off.

A unit holds at most one current steward and one current leader (`ends_on IS NULL`; the
partial unique index `uq_steward_assignment_current` makes a second impossible). Posting
someone ends the current holder on the new start date — the handover day: the old row's
`ends_on` is the new row's `starts_on` — and adds a row for the newcomer, so the history
stays; taking someone off the board ends their row with no successor. A whole building or
community is posted in one step, whatever its size: one UPDATE ends the current rows and one
INSERT … SELECT adds the new ones.

History entries are "stewards" entries carrying the community's id, one per change whatever
the number of units: "assigned" (who, their phone, from when, where, how many units and how
many holders it replaced) or "ended" (who, where, on which day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Date, exists, func, insert, literal, select, update

from app import history
from app.audit import record
from app.authz import scope, visible
from app.extensions import db
from app.models import (
    Building,
    Community,
    Household,
    ResidentHousehold,
    Role,
    Staff,
    StaffPosition,
    StewardAssignment,
    StewardKind,
    Unit,
    User,
)
from app.models.base import UTCDateTime
from app.periods import shanghai_today, utcnow
from app.phones import normalise_phone
from app.rules import RuleError, refuse_duplicates

ENTITY = "stewards"
EARLIEST = date(2000, 1, 1)  # older dates are typing slips: no board predates the renovations
MAX_NAME = 60


history.register(
    ENTITY,
    _l("Stewards and leaders"),
    actions={"assigned": _l("Posted on the board"), "ended": _l("Taken off the board")},
    fields={
        "kind": _l("Role"),
        "name": _l("Full name"),
        "phone": _l("Phone"),
        "starts_on": _l("From"),
        "ends_on": _l("Until"),
        "building": _l("Building"),
        "unit": _l("Unit"),
        "room": _l("Room"),
        "units": _l("Units posted"),
        "replaced": _l("Holders replaced"),
    },
    values={"kind": history.coded(StewardKind)},
)

# Two managers posting someone on the same unit at once: the second meets the unique index.
RACED = _l(
    "Someone else changed who is posted on these units at the same moment, so nothing was "
    "saved. Look at the board again and repeat if it is still needed."
)
refuse_duplicates(StewardAssignment.__table__, ("unit_id", "kind"), "assignment", lambda _r: RACED)


def _overlap(kind: StewardKind, day: date) -> RuleError:
    """The refusal of a start before the last day the history has someone of `kind` here."""
    if kind is StewardKind.STEWARD:
        text = _l(
            "A steward was on the board here on %(day)s: start on that day or later.",
            day=day.isoformat(),
        )
    else:
        text = _l(
            "A leader was on the board here on %(day)s: start on that day or later.",
            day=day.isoformat(),
        )
    return RuleError(text, "starts_on")


@dataclass(frozen=True)
class Target:
    """The units one assignment covers: one unit, every unit of a building, or of a community."""

    community: Community
    building: Building | None = None
    unit: Unit | None = None

    @classmethod
    def of_unit(cls, unit: Unit) -> Target:
        return cls(unit.building.community, unit.building, unit)

    @classmethod
    def of_building(cls, building: Building) -> Target:
        return cls(building.community, building)

    @classmethod
    def of_community(cls, community: Community) -> Target:
        return cls(community)

    def holds(self) -> ColumnElement[bool]:
        """The condition on `Unit` selecting the target's units."""
        if self.unit is not None:
            return Unit.id == self.unit.id
        if self.building is not None:
            return Unit.building_id == self.building.id
        return Unit.community_id == self.community.id

    def unit_ids(self) -> Any:
        return select(Unit.id).where(self.holds())

    def where(self) -> dict[str, str]:
        """Where, for the history entry: the building and unit, or nothing for the community."""
        place = {}
        if self.building is not None:
            place["building"] = self.building.number
        if self.unit is not None:
            place["unit"] = self.unit.number
        return place


@dataclass(frozen=True)
class Person:
    """Who is posted: the columns of their rows that name them."""

    kind: StewardKind
    name: str
    phone: str
    staff_id: int | None = None
    household_id: int | None = None
    user_id: int | None = None
    room: str | None = None  # the leader's home, for the history

    def columns(self) -> dict[str, Any]:
        values = {"kind": self.kind, "name": self.name, "phone": self.phone}
        for column in ("staff_id", "household_id", "user_id"):
            if getattr(self, column) is not None:
                values[column] = getattr(self, column)
        return values


def posted_phone(text: str | None, fallback: str | None = None) -> str:
    """The phone to print on the board, in the stored form: what was typed, else the one on
    record (the staff member's, the household's)."""
    phone = (text or "").strip() or (fallback or "").strip()
    if not phone:
        raise RuleError(_l("Enter the phone number to post on the board."), "phone")
    return normalise_phone(phone)


def check_day(day: date, field: str) -> None:
    if day > shanghai_today():
        raise RuleError(_l("Choose today or an earlier day."), field)
    if day < EARLIEST:
        raise RuleError(_l("Choose a day from the year 2000 on."), field)


# --- who may be posted -----------------------------------------------------------------------


def steward_person(target: Target, staff_id: int, phone: str | None) -> Person:
    """A staff member of the company running the community, still working there, with the phone
    typed (else their own)."""
    member = db.session.get(Staff, staff_id)
    if member is None or member.company_id != target.community.company_id:
        raise RuleError(
            _l("Choose a staff member of the company running this community."), "staff_id"
        )
    if not member.is_active:
        raise RuleError(
            _l("%(name)s no longer works for the company.", name=member.name), "staff_id"
        )
    return Person(
        StewardKind.STEWARD, member.name, posted_phone(phone, member.phone), staff_id=member.id
    )


def leader_person(
    target: Target, household_id: int, name: str | None, phone: str | None, user_id: int | None
) -> Person:
    """A resident of a household of the target's building, named and reached as typed (else as
    the roster has the household's owner), with their resident account when one is chosen."""
    if target.building is None:
        raise RuleError(
            _l("A building leader serves their own building: post one building at a time."),
            "household_id",
        )
    home = db.session.get(Household, household_id)
    if home is None or home.unit.building_id != target.building.id:
        raise RuleError(
            _l("The building leader must live in this building: choose one of its households."),
            "household_id",
        )
    if user_id is not None:
        linked = select(ResidentHousehold.id).join(User, User.id == ResidentHousehold.user_id)
        linked = linked.where(
            ResidentHousehold.household_id == home.id,
            ResidentHousehold.user_id == user_id,
            User.role == Role.RESIDENT,
            User.is_active.is_(True),
        )
        if db.session.scalar(linked.limit(1)) is None:
            raise RuleError(_l("Choose an account of the chosen household."), "user_id")
    name = (name or "").strip() or home.owner_name
    if len(name) > MAX_NAME:
        raise RuleError(_l("Use at most %(max)d characters.", max=MAX_NAME), "name")
    return Person(
        StewardKind.LEADER,
        name,
        posted_phone(phone, home.phone),
        household_id=home.id,
        user_id=user_id,
        room=f"{home.unit.number}-{home.room}",
    )


# --- posting ---------------------------------------------------------------------------------


def _current(kind: StewardKind) -> ColumnElement[bool]:
    return (StewardAssignment.kind == kind) & StewardAssignment.ends_on.is_(None)


def _held(kind: StewardKind) -> Any:
    """Whether the unit of the enclosing query has a current holder of `kind`."""
    return exists().where(StewardAssignment.unit_id == Unit.id, _current(kind))


def assign(
    target: Target, person: Person, starts_on: date, by: User, *, only_missing: bool = False
) -> int:
    """Post `person` on every unit of `target` from `starts_on`, ending the current holders on
    that day (or, `only_missing`, only on the units that have none); returns the number of
    units posted. The caller commits."""
    check_day(starts_on, "starts_on")
    units = select(Unit.id).where(target.holds())
    if only_missing:
        units = units.where(~_held(person.kind))
    if db.session.scalar(select(func.count()).select_from(units.subquery())) == 0:
        raise RuleError(
            _l("Every unit here already has one on the board: there is nothing to fill.")
            if only_missing
            else _l("There is no unit here yet: add the units to the roster first."),
            "assignment",
        )
    # A history where the newcomer starts before someone of the same role had left would show
    # two people at once.
    latest = db.session.scalar(
        select(
            func.max(func.coalesce(StewardAssignment.ends_on, StewardAssignment.starts_on))
        ).where(StewardAssignment.kind == person.kind, StewardAssignment.unit_id.in_(units))
    )
    if latest is not None and latest > starts_on:
        raise _overlap(person.kind, latest)
    replaced = 0
    if not only_missing:
        replaced = db.session.execute(
            update(StewardAssignment)
            .where(_current(person.kind), StewardAssignment.unit_id.in_(units))
            .values(ends_on=starts_on)
            .execution_options(synchronize_session=False)
        ).rowcount
    posted = _insert_rows(units, person, starts_on, by)
    record(
        ENTITY,
        target.community.id,
        target.community.company_id,
        "assigned",
        {
            "kind": person.kind.value,
            "name": person.name,
            "phone": person.phone,
            "starts_on": starts_on.isoformat(),
            **target.where(),
            **({"room": person.room} if person.room else {}),
            "units": posted,
            "replaced": replaced,
        },
    )
    return posted


def _insert_rows(units: Any, person: Person, starts_on: date, by: User) -> int:
    """One INSERT … SELECT of `person`'s row for each unit `units` selects."""
    values = person.columns() | {
        "starts_on": literal(starts_on, Date()),
        "assigned_by_user_id": by.id,
        "created_at": literal(utcnow(), UTCDateTime()),
    }
    table = StewardAssignment.__table__
    constants = [
        value if hasattr(value, "type") else literal(value, table.c[name].type)
        for name, value in values.items()
    ]
    rows = select(Unit.id, Unit.community_id, *constants).where(Unit.id.in_(units))
    names = ["unit_id", "community_id", *values]
    # Counted by RETURNING: neither driver reports the rows of an INSERT … SELECT reliably.
    added = insert(table).from_select(names, rows).returning(table.c.id)
    return len(db.session.execute(added).all())


def end(assignment: StewardAssignment, ends_on: date) -> None:
    """Take the holder off the board on `ends_on`, leaving the unit without one of their role.
    Compare-and-set: someone who was replaced or taken off meanwhile stays as they are."""
    check_day(ends_on, "ends_on")
    if ends_on < assignment.starts_on:
        raise RuleError(
            _l(
                "%(name)s was posted on %(day)s: choose that day or a later one.",
                name=assignment.name,
                day=assignment.starts_on.isoformat(),
            ),
            "ends_on",
        )
    ended = db.session.execute(
        update(StewardAssignment)
        .where(StewardAssignment.id == assignment.id, StewardAssignment.ends_on.is_(None))
        .values(ends_on=ends_on)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not ended:
        raise RuleError(
            _l(
                "%(name)s is no longer on this board: someone replaced them or took them off.",
                name=assignment.name,
            ),
            "assignment",
        )
    target = Target.of_unit(db.session.get(Unit, assignment.unit_id))
    record(
        ENTITY,
        assignment.community_id,
        target.community.company_id,
        "ended",
        {
            "kind": assignment.kind.value,
            "name": assignment.name,
            "ends_on": ends_on.isoformat(),
            **target.where(),
        },
    )
    db.session.expire(assignment)


# --- the choices a form offers ---------------------------------------------------------------


def staff_choices(community: Community, user: User | None = None) -> list[Staff]:
    """Active staff of the company running the community, its stewards (物业管家) first."""
    return list(
        db.session.scalars(
            visible(Staff, user)
            .where(Staff.company_id == community.company_id, Staff.is_active.is_(True))
            .order_by((Staff.position != StaffPosition.STEWARD), Staff.name, Staff.id)
        )
    )


def household_choices(building: Building, user: User | None = None) -> list[Any]:
    """The households of the building, by unit and room: id, unit_id, unit_number, room,
    owner_name and phone."""
    return list(
        db.session.execute(
            select(
                Household.id,
                Household.unit_id,
                Unit.number.label("unit_number"),
                Household.room,
                Household.owner_name,
                Household.phone,
            )
            .join(Unit, Unit.id == Household.unit_id)
            .where(Unit.building_id == building.id, scope(Household, user))
            .order_by(Unit.number, Household.floor, Household.room)
        )
    )


def account_choices(household_id: int | None, user: User | None = None) -> list[Any]:
    """The active resident accounts linked to the household: (id, display name, relation)."""
    if household_id is None:
        return []
    return list(
        db.session.execute(
            select(User.id, User.display_name, ResidentHousehold.relation)
            .join(ResidentHousehold, ResidentHousehold.user_id == User.id)
            .where(
                ResidentHousehold.household_id == household_id,
                scope(ResidentHousehold, user),
                User.role == Role.RESIDENT,
                User.is_active.is_(True),
            )
            .order_by(User.display_name, User.id)
        )
    )
