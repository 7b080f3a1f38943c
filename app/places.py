"""Where a household lives: the select every list of households starts from.

A household's unit, building and community are joined the same way wherever households are
listed (the roster, the counter, arrears, imports, notices). `household_addresses()` returns
that select, limited to what the user may see, for callers to extend with their own columns,
filters and order; `with_address()` adds the same joins to a select that already has
`Household` in it; `with_building()` joins only the unit and building, outer where a row may
have no household. `company_of()` names the company running a community, which every history
entry about a place records.
"""

from __future__ import annotations

from sqlalchemy import Select, select

from app.authz import visible
from app.extensions import db
from app.models import Building, Community, Household, Unit, User


def with_building(query: Select, *, outer: bool = False) -> Select:
    """`query` (which selects from or joins `Household`) joined to its unit and building;
    `outer` keeps the rows without a household (a parking space let to nobody)."""
    query = query.join(Unit, Unit.id == Household.unit_id, isouter=outer)
    return query.join(Building, Building.id == Unit.building_id, isouter=outer)


def with_address(query: Select, *, outer: bool = False) -> Select:
    """`query` (which selects from or joins `Household`) joined to its unit, building and
    community; `outer` as for `with_building`."""
    return with_building(query, outer=outer).join(
        Community, Community.id == Household.community_id, isouter=outer
    )


def household_addresses(user: User | None = None) -> Select:
    """The households `user` (default: the current user) may see, with their address joined."""
    return with_address(visible(Household, user))


def company_of(community_id: int) -> int:
    """The company that runs the community."""
    return db.session.scalar(select(Community.company_id).where(Community.id == community_id))
