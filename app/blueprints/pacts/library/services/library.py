"""The clause library a pact is drafted from: the built-in clauses and the company's own.

A company's clauses (PactClause) are added, edited and retired by its managers; each change is
a "pact_clause" history entry (created, updated, retired), so a retired clause's text can still
be read there. Retiring deletes the row: a pact copies a clause's text when it is drafted and
never refers back to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select

from app import history
from app.audit import record, record_changes, snapshot
from app.authz import visible
from app.blueprints.pacts.library.clauses import BUILT_IN, BY_CODE
from app.extensions import db
from app.inputs import record_id
from app.models import AuditEntry, PactClause, User
from app.rules import RuleError

CLAUSE_FIELDS = ("title", "body")
OWN_PREFIX = "own-"

history.register(
    "pact_clause",
    _l("Pact clause"),
    actions={"created": _l("Added"), "updated": _l("Changed"), "retired": _l("Retired")},
    fields={"title": _l("Title"), "body": _l("Text")},
)


@dataclass(frozen=True)
class ClauseText:
    """A clause as a pact holds it: its title and its text, in one language."""

    title: str
    body: str

    def stored(self) -> dict[str, str]:
        return {"title": self.title, "body": self.body}

    @classmethod
    def of(cls, stored: dict) -> ClauseText:
        return cls(str(stored.get("title", "")), str(stored.get("body", "")))


@dataclass(frozen=True)
class LibraryEntry:
    """One clause to pick: `key` names it in forms ("corridor_clear", "own-12")."""

    key: str
    text: ClauseText
    built_in: bool


def own_clauses(user: User | None = None) -> Select:
    """The company's own clauses, by title."""
    return visible(PactClause, user).order_by(PactClause.title, PactClause.id)


def library(user: User | None = None) -> list[LibraryEntry]:
    """Every clause a drafter may pick, the built-in ones first, in the reader's language."""
    built_in = [LibraryEntry(c.code, ClauseText(str(c.title), str(c.body)), True) for c in BUILT_IN]
    own = [
        LibraryEntry(f"{OWN_PREFIX}{c.id}", ClauseText(c.title, c.body), False)
        for c in db.session.scalars(own_clauses(user))
    ]
    return built_in + own


def picked(keys: Iterable[str], user: User | None = None) -> list[ClauseText]:
    """The library's clauses named by `keys`, in that order, each once; keys that name no
    clause the user may pick (another company's, a retired one) are passed over."""
    wanted = list(dict.fromkeys(keys))
    own_ids = []
    for key in wanted:
        if key.startswith(OWN_PREFIX):
            try:
                own_ids.append(record_id(key.removeprefix(OWN_PREFIX)))
            except ValueError:
                continue
    own = {
        f"{OWN_PREFIX}{c.id}": ClauseText(c.title, c.body)
        for c in db.session.scalars(visible(PactClause, user).where(PactClause.id.in_(own_ids)))
    }
    found = []
    for key in wanted:
        if key in BY_CODE:
            found.append(ClauseText(str(BY_CODE[key].title), str(BY_CODE[key].body)))
        elif key in own:
            found.append(own[key])
    return found


def _cleaned(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title:
        raise RuleError(_l("Give the clause a title."), "title")
    if not body:
        raise RuleError(_l("Write the text of the clause."), "body")
    return title, body


def add_clause(title: str, body: str, author: User) -> PactClause:
    """A new clause in the author's company library."""
    title, body = _cleaned(title, body)
    clause = PactClause(
        company_id=author.company_id, title=title, body=body, created_by_user_id=author.id
    )
    db.session.add(clause)
    db.session.flush()
    record("pact_clause", clause.id, clause.company_id, "created", snapshot(clause, CLAUSE_FIELDS))
    return clause


def edit_clause(clause: PactClause, title: str, body: str) -> dict:
    """Change a clause's wording; pacts drafted from it keep theirs. Returns what changed."""
    title, body = _cleaned(title, body)
    return record_changes(
        "pact_clause", clause, clause.company_id, CLAUSE_FIELDS, {"title": title, "body": body}
    )


def retire_clause(clause: PactClause) -> None:
    """Take a clause out of the library; its last text stays readable in the history."""
    record("pact_clause", clause.id, clause.company_id, "retired", snapshot(clause, CLAUSE_FIELDS))
    db.session.delete(clause)
    db.session.flush()


def clause_history(user: User | None = None) -> Select:
    """The changes to the company's clauses, newest first, with who made them."""
    return (
        visible(AuditEntry, user)
        .add_columns(User.display_name.label("actor"))
        .outerjoin(User, User.id == AuditEntry.actor_user_id)
        .where(AuditEntry.entity == "pact_clause")
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
