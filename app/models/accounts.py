"""Accounts, roles, login sessions and the link from a resident to their household."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.models.base import Base, CreatedAt, UTCDateTime, str_enum
from app.models.property import Company, Household

PASSWORD_METHOD = "scrypt"  # noqa: S105 - a hash algorithm, not a password


class Role(enum.StrEnum):
    ADMIN = "admin"  # district or street office
    MANAGER = "manager"  # staff of one property company
    STEWARD = "steward"  # a steward (物业管家) or other staff member of one company
    RESIDENT = "resident"  # a member of one or more households
    MERCHANT = "merchant"  # a shop owner
    OFFICER = "officer"  # runs one merchant alliance


# Roles of a property company's own staff: they belong to one company and see its data.
COMPANY_STAFF_ROLES = (Role.MANAGER, Role.STEWARD)


class User(UserMixin, CreatedAt, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("company.id", ondelete="RESTRICT"), index=True
    )
    locale: Mapped[str | None] = mapped_column(String(8))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)  # type: ignore[assignment]

    company: Mapped[Company | None] = relationship()
    households: Mapped[list[Household]] = relationship(
        secondary="resident_household", order_by="Household.id", viewonly=True
    )

    __table_args__ = (
        # Company staff (managers, stewards) belong to exactly one company; nobody else does.
        CheckConstraint(
            "(role IN ('manager', 'steward')) = (company_id IS NOT NULL)",
            name="company_only_for_staff",
        ),
        CheckConstraint("length(username) >= 3", name="username_length"),
    )

    # Set for the request by the login service: Flask-Login stores it in the cookie.
    session_token = None  # type: str | None

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str | None:
        return self.session_token

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


class ResidentHousehold(CreatedAt, Base):
    """A resident account's membership of a household (owner, family member or tenant)."""

    __tablename__ = "resident_household"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="RESTRICT"), index=True
    )
    relation: Mapped[str] = mapped_column(String(16), default="owner")

    __table_args__ = (
        UniqueConstraint("user_id", "household_id"),
        CheckConstraint("relation IN ('owner', 'family', 'tenant')", name="relation"),
    )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LoginSession(CreatedAt, Base):
    """One signed-in browser. The cookie holds a random token; only its hash is stored,
    so that logging out (or changing the password) ends the session on the server."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class ActivationCode(CreatedAt, Base):
    """A one-time code printed on a slip for a household; the resident redeems it to open an
    account linked to that household. Only the hash is stored."""

    __tablename__ = "activation_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="RESTRICT"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    relation: Mapped[str] = mapped_column(String(16), default="owner")
    created_by_user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    redeemed_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )

    __table_args__ = (
        CheckConstraint("relation IN ('owner', 'family', 'tenant')", name="relation"),
        CheckConstraint(
            "(redeemed_at IS NULL) = (redeemed_user_id IS NULL)", name="redeemed_together"
        ),
    )
