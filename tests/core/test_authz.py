"""The visibility layer: what each role may see of each model."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select

from app.authz import _RULES, Audience, visible
from app.extensions import db
from app.models import (
    Building,
    Community,
    Company,
    Household,
    LoginSession,
    NoticeBuilding,
    ResidentHousehold,
    Role,
    Staff,
    Unit,
    User,
)
from tests import factories


@pytest.fixture
def two_tenants(database):
    """Company A and company B, each with a community, a home, a resident and a manager."""
    world = {}
    for tenant in ("a", "b"):
        company = factories.company()
        home = factories.household(factories.unit(factories.building(factories.community(company))))
        world[tenant] = {
            "company": company,
            "home": home,
            "resident": factories.resident(home),
            "manager": factories.user(Role.MANAGER, company_id=company.id),
            "staff": factories.staff(company),
        }
    world["admin"] = factories.user(Role.ADMIN)
    world["merchant"] = factories.user(Role.MERCHANT)
    world["officer"] = factories.user(Role.OFFICER)
    return world


def ids(model, user):
    key = inspect(model).primary_key[0]
    return set(db.session.scalars(select(key).where(visible(model, user).whereclause)))


def test_every_model_has_a_rule(app):
    from app.models import Base

    unruled = {
        mapper.class_
        for mapper in Base.registry.mappers
        if mapper.class_ not in _RULES and mapper.class_ is not LoginSession
    }
    # A notice's buildings are only ever read through the notice.
    assert unruled <= {NoticeBuilding}, f"add rules for {unruled} to its area's access.py"


@pytest.mark.parametrize("model", [Company, Community, Building, Unit, Household, Staff])
def test_a_manager_sees_only_their_company(two_tenants, model):
    a, b = two_tenants["a"], two_tenants["b"]
    mine, theirs = ids(model, a["manager"]), ids(model, b["manager"])
    assert mine and theirs
    assert not mine & theirs
    assert ids(model, two_tenants["admin"]) >= mine | theirs


def test_a_manager_sees_their_own_company_row_only(two_tenants):
    a = two_tenants["a"]
    assert ids(Company, a["manager"]) == {a["company"].id}


def test_a_resident_sees_only_their_home_and_where_it_is(two_tenants):
    a = two_tenants["a"]
    resident, home = a["resident"], a["home"]
    assert ids(Household, resident) == {home.id}
    assert ids(Unit, resident) == {home.unit_id}
    assert ids(Building, resident) == {home.unit.building_id}
    assert ids(Community, resident) == {home.community_id}
    assert ids(Company, resident) == {a["company"].id}
    assert ids(Staff, resident) == set()
    assert ids(User, resident) == {resident.id}


def test_a_manager_sees_their_staff_accounts_and_their_residents(two_tenants):
    a, b = two_tenants["a"], two_tenants["b"]
    visible_users = ids(User, a["manager"])
    assert {a["manager"].id, a["resident"].id} <= visible_users
    assert not visible_users & {b["manager"].id, b["resident"].id, two_tenants["admin"].id}


@pytest.mark.parametrize("role", ["merchant", "officer"])
def test_merchants_and_officers_see_no_property_data(two_tenants, role):
    user = two_tenants[role]
    for model in (Company, Community, Building, Unit, Household, Staff, ResidentHousehold):
        assert ids(model, user) == set()
    assert ids(User, user) == {user.id}


def test_nobody_signed_in_sees_nothing(two_tenants):
    from flask_login import AnonymousUserMixin

    for model in _RULES:
        assert ids(model, AnonymousUserMixin()) == set()


def test_an_audience_sees_what_its_rule_allows_and_the_others_nothing(two_tenants, monkeypatch):
    from flask_login import AnonymousUserMixin
    from sqlalchemy import true

    # What the steward boards will do: a rule for the public, none for merchants.
    monkeypatch.setitem(_RULES, Unit, {**_RULES[Unit], Audience.PUBLIC: lambda _user: true()})
    everyone = ids(Unit, two_tenants["admin"])
    assert everyone and ids(Unit, AnonymousUserMixin()) == everyone
    assert ids(Unit, two_tenants["merchant"]) == set()


def test_the_district_office_sees_only_its_own_sessions(two_tenants):
    admin, manager = two_tenants["admin"], two_tenants["a"]["manager"]
    for user in (admin, manager):
        db.session.add(LoginSession(user_id=user.id, token_hash=f"{user.id:064d}"))
    db.session.flush()
    sessions = db.session.scalars(visible(LoginSession, admin)).all()
    assert {session.user_id for session in sessions} == {admin.id}
