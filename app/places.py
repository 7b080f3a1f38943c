"""Where a household lives: the select every list of households starts from.

A household's unit, building and community are joined the same way wherever households are
listed (the roster, the counter, arrears, imports, notices). `household_addresses()` returns
that select, limited to what the user may see, for callers to extend with their own columns,
filters and order; `with_address()` adds the same joins to a select that already has
`Household` in it.
"""

from __future__ import annotations

from sqlalchemy import Select

from app.authz import visible
from app.models import Building, Community, Household, Unit, User


def with_address(query: Select, *, isouter: bool = False) -> Select:
    """`query` (which selects from or joins `Household`) joined to its unit, building and
    community; `isouter` when the household itself is outer-joined (a parking space let to
    nobody keeps its row)."""
    return (
        query.join(Unit, Unit.id == Household.unit_id, isouter=isouter)
        .join(Building, Building.id == Unit.building_id, isouter=isouter)
        .join(Community, Community.id == Household.community_id, isouter=isouter)
    )


def household_addresses(user: User | None = None) -> Select:
    """The households `user` (default: the current user) may see, with their address joined."""
    return with_address(visible(Household, user))
