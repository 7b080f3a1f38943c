"""Corridor pacts and building stewards: who looks after each unit, the public board at its
entrance, the pact its residents sign in three rounds, and the inspections that rank it.

A unit (单元) is an entrance and its corridor. Every table here carries the unit's (or the
campaign's) community so that scoping to a company is one join, and composite foreign keys keep
a row inside the community it names.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAt, UTCDateTime, str_enum


def _in_community(column: str, table: str) -> ForeignKeyConstraint:
    """`column` points at a row of `table` in this row's own community."""
    return ForeignKeyConstraint(
        [column, "community_id"], [f"{table}.id", f"{table}.community_id"], ondelete="RESTRICT"
    )


class StewardKind(enum.StrEnum):
    STEWARD = "steward"  # 物业管家: a staff member of the company
    LEADER = "leader"  # 楼栋长: a resident of the building


class StewardAssignment(CreatedAt, Base):
    """Who is posted on a unit's board as its steward or its building leader, from when to when.

    Replacing someone ends the old row (`ends_on`) and adds a new one, so the history stays. At
    most one open row per unit and kind: a partial unique index makes two current stewards of
    one unit impossible.
    """

    __tablename__ = "steward_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column()
    community_id: Mapped[int] = mapped_column()
    kind: Mapped[StewardKind] = mapped_column(str_enum(StewardKind, "steward_kind"))
    # The steward is a staff member; the leader lives in a household of the building.
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    household_id: Mapped[int | None] = mapped_column()
    # The resident account of a leader, when they have one: it lets them inspect and canvass.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(32))  # normalised by app.phones
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    assigned_by_user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )

    __table_args__ = (
        _in_community("unit_id", "unit"),
        _in_community("household_id", "household"),
        CheckConstraint(
            "(kind = 'steward' AND staff_id IS NOT NULL AND household_id IS NULL)"
            " OR (kind = 'leader' AND household_id IS NOT NULL AND staff_id IS NULL)",
            name="person_of_kind",
        ),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        Index(
            "uq_steward_assignment_current",
            "unit_id",
            "kind",
            unique=True,
            sqlite_where=text("ends_on IS NULL"),
            postgresql_where=text("ends_on IS NULL"),
        ),
        Index("ix_steward_assignment_community", "community_id", "kind"),
        Index("ix_steward_assignment_staff", "staff_id"),
    )


class StewardBoard(Base):
    """The public board of a unit (楼道管家公示牌): its address carries an unguessable token, not
    an id, so nobody can walk the city's boards by counting. Re-issuing the token (a board was
    replaced) makes the old QR code answer 404."""

    __tablename__ = "steward_board"

    unit_id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(index=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )

    __table_args__ = (
        _in_community("unit_id", "unit"),
        CheckConstraint("length(token) >= 20", name="token_length"),
    )


class PactClause(CreatedAt, Base):
    """A company's own clause for its pact library; the built-in clauses live in the code, in
    Chinese and English."""

    __tablename__ = "pact_clause"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("company.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    created_by_user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )


class Pact(CreatedAt, Base):
    """A corridor pact (楼道公约): one per unit, or one community-wide (unit_id NULL) that may
    cover all its units. Its text lives in its versions."""

    __tablename__ = "pact"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="RESTRICT"), index=True
    )
    unit_id: Mapped[int | None] = mapped_column()
    created_by_user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )

    __table_args__ = (
        _in_community("unit_id", "unit"),
        UniqueConstraint("id", "community_id"),
        UniqueConstraint("unit_id"),
        Index(
            "uq_pact_community_wide",
            "community_id",
            unique=True,
            sqlite_where=text("unit_id IS NULL"),
            postgresql_where=text("unit_id IS NULL"),
        ),
    )


class PactVersion(CreatedAt, Base):
    """One version of a pact's text, never changed once saved: an edit makes the next number.

    `clauses` is a list of {"title": …, "body": …} in the order they are printed.
    """

    __tablename__ = "pact_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    pact_id: Mapped[int] = mapped_column()
    community_id: Mapped[int] = mapped_column()
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(80))
    clauses: Mapped[list] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(200))  # what changed, in the editor's words
    created_by_user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )

    __table_args__ = (
        _in_community("pact_id", "pact"),
        UniqueConstraint("pact_id", "number"),
        UniqueConstraint("id", "community_id"),
        CheckConstraint("number >= 1", name="number_positive"),
    )


class CampaignScope(enum.StrEnum):
    UNIT = "unit"
    BUILDING = "building"
    COMMUNITY = "community"


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"  # being prepared; takes no answers yet
    OPEN = "open"  # canvassing, in round `current_round`
    ADOPTED = "adopted"  # support reached the threshold: the pact is in force
    CLOSED = "closed"  # ended without adoption


class SigningCampaign(CreatedAt, Base):
    """Collecting the households' consent to one pact version (三轮入户) over one unit, a
    building or a whole community. The pact is adopted the moment support reaches
    threshold_numerator / threshold_denominator of `household_count` (the households in scope
    when the campaign opened), and only once: the status moves by compare-and-set."""

    __tablename__ = "signing_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column()
    version_id: Mapped[int] = mapped_column()
    scope: Mapped[CampaignScope] = mapped_column(str_enum(CampaignScope, "campaign_scope"))
    building_id: Mapped[int | None] = mapped_column()
    unit_id: Mapped[int | None] = mapped_column()
    title: Mapped[str] = mapped_column(String(120))
    status: Mapped[CampaignStatus] = mapped_column(
        str_enum(CampaignStatus, "campaign_status"), default=CampaignStatus.DRAFT
    )
    current_round: Mapped[int] = mapped_column(Integer, default=1)
    threshold_numerator: Mapped[int] = mapped_column(Integer, default=2)
    threshold_denominator: Mapped[int] = mapped_column(Integer, default=3)
    household_count: Mapped[int | None] = mapped_column(Integer)
    agreed_count: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )

    __table_args__ = (
        _in_community("version_id", "pact_version"),
        _in_community("building_id", "building"),
        _in_community("unit_id", "unit"),
        UniqueConstraint("id", "community_id"),
        CheckConstraint(
            "(scope = 'unit' AND unit_id IS NOT NULL AND building_id IS NULL)"
            " OR (scope = 'building' AND building_id IS NOT NULL AND unit_id IS NULL)"
            " OR (scope = 'community' AND building_id IS NULL AND unit_id IS NULL)",
            name="scope_target",
        ),
        CheckConstraint("current_round BETWEEN 1 AND 3", name="round"),
        CheckConstraint(
            "threshold_numerator >= 1 AND threshold_denominator >= 1"
            " AND threshold_numerator <= threshold_denominator",
            name="threshold",
        ),
        CheckConstraint(
            "(status = 'draft') = (opened_at IS NULL)"
            " AND (status = 'draft') = (household_count IS NULL)",
            name="opened_when_not_draft",
        ),
        CheckConstraint("(status = 'adopted') = (adopted_at IS NOT NULL)", name="adopted_at"),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_at"),
        CheckConstraint(
            "agreed_count >= 0 AND (household_count IS NULL OR agreed_count <= household_count)",
            name="agreed_count",
        ),
        Index("ix_signing_campaign_community_status", "community_id", "status"),
    )


class Answer(enum.StrEnum):
    AGREE = "agree"  # 同意
    DISAGREE = "disagree"  # 不同意
    ABSENT = "absent"  # 不在家: asked at the door, nobody answered


class AnswerChannel(enum.StrEnum):
    ONLINE = "online"  # the resident signed on their phone
    DOOR = "door"  # a canvasser recorded it at the door


class CampaignAnswer(CreatedAt, Base):
    """One answer of one household, as given or recorded: append-only, the history of the
    campaign. The household's current answer is `CampaignVote`."""

    __tablename__ = "campaign_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column()
    community_id: Mapped[int] = mapped_column()
    household_id: Mapped[int] = mapped_column()
    answer: Mapped[Answer] = mapped_column(str_enum(Answer, "campaign_answer"))
    channel: Mapped[AnswerChannel] = mapped_column(str_enum(AnswerChannel, "answer_channel"))
    round: Mapped[int] = mapped_column(Integer)
    asked_by: Mapped[str | None] = mapped_column(String(60))  # who knocked, in their words
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    remark: Mapped[str | None] = mapped_column(String(200))
    recorded_by_user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )

    __table_args__ = (
        _in_community("campaign_id", "signing_campaign"),
        _in_community("household_id", "household"),
        CheckConstraint("round BETWEEN 1 AND 3", name="round"),
        Index("ix_campaign_answer_campaign_household", "campaign_id", "household_id"),
    )


class CampaignVote(Base):
    """A household's one voice in a campaign: the answer that counts now (its latest)."""

    __tablename__ = "campaign_vote"

    campaign_id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column()
    answer_id: Mapped[int] = mapped_column(ForeignKey("campaign_answer.id", ondelete="RESTRICT"))
    answer: Mapped[Answer] = mapped_column(str_enum(Answer, "campaign_vote_answer"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        _in_community("campaign_id", "signing_campaign"),
        _in_community("household_id", "household"),
        Index("ix_campaign_vote_campaign_answer", "campaign_id", "answer"),
    )


class UnitPact(Base):
    """A pact version in force on a unit since a campaign adopted it; the latest one counts."""

    __tablename__ = "unit_pact"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column()
    community_id: Mapped[int] = mapped_column()
    version_id: Mapped[int] = mapped_column()
    campaign_id: Mapped[int] = mapped_column()
    adopted_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        _in_community("unit_id", "unit"),
        _in_community("version_id", "pact_version"),
        _in_community("campaign_id", "signing_campaign"),
        UniqueConstraint("campaign_id", "unit_id"),
        Index("ix_unit_pact_unit_adopted", "unit_id", "adopted_at"),
        Index("ix_unit_pact_community", "community_id"),
    )


# The checklist of an inspection (包保责任制), each item scored 0 (bad) to 5 (exemplary).
INSPECTION_ITEMS = (
    "corridor_clear",  # 楼道畅通: nothing stored in the escape route
    "cleanliness",  # 卫生整洁
    "lighting",  # 照明完好
    "fire_equipment",  # 消防器材完好
    "notices_tidy",  # 张贴规范: notices only on the board
    "no_flying_wires",  # 无飞线充电
)
ITEM_MAX = 5


class Inspection(CreatedAt, Base):
    """One inspection of a unit by its steward or building leader. `score` (0–100) is the
    checklist's sum scaled to a hundred; `period` (YYYYMM of the day) serves the rankings."""

    __tablename__ = "inspection"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column()
    community_id: Mapped[int] = mapped_column()
    building_id: Mapped[int] = mapped_column()
    inspected_on: Mapped[date] = mapped_column(Date)
    period: Mapped[int] = mapped_column(Integer)
    inspector_user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    inspector_name: Mapped[str] = mapped_column(String(60))
    corridor_clear: Mapped[int] = mapped_column(Integer)
    cleanliness: Mapped[int] = mapped_column(Integer)
    lighting: Mapped[int] = mapped_column(Integer)
    fire_equipment: Mapped[int] = mapped_column(Integer)
    notices_tidy: Mapped[int] = mapped_column(Integer)
    no_flying_wires: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    remarks: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        _in_community("unit_id", "unit"),
        _in_community("building_id", "building"),
        *(
            CheckConstraint(f"{item} BETWEEN 0 AND {ITEM_MAX}", name=item)
            for item in INSPECTION_ITEMS
        ),
        CheckConstraint("score BETWEEN 0 AND 100", name="score"),
        CheckConstraint("period BETWEEN 200001 AND 209912", name="period"),
        Index("ix_inspection_community_period", "community_id", "period"),
        Index("ix_inspection_period_unit", "period", "unit_id", "score"),
        Index("ix_inspection_unit_day", "unit_id", "inspected_on"),
    )


class InspectionPhoto(CreatedAt, Base):
    """A photo taken during an inspection, stored by app.uploads (cleaned of location data)."""

    __tablename__ = "inspection_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspection.id", ondelete="CASCADE"), index=True
    )
    stored_name: Mapped[str] = mapped_column(String(64))
