"""What every factory shares: unique numbers, saving, companies and accounts."""

from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import (
    COMPANY_STAFF_ROLES,
    Company,
    CompanyKind,
    Role,
    User,
)

PASSWORD = "correct horse battery"
# A cheap scrypt cost keeps tests fast; check_password_hash reads the cost from the hash.
_FAST_HASH_METHOD = "scrypt:1024:8:1"
_counter = itertools.count(1)


def _next() -> int:
    return next(_counter)


def _save(obj):  # type: ignore[no-untyped-def]
    db.session.add(obj)
    db.session.commit()
    return obj


def company(**fields) -> Company:  # type: ignore[no-untyped-def]
    n = _next()
    values = {
        "name": f"测试物业{n}",
        "code": f"C{n}",
        "kind": CompanyKind.RED,
        "city": "宜昌市",
        "district": "西陵区",
        "founding_street": "学院街道",
    }
    return _save(Company(**(values | fields)))


def user(role: Role = Role.ADMIN, password: str = PASSWORD, **fields) -> User:  # type: ignore[no-untyped-def]
    n = _next()
    values = {"username": f"user{n}", "display_name": f"用户{n}"}
    if role in COMPANY_STAFF_ROLES and "company_id" not in fields:
        values["company_id"] = company().id
    account = User(role=role, **(values | fields))
    account.password_hash = generate_password_hash(password, method=_FAST_HASH_METHOD)
    return _save(account)
