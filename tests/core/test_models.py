"""Database constraints that make wrong states impossible, on every backend."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

import pytest
from sqlalchemy import delete, insert, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Base, Community, Household, Role, Unit, User
from tests import factories


def commit_fails(statement_or_obj) -> None:
    with pytest.raises(IntegrityError):
        if isinstance(statement_or_obj, Base):
            db.session.add(statement_or_obj)
            db.session.flush()
        else:
            db.session.execute(statement_or_obj)
            db.session.flush()
    db.session.rollback()


def test_a_room_exists_once_per_unit(database):
    home = factories.household(room="0502")
    duplicate = Household(
        unit_id=home.unit_id,
        community_id=home.community_id,
        room="0502",
        floor=5,
        area_m2=Decimal("60"),
        owner_name="张三",
    )
    commit_fails(duplicate)
    factories.household(factories.unit(), room="0502")


@pytest.mark.parametrize("area", ["0", "-12.5"])
def test_floor_area_must_be_positive(database, area):
    entrance = factories.unit()
    commit_fails(
        Household(
            unit_id=entrance.id,
            community_id=entrance.community_id,
            room="101",
            floor=1,
            area_m2=Decimal(area),
            owner_name="张三",
        )
    )


def test_floor_area_is_exact(database):
    home = factories.household(area_m2=Decimal("89.55"))
    db.session.expire_all()
    assert db.session.get(Household, home.id).area_m2 == Decimal("89.55")


def test_a_household_cannot_claim_another_community_than_its_unit(database):
    entrance = factories.unit()
    elsewhere = factories.community()
    commit_fails(
        insert(Household).values(
            unit_id=entrance.id,
            community_id=elsewhere.id,
            room="101",
            floor=1,
            area_m2=Decimal("50"),
            owner_name="张三",
        )
    )


def test_nothing_with_homes_in_it_can_be_deleted(database):
    home = factories.household()
    commit_fails(delete(Unit).where(Unit.id == home.unit_id))
    commit_fails(delete(Community).where(Community.id == home.community_id))


def test_a_household_with_a_resident_cannot_be_deleted(database):
    account = factories.resident()
    home = account.households[0]
    commit_fails(delete(Household).where(Household.id == home.id))


def test_managers_and_only_managers_belong_to_a_company(database):
    company = factories.company()
    commit_fails(
        insert(User).values(username="m1x", display_name="m", password_hash="x", role="manager")
    )
    commit_fails(
        insert(User).values(
            username="r1x",
            display_name="r",
            password_hash="x",
            role="resident",
            company_id=company.id,
        )
    )


def test_roles_are_checked_by_the_database(database):
    commit_fails(
        text(
            "INSERT INTO user_account (username, display_name, password_hash, role, is_active,"
            " created_at) VALUES ('zz1', 'z', 'x', 'root', true, CURRENT_TIMESTAMP)"
        )
    )


def test_timestamps_come_back_in_utc(database):
    account = factories.user(Role.ADMIN)
    db.session.expire_all()
    created = db.session.get(User, account.id).created_at
    assert created.tzinfo is not None
    assert created.utcoffset() == UTC.utcoffset(created)
