"""Model factories: the smallest valid objects, committed, with sensible unique defaults."""

from __future__ import annotations

import itertools
from decimal import Decimal

from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import (
    COMPANY_STAFF_ROLES,
    Building,
    Community,
    Company,
    CompanyKind,
    Household,
    ManagementMode,
    ResidentHousehold,
    Role,
    Staff,
    StaffPosition,
    Unit,
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


def community(owner: Company | None = None, **fields) -> Community:  # type: ignore[no-untyped-def]
    owner = owner or company()
    values = {
        "name": f"测试小区{_next()}",
        "city": owner.city,
        "district": owner.district,
        "street": "学院街道",
        "management_mode": ManagementMode.RED_PROPERTY,
    }
    return _save(Community(company_id=owner.id, **(values | fields)))


def building(place: Community | None = None, **fields) -> Building:  # type: ignore[no-untyped-def]
    place = place or community()
    values = {"number": str(_next()), "floors": 6}
    return _save(Building(community_id=place.id, **(values | fields)))


def unit(block: Building | None = None, **fields) -> Unit:  # type: ignore[no-untyped-def]
    block = block or building()
    values = {"number": str(_next())}
    return _save(Unit(building_id=block.id, community_id=block.community_id, **(values | fields)))


def household(entrance: Unit | None = None, **fields) -> Household:  # type: ignore[no-untyped-def]
    entrance = entrance or unit()
    values = {
        "room": f"{_next():04d}",
        "floor": 1,
        "area_m2": Decimal("89.50"),
        "owner_name": "王小萍",
        "phone": "13800000000",
    }
    return _save(
        Household(unit_id=entrance.id, community_id=entrance.community_id, **(values | fields))
    )


def staff(employer: Company | None = None, **fields) -> Staff:  # type: ignore[no-untyped-def]
    employer = employer or company()
    values = {"name": "李管家", "position": StaffPosition.STEWARD, "is_party_member": False}
    return _save(Staff(company_id=employer.id, **(values | fields)))


def user(role: Role = Role.ADMIN, password: str = PASSWORD, **fields) -> User:  # type: ignore[no-untyped-def]
    n = _next()
    values = {"username": f"user{n}", "display_name": f"用户{n}"}
    if role in COMPANY_STAFF_ROLES and "company_id" not in fields:
        values["company_id"] = company().id
    account = User(role=role, **(values | fields))
    account.password_hash = generate_password_hash(password, method=_FAST_HASH_METHOD)
    return _save(account)


def resident(home: Household | None = None, **fields) -> User:  # type: ignore[no-untyped-def]
    home = home or household()
    account = user(Role.RESIDENT, **fields)
    _save(ResidentHousehold(user_id=account.id, household_id=home.id, relation="owner"))
    return account
