"""History (变更记录): who changed what and when, kept per company for its managers to read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAt


class AuditEntry(CreatedAt, Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a record outside any company (a merchant alliance's upgrade); staff never see it.
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id", ondelete="RESTRICT"))
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    entity: Mapped[str] = mapped_column(String(32))  # "household", "resident", "request", …
    entity_id: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(String(32))  # "created", "updated", "linked", …
    # {field: [before, after]} for updates; {field: value} for creations.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        Index("ix_audit_entry_entity", "entity", "entity_id"),
        Index("ix_audit_entry_company_created", "company_id", "created_at"),
    )
