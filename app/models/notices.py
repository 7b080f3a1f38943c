"""Notices (通知公告) to a community or some of its buildings, and who has read them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAt, UTCDateTime


class Notice(CreatedAt, Base):
    """A notice addressed to a whole community, or only to the buildings listed for it."""

    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="RESTRICT"), index=True
    )
    author_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    buildings: Mapped[list[NoticeBuilding]] = relationship()


class NoticeBuilding(Base):
    """A building a notice is addressed to; the composite key keeps it in the notice's community."""

    __tablename__ = "notice_building"

    notice_id: Mapped[int] = mapped_column(
        ForeignKey("notice.id", ondelete="CASCADE"), primary_key=True
    )
    building_id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column()

    __table_args__ = (
        ForeignKeyConstraint(
            ["building_id", "community_id"],
            ["building.id", "building.community_id"],
            ondelete="RESTRICT",
        ),
    )


class NoticeRead(Base):
    """The first time someone of a household opened a notice."""

    __tablename__ = "notice_read"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("notice_id", "household_id"),)
