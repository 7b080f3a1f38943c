"""Lists: sorting by a whitelisted column and prefix search, in SQL, for every table."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select


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


def ordered(query: Select, sort: Sort, allowed: Mapping[str, Sequence[Any]]) -> Select:
    columns = allowed[sort.key]
    return query.order_by(None).order_by(*(c.desc() if sort.descending else c for c in columns))


def starts_with(column: Any, text: str) -> ColumnElement[bool]:
    """`column LIKE 'text%'`: a prefix match, which an index on the column can serve."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"{escaped}%", escape="\\")
