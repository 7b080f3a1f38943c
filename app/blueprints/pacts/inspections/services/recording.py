"""Recording an inspection: who may inspect a unit, the checklist and its score, the photos.

A unit is inspected by the people answerable for it (包保): its current steward (the staff
record on the unit's open steward assignment, linked to the steward's account), its current
building leader (the resident account on the open leader assignment) and the managers of its
company. Anyone else who can see the unit is refused with the reason; anyone who cannot see it
gets a 404 as for any other tenant's object.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby
from operator import attrgetter
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, false, func, select

from app import uploads
from app.authz import company_communities, scope
from app.extensions import db
from app.models import (
    INSPECTION_ITEMS,
    ITEM_MAX,
    Building,
    Community,
    Inspection,
    InspectionPhoto,
    Role,
    Staff,
    StewardAssignment,
    StewardKind,
    Unit,
    User,
)
from app.periods import current_period, shanghai_today
from app.rules import RuleError

PHOTOS = "inspections"  # the uploads folder
# Three phone photos of up to 5 MB each stay within the 16 MB a request may carry.
MAX_PHOTOS = 3
# A paper round entered a few weeks late is still welcome; a date years back is a typo.
MAX_AGE_DAYS = 31
REMARKS_LENGTH = 2000

ITEM_LABELS = {
    "corridor_clear": _l("Corridor clear"),  # 楼道畅通
    "cleanliness": _l("Clean and tidy"),  # 卫生整洁
    "lighting": _l("Lighting works"),  # 照明完好
    "fire_equipment": _l("Fire equipment"),  # 消防器材
    "notices_tidy": _l("Notices tidy"),  # 张贴规范
    "no_flying_wires": _l("No flying wires"),  # 无飞线
}
ITEM_HINTS = {
    "corridor_clear": _l("Nothing stored on the stairs or in the escape route."),
    "cleanliness": _l("Floors, handrails and windows clean; no rubbish left out."),
    "lighting": _l("Every landing lit; switches and sensor lamps working."),
    "fire_equipment": _l("Extinguishers in place and in date; hydrant boxes unblocked."),
    "notices_tidy": _l("Notices only on the board; no small ads on the walls."),
    "no_flying_wires": _l("No cables hung from windows to charge e-bikes; no batteries upstairs."),
}


class NotAllowed(RuleError):
    """The user may see the unit but may not inspect it (403); the message says why."""


def score_of(scores: Mapping[str, int]) -> int:
    """The checklist's total scaled to a hundred. Six items of 0–5 make thirtieths, whose
    hundredfold never ends in exactly .5, so rounding is never a coin toss."""
    total = sum(scores[item] for item in INSPECTION_ITEMS)
    return round(total * 100 / (ITEM_MAX * len(INSPECTION_ITEMS)))


# --- who may inspect ------------------------------------------------------------------------


def _on_duty(kind: StewardKind) -> Select:
    return select(StewardAssignment.unit_id).where(
        StewardAssignment.kind == kind, StewardAssignment.ends_on.is_(None)
    )


def inspectable(user: User) -> ColumnElement[bool]:
    """The units `user` may inspect, as a condition on Unit.id / Unit.community_id."""
    if user.role == Role.MANAGER:
        return Unit.community_id.in_(company_communities(user))
    if user.role == Role.STEWARD:
        posted = (
            _on_duty(StewardKind.STEWARD)
            .join(Staff, Staff.id == StewardAssignment.staff_id)
            .where(
                Staff.user_id == user.id,
                Staff.company_id == user.company_id,
                Staff.is_active.is_(True),
                StewardAssignment.community_id.in_(company_communities(user)),
            )
        )
        return Unit.id.in_(posted)
    if user.role == Role.RESIDENT:
        # A leader may answer for every unit of their building, not only the one they live in.
        return Unit.id.in_(_on_duty(StewardKind.LEADER).where(StewardAssignment.user_id == user.id))
    return false()


def unit_for(user: User, unit_id: int) -> Unit | None:
    """The unit if `user` may see it or inspect it (a leader of a neighbour's unit), else None."""
    return db.session.scalar(
        select(Unit).where(Unit.id == unit_id, scope(Unit, user) | inspectable(user))
    )


def refusal(user: User, unit: Unit) -> Any:
    """Why `user` may not inspect `unit` (a lazy string, in the reader's language), or None if
    they may."""
    allowed = db.session.scalar(select(Unit.id).where(Unit.id == unit.id, inspectable(user)))
    if allowed is not None:
        return None
    if user.role == Role.RESIDENT:
        return _l("Only the unit's building leader may record its inspections.")
    if user.role == Role.STEWARD:
        return _l(
            "Only the steward posted to this unit may record its inspections. "
            "Ask your manager to post you to it."
        )
    return _l("Your account may not record inspections.")


@dataclass(frozen=True)
class UnitTile:
    """A unit the user may inspect, as the unit picker shows it."""

    unit_id: int
    unit: str
    building: str
    inspections: int  # this month
    latest_score: int | None


def inspectable_communities(user: User) -> list[tuple[int, str]]:
    """The communities holding a unit the user may inspect, by name."""
    return [
        (cid, name)
        for cid, name in db.session.execute(
            select(Community.id, Community.name)
            .where(Community.id.in_(select(Unit.community_id).where(inspectable(user))))
            .order_by(Community.name, Community.id)
        )
    ]


def unit_tiles(
    user: User, community_id: int, period: int | None = None
) -> list[tuple[str, list[UnitTile]]]:
    """The units of one community the user may inspect, by building (building number, its
    tiles) in the community's order, with how often each was inspected this month and its
    latest score."""
    this_month = (
        select(Inspection.unit_id, func.count().label("n"))
        .where(
            Inspection.community_id == community_id,
            Inspection.period == (period or current_period()),
            scope(Inspection, user),
        )
        .group_by(Inspection.unit_id)
        .subquery()
    )
    latest = (
        select(
            Inspection.unit_id,
            Inspection.score,
            func.row_number()
            .over(
                partition_by=Inspection.unit_id,
                order_by=(Inspection.inspected_on.desc(), Inspection.id.desc()),
            )
            .label("n"),
        )
        .where(Inspection.community_id == community_id, scope(Inspection, user))
        .subquery()
    )
    rows = db.session.execute(
        select(Unit.id, Unit.number, Building.number, this_month.c.n, latest.c.score)
        .join(Building, Building.id == Unit.building_id)
        .outerjoin(this_month, this_month.c.unit_id == Unit.id)
        .outerjoin(latest, (latest.c.unit_id == Unit.id) & (latest.c.n == 1))
        .where(Unit.community_id == community_id, inspectable(user))
        .order_by(Building.sort_key, Building.number, Unit.number)
    )
    tiles = [UnitTile(uid, unit, building, n or 0, score) for uid, unit, building, n, score in rows]
    return [(building, list(group)) for building, group in groupby(tiles, attrgetter("building"))]


# --- recording ------------------------------------------------------------------------------


def _checked_day(day: date | None, today: date) -> date:
    if day is None:
        raise RuleError(_l("Enter the date of the inspection."), "inspected_on")
    if day > today:
        raise RuleError(_l("The inspection date cannot be in the future."), "inspected_on")
    if day < today - timedelta(days=MAX_AGE_DAYS):
        raise RuleError(
            _l("Record an inspection within %(days)s days of the visit.", days=MAX_AGE_DAYS),
            "inspected_on",
        )
    return day


def _checked_scores(scores: Mapping[str, int | None]) -> dict[str, int]:
    checked = {}
    for item in INSPECTION_ITEMS:
        value = scores.get(item)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= ITEM_MAX:
            raise RuleError(_l("Give a score from 0 to %(max)s.", max=ITEM_MAX), item)
        checked[item] = value
    return checked


def record_inspection(
    user: User,
    unit: Unit,
    *,
    inspected_on: date | None,
    scores: Mapping[str, int | None],
    remarks: str | None = None,
    photos: Iterable[str] = (),
    today: date | None = None,
) -> Inspection:
    """Record `user`'s inspection of `unit`; `photos` are names `store_photos` returned. The
    caller commits, and discards the photos if the inspection is not saved after all."""
    reason = refusal(user, unit)
    if reason is not None:
        raise NotAllowed(reason)
    day = _checked_day(inspected_on, today or shanghai_today())
    checked = _checked_scores(scores)
    text = (remarks or "").strip()
    if len(text) > REMARKS_LENGTH:
        raise RuleError(_l("Keep it under 2,000 characters."), "remarks")
    names = list(photos)
    if len(names) > MAX_PHOTOS:
        raise RuleError(_l("Add at most %(n)s photos.", n=MAX_PHOTOS), "photos")
    inspection = Inspection(
        unit_id=unit.id,
        community_id=unit.community_id,
        building_id=unit.building_id,
        inspected_on=day,
        period=day.year * 100 + day.month,
        inspector_user_id=user.id,
        inspector_name=user.display_name,
        score=score_of(checked),
        remarks=text or None,
        **checked,
    )
    db.session.add(inspection)
    db.session.flush()
    db.session.add_all(InspectionPhoto(inspection_id=inspection.id, stored_name=n) for n in names)
    db.session.flush()
    return inspection


def store_photos(streams: Iterable[IO[bytes]]) -> list[str]:
    """Check, clean (no EXIF, no location) and store each photo. If one is refused, none is
    kept and the UploadError says why."""
    names: list[str] = []
    try:
        for stream in streams:
            names.append(uploads.save_image(stream, PHOTOS))
    except uploads.UploadError:
        discard_photos(names)
        raise
    return names


def discard_photos(names: Iterable[str]) -> None:
    """Remove stored photos whose inspection was not saved."""
    for name in names:
        uploads.discard_image(PHOTOS, name)
