"""Rule errors: what a service raises when a business rule refuses a request, and how a view
shows it on the form the user sent.

Services never know about forms; they name the field a refusal is about (the form field of the
same name), and `show_on_form` puts the message under it, or above the form when the field is
not on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Table
from sqlalchemy.exc import IntegrityError

from app.extensions import db


class RuleError(ValueError):
    """A rule refused the request. `message` is for the user, in their language (a lazy
    string is fine, and stays lazy: it is translated when shown, in the reader's language);
    `field` names the form field it concerns, when there is one."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def show_on_form(form: Any, error: RuleError, default: str | None = None) -> None:
    """Put the refusal's message under its field (or `default`'s), else among the form's own
    errors, which the form macro shows above the fields. A refused request writes nothing: the
    session is rolled back here, so the page that shows the form reads the database afresh."""
    db.session.rollback()
    name = error.field if error.field in form._fields else default
    if name is not None:
        form[name].errors = [*form[name].errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))


# What a unique constraint means to the user, by table and columns: a race that passes a
# service's own "already exists" check (a double click, a retrying network) meets the
# constraint, and the user gets the same message on the same field as if the check had caught it.
Message = Callable[[dict[str, Any]], object]
_DUPLICATES: dict[tuple[str, frozenset[str]], tuple[str, Message]] = {}
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)$")


def refuse_duplicates(table: Table, columns: Iterable[str], field: str, message: Message) -> None:
    """Register the refusal for a duplicate on `table`'s unique `columns`: `message` receives
    the row's values (the statement's parameters) and returns the text for the user."""
    _DUPLICATES[(table.name, frozenset(columns))] = (field, message)


class DuplicateRefusal(RuleError, IntegrityError):
    """A registered unique constraint refused a row: a RuleError for the views that show it on
    the form, still an IntegrityError for the code that expects one (an import that failed on a
    room entered meanwhile)."""

    def __init__(self, error: IntegrityError, message: object, field: str) -> None:
        IntegrityError.__init__(self, error.statement, error.params, error.orig)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


def duplicate_refusal(error: IntegrityError, tables: dict[str, Table]) -> RuleError | None:
    """The refusal registered for the unique constraint `error` violated, if any."""
    key = _violated(error, tables)
    if key is None or key not in _DUPLICATES:
        return None
    field, message = _DUPLICATES[key]
    params = error.params if isinstance(error.params, dict) else {}
    return DuplicateRefusal(error, message(params), field)


def _violated(error: IntegrityError, tables: dict[str, Table]) -> tuple[str, frozenset[str]] | None:
    diag = getattr(error.orig, "diag", None)
    if diag is not None:  # PostgreSQL names the constraint (or unique index) and its table
        table = tables.get(diag.table_name or "")
        if table is None:
            return None
        for item in (*table.constraints, *table.indexes):
            if item.name == diag.constraint_name:
                return table.name, frozenset(column.name for column in item.columns)
        return None
    match = _SQLITE_UNIQUE.search(str(error.orig))  # SQLite names table.column, …
    if match is None:
        return None
    names = [part.strip().split(".") for part in match.group(1).split(",")]
    return names[0][0], frozenset(column for _table, column in names)
