"""Lists: sorting by a whitelisted column and prefix search, in SQL, for every table."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import ColumnElement, Select, or_

# The longest search a list takes: a room, a name or a phone number, never a paragraph.
SEARCH_LENGTH = 60


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool = False

    @property
    def direction(self) -> str:
        return "desc" if self.descending else "asc"


def parse_sort(
    key: str | None, direction: str | None, allowed: Collection[str], default: str
) -> Sort:
    """The requested sort if its key is whitelisted, else the default (ascending)."""
    if key not in allowed:
        return Sort(default)
    return Sort(key, direction == "desc")


def sort_arg(allowed: Collection[str], default: str) -> Sort:
    """The sort the list's headers asked for in the query string (`sort`, `dir`)."""
    return parse_sort(request.args.get("sort"), request.args.get("dir"), allowed, default)


def search_arg() -> str:
    """The text typed into the list's search box (`q`)."""
    return request.args.get("q", "")[:SEARCH_LENGTH]


def ordered(query: Select, sort: Sort, allowed: Mapping[str, Sequence[Any]]) -> Select:
    columns = allowed[sort.key]
    return query.order_by(None).order_by(*(c.desc() if sort.descending else c for c in columns))


def starts_with(column: Any, text: str) -> ColumnElement[bool]:
    """`column LIKE 'text%'`: a prefix match, which an index on the column can serve."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"{escaped}%", escape="\\")


def starts_with_any(text: str, *columns: Any) -> ColumnElement[bool]:
    """Any of the columns starts with `text`: one search box over a room, a name, a phone."""
    return or_(*(starts_with(column, text) for column in columns))
