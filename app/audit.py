"""History (变更记录): record who changed what and when, for managers to read later."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_login import current_user
from sqlalchemy import inspect

from app.extensions import db
from app.models import AuditEntry


def _plain(value: Any) -> Any:
    """A JSON-safe form of a column value."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def pending_changes(obj: object, fields: tuple[str, ...]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields of `obj` changed in this session, before flush."""
    state = inspect(obj)
    changes = {}
    for field in fields:
        history = state.attrs[field].history
        if history.has_changes():
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before != after:
                changes[field] = [_plain(before), _plain(after)]
    return changes


def snapshot(obj: object, fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: _plain(getattr(obj, field)) for field in fields}


def record(
    entity: str,
    entity_id: int,
    company_id: int | None,
    action: str,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add a history entry by the current user (or the system, outside a request); the caller
    commits it together with the change it describes. `company_id` is None for a record that
    belongs to no property company (the merchant alliance's)."""
    actor = getattr(current_user, "id", None) if current_user else None
    entry = AuditEntry(
        entity=entity,
        entity_id=entity_id,
        company_id=company_id,
        action=action,
        changes=changes or {},
        actor_user_id=actor,
    )
    db.session.add(entry)
    return entry


def record_changes(
    entity: str,
    obj: Any,
    company_id: int,
    fields: tuple[str, ...],
    values: Mapping[str, Any],
) -> dict[str, list[Any]]:
    """Set `values` on `obj` and record what changed of `fields` as one "updated" entry;
    returns {field: [before, after]}. Expired columns are loaded first, so that "before" is
    the stored value, and nothing is flushed here: a unique key is the caller's to flush."""
    if inspect(obj).expired_attributes:
        db.session.refresh(obj)
    with db.session.no_autoflush:
        for name, value in values.items():
            setattr(obj, name, value)
        changes = pending_changes(obj, fields)
        if changes:
            record(entity, obj.id, company_id, "updated", changes)
    return changes
