"""Merchant alliance (商业联盟): the alliances of the renovated shopping streets, their merchants
and shops, the shopfront upgrades merchants register with their investment, and the pledge to
the alliance's four mechanisms.

The alliance's totals are trusted like a ledger: investment is integer fen; an upgrade's text
and figures live in append-only revisions, and the upgrade points at the revision an officer
approved, so an edit after approval is a new revision awaiting review while the totals still
count the approved one. Every row below the merchant carries its alliance, and composite foreign
keys keep a row inside the alliance it names.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAt, UTCDateTime, str_enum


def _in_alliance(column: str, table: str) -> ForeignKeyConstraint:
    """`column` points at a row of `table` in this row's own alliance."""
    return ForeignKeyConstraint(
        [column, "alliance_id"], [f"{table}.id", f"{table}.alliance_id"], ondelete="RESTRICT"
    )


class Mechanism(enum.StrEnum):
    """The four mechanisms every alliance pledges its merchants to."""

    HONEST_TRADING = "honest_trading"  # 诚信经营
    FAIR_COMPETITION = "fair_competition"  # 良性竞争
    DIFFERENTIATED_OFFERS = "differentiated_offers"  # 错位发展
    SHARED_TRAFFIC = "shared_traffic"  # 流量共享


class Alliance(CreatedAt, Base):
    """One renovated shopping street's merchant alliance."""

    __tablename__ = "alliance"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    street: Mapped[str] = mapped_column(String(80))  # the shopping street, e.g. 弹子石老街
    city: Mapped[str] = mapped_column(String(40))
    district: Mapped[str] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (CheckConstraint("length(name) > 0", name="name_given"),)


class CharterMechanism(Base):
    """The alliance's own wording of one of the four mechanisms (its charter)."""

    __tablename__ = "charter_mechanism"

    alliance_id: Mapped[int] = mapped_column(
        ForeignKey("alliance.id", ondelete="CASCADE"), primary_key=True
    )
    mechanism: Mapped[Mechanism] = mapped_column(str_enum(Mechanism, "mechanism"), primary_key=True)
    wording: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AllianceCommunity(Base):
    """A residential community around the alliance's street."""

    __tablename__ = "alliance_community"

    alliance_id: Mapped[int] = mapped_column(
        ForeignKey("alliance.id", ondelete="CASCADE"), primary_key=True
    )
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class AllianceOfficer(CreatedAt, Base):
    """An officer account that runs the alliance; an officer runs one alliance."""

    __tablename__ = "alliance_officer"

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(
        ForeignKey("alliance.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), unique=True
    )


class Merchant(CreatedAt, Base):
    """A business (商户) as registered by its owner's account: one account, one business."""

    __tablename__ = "merchant"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), unique=True
    )
    business_name: Mapped[str] = mapped_column(String(100))
    # 统一社会信用代码: 18 characters, its check character verified (stdnum.cn.uscc) on entry.
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    legal_representative: Mapped[str] = mapped_column(String(40))
    contact_name: Mapped[str] = mapped_column(String(40))
    contact_phone: Mapped[str] = mapped_column(String(20))  # E.164, app.phones

    __table_args__ = (CheckConstraint("length(credit_code) = 18", name="credit_code_length"),)


class MembershipStatus(enum.StrEnum):
    APPLIED = "applied"
    APPROVED = "approved"
    DECLINED = "declined"


class Membership(CreatedAt, Base):
    """A merchant's application to join an alliance and the officer's decision on it. A merchant
    has at most one application pending or approved per alliance; a declined one stays in the
    history and they may apply again."""

    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id", ondelete="RESTRICT"))
    alliance_id: Mapped[int] = mapped_column(
        ForeignKey("alliance.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[MembershipStatus] = mapped_column(
        str_enum(MembershipStatus, "membership_status"), default=MembershipStatus.APPLIED
    )
    message: Mapped[str | None] = mapped_column(Text)  # what the merchant wrote with it
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    reason: Mapped[str | None] = mapped_column(Text)  # why it was declined

    __table_args__ = (
        Index(
            "uq_membership_open",
            "merchant_id",
            "alliance_id",
            unique=True,
            sqlite_where=text("status IN ('applied', 'approved')"),
            postgresql_where=text("status IN ('applied', 'approved')"),
        ),
        CheckConstraint(
            "(status = 'applied') = (decided_at IS NULL)", name="decided_unless_applied"
        ),
        CheckConstraint(
            "status <> 'declined' OR length(coalesce(reason, '')) > 0",
            name="declined_with_reason",
        ),
    )


class ShopCategory(enum.StrEnum):
    FOOD = "food"
    RETAIL = "retail"
    LODGING = "lodging"  # e.g. the old-house guesthouses (老宅民宿)
    BAR_CAFE = "bar_cafe"
    SERVICES = "services"
    CULTURE = "culture"


class ShopOrigin(enum.StrEnum):
    UPGRADED = "upgraded"  # an existing shop whose front was upgraded
    NEW = "new"  # a new shop that opened on the renovated street


class Shop(CreatedAt, Base):
    """One shop of a merchant on its alliance's street."""

    __tablename__ = "shop"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id", ondelete="RESTRICT"))
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliance.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(120))  # the address on the street
    category: Mapped[ShopCategory] = mapped_column(str_enum(ShopCategory, "shop_category"))
    origin: Mapped[ShopOrigin] = mapped_column(str_enum(ShopOrigin, "shop_origin"))
    floor_area_m2: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    opening_hours: Mapped[str | None] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(Text)
    # Only what the merchant chose to publish reaches the public directory.
    public_phone: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (
        UniqueConstraint("id", "alliance_id"),
        Index("ix_shop_alliance_category", "alliance_id", "category"),
        Index("ix_shop_merchant", "merchant_id"),
        CheckConstraint("floor_area_m2 > 0", name="floor_area_positive"),
    )


class UpgradeStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    COMPLETED = "completed"


class Upgrade(CreatedAt, Base):
    """A shopfront upgrade (门头改造) a merchant registers for one shop. Its text and figures are
    in its revisions; `status` is where its latest revision stands, and `approved_revision_id`
    the revision the totals count (kept while a later edit awaits review)."""

    __tablename__ = "upgrade"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column()
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliance.id", ondelete="RESTRICT"))
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id", ondelete="RESTRICT"))
    status: Mapped[UpgradeStatus] = mapped_column(
        str_enum(UpgradeStatus, "upgrade_status"), default=UpgradeStatus.DRAFT
    )
    approved_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("upgrade_revision.id", ondelete="RESTRICT", use_alter=True)
    )
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        _in_alliance("shop_id", "shop"),
        UniqueConstraint("id", "alliance_id"),
        Index("ix_upgrade_alliance_status", "alliance_id", "status"),
        Index("ix_upgrade_shop", "shop_id"),
        # Approved or completed means an approved revision exists; a completed one has its day.
        CheckConstraint(
            "status NOT IN ('approved', 'completed') OR approved_revision_id IS NOT NULL",
            name="approved_has_revision",
        ),
        CheckConstraint(
            "(status = 'completed') = (completed_on IS NOT NULL)", name="completed_has_day"
        ),
    )


class RevisionDecision(enum.StrEnum):
    APPROVED = "approved"
    RETURNED = "returned"


class UpgradeRevision(CreatedAt, Base):
    """One version of an upgrade's text and figures. Written once by the merchant; submitted;
    then approved or returned (with a reason) by an officer — never edited afterwards."""

    __tablename__ = "upgrade_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    upgrade_id: Mapped[int] = mapped_column()
    alliance_id: Mapped[int] = mapped_column()
    number: Mapped[int] = mapped_column()
    work: Mapped[str] = mapped_column(Text)  # what is being done
    investment_fen: Mapped[int] = mapped_column(BigInteger)
    starts_on: Mapped[date] = mapped_column(Date)
    finishes_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)  # what changed, from revision 2 on
    created_by_user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision: Mapped[RevisionDecision | None] = mapped_column(
        str_enum(RevisionDecision, "revision_decision")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    reason: Mapped[str | None] = mapped_column(Text)  # why it was returned

    __table_args__ = (
        _in_alliance("upgrade_id", "upgrade"),
        UniqueConstraint("upgrade_id", "number"),
        # One revision at a time awaits its decision: a second open one would be a silent edit.
        Index(
            "uq_upgrade_revision_open",
            "upgrade_id",
            unique=True,
            sqlite_where=text("decision IS NULL"),
            postgresql_where=text("decision IS NULL"),
        ),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("investment_fen > 0", name="investment_positive"),
        CheckConstraint("finishes_on >= starts_on", name="finishes_after_start"),
        CheckConstraint(
            "decision IS NULL OR submitted_at IS NOT NULL", name="decided_after_submitted"
        ),
        CheckConstraint(
            "(decision IS NULL) = (decided_at IS NULL) AND (decision IS NULL) = "
            "(decided_by_user_id IS NULL)",
            name="decision_complete",
        ),
        CheckConstraint(
            "decision IS NULL OR decision <> 'returned' OR length(coalesce(reason, '')) > 0",
            name="returned_with_reason",
        ),
    )


class PhotoStage(enum.StrEnum):
    BEFORE = "before"
    AFTER = "after"


class UpgradePhoto(CreatedAt, Base):
    """A before or after photo of an upgrade, stored through app.uploads (kind "alliance")."""

    __tablename__ = "upgrade_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    upgrade_id: Mapped[int] = mapped_column()
    alliance_id: Mapped[int] = mapped_column()
    stage: Mapped[PhotoStage] = mapped_column(str_enum(PhotoStage, "photo_stage"))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )

    __table_args__ = (
        _in_alliance("upgrade_id", "upgrade"),
        Index("ix_upgrade_photo", "upgrade_id"),
    )


PLEDGE_DAYS = 365


class Pledge(CreatedAt, Base):
    """A member merchant's signed pledge to the alliance's four mechanisms (四项承诺), dated. It
    runs for a year; the wording signed is kept as it was that day."""

    __tablename__ = "pledge"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id", ondelete="RESTRICT"))
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliance.id", ondelete="RESTRICT"))
    signed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    wording: Mapped[dict[str, str]] = mapped_column(JSON)  # mechanism -> wording, as signed
    signed_by_user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )

    __table_args__ = (
        Index("ix_pledge_merchant", "merchant_id", "alliance_id", "expires_on"),
        Index("ix_pledge_alliance_expiry", "alliance_id", "expires_on"),
        CheckConstraint("expires_on > signed_on", name="expires_after_signing"),
    )
