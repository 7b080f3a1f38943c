"""Workflows: records that move through states by named steps — a service request from
received to closed, and next a pact's signing rounds and a shopfront upgrade's review.

A `Workflow` declares, per step, who may ever take it; `move()` changes the record's status
only if nobody changed it meanwhile (a compare-and-set UPDATE, so two people acting at once
cannot both move it), and records the change in the history in the same transaction. What a
step does besides (events, notes, notifications) stays with the area.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import update

from app import audit
from app.extensions import db
from app.models import User

R = TypeVar("R")
Guard = Callable[[User, Any], bool]


@dataclass(frozen=True)
class Workflow(Generic[R]):
    """`steps` maps each step's name to who may ever take it (whatever the state now);
    `entity` names the record in the history, `company_of` the company it belongs to (None
    outside the property companies: a merchant alliance's record);
    `stale` makes the area's error for a record someone moved meanwhile (the user reloads and
    decides again)."""

    model: type[R]
    entity: str
    steps: Mapping[str, Guard]
    company_of: Callable[[R], int | None]
    stale: Callable[[], Exception]

    def may(self, user: User, record: R, step: str) -> bool:
        return bool(self.steps[step](user, record))

    def move(self, record: R, to: Any, action: str, values: Mapping[str, Any]) -> None:
        """Set the status to `to` (and `values`) if it is still what `record` holds; record
        the change as `action` in the history; raise `stale()` when someone moved it."""
        fields = ("status", *values)
        before = audit.snapshot(record, fields)
        db.session.flush()
        key = self.model.id  # type: ignore[attr-defined]
        status = self.model.status  # type: ignore[attr-defined]
        result = db.session.execute(
            update(self.model)
            .where(key == record.id, status == record.status)  # type: ignore[attr-defined]
            .values(status=to, **values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise self.stale()
        db.session.refresh(record)
        after = audit.snapshot(record, fields)
        changes = {
            name: [before[name], after[name]] for name in fields if before[name] != after[name]
        }
        audit.record(self.entity, record.id, self.company_of(record), action, changes)  # type: ignore[attr-defined]
