"""Authorization: the one place that decides what the current user may see and do.

Every view reads data through `visible()` or `get_visible_or_404()`, which add the user's
scope to the query. Who sees what is declared per model and per audience — company staff
(managers and stewards: their company), residents (their own households and where they live),
merchants (their own shops), alliance officers (their alliance), and the public (anyone with a
link, signed in or not: a unit's steward board, the alliance's directory) — by the area that
owns the model, in its `access.py`, and merged here when the area is installed. The district
office (admin) sees everything unless a rule narrows it. An audience a model has no rule for
sees none of it; a model with no rules at all is a programming error. Another tenant's object
is indistinguishable from a missing one (404); an action the role may not take at all is
forbidden (403).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, Select, false, select, true

from app.extensions import db
from app.models import Community, Household, ResidentHousehold, Role, User

M = TypeVar("M")
Rule = Callable[[User], ColumnElement[bool]]


class Audience(enum.Enum):
    ADMIN = "admin"  # sees everything, unless a model narrows it (one's own sessions)
    STAFF = "staff"
    RESIDENT = "resident"
    MERCHANT = "merchant"
    OFFICER = "officer"
    PUBLIC = "public"


AUDIENCES = {
    Role.ADMIN: Audience.ADMIN,
    Role.MANAGER: Audience.STAFF,
    Role.STEWARD: Audience.STAFF,
    Role.RESIDENT: Audience.RESIDENT,
    Role.MERCHANT: Audience.MERCHANT,
    Role.OFFICER: Audience.OFFICER,
}
Rules = Mapping[type, Mapping[Audience, Rule]]
_RULES: dict[type, dict[Audience, Rule]] = {}


def contribute(rules: Rules) -> None:
    """Add an area's rules; installing an area again (another app in the same process) changes
    nothing."""
    for model, by_audience in rules.items():
        _RULES.setdefault(model, {}).update(by_audience)


def audience_of(user: Any) -> Audience:
    if not getattr(user, "is_authenticated", False):
        return Audience.PUBLIC
    return AUDIENCES[user.role]


def company_communities(user: User) -> Select:
    return select(Community.id).where(Community.company_id == user.company_id)


def own_households(user: User) -> Select:
    return select(ResidentHousehold.household_id).where(ResidentHousehold.user_id == user.id)


def in_company_communities(column: Any) -> Rule:
    return lambda user: column.in_(company_communities(user))


def in_own_households(column: Any) -> Rule:
    return lambda user: column.in_(own_households(user))


def own_communities(user: User) -> Select:
    return select(Household.community_id).where(Household.id.in_(own_households(user)))


def in_own_communities(column: Any) -> Rule:
    return lambda user: column.in_(own_communities(user))


def through(column: Any, parent: type) -> Rule:
    """A record belonging to another (a rate to its fee item, a read receipt to its notice) is
    seen by whoever sees that one: `column` points at a `parent` the user's audience may see."""
    return lambda user: column.in_(select(parent.id).where(scope(parent, user)))  # type: ignore[attr-defined]


def scope(model: type, user: User | None = None) -> ColumnElement[bool]:
    """The WHERE clause limiting `model` to what `user` (default: the current user, or an
    anonymous visitor) may see."""
    rules = _RULES.get(model)
    if rules is None:
        raise LookupError(f"no visibility rule for {model.__name__}")
    user = user if user is not None else current_user
    audience = audience_of(user)
    rule = rules.get(audience)
    if rule is None:
        return true() if audience is Audience.ADMIN else false()
    return rule(user)


def visible(model: type[M], user: User | None = None) -> Select[tuple[M]]:
    """`select(model)` already limited to what the user may see; add filters and order to it."""
    return select(model).where(scope(model, user))


def get_visible_or_404(model: type[M], object_id: int, user: User | None = None) -> M:
    """One object the user may see, or 404 whether it is missing or someone else's."""
    obj = db.session.scalar(visible(model, user).where(model.id == object_id))  # type: ignore[attr-defined]
    if obj is None:
        abort(404)
    return obj


def roles_required(*roles: Role) -> Callable:
    """Views only these roles may open; others get 403, visitors the login page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator
