"""Notices (通知公告): publishing, who they are addressed to, who has read them.

A notice goes to a whole community, or only to the buildings listed for it. It is in force
from its publish time until it expires; residents see it on their landing page while it is
in force, and the first opening by anyone of a household counts as that household's read.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import abort
from sqlalchemy import ColumnElement, ScalarSelect, Select, delete, exists, func, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from app import sql
from app.authz import get_visible_or_404, scope, visible
from app.extensions import db
from app.models import (
    Building,
    Community,
    Household,
    Notice,
    NoticeBuilding,
    NoticeRead,
    ResidentHousehold,
    Unit,
    User,
)
from app.periods import utcnow
from app.sql import lock_row


class NoticeStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    IN_FORCE = "in_force"
    EXPIRED = "expired"


@dataclass(frozen=True)
class NoticeDraft:
    """What a manager writes; times are UTC."""

    community_id: int
    title: str
    body: str
    pinned: bool
    published_at: datetime
    expires_at: datetime | None
    building_ids: tuple[int, ...] = ()


def status_of(notice: Notice, now: datetime | None = None) -> NoticeStatus:
    now = now or utcnow()
    if notice.expires_at is not None and notice.expires_at <= now:
        return NoticeStatus.EXPIRED
    if notice.published_at > now:
        return NoticeStatus.SCHEDULED
    return NoticeStatus.IN_FORCE


def status_clause(status: NoticeStatus, now: datetime | None = None) -> ColumnElement[bool]:
    """The SQL form of `status_of`, to filter lists by status."""
    now = now or utcnow()
    not_expired = Notice.expires_at.is_(None) | (Notice.expires_at > now)
    if status == NoticeStatus.EXPIRED:
        return Notice.expires_at <= now
    if status == NoticeStatus.SCHEDULED:
        return (Notice.published_at > now) & not_expired
    return (Notice.published_at <= now) & not_expired


IdExpr = ColumnElement[int] | int


def _addressed(notice_id: IdExpr, community_id: IdExpr) -> ColumnElement[bool]:
    """Whether the Household (joined to its Unit) is addressed by the notice with these ids:
    it lives in the community, and the notice lists no building or lists its building."""
    # Correlated to the notice of the query two levels up, which auto-correlation misses.
    listed = (
        select(NoticeBuilding.building_id)
        .where(NoticeBuilding.notice_id == notice_id)
        .correlate_except(NoticeBuilding)
    )
    return (Household.community_id == community_id) & (
        ~exists(listed) | Unit.building_id.in_(listed)
    )


def _addressed_count(notice_id: IdExpr, community_id: IdExpr) -> ScalarSelect[int]:
    return (
        select(func.count(Household.id))
        .join(Unit, Unit.id == Household.unit_id)
        .where(_addressed(notice_id, community_id))
        .scalar_subquery()
    )


def _read_count(notice_id: IdExpr, community_id: IdExpr) -> ScalarSelect[int]:
    # Only reads by households still addressed: after an edit narrows a notice to fewer
    # buildings, reads from the others no longer count towards "x of y".
    return (
        select(func.count(NoticeRead.id))
        .join(Household, Household.id == NoticeRead.household_id)
        .join(Unit, Unit.id == Household.unit_id)
        .where(NoticeRead.notice_id == notice_id, _addressed(notice_id, community_id))
        .scalar_subquery()
    )


def notice_rows(
    status: NoticeStatus | None = None,
    community_id: int | None = None,
    user: User | None = None,
    now: datetime | None = None,
) -> Select:
    """Visible notices, newest first, each with its community and how many of the households
    addressed have read it (`read` of `addressed`)."""
    query = (
        select(
            Notice,
            Community.name.label("community_name"),
            _addressed_count(Notice.id, Notice.community_id).label("addressed"),
            _read_count(Notice.id, Notice.community_id).label("read"),
        )
        .join(Community, Community.id == Notice.community_id)
        .options(selectinload(Notice.buildings))
        .where(scope(Notice, user))
        .order_by(Notice.published_at.desc(), Notice.id.desc())
    )
    if status is not None:
        query = query.where(status_clause(status, now))
    if community_id is not None:
        query = query.where(Notice.community_id == community_id)
    return query


def read_figures(notice: Notice) -> tuple[int, int]:
    """(households that read it, households addressed) for one notice."""
    row = db.session.execute(
        select(
            _read_count(Notice.id, Notice.community_id),
            _addressed_count(Notice.id, Notice.community_id),
        ).where(Notice.id == notice.id)
    ).one()
    return row[0], row[1]


def in_force_count(user: User | None = None, now: datetime | None = None) -> int:
    return db.session.scalar(
        select(func.count(Notice.id)).where(
            scope(Notice, user), status_clause(NoticeStatus.IN_FORCE, now)
        )
    )


def community_choices(user: User | None = None) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Community.id, Community.name).where(scope(Community, user)).order_by(Community.name)
    )
    return [(row.id, row.name) for row in rows]


def building_choices(community_id: int | None, user: User | None = None) -> list[tuple[int, str]]:
    """The buildings of a visible community, in their natural order; none for another's."""
    if community_id is None:
        return []
    rows = db.session.execute(
        select(Building.id, Building.number)
        .where(scope(Building, user), Building.community_id == community_id)
        .order_by(Building.sort_key, Building.number)
    )
    return [(row.id, row.number) for row in rows]


def _set_buildings(notice: Notice, building_ids: Iterable[int]) -> None:
    db.session.execute(delete(NoticeBuilding).where(NoticeBuilding.notice_id == notice.id))
    # The composite foreign key (building, community) refuses a building of another community.
    db.session.add_all(
        NoticeBuilding(notice_id=notice.id, building_id=b, community_id=notice.community_id)
        for b in sorted(set(building_ids))
    )


def publish_notice(draft: NoticeDraft, author: User) -> Notice:
    """A new notice; the caller has checked the community and buildings are the author's."""
    notice = Notice(
        community_id=draft.community_id,
        author_user_id=author.id,
        title=draft.title.strip(),
        body=draft.body.strip(),
        pinned=draft.pinned,
        published_at=draft.published_at,
        expires_at=draft.expires_at,
    )
    db.session.add(notice)
    db.session.flush()
    _set_buildings(notice, draft.building_ids)
    db.session.flush()
    return notice


def update_notice(notice: Notice, draft: NoticeDraft) -> Notice:
    # Two saves of one notice take turns: each replaces the buildings, and interleaved they
    # would both insert the same ones.
    lock_row(Notice, notice.id)
    notice.community_id = draft.community_id
    notice.title = draft.title.strip()
    notice.body = draft.body.strip()
    notice.pinned = draft.pinned
    notice.published_at = draft.published_at
    notice.expires_at = draft.expires_at
    db.session.flush()
    _set_buildings(notice, draft.building_ids)
    db.session.flush()
    db.session.expire(notice, ["buildings"])
    return notice


def unpin(notice: Notice) -> None:
    notice.pinned = False


def expire_now(notice: Notice, now: datetime | None = None) -> None:
    now = now or utcnow()
    if status_of(notice, now) != NoticeStatus.EXPIRED:
        notice.expires_at = now


def current_notices(user: User | None = None, now: datetime | None = None) -> Select:
    """The notices in force for a resident, pinned first, each with whether their household
    has read it (`read`)."""
    own_homes = select(ResidentHousehold.household_id).where(scope(ResidentHousehold, user))
    read = exists(
        select(NoticeRead.id).where(
            NoticeRead.notice_id == Notice.id, NoticeRead.household_id.in_(own_homes)
        )
    )
    return (
        visible(Notice, user)
        .add_columns(read.label("read"))
        .where(status_clause(NoticeStatus.IN_FORCE, now))
        .order_by(Notice.pinned.desc(), Notice.published_at.desc(), Notice.id.desc())
    )


def open_notice(notice_id: int, user: User, now: datetime | None = None) -> Notice:
    """A notice in force addressed to the resident (else 404), recorded as read by each of
    their households it is addressed to."""
    now = now or utcnow()
    notice = get_visible_or_404(Notice, notice_id, user)
    if status_of(notice, now) != NoticeStatus.IN_FORCE:
        abort(404)
    mark_read(notice, user, now)
    return notice


def mark_read(notice: Notice, user: User, now: datetime | None = None) -> None:
    """Record the read once per household: a second opening, or two family members opening
    it at the same moment, leave the first read standing (INSERT … ON CONFLICT DO NOTHING)."""
    now = now or utcnow()
    homes = (
        select(
            literal(notice.id),
            Household.id,
            literal(user.id),
            literal(now, NoticeRead.read_at.type),
        )
        .join(Unit, Unit.id == Household.unit_id)
        .join(ResidentHousehold, ResidentHousehold.household_id == Household.id)
        .where(
            ResidentHousehold.user_id == user.id,
            _addressed(notice.id, notice.community_id),
        )
    )
    insert = pg_insert if sql.is_postgres() else sqlite_insert
    db.session.execute(
        insert(NoticeRead)
        .from_select(["notice_id", "household_id", "user_id", "read_at"], homes)
        .on_conflict_do_nothing(index_elements=["notice_id", "household_id"])
    )
