"""The roster's history: how its entries read, a household's history and the recent changes.

Entries: "household" ones carry the household's id, with the actions "created", "generated",
"updated" and, for its residents coming and going, "resident_linked" (written by the
activation codes, with "code_issued" and "code_revoked") and "resident_unlinked"; "staff"
entries the staff member's id; "community" entries the community's id; "building" entries the
building's id (the actions "generated" and "updated"); "unit" entries the unit's id. The
recent changes also list the imports, which register their own entries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import aliased

from app import history
from app.authz import visible
from app.blueprints.property.roster.services.households import RELATIONS
from app.models import (
    AuditEntry,
    Building,
    Community,
    Household,
    ManagementMode,
    Role,
    Staff,
    StaffPosition,
    Unit,
    User,
)

# What the roster's page of recent changes shows, in the order of its filter.
HISTORY_ENTITIES = ("household", "staff", "community", "building", "unit", "import")
CREATED = _l("Created")
UPDATED = _l("Changed")
GENERATED = _l("Generated")


def _moment(value: Any) -> str:
    try:
        return format_datetime(datetime.fromisoformat(value), "yyyy-MM-dd HH:mm")
    except (TypeError, ValueError):
        return str(value)


history.register(
    "household",
    _l("Household"),
    actions={
        "created": CREATED,
        "generated": GENERATED,
        "updated": UPDATED,
        "resident_linked": _l("Resident linked"),
        "resident_unlinked": _l("Resident unlinked"),
        "code_issued": _l("Activation code issued"),
        "code_revoked": _l("Activation code revoked"),
    },
    fields={
        "room": _l("Room"),
        "floor": _l("Floor"),
        "area_m2": _l("Floor area"),
        "owner_name": _l("Owner"),
        "phone": _l("Phone"),
        "username": _l("Resident account"),
        "relation": _l("Relation"),
        "expires_at": _l("Expires"),
    },
    values={
        "area_m2": lambda value: f"{value} m²",
        "relation": history.mapped(RELATIONS),
        "expires_at": _moment,
    },
    # References kept in entries for tracing, not for reading.
    hidden=("code_id", "user_id"),
)
history.register(
    "staff",
    _l("Staff"),
    actions={"created": CREATED, "updated": UPDATED, "account_created": _l("Account given")},
    fields={
        "name": _l("Full name"),
        "phone": _l("Phone"),
        "position": _l("Position"),
        "is_party_member": _l("Party member"),
        "is_active": _l("Active"),
        "account": _l("Account"),
        "role": _l("Role"),
    },
    values={"position": history.coded(StaffPosition), "role": history.coded(Role)},
)
history.register(
    "community",
    _l("Community"),
    actions={"created": CREATED, "updated": UPDATED},
    fields={
        "name": _l("Name"),
        "city": _l("City"),
        "district": _l("District"),
        "street": _l("Street"),
        "address": _l("Address"),
        "built_year": _l("Built"),
        "management_mode": _l("Management"),
    },
    values={"management_mode": history.coded(ManagementMode)},
)
history.register(
    "building",
    _l("Building"),
    actions={"generated": GENERATED, "updated": UPDATED},
    fields={
        "number": _l("Building number"),
        "floors": _l("Floors"),
        "sort_key": _l("Order in lists"),
        "units": _l("Units"),
        "households": _l("Households"),
        "building": _l("Building"),
    },
)
history.register(
    "unit", _l("Unit"), actions={"updated": UPDATED}, fields={"number": _l("Unit number")}
)


def entity_choices() -> dict[str, str]:
    """The kinds of entry the recent changes can be narrowed to, with their labels."""
    return {entity: history.entity_label(entity) for entity in HISTORY_ENTITIES}


def household_history(household: Household) -> Select:
    """A household's history, newest first: its own edits and its residents coming and going."""
    return (
        visible(AuditEntry)
        .add_columns(User.display_name.label("actor"))
        .outerjoin(User, User.id == AuditEntry.actor_user_id)
        .where(AuditEntry.entity == "household", AuditEntry.entity_id == household.id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )


def recent_changes(entity: str | None = None) -> Select:
    """Every change to the roster the user may see, newest first, with the thing it concerns.
    A service request's steps are not here: its timeline tells them, with the rest of it."""
    home = aliased(Household)
    home_unit = aliased(Unit)
    home_building = aliased(Building)
    entrance = aliased(Unit)
    block = aliased(Building)
    place = aliased(Community)
    about_home = AuditEntry.entity == "household"
    query = (
        visible(AuditEntry)
        .add_columns(
            User.display_name.label("actor"),
            home.room.label("room"),
            home_unit.number.label("unit_number"),
            home_building.number.label("building_number"),
            block.number.label("subject_building"),
            entrance.number.label("subject_unit"),
            place.id.label("community_id"),
            place.name.label("community_name"),
            Staff.name.label("staff_name"),
        )
        .outerjoin(User, User.id == AuditEntry.actor_user_id)
        .outerjoin(home, and_(about_home, home.id == AuditEntry.entity_id))
        .outerjoin(home_unit, home_unit.id == home.unit_id)
        .outerjoin(home_building, home_building.id == home_unit.building_id)
        .outerjoin(entrance, and_(AuditEntry.entity == "unit", entrance.id == AuditEntry.entity_id))
        .outerjoin(
            block,
            or_(
                and_(AuditEntry.entity == "building", block.id == AuditEntry.entity_id),
                block.id == entrance.building_id,
            ),
        )
        .outerjoin(
            place,
            or_(
                place.id == home.community_id,
                place.id == block.community_id,
                and_(AuditEntry.entity == "community", place.id == AuditEntry.entity_id),
            ),
        )
        .outerjoin(Staff, and_(AuditEntry.entity == "staff", Staff.id == AuditEntry.entity_id))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    query = query.where(AuditEntry.entity.in_(HISTORY_ENTITIES))
    if entity:
        query = query.where(AuditEntry.entity == entity)
    return query
