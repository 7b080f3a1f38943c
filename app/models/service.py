"""One-window service requests and their timeline.

一门受理、一体派单、联合处置、实时追溯、闭环问效: taken at one window, dispatched to one owner,
handled jointly, traced in real time, closed with the resident's verdict.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAt, UTCDateTime, str_enum


class RequestCategory(enum.StrEnum):
    REPAIR = "repair"  # 报修
    COMPLAINT = "complaint"  # 投诉
    SAFETY = "safety"  # 安全隐患
    DISPUTE = "dispute"  # 邻里纠纷
    SUGGESTION = "suggestion"  # 建议


class RequestLocation(enum.StrEnum):
    HOUSEHOLD = "household"  # inside the home
    CORRIDOR = "corridor"  # the unit's corridor (楼道)
    COMMON_AREA = "common_area"  # courtyards, roads, parking


class RequestStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # 已受理, waiting to be dispatched
    DISPATCHED = "dispatched"  # 已派单 to one staff member
    RESOLVED = "resolved"  # staff say it is done; the resident is asked
    CLOSED = "closed"  # the resident accepted and rated it
    REOPENED = "reopened"  # the resident was not satisfied; back to dispatch


class RequestChannel(enum.StrEnum):
    APP = "app"  # filed by the resident in the portal
    WINDOW = "window"  # taken at the service window
    PHONE = "phone"


class ServiceRequest(CreatedAt, Base):
    """A request or complaint taken at the one window (一门受理) and traced to its close."""

    __tablename__ = "service_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="RESTRICT"))
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("household.id", ondelete="RESTRICT"), index=True
    )
    unit_id: Mapped[int | None] = mapped_column()
    reporter_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    channel: Mapped[RequestChannel] = mapped_column(str_enum(RequestChannel, "request_channel"))
    category: Mapped[RequestCategory] = mapped_column(str_enum(RequestCategory, "request_category"))
    location: Mapped[RequestLocation] = mapped_column(str_enum(RequestLocation, "request_location"))
    location_note: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    # File name under instance/uploads chosen by the server, never by the uploader.
    photo: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[RequestStatus] = mapped_column(str_enum(RequestStatus, "request_status"))
    assignee_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="RESTRICT"), index=True
    )
    departments: Mapped[list[str]] = mapped_column(JSON, default=list)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rating: Mapped[int | None] = mapped_column(Integer)

    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", order_by="RequestEvent.id"
    )

    __table_args__ = (
        ForeignKeyConstraint(
            ["unit_id", "community_id"], ["unit.id", "unit.community_id"], ondelete="RESTRICT"
        ),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint(
            "location != 'household' OR household_id IS NOT NULL", name="household_location"
        ),
        CheckConstraint("location != 'corridor' OR unit_id IS NOT NULL", name="corridor_location"),
        CheckConstraint("status != 'closed' OR rating IS NOT NULL", name="closed_is_rated"),
        Index("ix_service_request_community_status", "community_id", "status"),
    )


class RequestEventKind(enum.StrEnum):
    FILED = "filed"
    DISPATCHED = "dispatched"
    NOTE = "note"
    DEPARTMENTS = "departments"
    RESOLVED = "resolved"
    ACCEPTED = "accepted"
    REOPENED = "reopened"


class RequestEvent(Base):
    """One step in a request's timeline (实时追溯): who did what, and when."""

    __tablename__ = "request_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_request.id", ondelete="RESTRICT"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    kind: Mapped[RequestEventKind] = mapped_column(str_enum(RequestEventKind, "request_event_kind"))
    note: Mapped[str | None] = mapped_column(Text)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    rating: Mapped[int | None] = mapped_column(Integer)

    request: Mapped[ServiceRequest] = relationship(back_populates="events")
