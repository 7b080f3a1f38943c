"""Steward assignments (楼道管家): posting a unit's property steward and building leader, one
unit, a building or a whole community at a time (`posts`), and who is on duty where — coverage,
the community's grid, a unit's history, a steward's own units (`reading`). Callers import from
here."""

from app.blueprints.pacts.stewards.services.posts import (
    ENTITY,
    Person,
    Target,
    account_choices,
    assign,
    end,
    household_choices,
    leader_person,
    posted_phone,
    staff_choices,
    steward_person,
)
from app.blueprints.pacts.stewards.services.reading import (
    Coverage,
    Gap,
    building_rows,
    community_coverage,
    company_coverage,
    coverage,
    duty_rows,
    recent_changes,
    unit_duty,
    unit_history,
    units_of_staff,
    visible_communities,
)

__all__ = [
    "ENTITY",
    "Coverage",
    "Gap",
    "Person",
    "Target",
    "account_choices",
    "assign",
    "building_rows",
    "community_coverage",
    "company_coverage",
    "coverage",
    "duty_rows",
    "end",
    "household_choices",
    "leader_person",
    "posted_phone",
    "recent_changes",
    "staff_choices",
    "steward_person",
    "unit_duty",
    "unit_history",
    "units_of_staff",
    "visible_communities",
]
