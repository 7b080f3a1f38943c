"""The pact editor's rows without script: the buttons beside each clause (move up, move down,
remove) and under them (add a blank clause, add one from the library) send the form back with
what the user typed, and the editor comes back rearranged, nothing saved."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.blueprints.pacts.library.services.library import ClauseText
from app.blueprints.pacts.library.services.versions import MAX_CLAUSES
from app.inputs import record_id
from app.rules import RuleError

BLANK = ClauseText("", "")


class Verb(enum.StrEnum):
    ADD = "add"
    INSERT = "insert"  # the clause chosen from the library
    REMOVE = "remove"
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True)
class Move:
    verb: Verb
    index: int | None = None  # the row it applies to, from 0


def parse_move(value: str | None) -> Move | None:
    """The button pressed: "add", "insert", "remove:2", "up:0"…; None for saving (the form's
    default button, or anything unknown)."""
    verb, _sep, index = (value or "").partition(":")
    if verb not in set(Verb):
        return None
    try:
        return Move(Verb(verb), record_id(index) if index else None)
    except ValueError:
        return None


def _blank(row: ClauseText) -> bool:
    return not row.title.strip() and not row.body.strip()


def rearranged(
    rows: list[ClauseText], move: Move, chosen: ClauseText | None = None
) -> tuple[list[ClauseText], int | None]:
    """The rows after `move` and the row to put the cursor in. A button of a row that is no
    longer there (the page was stale) changes nothing."""
    rows = list(rows)
    if move.verb in (Verb.ADD, Verb.INSERT):
        if move.verb is Verb.INSERT and chosen is None:
            raise RuleError(_l("Choose a clause from the library."), "library")
        if rows and _blank(rows[-1]) and chosen is not None:
            rows.pop()  # the library's clause takes the place of a blank row left at the end
        if len(rows) >= MAX_CLAUSES:
            raise RuleError(_l("A pact holds at most %(n)s clauses.", n=MAX_CLAUSES), "clauses")
        rows.append(chosen or BLANK)
        return rows, len(rows) - 1
    index = move.index
    if index is None or not 0 <= index < len(rows):
        return rows, None
    if move.verb is Verb.REMOVE:
        del rows[index]
        return rows or [BLANK], min(index, max(len(rows) - 1, 0))
    other = index - 1 if move.verb is Verb.UP else index + 1
    if not 0 <= other < len(rows):
        return rows, index
    rows[index], rows[other] = rows[other], rows[index]
    return rows, other
