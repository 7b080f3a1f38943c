"""SQL that differs between the two backends, SQLite and PostgreSQL, written once."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db


def is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def insert(model: type):  # type: ignore[no-untyped-def]
    return (pg_insert if is_postgres() else sqlite_insert)(model)


def lock_row(model: type, object_id: int) -> None:
    """Hold a write lock on one row until the transaction ends, on both backends: SELECT … FOR
    UPDATE on PostgreSQL; on SQLite a no-op UPDATE, which takes the database's write lock
    (a SELECT would not, and two clerks could both pass a check before either writes)."""
    key = model.id  # type: ignore[attr-defined]
    if is_postgres():
        db.session.execute(select(key).where(key == object_id).with_for_update())
    else:
        db.session.execute(update(model).where(key == object_id).values(id=key))
