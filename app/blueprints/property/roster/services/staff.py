"""Staff of the property companies: the list with its party-member share, edits, and the
accounts a manager gives a steward or a manager. Recorded as "staff" entries (the member's id).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from app.audit import record, record_changes, snapshot
from app.authz import scope, visible
from app.blueprints.auth.services import create_user
from app.extensions import db
from app.listing import Sort, ordered, starts_with_any
from app.models import Company, Role, Staff, StaffPosition, User
from app.rules import RuleError, refuse_duplicates

STAFF_FIELDS = ("name", "phone", "position", "is_party_member", "is_active")
ACCOUNT_ROLES = (Role.STEWARD, Role.MANAGER)
STAFF_SORTS: dict[str, tuple[Any, ...]] = {
    "name": (Staff.name, Staff.id),
    "position": (Staff.position, Staff.name),
    "party": (Staff.is_party_member, Staff.name),
    "since": (Staff.created_at, Staff.id),
}
STAFF_STATUSES = ("active", "inactive", "all")


@dataclass(frozen=True)
class StaffCounts:
    staff: int
    party_members: int

    @property
    def share(self) -> int:
        """Party members among the active staff, in whole per cent."""
        return round(100 * self.party_members / self.staff) if self.staff else 0


def staff_counts(user: User | None = None) -> StaffCounts:
    """Active staff the user may see, and the party members among them."""
    staff, party = db.session.execute(
        select(
            func.count(Staff.id),
            func.count(Staff.id).filter(Staff.is_party_member.is_(True)),
        ).where(scope(Staff, user), Staff.is_active.is_(True))
    ).one()
    return StaffCounts(staff, party)


def staff_rows(q: str = "", status: str = "active", sort: Sort = Sort("name")) -> Select:
    query = (
        visible(Staff)
        .add_columns(
            Company.name.label("company_name"),
            User.username,
            User.role,
        )
        .join(Company, Company.id == Staff.company_id)
        .outerjoin(User, User.id == Staff.user_id)
    )
    if status == "active":
        query = query.where(Staff.is_active.is_(True))
    elif status == "inactive":
        query = query.where(Staff.is_active.is_(False))
    q = q.strip()
    if q:
        query = query.where(starts_with_any(q, Staff.name, Staff.phone))
    return ordered(query, sort, STAFF_SORTS)


def staff_row(staff_id: int) -> Any:
    row = db.session.execute(staff_rows(status="all").where(Staff.id == staff_id)).first()
    if row is None:
        raise LookupError(staff_id)
    return row


def create_staff(
    company_id: int, name: str, phone: str | None, position: StaffPosition, is_party_member: bool
) -> Staff:
    member = Staff(
        company_id=company_id,
        name=name.strip(),
        phone=phone,
        position=position,
        is_party_member=is_party_member,
        is_active=True,
    )
    db.session.add(member)
    db.session.flush()
    record("staff", member.id, company_id, "created", snapshot(member, STAFF_FIELDS))
    return member


def update_staff(member: Staff, **values: Any) -> dict[str, list[Any]]:
    return record_changes("staff", member, member.company_id, STAFF_FIELDS, values)


def set_staff_active(member: Staff, active: bool) -> None:
    """Deactivate (or bring back) a staff member; their account, if any, follows: a former
    employee cannot sign in, and load_session_user refuses their open sessions at once."""
    update_staff(member, is_active=active)
    if member.user_id is not None:
        account = db.session.get(User, member.user_id)
        if account is not None:
            account.is_active = active


def new_initial_password() -> str:
    # Unambiguous characters: the password is read off the screen and typed by someone else.
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


USERNAME_TAKEN = _l("This username is taken; choose another.")
refuse_duplicates(User.__table__, ("username",), "username", lambda _row: USERNAME_TAKEN)


def give_account(member: Staff, username: str, role: Role) -> tuple[User, str]:
    """An account for a staff member of the same company; returns it and the initial password,
    which is shown once and never stored in clear."""
    if role not in ACCOUNT_ROLES:
        raise RuleError(_l("Choose steward or manager."), "role")
    if member.user_id is not None:
        raise RuleError(_l("This staff member already has an account."), "username")
    if not member.is_active:
        raise RuleError(_l("Reactivate this staff member first."), "username")
    username = username.strip()
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise RuleError(USERNAME_TAKEN, "username")
    password = new_initial_password()
    return link_account(member, username, password, role, member.name), password


def link_account(
    member: Staff, username: str, password: str, role: Role, display_name: str
) -> User:
    """Create the member's account and tie it to them, in their history. The rules are
    `give_account`'s; the demo, which picks its members and passwords itself, skips them."""
    account = create_user(username, password, role, display_name, member.company_id)
    db.session.flush()
    member.user_id = account.id
    record(
        "staff",
        member.id,
        member.company_id,
        "account_created",
        {"account": [None, username], "role": [None, role.value]},
    )
    return account
