"""Pacts and their versions: drafting a pact, saving its next version, reading them back.

A pact belongs to one unit, or to its whole community (unit_id NULL). Its text lives in
versions numbered 1, 2, 3…: a save never changes a version, it adds the next number. The editor
says which version it started from (`base`); when another was saved since, the save is refused
rather than silently replacing it. Two saves at the same moment both start from the same
version and both claim the next number: the unique (pact_id, number) lets one in and refuses
the other, with the same message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, select

from app.authz import scope, visible
from app.blueprints.pacts.library.services.library import ClauseText
from app.extensions import db
from app.models import Community, Pact, PactVersion, Unit, User
from app.rules import RuleError, refuse_duplicates

MAX_CLAUSES = 30
TITLE_LENGTH = 80  # PactVersion.title
CLAUSE_TITLE_LENGTH = 80
# A whole pact, percent-encoded, stays well within the form size a request may carry.
CLAUSE_BODY_LENGTH = 1000
NOTE_LENGTH = 200  # PactVersion.note

SAVED_MEANWHILE = _l(
    "Someone else saved a new version of this pact meanwhile. Reload the page to edit the "
    "newest text; what you typed is still below."
)
PACT_EXISTS = _l("This unit already has a pact; open it from the community's page to edit it.")
COMMUNITY_PACT_EXISTS = _l(
    "This community already has a community-wide pact; open it from the community's page."
)
refuse_duplicates(
    PactVersion.__table__, ("pact_id", "number"), "version", lambda _r: SAVED_MEANWHILE
)
refuse_duplicates(Pact.__table__, ("unit_id",), "pact", lambda _r: PACT_EXISTS)
refuse_duplicates(Pact.__table__, ("community_id",), "pact", lambda _r: COMMUNITY_PACT_EXISTS)


@dataclass(frozen=True)
class PactDraft:
    """What an editor sends: the title, the clauses in order, and what changed."""

    title: str
    clauses: tuple[ClauseText, ...]
    note: str = ""


def checked(draft: PactDraft) -> PactDraft:
    """The draft trimmed, its wholly blank clauses dropped; refused when it is not a pact."""
    title = draft.title.strip()
    clauses = tuple(
        ClauseText(c.title.strip(), c.body.strip())
        for c in draft.clauses
        if c.title.strip() or c.body.strip()
    )
    if not title:
        raise RuleError(_l("Give the pact a title."), "title")
    if not clauses:
        raise RuleError(_l("A pact needs at least one clause."), "clauses")
    if len(clauses) > MAX_CLAUSES:
        raise RuleError(_l("A pact holds at most %(n)s clauses.", n=MAX_CLAUSES), "clauses")
    if any(not c.title or not c.body for c in clauses):
        raise RuleError(_l("Every clause needs a title and a text."), "clauses")
    return PactDraft(title, clauses, draft.note.strip())


def draft_of(version: PactVersion, note: str = "") -> PactDraft:
    return PactDraft(version.title, tuple(ClauseText.of(c) for c in version.clauses), note)


def default_title(community: Community, unit: Unit | None) -> str:
    if unit is None:
        title = _("Corridor pact of %(community)s", community=community.name)
    else:
        title = _(
            "Corridor pact of building %(b)s, unit %(u)s", b=unit.building.number, u=unit.number
        )
    return title[:TITLE_LENGTH]


def place_label(building_number: str | None, unit_number: str | None) -> str:
    """Where a pact applies, as its lists name it."""
    if unit_number is None:
        return _("Whole community")
    return _("Building %(b)s, unit %(u)s", b=building_number, u=unit_number)


def pact_place(pact: Pact) -> str:
    if pact.unit_id is None:
        return place_label(None, None)
    unit = db.session.get(Unit, pact.unit_id)
    return place_label(unit.building.number, unit.number)


def existing_pact(community_id: int, unit_id: int | None, user: User | None = None) -> Pact | None:
    """The pact of this unit, or the community-wide pact when `unit_id` is None."""
    where = Pact.unit_id == unit_id if unit_id is not None else Pact.unit_id.is_(None)
    return db.session.scalar(visible(Pact, user).where(Pact.community_id == community_id, where))


def latest_version(pact_id: int, user: User | None = None) -> PactVersion | None:
    """The newest version of the pact, as `user` (default: the current user) may see it."""
    return db.session.scalar(
        visible(PactVersion, user)
        .where(PactVersion.pact_id == pact_id)
        .order_by(PactVersion.number.desc())
        .limit(1)
    )


def version_by_number(pact_id: int, number: int, user: User | None = None) -> PactVersion | None:
    return db.session.scalar(
        visible(PactVersion, user).where(
            PactVersion.pact_id == pact_id, PactVersion.number == number
        )
    )


def versions_of(pact_id: int, user: User | None = None) -> Select:
    """The pact's versions, newest first, each with its author's name (`author`)."""
    return (
        visible(PactVersion, user)
        .add_columns(User.display_name.label("author"))
        .join(User, User.id == PactVersion.created_by_user_id)
        .where(PactVersion.pact_id == pact_id)
        .order_by(PactVersion.number.desc())
    )


def version_ids(pact_id: int, user: User | None = None) -> dict[int, int]:
    """The ids of the pact's versions by number, newest first."""
    rows = db.session.execute(
        select(PactVersion.number, PactVersion.id)
        .where(PactVersion.pact_id == pact_id, scope(PactVersion, user))
        .order_by(PactVersion.number.desc())
    )
    return {number: version_id for number, version_id in rows}


@dataclass(frozen=True)
class VersionChoice:
    version_id: int
    label: str


def version_choices(
    community_id: int, unit_id: int | None = None, user: User | None = None
) -> list[VersionChoice]:
    """The versions a signing campaign may put to the households: those of the unit's own pact
    (when `unit_id` is given) first, then those of the community-wide pact, newest first."""
    applies = Pact.unit_id.is_(None)
    if unit_id is not None:
        applies = applies | (Pact.unit_id == unit_id)
    rows = db.session.execute(
        select(PactVersion.id, PactVersion.number, PactVersion.title, Pact.unit_id)
        .join(Pact, Pact.id == PactVersion.pact_id)
        .where(Pact.community_id == community_id, applies, scope(PactVersion, user))
        .order_by(case((Pact.unit_id.is_(None), 1), else_=0), PactVersion.number.desc())
    )
    return [
        VersionChoice(
            row.id,
            _(
                "%(place)s · version %(n)s · %(title)s",
                place=_("This unit's pact") if row.unit_id is not None else _("Whole community"),
                n=row.number,
                title=row.title,
            ),
        )
        for row in rows
    ]


def _add_version(pact: Pact, number: int, draft: PactDraft, author: User) -> PactVersion:
    version = PactVersion(
        pact_id=pact.id,
        community_id=pact.community_id,
        number=number,
        title=draft.title,
        clauses=[clause.stored() for clause in draft.clauses],
        note=draft.note or None,
        created_by_user_id=author.id,
    )
    db.session.add(version)
    # Flushed here, so that a version of this number saved meanwhile is refused now, on the
    # form, rather than at the commit.
    db.session.flush()
    return version


def draft_pact(
    community_id: int, unit_id: int | None, draft: PactDraft, author: User
) -> PactVersion:
    """A new pact for the unit (or the whole community) and its version 1. The caller has
    checked that the unit is the author's and lies in the community."""
    draft = checked(draft)
    if existing_pact(community_id, unit_id, author) is not None:
        raise RuleError(PACT_EXISTS if unit_id is not None else COMMUNITY_PACT_EXISTS, "pact")
    pact = Pact(community_id=community_id, unit_id=unit_id, created_by_user_id=author.id)
    db.session.add(pact)
    db.session.flush()
    return _add_version(pact, 1, draft, author)


def save_version(pact: Pact, draft: PactDraft, base: int | None, author: User) -> PactVersion:
    """The pact's next version, from an editor that started from version `base`."""
    draft = checked(draft)
    latest = latest_version(pact.id, author)
    if latest is None or base != latest.number:
        raise RuleError(SAVED_MEANWHILE, "version")
    if replace(draft_of(latest), note="") == replace(draft, note=""):
        raise RuleError(_l("Nothing has changed since version %(n)s.", n=latest.number), "clauses")
    if not draft.note:
        raise RuleError(_l("Say in a few words what changed."), "note")
    return _add_version(pact, latest.number + 1, draft, author)


def copy_of(version: PactVersion, title: str, source: str) -> PactDraft:
    """Another pact's text to start a new pact from, under the new pact's own title."""
    note = _("Copied from %(source)s, version %(n)s", source=source, n=version.number)
    return replace(draft_of(version, note[:NOTE_LENGTH]), title=title)


def from_library(clauses: Iterable[ClauseText], title: str) -> PactDraft:
    return PactDraft(title, tuple(clauses), _("Drafted from the clause library"))
