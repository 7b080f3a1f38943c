"""The property model: who runs which community, and the homes in it.

Company → Community → Building → Unit (单元, an entrance and its corridor) → Household.
Buildings, units and households carry their community's id so that scoping a query to a
company is one join; composite foreign keys make a mismatched community impossible.
"""

from __future__ import annotations

import enum
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAt, str_enum


class CompanyKind(enum.StrEnum):
    RED = "red"  # 红色物业: founded by a street or town under party leadership
    MARKET = "market"  # 市场化物业公司
    SELF_MANAGED = "self_managed"  # 居民自治组织


class ManagementMode(enum.StrEnum):
    RED_PROPERTY = "red_property"
    MARKET_PROPERTY = "market_property"
    SELF_MANAGED = "self_managed"


class Company(CreatedAt, Base):
    """A property company or a residents' self-management body (物业公司 / 自治组织)."""

    __tablename__ = "company"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # Short code printed in receipt numbers, e.g. XSY-2026-000123.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    kind: Mapped[CompanyKind] = mapped_column(str_enum(CompanyKind, "company_kind"))
    city: Mapped[str] = mapped_column(String(40))
    district: Mapped[str] = mapped_column(String(40))
    founding_street: Mapped[str | None] = mapped_column(String(60))  # 成立镇街
    phone: Mapped[str | None] = mapped_column(String(32))

    communities: Mapped[list[Community]] = relationship(back_populates="company")

    __table_args__ = (CheckConstraint("length(code) >= 2", name="code_length"),)


class Community(CreatedAt, Base):
    """A residential community (小区) and the operator that runs it."""

    __tablename__ = "community"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(80))
    city: Mapped[str] = mapped_column(String(40))
    district: Mapped[str] = mapped_column(String(40))
    street: Mapped[str] = mapped_column(String(60))  # 镇街
    address: Mapped[str | None] = mapped_column(String(160))
    built_year: Mapped[int | None] = mapped_column(Integer)
    management_mode: Mapped[ManagementMode] = mapped_column(
        str_enum(ManagementMode, "management_mode")
    )

    company: Mapped[Company] = relationship(back_populates="communities")
    buildings: Mapped[list[Building]] = relationship(
        back_populates="community", order_by="Building.sort_key"
    )

    __table_args__ = (
        UniqueConstraint("city", "district", "name"),
        CheckConstraint(
            "built_year IS NULL OR built_year BETWEEN 1900 AND 2100", name="built_year"
        ),
    )


class Building(Base):
    """A building (楼栋) in a community, e.g. 3栋."""

    __tablename__ = "building"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="RESTRICT"))
    number: Mapped[str] = mapped_column(String(16))
    floors: Mapped[int] = mapped_column(Integer)
    sort_key: Mapped[int] = mapped_column(Integer, default=0)

    community: Mapped[Community] = relationship(back_populates="buildings")
    units: Mapped[list[Unit]] = relationship(back_populates="building", order_by="Unit.number")

    __table_args__ = (
        UniqueConstraint("community_id", "number"),
        UniqueConstraint("id", "community_id"),
        CheckConstraint("floors BETWEEN 1 AND 200", name="floors"),
    )


class Unit(Base):
    """An entrance of a building and the corridor behind it (单元 / 楼道)."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column()
    community_id: Mapped[int] = mapped_column()
    number: Mapped[str] = mapped_column(String(16))

    building: Mapped[Building] = relationship(back_populates="units")
    households: Mapped[list[Household]] = relationship(
        back_populates="unit", order_by="Household.room"
    )

    __table_args__ = (
        ForeignKeyConstraint(
            ["building_id", "community_id"],
            ["building.id", "building.community_id"],
            ondelete="RESTRICT",
        ),
        UniqueConstraint("building_id", "number"),
        UniqueConstraint("id", "community_id"),
    )

    @property
    def label(self) -> str:
        return f"{self.building.number}-{self.number}"


class Household(CreatedAt, Base):
    """A home (户): one room in one unit, with its floor area and registered owner."""

    __tablename__ = "household"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column()
    community_id: Mapped[int] = mapped_column(index=True)
    room: Mapped[str] = mapped_column(String(16))
    floor: Mapped[int] = mapped_column(Integer)
    # Exact square metres; fees are priced per m², so never a float.
    area_m2: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    owner_name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(32))

    unit: Mapped[Unit] = relationship(back_populates="households")

    __table_args__ = (
        ForeignKeyConstraint(
            ["unit_id", "community_id"], ["unit.id", "unit.community_id"], ondelete="RESTRICT"
        ),
        UniqueConstraint("unit_id", "room"),
        # Lets bills, payments and leases carry the community with the household.
        UniqueConstraint("id", "community_id"),
        CheckConstraint("area_m2 > 0", name="area_positive"),
        CheckConstraint("floor BETWEEN -5 AND 200", name="floor"),
        # The roster's live search matches the start of these (LIKE 'q%'); pattern ops let
        # PostgreSQL use the index for it whatever the database's collation.
        *(
            Index(f"ix_household_{c}", c, postgresql_ops={c: "varchar_pattern_ops"})
            for c in ("room", "owner_name", "phone")
        ),
    )


class StaffPosition(enum.StrEnum):
    STEWARD = "steward"  # 物业管家
    MANAGER = "manager"
    CLEANER = "cleaner"
    SECURITY = "security"
    MAINTENANCE = "maintenance"
    GRID_WORKER = "grid_worker"  # 网格员: canvasses door to door for pacts and consent


class Staff(CreatedAt, Base):
    """A member of a company's staff; party members are marked, as the reports count them."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="RESTRICT"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), unique=True
    )
    name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(32))
    position: Mapped[StaffPosition] = mapped_column(str_enum(StaffPosition, "staff_position"))
    is_party_member: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    company: Mapped[Company] = relationship()
