"""Steward assignments, through the services: posting, replacing with the history kept, whole
buildings and communities in one statement, who may be posted, taking someone off the board,
coverage, and two managers posting the same unit at once."""

from __future__ import annotations

import time
from datetime import date
from types import SimpleNamespace

import pytest
from flask import Flask
from sqlalchemy import event, func, select
from werkzeug.exceptions import NotFound

from app.authz import get_visible_or_404
from app.blueprints.pacts.stewards import services
from app.blueprints.pacts.stewards.services import Target
from app.extensions import db
from app.models import (
    AuditEntry,
    Building,
    Role,
    StaffPosition,
    StewardAssignment,
    StewardKind,
    Unit,
    User,
)
from app.rules import DuplicateRefusal, RuleError
from tests import factories
from tests.races import at_once

TODAY = date(2026, 11, 18)  # the suite's clock


@pytest.fixture(autouse=True)
def english(app: Flask, database):  # type: ignore[no-untyped-def]
    """Messages of refused requests are read in English, as a request would render them."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def world(database):
    """Company A: a community of building 1 (units 1–3, a household each, one with a resident
    account) and building 2 (units 1–2), a manager, two stewards and a cleaner. Company B: a
    community with one unit and a steward of its own."""
    company = factories.company()
    place = factories.community(company)
    one = factories.building(place, number="1")
    two = factories.building(place, number="2")
    units = [factories.unit(one, number=str(n)) for n in (1, 2, 3)]
    more = [factories.unit(two, number=str(n)) for n in (1, 2)]
    homes = [
        factories.household(entrance, room=f"{n}01", owner_name=f"业主{n}", phone=f"1390000000{n}")
        for n, entrance in enumerate(units, 1)
    ]
    other_company = factories.company()
    elsewhere = factories.unit(factories.building(factories.community(other_company)))
    return SimpleNamespace(
        company=company,
        community=place,
        one=one,
        two=two,
        units=units,
        more=more,
        homes=homes,
        resident=factories.resident(homes[0]),
        manager=factories.user(Role.MANAGER, company_id=company.id),
        zhang=factories.staff(company, name="张管家", phone="13800000001"),
        li=factories.staff(company, name="李管家", phone="13800000002"),
        cleaner=factories.staff(company, name="王保洁", position=StaffPosition.CLEANER),
        other_company=other_company,
        elsewhere=elsewhere,
        outsider=factories.staff(other_company, name="外司管家", phone="13800000009"),
    )


def post_steward(target, member, day=TODAY, by=None, phone=None, **options):  # type: ignore[no-untyped-def]
    person = services.steward_person(target, member.id, phone)
    posted = services.assign(target, person, day, by, **options)
    db.session.commit()
    return posted


def current(unit, kind=StewardKind.STEWARD):  # type: ignore[no-untyped-def]
    return db.session.scalar(
        select(StewardAssignment).where(
            StewardAssignment.unit_id == unit.id,
            StewardAssignment.kind == kind,
            StewardAssignment.ends_on.is_(None),
        )
    )


def rows_of(unit, kind=StewardKind.STEWARD):  # type: ignore[no-untyped-def]
    return db.session.scalars(
        select(StewardAssignment)
        .where(StewardAssignment.unit_id == unit.id, StewardAssignment.kind == kind)
        .order_by(StewardAssignment.starts_on, StewardAssignment.id)
    ).all()


# --- posting and replacing -------------------------------------------------------------------


def test_a_steward_is_posted_with_their_own_phone_or_the_one_typed(world):
    entrance = world.units[0]
    assert post_steward(Target.of_unit(entrance), world.zhang, by=world.manager) == 1
    post = current(entrance)
    assert (post.name, post.phone, post.staff_id) == ("张管家", "13800000001", world.zhang.id)
    assert (post.starts_on, post.community_id, post.household_id) == (
        TODAY,
        world.community.id,
        None,
    )
    assert post.assigned_by_user_id == world.manager.id

    post_steward(
        Target.of_unit(world.units[1]), world.li, by=world.manager, phone=" 139 1234 5678 "
    )
    assert current(world.units[1]).phone == "13912345678"  # the stored form of app.phones
    post_steward(Target.of_unit(world.units[2]), world.li, by=world.manager, phone="(0717) 6551020")
    assert current(world.units[2]).phone == "0717-6551020"


def test_replacing_ends_the_old_holder_on_the_new_start_and_keeps_the_history(world):
    entrance = world.units[0]
    target = Target.of_unit(entrance)
    post_steward(target, world.zhang, date(2026, 3, 1), world.manager)
    post_steward(target, world.li, date(2026, 9, 1), world.manager)

    first, second = rows_of(entrance)
    assert (first.name, first.starts_on, first.ends_on) == (
        "张管家",
        date(2026, 3, 1),
        date(2026, 9, 1),
    )
    assert (second.name, second.ends_on) == ("李管家", None)
    history = db.session.execute(services.unit_history(entrance, world.manager)).all()
    assert [row.StewardAssignment.name for row in history] == ["李管家", "张管家"]

    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "stewards").order_by(AuditEntry.id)
    ).all()
    assert [(e.entity_id, e.action) for e in entries] == [(world.community.id, "assigned")] * 2
    assert entries[1].changes == {
        "kind": "steward",
        "name": "李管家",
        "phone": "13800000002",
        "starts_on": "2026-09-01",
        "building": "1",
        "unit": "1",
        "units": 1,
        "replaced": 1,
    }


def test_a_start_before_the_history_ends_or_in_the_future_is_refused(world):
    target = Target.of_unit(world.units[0])
    post_steward(target, world.zhang, date(2026, 9, 1), world.manager)
    person = services.steward_person(target, world.li.id, None)
    for day, words in ((date(2026, 8, 31), "2026-09-01"), (date(2026, 11, 19), "today")):
        with pytest.raises(RuleError) as refused:
            services.assign(target, person, day, world.manager)
        assert refused.value.field == "starts_on" and words in str(refused.value.message)
    db.session.rollback()
    # The same day is a handover on the day, not an overlap.
    post_steward(target, world.li, date(2026, 9, 1), world.manager)
    assert [row.ends_on for row in rows_of(world.units[0])] == [date(2026, 9, 1), None]


# --- whole buildings and communities ---------------------------------------------------------


def test_a_whole_building_is_posted_in_one_update_and_one_insert(world, app: Flask):
    post_steward(Target.of_unit(world.units[0]), world.zhang, date(2026, 3, 1), world.manager)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if "steward_assignment" in statement and statement.split()[0] in ("INSERT", "UPDATE"):
            statements.append(statement.split()[0])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert post_steward(Target.of_building(world.one), world.li, by=world.manager) == 3
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert sorted(statements) == ["INSERT", "UPDATE"]
    assert {current(u).name for u in world.units} == {"李管家"}
    assert [row.ends_on for row in rows_of(world.units[0])] == [TODAY, None]
    assert all(current(u) is None for u in world.more)  # building 2 is left alone
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.changes["building"], entry.changes["units"], entry.changes["replaced"]) == (
        "1",
        3,
        1,
    )
    assert "unit" not in entry.changes


def test_filling_only_the_gaps_leaves_the_current_holders(world):
    post_steward(Target.of_unit(world.units[0]), world.zhang, date(2026, 3, 1), world.manager)
    target = Target.of_community(world.community)
    assert post_steward(target, world.li, by=world.manager, only_missing=True) == 4
    assert current(world.units[0]).name == "张管家"
    assert {current(u).name for u in world.units[1:] + world.more} == {"李管家"}
    with pytest.raises(RuleError, match="nothing to fill"):
        services.assign(
            target,
            services.steward_person(target, world.li.id, None),
            TODAY,
            world.manager,
            only_missing=True,
        )


def test_a_whole_community_replaces_every_steward(world):
    post_steward(Target.of_building(world.one), world.zhang, date(2026, 3, 1), world.manager)
    assert post_steward(Target.of_community(world.community), world.li, by=world.manager) == 5
    assert {current(u).name for u in world.units + world.more} == {"李管家"}
    assert db.session.scalar(select(func.count()).where(StewardAssignment.ends_on == TODAY)) == 3


def test_a_building_without_units_has_nothing_to_post(world):
    empty = factories.building(world.community, number="9")
    target = Target.of_building(empty)
    with pytest.raises(RuleError, match="no unit here"):
        services.assign(
            target, services.steward_person(target, world.zhang.id, None), TODAY, world.manager
        )


# --- who may be posted -----------------------------------------------------------------------


def test_the_steward_must_work_for_the_company_running_the_unit(world):
    target = Target.of_unit(world.units[0])
    with pytest.raises(RuleError) as refused:
        services.steward_person(target, world.outsider.id, None)
    assert refused.value.field == "staff_id"
    world.li.is_active = False
    db.session.commit()
    with pytest.raises(RuleError, match="no longer works"):
        services.steward_person(target, world.li.id, None)
    # Any active member will do, not only those whose position is steward.
    assert services.steward_person(target, world.cleaner.id, "13700000000").name == "王保洁"


def test_a_steward_without_a_phone_on_record_needs_one_typed(world):
    target = Target.of_unit(world.units[0])
    with pytest.raises(RuleError) as refused:
        services.steward_person(target, world.cleaner.id, "")
    assert refused.value.field == "phone"
    with pytest.raises(RuleError) as refused:
        services.steward_person(target, world.zhang.id, "12")
    assert refused.value.field == "phone"


def test_the_leader_lives_in_the_building_and_defaults_to_the_owner(world):
    home = world.homes[1]  # unit 2 of building 1
    person = services.leader_person(Target.of_unit(world.units[0]), home.id, "", None, None)
    assert (person.name, person.phone, person.household_id, person.room) == (
        "业主2",
        "13900000002",
        home.id,
        "2-201",
    )
    edited = services.leader_person(
        Target.of_building(world.one), home.id, " 刘阿姨 ", "13512345678", None
    )
    assert (edited.name, edited.phone) == ("刘阿姨", "13512345678")

    outside = factories.household(world.more[0])
    for target in (Target.of_unit(world.units[0]), Target.of_community(world.community)):
        with pytest.raises(RuleError) as refused:
            services.leader_person(target, outside.id, "", None, None)
        assert refused.value.field == "household_id"


def test_the_leaders_account_must_be_of_their_household(world):
    target = Target.of_building(world.one)
    linked = services.leader_person(target, world.homes[0].id, "", None, world.resident.id)
    assert linked.user_id == world.resident.id
    with pytest.raises(RuleError) as refused:
        services.leader_person(target, world.homes[1].id, "", None, world.resident.id)
    assert refused.value.field == "user_id"
    # Posted, the account is on the row: it lets the leader inspect and canvass.
    services.assign(target, linked, TODAY, world.manager)
    db.session.commit()
    assert {current(u, StewardKind.LEADER).user_id for u in world.units} == {world.resident.id}


def test_another_companys_unit_is_not_found(world):
    with pytest.raises(NotFound):
        get_visible_or_404(Unit, world.elsewhere.id, world.manager)
    with pytest.raises(NotFound):
        get_visible_or_404(Building, world.elsewhere.building_id, world.manager)


# --- taking off the board --------------------------------------------------------------------


def test_taking_someone_off_the_board_leaves_the_unit_without_them(world):
    entrance = world.units[0]
    post_steward(Target.of_unit(entrance), world.zhang, date(2026, 3, 1), world.manager)
    post = current(entrance)
    with pytest.raises(RuleError) as refused:
        services.end(post, date(2026, 2, 28))
    assert refused.value.field == "ends_on" and "2026-03-01" in str(refused.value.message)
    services.end(post, date(2026, 10, 31))
    db.session.commit()
    assert current(entrance) is None and rows_of(entrance)[0].ends_on == date(2026, 10, 31)
    with pytest.raises(RuleError, match="no longer on this board"):
        services.end(post, TODAY)
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "ended" and entry.changes["ends_on"] == "2026-10-31"


# --- coverage --------------------------------------------------------------------------------


def test_coverage_counts_units_with_a_steward_a_leader_and_both(world):
    post_steward(Target.of_building(world.one), world.zhang, by=world.manager)
    leader = services.leader_person(
        Target.of_building(world.one), world.homes[0].id, "", None, None
    )
    services.assign(Target.of_unit(world.units[0]), leader, TODAY, world.manager)
    services.assign(Target.of_unit(world.units[1]), leader, TODAY, world.manager)
    factories.leader_assignment(factories.household(world.more[0]))
    factories.steward_assignment(world.elsewhere)
    db.session.commit()

    figures = services.coverage([world.community.id])
    assert figures == services.Coverage(units=5, with_steward=3, with_leader=3, with_both=2)
    assert (figures.steward_share, figures.both_share, figures.without_leader) == (60, 40, 2)
    assert services.coverage(services.visible_communities(world.manager)) == figures
    assert services.coverage([]).both_share is None

    by_company = {
        row.Company.id: row
        for row in db.session.execute(services.company_coverage(factories.user()))
    }
    assert (by_company[world.company.id].units, by_company[world.company.id].with_both) == (5, 2)
    assert by_company[world.other_company.id].with_steward == 1
    communities = db.session.execute(services.community_coverage(world.manager)).all()
    assert [(r.Community.id, r.units, r.with_leader) for r in communities] == [
        (world.community.id, 5, 3)
    ]


def test_the_grid_reads_a_page_of_buildings_and_their_units_with_the_gaps(world):
    post_steward(Target.of_unit(world.units[0]), world.zhang, by=world.manager)
    rows = db.session.execute(services.building_rows(world.community, user=world.manager)).all()
    assert [(r.Building.number, r.units, r.with_steward) for r in rows] == [
        ("1", 3, 1),
        ("2", 2, 0),
    ]
    missing_steward = services.duty_rows(
        [world.one.id, world.two.id], services.Gap.STEWARD, world.manager
    )
    assert [r.Unit.number for r in missing_steward[world.one.id]] == ["2", "3"]
    assert services.unit_duty(world.units[0], world.manager).steward.name == "张管家"
    assert services.unit_duty(world.units[0], world.manager).leader is None


def test_units_of_staff_are_where_they_are_the_current_steward(world):
    post_steward(Target.of_building(world.one), world.zhang, date(2026, 3, 1), world.manager)
    post_steward(Target.of_unit(world.units[2]), world.li, by=world.manager)
    rows = db.session.execute(services.units_of_staff(world.zhang.id, world.manager)).all()
    assert [(r.building_number, r.Unit.number) for r in rows] == [("1", "1"), ("1", "2")]
    stranger = factories.user(Role.MANAGER, company_id=world.other_company.id)
    assert db.session.execute(services.units_of_staff(world.zhang.id, stranger)).all() == []


# --- two managers at once --------------------------------------------------------------------


def test_a_second_current_row_meets_the_index_and_reads_as_a_refusal(world):
    factories.steward_assignment(world.units[0])
    with pytest.raises(DuplicateRefusal) as refused:
        factories.steward_assignment(world.units[0])
    db.session.rollback()
    assert "same moment" in str(refused.value)


def test_two_managers_posting_one_unit_at_once_are_refused_cleanly(app: Flask, world):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite lets one writer in at a time: the race needs PostgreSQL")
    unit_id, manager_id = world.units[0].id, world.manager.id
    staff_ids = [world.zhang.id, world.li.id]

    def manager(staff_id: int):  # type: ignore[no-untyped-def]
        def post() -> int:
            target = Target.of_unit(db.session.get(Unit, unit_id))
            person = services.steward_person(target, staff_id, None)
            posted = services.assign(target, person, TODAY, db.session.get(User, manager_id))
            time.sleep(0.3)  # both have inserted before either commits
            return posted

        return post

    results = at_once(app, [manager(staff_id) for staff_id in staff_ids])
    refused = [r for r in results if isinstance(r, str)]
    assert len(refused) == 1 and "same moment" in refused[0]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(StewardAssignment.unit_id == unit_id)) == 1
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "stewards")
        )
        == 1
    )
