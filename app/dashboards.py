"""Figures the other areas add to the landing pages the property area draws — the manager's
dashboard and the district overview. Each area contributes panels when it is installed; the
page shows every panel its reader's role may see, and the core names no area.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from app.models import Role, User


@dataclass(frozen=True)
class Figure:
    """One figure of a panel: `value` as a count or an average, or as a share of `whole` when
    that is given (shown as a percentage, "30 of 40" under it); `href` leads to the list
    behind it."""

    value: int | float | None
    caption: object
    whole: int | None = None
    href: str | None = None
    alert: bool = False
    note: object | None = None


@dataclass(frozen=True)
class Panel:
    title: object
    roles: tuple[Role, ...]
    # Figures over everything the user may see (their company's communities, or the district).
    figures: Callable[[User], Sequence[Figure]]


PANELS: list[Panel] = []


def contribute(panels: Iterable[Panel]) -> None:
    """Add an area's panels; installing the area again (another app) adds nothing twice."""
    PANELS.extend(p for p in panels if p not in PANELS)


def panels_for(user: User) -> list[tuple[object, Sequence[Figure]]]:
    return [(p.title, p.figures(user)) for p in PANELS if user.role in p.roles]
