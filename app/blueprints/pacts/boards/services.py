"""Steward boards: preparing a board for every unit, re-issuing a token, what a board shows.

A board is read the way the public reads it — through the anonymous audience, whoever asks —
so the page a passer-by opens from the QR code, the page a signed-in resident opens and the
sheet a manager prints all show the same people, pact and standing. The manager's own pages
(which units have a board, who issued it) read as the manager.

History: "steward_board" entries carry the unit's id, with the action "reissued". A token is
never written into the history: the new one is the board's address.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

import segno
from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from sqlalchemy import ColumnElement, Select, exists, func, select

from app import audit, history, sql
from app.authz import scope, visible
from app.blueprints.pacts.standing import (
    UnitStanding,
    current_assignments,
    pacts_in_force,
    standings,
)
from app.extensions import db
from app.listing import starts_with
from app.models import (
    AuditEntry,
    Building,
    Community,
    Company,
    PactVersion,
    StewardAssignment,
    StewardBoard,
    StewardKind,
    Unit,
    UnitPact,
    User,
)
from app.periods import SHANGHAI, utcnow
from app.security import public_url

# Whoever opens a board sees what the public sees.
ANONYMOUS = AnonymousUserMixin()
# 16 random bytes: 22 characters of URL-safe base64, far beyond guessing or counting.
TOKEN_BYTES = 16
# The column's width: a longer path segment is no token, and is not looked up.
TOKEN_LENGTH = StewardBoard.__table__.c.token.type.length

history.register(
    "steward_board",
    _l("Steward board"),
    actions={"reissued": _l("Board re-issued: the old QR code no longer opens it")},
    fields={},
)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def ensure_boards(community_id: int, issued_by: User | None = None) -> int:
    """Give every unit of the community that has no board one, each with its own random
    token, in one statement; returns how many were prepared. The caller has checked the
    community is the user's (the demo calls this with no user). Two managers preparing at
    once prepare each unit once: a unit that got its board meanwhile is skipped."""
    missing = db.session.scalars(
        select(Unit.id).where(
            Unit.community_id == community_id,
            ~exists().where(StewardBoard.unit_id == Unit.id),
        )
    ).all()
    if not missing:
        return 0
    now = utcnow()
    issuer = issued_by.id if issued_by is not None else None
    rows = [
        {
            "unit_id": unit_id,
            "community_id": community_id,
            "token": new_token(),
            "issued_at": now,
            "issued_by_user_id": issuer,
        }
        for unit_id in missing
    ]
    db.session.execute(sql.insert(StewardBoard).on_conflict_do_nothing(), rows)
    return len(rows)


def staff_board(unit_id: int) -> StewardBoard:
    """The board of a unit the user may manage, or 404 (another company's, or none yet)."""
    board = db.session.scalar(visible(StewardBoard).where(StewardBoard.unit_id == unit_id))
    if board is None:
        abort(404)
    return board


def reissue(board: StewardBoard, user: User) -> StewardBoard:
    """A new token for a board that was replaced: the old QR code answers 404 from now on."""
    company_id = db.session.scalar(
        select(Community.company_id).where(Community.id == board.community_id)
    )
    board.token = new_token()
    board.issued_at = utcnow()
    board.issued_by_user_id = user.id
    audit.record("steward_board", board.unit_id, company_id, "reissued")
    return board


def board_url(token: str) -> str:
    """The board's address for its QR code and print: from PUBLIC_URL, never the request's
    host."""
    return public_url("pacts.boards.public_board", token=token)


def qr_code(url: str) -> str:
    """The QR code of `url` as an SVG data URI (the CSP allows data: images); medium error
    correction survives a scratched or sun-faded print."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2, xmldecl=False)


@dataclass
class Sheet:
    """One unit's board: where it is and its standing, as the public sees them."""

    token: str
    community: str
    building: str
    unit: str
    standing: UnitStanding

    @property
    def url(self) -> str:
        return board_url(self.token)

    @cached_property
    def qr(self) -> str:
        return qr_code(self.url)

    @property
    def adopted_on(self) -> date | None:
        """The day, in Shanghai, the pact in force was adopted."""
        adoption = self.standing.adoption
        return adoption.adopted_at.astimezone(SHANGHAI).date() if adoption else None

    @property
    def density(self) -> str:
        """The class that sets the printed pact as large as fits its A4 page."""
        return pact_density(self.standing.pact.clauses if self.standing.pact else [])


@dataclass(frozen=True)
class Setting:
    """One size the printed pact can be set in (boards.css): its class, how many CJK
    characters fill a line, and the height of a line and of the gap after a clause, in mm."""

    css_class: str
    per_line: int
    line: float
    gap: float


# From the largest to the smallest, as boards.css sets them on A4 in the vendored font.
SETTINGS = (
    Setting("sheet-roomy", 38, 7.3, 2.0),
    Setting("", 43, 6.1, 1.5),
    Setting("sheet-dense", 50, 4.9, 1.2),
    Setting("sheet-denser", 59, 4.0, 0.8),
)
# The height the pact's clauses have on the sheet, between the people on duty and the QR code.
PACT_ROOM_MM = 105


def _width(text: str) -> float:
    # A Latin letter or digit is about half as wide as a Chinese character.
    return sum(0.55 if ch.isascii() else 1.0 for ch in text)


def pact_density(clauses: list[dict]) -> str:
    """The largest setting whose lines fit the room; a pact too long even for the smallest is
    cut off at the foot of the sheet (the QR code leads to its whole text)."""
    for setting in SETTINGS:
        height = 0.0
        for clause in clauses:
            text = f"{clause.get('title', '')} {clause.get('body', '')}"
            lines = sum(
                max(1, math.ceil(_width(part) / setting.per_line)) for part in text.split("\n")
            )
            height += lines * setting.line + setting.gap
        if height <= PACT_ROOM_MM:
            return setting.css_class
    return SETTINGS[-1].css_class


def sheets(where: ColumnElement[bool]) -> list[Sheet]:
    """The boards `where` selects, in the order of the community's buildings and units, with
    everything each shows, read as the public reads it."""
    rows = db.session.execute(
        select(
            StewardBoard.token,
            StewardBoard.unit_id,
            Unit.building_id,
            Unit.community_id,
            Unit.number.label("unit"),
            Building.number.label("building"),
            Community.name.label("community"),
        )
        .join(Unit, Unit.id == StewardBoard.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .join(Community, Community.id == Unit.community_id)
        .where(
            where,
            scope(StewardBoard, ANONYMOUS),
            scope(Unit, ANONYMOUS),
            scope(Building, ANONYMOUS),
            scope(Community, ANONYMOUS),
        )
        .order_by(Building.sort_key, Building.number, Unit.number)
    ).all()
    found = standings(((r.unit_id, r.building_id, r.community_id) for r in rows), ANONYMOUS)
    return [Sheet(r.token, r.community, r.building, r.unit, found[r.unit_id]) for r in rows]


def unit_sheet(board: StewardBoard) -> Sheet:
    return sheets(StewardBoard.unit_id == board.unit_id)[0]


def community_sheets(community: Community) -> list[Sheet]:
    """Every board of the community, for the print shop."""
    return sheets(StewardBoard.community_id == community.id)


def public_sheet(token: str) -> Sheet | None:
    """The board with this token, or None: an unknown or re-issued token finds nothing."""
    if len(token) > TOKEN_LENGTH:
        return None
    found = sheets(StewardBoard.token == token)
    return found[0] if found else None


# --- the manager's pages -------------------------------------------------------------------


def community_rows(q: str = "") -> Select:
    """The communities the user may see, with their units and the boards prepared of them."""
    units = select(func.count(Unit.id)).where(Unit.community_id == Community.id)
    boards = select(func.count()).select_from(StewardBoard)
    boards = boards.where(StewardBoard.community_id == Community.id)
    query = (
        select(
            Community,
            Company.name.label("company_name"),
            units.scalar_subquery().label("units"),
            boards.scalar_subquery().label("boards"),
        )
        .join(Company, Company.id == Community.company_id)
        .where(scope(Community))
        .order_by(Community.name, Community.id)
    )
    if q.strip():
        query = query.where(starts_with(Community.name, q.strip()))
    return query


@dataclass(frozen=True)
class BoardCounts:
    units: int
    boards: int

    @property
    def missing(self) -> int:
        return self.units - self.boards


def board_counts(community: Community) -> BoardCounts:
    row = db.session.execute(
        select(func.count(Unit.id), func.count(StewardBoard.unit_id))
        .select_from(Unit)
        .outerjoin(StewardBoard, StewardBoard.unit_id == Unit.id)
        .where(Unit.community_id == community.id, scope(Unit))
    ).one()
    return BoardCounts(row[0], row[1])


def unit_rows(community: Community, q: str = "") -> Select:
    """The community's units in building order, each with its board if it has one; `q` is
    the beginning of a building's number."""
    query = (
        select(
            Unit.id,
            Unit.number,
            Building.number.label("building"),
            StewardBoard.token,
            StewardBoard.issued_at,
        )
        .join(Building, Building.id == Unit.building_id)
        .outerjoin(StewardBoard, StewardBoard.unit_id == Unit.id)
        .where(Unit.community_id == community.id, scope(Unit))
        .order_by(Building.sort_key, Building.number, Unit.number)
    )
    if q.strip():
        query = query.where(starts_with(Building.number, q.strip()))
    return query


@dataclass(frozen=True)
class UnitDuty:
    """What a unit's board will post, as its manager checks it before printing."""

    steward: StewardAssignment | None
    leader: StewardAssignment | None
    pact: PactVersion | None
    adoption: UnitPact | None


def duties(unit_ids: Iterable[int]) -> dict[int, UnitDuty]:
    ids = list(unit_ids)
    on_duty = current_assignments(ids)
    pacts = pacts_in_force(ids)
    return {
        uid: UnitDuty(
            on_duty[uid].get(StewardKind.STEWARD),
            on_duty[uid].get(StewardKind.LEADER),
            *pacts.get(uid, (None, None)),
        )
        for uid in ids
    }


@dataclass(frozen=True)
class Issue:
    """One issue of a board's token: when and by whom (none for boards the system made)."""

    at: datetime
    by: str | None


def board_history(board: StewardBoard) -> list[Issue]:
    """Every re-issue of the board, newest first."""
    rows = db.session.execute(
        visible(AuditEntry)
        .with_only_columns(AuditEntry.created_at, User.display_name)
        .outerjoin(User, User.id == AuditEntry.actor_user_id)
        .where(AuditEntry.entity == "steward_board", AuditEntry.entity_id == board.unit_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    ).all()
    return [Issue(at, by) for at, by in rows]


def issuer_name(board: StewardBoard) -> str | None:
    """Who issued the board's current token (none for boards the demo prepared)."""
    return db.session.scalar(select(User.display_name).where(User.id == board.issued_by_user_id))
