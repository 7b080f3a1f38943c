"""Roster imports: an uploaded file's rows are staged, validated, then applied all or nothing."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAt, UTCDateTime, str_enum


class ImportStatus(enum.StrEnum):
    VALIDATING = "validating"
    INVALID = "invalid"  # errors listed; nothing applied
    READY = "ready"  # every row valid; waiting for the manager to commit
    IMPORTING = "importing"
    DONE = "done"
    FAILED = "failed"  # the file could not be read, or applying it failed and was rolled back


class ImportJob(CreatedAt, Base):
    __tablename__ = "import_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="RESTRICT"))
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    filename: Mapped[str] = mapped_column(String(200))
    status: Mapped[ImportStatus] = mapped_column(str_enum(ImportStatus, "import_status"))
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    # The first errors, [{row, column, message}], for the preview; error_count has them all.
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    message: Mapped[str | None] = mapped_column(String(300))
    # When applying was last claimed: a claim this old was cut off with its process.
    apply_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The file as uploaded, until it has been checked: the queue's worker, on any node, reads
    # it from here. Deferred, so that listing jobs never loads it.
    upload: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # Written by the check at every batch: a check whose heartbeat stopped was cut off with its
    # worker, and is started again.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ImportRow(Base):
    """One staged row; applying the import is set-based SQL over these rows."""

    __tablename__ = "import_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_job.id", ondelete="CASCADE"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    building: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(16))
    room: Mapped[str] = mapped_column(String(16))
    floor: Mapped[int] = mapped_column(Integer)
    area_m2: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    owner_name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(32))
