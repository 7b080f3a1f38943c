"""Roster services: search, household edits with history, the building generator, resident
links, communities and staff. The views are tested in test_roster_views.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from flask import current_app
from flask_login import login_user
from sqlalchemy import event, func, select

from app.blueprints.auth.services import start_session
from app.blueprints.property.roster import services
from app.blueprints.property.roster.services import HouseholdFilter, generator, places
from app.extensions import db
from app.history import describe, show_value
from app.listing import Sort, parse_sort
from app.models import (
    AuditEntry,
    Building,
    Household,
    ResidentHousehold,
    Role,
    StaffPosition,
    Unit,
    User,
)
from app.rules import RuleError
from tests import factories


def count(model, *where) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def history(entity: str, entity_id: int) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
            .order_by(AuditEntry.id)
        )
    )


@pytest.fixture
def place(database):
    """A community with building 1, unit 1 and three households, and its manager."""
    company = factories.company()
    community = factories.community(company, name="兴隆苑")
    building = factories.building(community, number="1", sort_key=1)
    unit = factories.unit(building, number="1")
    homes = [
        factories.household(unit, room="101", owner_name="王建国", phone="13800000001"),
        factories.household(unit, room="102", owner_name="李秀英", phone="13900000002"),
        factories.household(unit, room="201", owner_name="王_小萍", phone="13700000003", floor=2),
    ]
    manager = factories.user(Role.MANAGER, company_id=company.id)
    # The services read through visible(), as the signed-in manager.
    with signed_in(manager):
        yield {
            "company": company,
            "community": community,
            "building": building,
            "unit": unit,
            "homes": homes,
            "manager": manager,
        }


@contextmanager
def signed_in(user: User) -> Iterator[None]:
    with current_app.test_request_context():
        start_session(user, "tests")
        login_user(user)
        yield


def rooms(user, filters=None, sort=None) -> list[str]:  # type: ignore[no-untyped-def]
    query = services.household_rows(filters or HouseholdFilter(), sort or Sort("room"), user)
    return [row.Household.room for row in db.session.execute(query)]


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("89.5", Decimal("89.50")), (" 72.40 ", Decimal("72.40")), ("60 m²", Decimal("60.00"))],
)
def test_areas_are_exact_decimals(text, expected):
    assert services.parse_area(text) == expected


@pytest.mark.parametrize(
    "text", ["", "abc", "0", "-3", "89.555", "10000", "NaN", "Infinity", "1e3"]
)
def test_bad_areas_are_refused(text):
    with pytest.raises(RuleError) as error:
        services.parse_area(text)
    assert error.value.field == "area_m2"


def test_number_ranges_keep_their_padding():
    assert services.parse_numbers("1-3", "units", 1, 99, 30) == ["1", "2", "3"]
    assert services.parse_numbers("01-02", "rooms", 1, 99, 30) == ["01", "02"]
    assert services.parse_numbers("1, 2，5", "units", 1, 99, 30) == ["1", "2", "5"]
    for bad in ("", "a-b", "3-1", "0-2", "1-2, 2", "1-300"):
        with pytest.raises(RuleError):
            services.parse_numbers(bad, "floors", 1, 200, 200)


def test_spec_from_the_onboarding_sentence():
    spec = services.parse_spec("3", "1-3", "1-6", "01-02", "89.5")
    assert spec.units == ["1", "2", "3"]
    assert [room for room, _f, _a in spec.rooms][:3] == ["101", "102", "201"]
    assert spec.rooms[-1] == ("602", 6, Decimal("89.50"))
    mixed = services.parse_spec("3", "1", "1-2", "1-2", "72.4, 89.5")
    assert [area for _r, _f, area in mixed.rooms] == [Decimal("72.40"), Decimal("89.50")] * 2


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        (("", "1", "1", "1", "89.5"), "building"),
        (("3#", "1", "1", "1", "89.5"), "building"),
        (("3", "x", "1", "1", "89.5"), "units"),
        (("3", "1", "0-2", "1", "89.5"), "floors"),
        (("3", "1", "1", "", "89.5"), "rooms"),
        (("3", "1", "1", "1-2", "72.4, 89.5, 90"), "areas"),
        (("3", "1-30", "1-200", "1-2", "89.5"), "floors"),
    ],
)
def test_bad_specs_name_the_field(fields, bad):
    with pytest.raises(RuleError) as error:
        services.parse_spec(*fields)
    assert error.value.field == bad


# --- search and sort -------------------------------------------------------------------------


def test_search_by_room_owner_phone_and_address(place):
    manager = place["manager"]
    assert rooms(manager) == ["101", "102", "201"]
    assert rooms(manager, HouseholdFilter(q="10")) == ["101", "102"]
    assert rooms(manager, HouseholdFilter(q="王")) == ["101", "201"]
    assert rooms(manager, HouseholdFilter(q="139")) == ["102"]
    assert rooms(manager, HouseholdFilter(q="1-1-2")) == ["201"]
    assert rooms(manager, HouseholdFilter(q="1栋1单元101室")) == ["101"]
    # LIKE wildcards typed by the user are matched literally.
    assert rooms(manager, HouseholdFilter(q="%")) == []
    assert rooms(manager, HouseholdFilter(q="王_")) == ["201"]


def test_search_stays_in_the_company(place):
    other = factories.household(owner_name="王外人", room="101")
    assert other.id not in {h.id for h in place["homes"]}
    assert rooms(place["manager"], HouseholdFilter(q="王")) == ["101", "201"]
    admin = factories.user(Role.ADMIN)
    assert sorted(rooms(admin, HouseholdFilter(q="王"))) == ["101", "101", "201"]


def test_sort_keys_are_whitelisted(place):
    assert parse_sort("owner; DROP TABLE", "desc", services.HOUSEHOLD_SORTS, "room") == Sort("room")
    assert parse_sort("area", "desc", services.HOUSEHOLD_SORTS, "room") == Sort("area", True)
    assert rooms(place["manager"], sort=Sort("phone", True)) == ["102", "101", "201"]
    assert rooms(place["manager"], sort=Sort("phone")) == ["201", "101", "102"]


# --- households and their history ------------------------------------------------------------


def test_editing_a_household_records_what_changed(place):
    home = place["homes"][0]
    changes = services.update_household(
        home, owner_name="王建国", phone="13800009999", area_m2=Decimal("90.5")
    )
    db.session.commit()
    assert changes == {"phone": ["13800000001", "13800009999"], "area_m2": ["89.50", "90.5"]}
    [entry] = history("household", home.id)
    assert entry.action == "updated" and entry.company_id == place["company"].id
    assert entry.changes == changes
    # Saving the same values again records nothing.
    assert services.update_household(home, phone="13800009999", area_m2=Decimal("90.50")) == {}
    db.session.commit()
    assert len(history("household", home.id)) == 1


def test_creating_a_household_checks_the_room(place):
    unit = place["unit"]
    home = services.create_household(unit, "301", 3, Decimal("72.40"), "赵海燕", None)
    db.session.commit()
    assert history("household", home.id)[0].changes["room"] == "301"
    with pytest.raises(RuleError) as error:
        services.create_household(unit, "301", 3, Decimal("72.40"), "赵海燕", None)
    assert error.value.field == "room"


def test_unlinking_a_resident_keeps_the_account_and_records_it(place):
    home = place["homes"][0]
    resident = factories.resident(home)
    services.unlink_resident(home, resident.id, place["manager"])
    db.session.commit()
    assert count(ResidentHousehold, ResidentHousehold.user_id == resident.id) == 0
    assert db.session.get(User, resident.id) is not None
    [entry] = history("household", home.id)
    assert entry.action == "resident_unlinked"
    assert entry.changes["username"] == resident.username
    with pytest.raises(LookupError):
        services.unlink_resident(home, resident.id, place["manager"])
    # Another company's manager cannot touch the link.
    again = factories.resident(home)
    stranger = factories.user(Role.MANAGER)
    with pytest.raises(LookupError):
        services.unlink_resident(home, again.id, stranger)


def test_history_reads_field_by_field(place, app):
    entry = AuditEntry(
        entity="household",
        entity_id=1,
        company_id=place["company"].id,
        action="updated",
        changes={"phone": ["138", "139"], "owner_name": [None, "王"], "code_id": 4},
    )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        changes = describe(entry)
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("Phone", "138", "139"),
        ("Owner", "—", "王"),
    ]
    assert show_value("staff", "is_party_member", True) in ("Yes", "是")
    assert show_value("staff", "position", "steward") in ("Property steward", "物业管家")


# --- the building generator ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "key"),
    [("3", 3), ("12", 12), ("A", 1_000_000), ("综合楼", 1_000_000), ("1234567", 1_000_000)],
)
def test_buildings_not_named_by_a_number_sort_after_the_others(number, key):
    # The generator and imports give the same keys, and the edit form accepts them all.
    assert services.building_sort_key(number) == key <= services.MAX_SORT_KEY


def test_generator_previews_then_creates_in_one_go(place):
    community = place["community"]
    spec = services.parse_spec("3", "1-3", "1-6", "01-02", "89.5")
    plan = services.plan_building(community, spec)
    assert plan.building is None and plan.new_units == ["1", "2", "3"]
    assert len(plan.new_rows) == 36 and plan.conflicts == []
    assert plan.sample == ["101", "102", "201", "…", "602"]
    assert plan.total_area == Decimal("3222.00")
    # Previewing writes nothing.
    assert count(Building, Building.number == "3") == 0

    services.generate_building(community, spec)
    db.session.commit()
    building = db.session.scalar(select(Building).where(Building.number == "3"))
    assert building.floors == 6 and building.sort_key == 3
    assert count(Unit, Unit.building_id == building.id) == 3
    homes = list(
        db.session.scalars(select(Household).join(Unit).where(Unit.building_id == building.id))
    )
    assert len(homes) == 36 and {h.room for h in homes} >= {"101", "602"}
    assert all(h.community_id == community.id and h.owner_name == "" for h in homes)
    entries = count(AuditEntry, AuditEntry.entity == "household", AuditEntry.action == "generated")
    assert entries == 36
    assert count(AuditEntry, AuditEntry.entity == "building") == 1


def test_generating_the_same_spec_twice_creates_nothing_new(place):
    community = place["community"]
    spec = services.parse_spec("3", "1-2", "1-2", "1-2", "72.4, 89.5")
    services.generate_building(community, spec)
    db.session.commit()
    before = count(Household), count(Unit), count(AuditEntry)
    again = services.generate_building(community, spec)
    db.session.commit()
    assert again.nothing_new and len(again.conflicts) == 8
    assert (count(Household), count(Unit), count(AuditEntry)) == before


def test_rooms_already_present_are_conflicts_left_alone(place):
    community = place["community"]
    spec = services.parse_spec("1", "1-2", "1-3", "01-02", "60")
    plan = services.plan_building(community, spec)
    assert plan.building.id == place["building"].id
    assert plan.new_units == ["2"]
    assert sorted(plan.conflicts) == [("1", "101"), ("1", "102"), ("1", "201")]
    services.generate_building(community, spec)
    db.session.commit()
    assert place["homes"][0].owner_name == "王建国"
    assert count(Household, Household.community_id == community.id) == 12


def test_the_generator_is_set_based(place):
    """The number of statements does not grow with the number of households."""
    statements = []

    def counting(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", counting)
    try:
        services.generate_building(
            place["community"], services.parse_spec("8", "1-4", "1-30", "1-10", "60")
        )
        db.session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", counting)
    assert count(Household, Household.community_id == place["community"].id) == 3 + 1200
    # A handful of statements (a bulk INSERT may be split into a few batches), not 1,200+.
    assert len(statements) < 40


def test_the_generator_is_all_or_nothing(place, monkeypatch):
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the database went away")

    monkeypatch.setattr(generator, "record", broken)
    before = count(Household), count(Unit), count(Building)
    with pytest.raises(RuntimeError):
        services.generate_building(
            place["community"], services.parse_spec("5", "1-2", "1-6", "1-2", "60")
        )
    db.session.rollback()
    assert (count(Household), count(Unit), count(Building)) == before


# --- communities -----------------------------------------------------------------------------


def community_values(**overrides):  # type: ignore[no-untyped-def]
    from app.models import ManagementMode

    values = {
        "name": "白龙岗小区",
        "city": "宜昌市",
        "district": "西陵区",
        "street": "西陵街道",
        "address": None,
        "built_year": 2001,
        "management_mode": ManagementMode.RED_PROPERTY,
    }
    return values | overrides


def test_communities_are_created_and_edited_with_history(place):
    company = place["company"]
    community = services.create_community(company.id, **community_values())
    db.session.commit()
    assert history("community", community.id)[0].action == "created"
    with pytest.raises(RuleError):
        services.create_community(company.id, **community_values())
    changes = services.update_community(community, **community_values(built_year=2002))
    db.session.commit()
    assert changes == {"built_year": [2001, 2002]}
    with pytest.raises(RuleError):
        services.update_community(
            community,
            **community_values(
                name="兴隆苑", city=place["community"].city, district=place["community"].district
            ),
        )


# --- buildings and units ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parse", "text", "expected"),
    [
        (services.building_number, " 3 ", "3"),
        (services.building_number, "3栋", "3"),
        (services.building_number, "12号楼", "12"),
        (services.building_number, "综合楼", "综合楼"),
        (services.building_number, "栋", "栋"),
        (services.unit_number, "2单元", "2"),
        (services.unit_number, "A", "A"),
    ],
)
def test_building_and_unit_numbers_are_kept_bare(parse, text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "3 1", "1" * 17, None])
@pytest.mark.parametrize("parse", [services.building_number, services.unit_number])
def test_bad_building_and_unit_numbers_are_refused(parse, text):
    with pytest.raises(RuleError) as error:
        parse(text)
    assert error.value.field == "number"


def test_a_building_is_edited_with_history(place):
    building = place["building"]
    changes = services.update_building(building, number="1A", floors=7, sort_key=1)
    db.session.commit()
    assert changes == {"number": ["1", "1A"], "floors": [6, 7]}
    [entry] = history("building", building.id)
    assert entry.action == "updated" and entry.company_id == place["company"].id
    assert entry.changes == changes and entry.actor_user_id == place["manager"].id
    # Households are found at the new address.
    found = services.household_rows(HouseholdFilter(q="1A-1-101"), Sort("room"), place["manager"])
    assert [row.Household.room for row in db.session.execute(found)] == ["101"]
    # Saving the same values again records nothing.
    assert services.update_building(building, number="1A", floors=7, sort_key=1) == {}
    db.session.commit()
    assert len(history("building", building.id)) == 1


def test_a_building_number_is_unique_in_its_community(place):
    building = place["building"]
    factories.building(place["community"], number="2")
    factories.building(factories.community(place["company"]), number="5")
    with pytest.raises(RuleError) as error:
        services.update_building(building, number="2", floors=6, sort_key=1)
    assert error.value.field == "number"
    assert history("building", building.id) == []
    # The same number in another community is no clash.
    services.update_building(building, number="5", floors=6, sort_key=5)
    db.session.commit()
    assert db.session.get(Building, building.id).number == "5"


def test_a_building_keeps_the_floors_its_households_live_on(place):
    building = place["building"]  # room 201 is on floor 2
    with pytest.raises(RuleError) as error:
        services.update_building(building, number="1", floors=1, sort_key=1)
    assert error.value.field == "floors" and "2" in str(error.value.message)
    for floors, sort_key, field in ((0, 1, "floors"), (201, 1, "floors"), (2, -1, "sort_key")):
        with pytest.raises(RuleError) as error:
            services.update_building(building, number="1", floors=floors, sort_key=sort_key)
        assert error.value.field == field
    assert services.update_building(building, number="1", floors=2, sort_key=1) == {
        "floors": [6, 2]
    }


def test_a_unit_is_renumbered_with_history(place):
    unit = place["unit"]
    factories.unit(place["building"], number="2")
    factories.unit(factories.building(place["community"], number="2"), number="3")
    with pytest.raises(RuleError) as error:
        services.update_unit(unit, number="2")
    assert error.value.field == "number" and "2" in str(error.value.message)
    # Unit 3 of another building is no clash.
    assert services.update_unit(unit, number="3") == {"number": ["1", "3"]}
    db.session.commit()
    [entry] = history("unit", unit.id)
    assert entry.action == "updated" and entry.company_id == place["company"].id
    assert services.update_unit(unit, number="3") == {}


def test_a_number_taken_meanwhile_is_a_field_error(place, monkeypatch):
    """Another manager's save between the check and ours: the database's unique key answers,
    and it reads as the same field error, the transaction rolled back."""
    building, unit = place["building"], place["unit"]
    factories.building(place["community"], number="2")
    factories.unit(building, number="2")
    monkeypatch.setattr(places, "_check_building_number_free", lambda *args: None)
    monkeypatch.setattr(places, "_check_unit_number_free", lambda *args: None)
    with pytest.raises(RuleError) as error:
        services.update_building(building, number="2", floors=6, sort_key=1)
    assert error.value.field == "number"
    with pytest.raises(RuleError) as error:
        services.update_unit(unit, number="2")
    assert error.value.field == "number"
    assert count(AuditEntry) == 0
    assert db.session.get(Building, building.id).number == "1"
    assert db.session.get(Unit, unit.id).number == "1"


def test_building_and_unit_history_reads_with_labels(place, app):
    services.update_building(place["building"], number="1A", floors=6, sort_key=3)
    services.update_unit(place["unit"], number="2")
    db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        rows = list(db.session.execute(services.recent_changes()))
        described = {row.AuditEntry.entity: describe(row.AuditEntry) for row in rows}
        labels = services.entity_choices()
    assert [(c.field, c.before, c.after) for c in described["building"]] == [
        ("Building number", "1", "1A"),
        ("Order in lists", "1", "3"),
    ]
    assert [(c.field, c.before, c.after) for c in described["unit"]] == [("Unit number", "1", "2")]
    assert labels["unit"] == "Unit" and labels["building"] == "Building"
    subjects = {
        row.AuditEntry.entity: (row.community_name, row.subject_building, row.subject_unit)
        for row in rows
    }
    assert subjects == {"building": ("兴隆苑", "1A", None), "unit": ("兴隆苑", "1A", "2")}
    only_units = db.session.execute(services.recent_changes("unit")).all()
    assert [row.AuditEntry.entity for row in only_units] == ["unit"]


def test_a_requests_steps_stay_on_its_timeline_not_in_the_roster_history(place):
    from app.audit import record

    record("request", 1, place["building"].community.company_id, "dispatched", {})
    record("household", 1, place["building"].community.company_id, "updated", {})
    db.session.commit()
    entities = [row.AuditEntry.entity for row in db.session.execute(services.recent_changes())]
    assert entities == ["household"]
    assert db.session.execute(services.recent_changes("request")).all() == []


# --- staff -----------------------------------------------------------------------------------


def test_staff_counts_and_party_share(place):
    company = place["company"]
    for party in (True, True, False):
        services.create_staff(company.id, "张管家", None, StaffPosition.STEWARD, party)
    gone = services.create_staff(company.id, "刘保洁", None, StaffPosition.CLEANER, True)
    services.set_staff_active(gone, False)
    factories.staff(factories.company(), is_party_member=True)  # another company's
    db.session.commit()
    counts = services.staff_counts(place["manager"])
    assert (counts.staff, counts.party_members, counts.share) == (3, 2, 67)


def test_staff_edits_are_recorded(place):
    member = services.create_staff(
        place["company"].id, "张管家", None, StaffPosition.STEWARD, False
    )
    db.session.commit()
    services.update_staff(member, is_party_member=True, position=StaffPosition.MANAGER)
    db.session.commit()
    created, updated = history("staff", member.id)
    assert created.action == "created" and created.changes["name"] == "张管家"
    assert updated.changes == {
        "position": ["steward", "manager"],
        "is_party_member": [False, True],
    }


def test_a_staff_account_gets_a_one_time_password(place):
    member = services.create_staff(place["company"].id, "张管家", None, StaffPosition.STEWARD, True)
    account, password = services.give_account(member, "zhang.gj", Role.STEWARD)
    db.session.commit()
    assert account.company_id == place["company"].id and account.role == Role.STEWARD
    assert member.user_id == account.id
    assert len(password) >= 10 and account.check_password(password)
    assert password not in account.password_hash
    assert history("staff", member.id)[-1].changes == {
        "account": [None, "zhang.gj"],
        "role": [None, "steward"],
    }
    with pytest.raises(RuleError):
        services.give_account(member, "zhang2", Role.STEWARD)
    other = services.create_staff(place["company"].id, "李管家", None, StaffPosition.STEWARD, False)
    with pytest.raises(RuleError) as taken:
        services.give_account(other, "zhang.gj", Role.STEWARD)
    assert taken.value.field == "username"
    with pytest.raises(RuleError):
        services.give_account(other, "li.gj", Role.ADMIN)


def test_deactivating_staff_locks_their_account(place):
    member = services.create_staff(place["company"].id, "张管家", None, StaffPosition.STEWARD, True)
    account, _password = services.give_account(member, "zhang.gj", Role.STEWARD)
    services.set_staff_active(member, False)
    db.session.commit()
    assert not member.is_active and not account.is_active
    services.set_staff_active(member, True)
    db.session.commit()
    assert member.is_active and account.is_active
    assert [e.changes for e in history("staff", member.id)][-2:] == [
        {"is_active": [True, False]},
        {"is_active": [False, True]},
    ]


# --- demo data -------------------------------------------------------------------------------


def test_demo_is_idempotent(database):
    import random

    from app.demo.base import load_demo
    from app.demo.roster import load_demo as load_roster_demo
    from app.models import Community

    load_demo()
    communities = {c.name: c for c in db.session.scalars(select(Community))}
    load_roster_demo(communities, random.Random(1))
    db.session.commit()
    first = count(AuditEntry), count(User), count(Household)
    load_roster_demo(communities, random.Random(1))
    db.session.commit()
    assert (count(AuditEntry), count(User), count(Household)) == first
    steward = db.session.scalar(select(User).where(User.username == "steward"))
    assert steward.role == Role.STEWARD and steward.company_id is not None
    desk = db.session.scalar(select(User).where(User.username == "manager"))
    assert count(AuditEntry, AuditEntry.actor_user_id == desk.id) >= 7
