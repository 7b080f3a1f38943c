"""History display (变更记录): how an entry recorded with `app.audit.record` reads.

The core knows no area's entities. Each area registers the entities it records entries about,
beside the services that record them: the entity's name, its actions, its fields' labels, how
a stored value reads where the plain text is not enough, and the references kept for tracing
rather than reading. An entry about an entity nobody registered reads with its raw names.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from app.labels import label
from app.models import AuditEntry

Show = Callable[[Any], str]


@dataclass(frozen=True)
class Entity:
    label: Any
    actions: Mapping[str, Any]
    fields: Mapping[str, Any]
    values: Mapping[str, Show] = field(default_factory=dict)
    hidden: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # None for a value set when the thing was created
    after: str


_ENTITIES: dict[str, Entity] = {}


def register(
    entity: str,
    title: Any,
    *,
    actions: Mapping[str, Any],
    fields: Mapping[str, Any],
    values: Mapping[str, Show] | None = None,
    hidden: Iterable[str] = (),
) -> None:
    """Say how entries about `entity` read: its `title`, the labels of its `actions` and
    `fields`, a function per field whose stored values need one, and the `hidden` fields."""
    if entity in _ENTITIES:
        raise ValueError(f"history entity {entity!r} is registered twice")
    _ENTITIES[entity] = Entity(title, actions, fields, values or {}, frozenset(hidden))


def coded(kind: type[enum.Enum]) -> Show:
    """Values stored as an enum's value, read by the enum member's label."""

    def show(value: Any) -> str:
        try:
            return label(kind(value))
        except ValueError:
            return str(value)

    return show


def mapped(labels: Mapping[str, Any]) -> Show:
    """Values stored as codes, read by their labels."""
    return lambda value: str(labels.get(value, value))


def entity_label(entity: str) -> str:
    known = _ENTITIES.get(entity)
    return str(known.label) if known else entity


def action_label(entry: AuditEntry) -> str:
    known = _ENTITIES.get(entry.entity)
    return str(known.actions.get(entry.action, entry.action)) if known else entry.action


def show_value(entity: str, field: str, value: Any) -> str:
    """A stored value as the reader expects it: labels, yes/no, units."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    known = _ENTITIES.get(entity)
    show = known.values.get(field) if known else None
    return show(value) if show else str(value)


def describe(entry: AuditEntry) -> list[Change]:
    """An entry's changes field by field: {f: [before, after]} or, on creation, {f: value}."""
    known = _ENTITIES.get(entry.entity)
    changes = []
    for name, value in (entry.changes or {}).items():
        if known and name in known.hidden:
            continue
        title = str(known.fields.get(name, name)) if known else name
        if isinstance(value, list) and len(value) == 2:
            before, after = value
            changes.append(
                Change(
                    title,
                    show_value(entry.entity, name, before),
                    show_value(entry.entity, name, after),
                )
            )
        else:
            changes.append(Change(title, None, show_value(entry.entity, name, value)))
    return changes
