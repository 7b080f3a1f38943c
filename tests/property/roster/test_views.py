"""Roster pages: scoping, live search, inline editing, dialog forms, the generator, staff
accounts and history, as managers, stewards and the district office use them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Community, Household, Role, Staff, StaffPosition, Unit, User
from tests import factories
from tests.conftest import csrf_token

HX = {"HX-Request": "true"}
HOUSEHOLDS = "/property/roster/households"


@pytest.fixture
def world(database):
    """Company A (with a manager and a steward) and company B, each with a few homes."""
    data = {}
    for tenant in ("a", "b"):
        company = factories.company()
        community = factories.community(company, name=f"小区{tenant.upper()}")
        unit = factories.unit(factories.building(community, number="1"), number="1")
        data[tenant] = {
            "company": company,
            "community": community,
            "unit": unit,
            "home": factories.household(
                unit, room="101", owner_name=f"王{tenant}", phone="13800000001"
            ),
            "other": factories.household(unit, room="102", owner_name="李秀英", phone="139"),
            "manager": factories.user(Role.MANAGER, company_id=company.id),
            "steward": factories.user(Role.STEWARD, company_id=company.id),
        }
    return data


@pytest.fixture
def manager(world, login_as):
    return login_as(user=world["a"]["manager"])


@pytest.fixture
def steward(world, login_as):
    return login_as(user=world["a"]["steward"])


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def token(client) -> str:  # type: ignore[no-untyped-def]
    return csrf_token(client, HOUSEHOLDS)


def edit_household(client, home_id, headers=HX, **fields):  # type: ignore[no-untyped-def]
    data = {"csrf_token": token(client)} | fields
    return client.post(f"/property/roster/households/{home_id}/edit", data=data, headers=headers)


# --- lists and search ------------------------------------------------------------------------


def test_manager_sees_only_their_company(manager, world):
    html = text(manager.get(HOUSEHOLDS))
    assert "王a" in html and "王b" not in html
    assert 'aria-sort="ascending"' in html
    assert 'hx-trigger="input changed delay:300ms, search"' in html


def test_live_search_answers_with_the_results_block(manager):
    response = manager.get(f"{HOUSEHOLDS}?q=李", headers=HX)
    html = text(response)
    assert response.status_code == 200
    assert "<html" not in html and 'id="households"' in html
    assert "李秀英" in html and "王a" not in html
    assert text(manager.get(f"{HOUSEHOLDS}?q=nobody")).count("<tr id=") == 0


def test_sorting_is_whitelisted_and_marked(manager):
    html = text(manager.get(f"{HOUSEHOLDS}?sort=phone&dir=desc"))
    assert re.search(r'aria-sort="descending">\s*<a href="[^"]*sort=phone', html)
    # An unknown key falls back to the default order instead of failing.
    assert manager.get(f"{HOUSEHOLDS}?sort=owner_name;drop&dir=x").status_code == 200


def test_other_lists_open_for_managers_and_stewards(manager, steward, world):
    factories.resident(world["a"]["home"])
    for client in (manager, steward):
        for path in (
            "/property/roster/residents",
            "/property/roster/communities",
            "/property/roster/staff",
            f"/property/roster/communities/{world['a']['community'].id}",
        ):
            assert client.get(path).status_code == 200, path


def test_stewards_read_but_do_not_change(steward, world):
    home = world["a"]["home"]
    html = text(steward.get(HOUSEHOLDS))
    assert "王a" in html and "household-edit" not in html and "roster-dialog" in html
    assert steward.get(f"/property/roster/households/{home.id}/edit").status_code == 403
    assert steward.get("/property/roster/history").status_code == 403
    response = edit_household(steward, home.id, headers=None, phone="1", area_m2="1")
    assert response.status_code == 403


def test_another_companys_household_is_not_found(manager, world):
    home = world["b"]["home"]
    assert manager.get(f"/property/roster/households/{home.id}/edit", headers=HX).status_code == 404
    response = edit_household(manager, home.id, owner_name="x", area_m2="50")
    assert response.status_code == 404


# --- inline editing --------------------------------------------------------------------------


def test_inline_edit_swaps_the_row_and_records_history(manager, world):
    home = world["a"]["home"]
    editor = text(manager.get(f"/property/roster/households/{home.id}/edit", headers=HX))
    assert editor.lstrip().startswith("<") and f'id="household-{home.id}"' in editor
    assert 'value="13800000001"' in editor and "row-editing" in editor

    response = edit_household(
        manager, home.id, owner_name="王建国", phone="+86 139 1234 5678", area_m2="89.5"
    )
    row = text(response)
    assert response.status_code == 200
    assert f'id="household-{home.id}"' in row and "13912345678" in row and "<input" not in row

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_id == home.id))
    assert entry.actor_user_id == world["a"]["manager"].id
    assert entry.changes["phone"] == ["13800000001", "13912345678"]

    history = text(manager.get(f"/property/roster/households/{home.id}/history"))
    assert "13800000001" in history and "13912345678" in history
    assert "电话" in history and world["a"]["manager"].display_name in history

    # Cancel restores the display row.
    restored = text(manager.get(f"/property/roster/households/{home.id}/row", headers=HX))
    assert "13912345678" in restored and "<input" not in restored


def test_inline_edit_refuses_bad_input_and_keeps_it(manager, world):
    home = world["a"]["home"]
    response = edit_household(manager, home.id, owner_name="王", phone="call me", area_m2="big")
    html = text(response)
    assert response.status_code == 422
    assert 'value="call me"' in html and 'value="big"' in html
    assert 'aria-invalid="true"' in html and "field-error" in html
    assert db.session.get(Household, home.id).phone == "13800000001"


def test_edit_without_htmx_is_a_page(manager, world):
    home = world["a"]["home"]
    assert "<html" in text(manager.get(f"/property/roster/households/{home.id}/edit"))
    response = edit_household(
        manager, home.id, headers=None, owner_name="王", phone="", area_m2="60"
    )
    assert response.status_code == 302


# --- dialog forms ----------------------------------------------------------------------------


def test_new_household_in_the_dialog(manager, world):
    unit = world["a"]["unit"]
    form = text(manager.get("/property/roster/households/new", headers=HX))
    assert "<html" not in form and 'id="roster-form-panel"' in form
    assert f'value="{world["b"]["unit"].id}"' not in form  # another company's unit

    data = {
        "unit_id": unit.id,
        "room": "301",
        "floor": "3",
        "area_m2": "72.4",
        "owner_name": "赵海燕",
        "phone": "",
        "next": HOUSEHOLDS,
        "csrf_token": token(manager),
    }
    response = manager.post("/property/roster/households/new", data=data, headers=HX)
    assert response.status_code == 204 and "q=301" in response.headers["HX-Redirect"]
    assert (
        db.session.scalar(select(Household).where(Household.room == "301")).owner_name == "赵海燕"
    )

    again = manager.post("/property/roster/households/new", data=data, headers=HX)
    assert again.status_code == 422 and "301" in text(again)
    foreign = manager.post(
        "/property/roster/households/new",
        data=data | {"unit_id": world["b"]["unit"].id, "room": "302"},
        headers=HX,
    )
    assert foreign.status_code == 422  # not one of the manager's units
    bad_floor = manager.post(
        "/property/roster/households/new", data=data | {"room": "303", "floor": "三"}, headers=HX
    )
    assert bad_floor.status_code == 422 and "整数" in text(bad_floor)


def test_communities_are_created_for_the_managers_own_company(manager, world):
    form = text(manager.get("/property/roster/communities/new", headers=HX))
    assert 'name="company_id"' not in form
    data = {
        "company_id": world["b"]["company"].id,  # ignored: a manager works for their own
        "name": "新建小区",
        "city": "宜昌市",
        "district": "西陵区",
        "street": "学院街道",
        "management_mode": "red_property",
        "built_year": "1999",
        "csrf_token": token(manager),
    }
    response = manager.post("/property/roster/communities/new", data=data, headers=HX)
    assert response.status_code == 204
    created = db.session.scalar(select(Community).where(Community.name == "新建小区"))
    assert created.company_id == world["a"]["company"].id
    duplicate = manager.post("/property/roster/communities/new", data=data, headers=HX)
    assert duplicate.status_code == 422
    bad_year = manager.post(
        "/property/roster/communities/new", data=data | {"name": "又一个", "built_year": "1800"}
    )
    assert bad_year.status_code == 422
    other = world["b"]["community"].id
    assert manager.get(f"/property/roster/communities/{other}/edit").status_code == 404


def test_the_district_office_chooses_the_company(admin_client, world):
    form = text(admin_client.get("/property/roster/communities/new"))
    assert 'name="company_id"' in form
    response = admin_client.post(
        "/property/roster/communities/new",
        data={
            "company_id": world["b"]["company"].id,
            "name": "区里新建",
            "city": "宜昌市",
            "district": "西陵区",
            "street": "学院街道",
            "management_mode": "self_managed",
            "csrf_token": csrf_token(admin_client, "/property/roster/communities/new"),
        },
    )
    assert response.status_code == 302
    assert "区里新建" in text(admin_client.get("/property/roster/communities?q=区里"))


# --- generator -------------------------------------------------------------------------------


def generate(client, community_id, action, **fields):  # type: ignore[no-untyped-def]
    data = {
        "building": "3",
        "units": "1-3",
        "floors": "1-6",
        "rooms": "01-02",
        "areas": "89.5",
        "action": action,
        "csrf_token": token(client),
    } | fields
    return client.post(
        f"/property/roster/communities/{community_id}/generate", data=data, headers=HX
    )


def households_in(community_id: int) -> int:
    return db.session.scalar(
        select(func.count(Household.id)).where(Household.community_id == community_id)
    )


def test_generator_preview_then_create_then_nothing_new(manager, world):
    community = world["a"]["community"]
    page = manager.get(f"/property/roster/communities/{community.id}/generate")
    assert page.status_code == 200

    preview = text(generate(manager, community.id, "preview"))
    assert "36" in preview and "101, 102, 201, …, 602" in preview
    assert "3,222.00 m²" in preview
    assert households_in(community.id) == 2  # a preview writes nothing

    created = generate(manager, community.id, "create")
    assert created.status_code == 200 and "36" in text(created)
    assert households_in(community.id) == 38

    again = text(generate(manager, community.id, "create"))
    assert households_in(community.id) == 38
    assert "没有新增内容" in again


def test_generator_shows_conflicts(manager, world):
    community = world["a"]["community"]
    preview = text(generate(manager, community.id, "preview", building="1", units="1"))
    assert "101" in preview and "flash-warning" in preview


def test_generator_bad_input_is_a_422_with_the_text_kept(manager, world):
    community = world["a"]["community"]
    response = generate(manager, community.id, "preview", floors="6-1", areas="lots")
    assert response.status_code == 422
    assert 'role="alert"' in text(response)
    full = manager.post(
        f"/property/roster/communities/{community.id}/generate",
        data={
            "building": "3",
            "units": "1-3",
            "floors": "6-1",
            "rooms": "1",
            "areas": "1",
            "csrf_token": token(manager),
        },
    )
    assert full.status_code == 422 and 'value="6-1"' in text(full)
    other = world["b"]["community"].id
    assert generate(manager, other, "create").status_code == 404


# --- staff -----------------------------------------------------------------------------------


def test_staff_counts_and_list(manager, world):
    company = world["a"]["company"]
    factories.staff(company, name="张党员", is_party_member=True)
    factories.staff(company, name="李群众", is_party_member=False)
    factories.staff(world["b"]["company"], name="外人", is_party_member=True)
    html = text(manager.get("/property/roster/staff"))
    assert "张党员" in html and "外人" not in html
    assert "50%" in html


def test_staff_create_edit_account_and_deactivate(manager, world):
    data = {
        "name": "周管家",
        "phone": "13700001111",
        "position": "steward",
        "is_party_member": "y",
        "next": "/property/roster/staff",
        "csrf_token": token(manager),
    }
    assert manager.post("/property/roster/staff/new", data=data, headers=HX).status_code == 204
    member = db.session.scalar(select(Staff).where(Staff.name == "周管家"))
    assert member.company_id == world["a"]["company"].id and member.is_party_member

    edited = manager.post(
        f"/property/roster/staff/{member.id}/edit",
        data=data | {"position": "maintenance", "is_party_member": ""},
        headers=HX,
    )
    assert edited.status_code == 204
    db.session.refresh(member)
    assert member.position == StaffPosition.MAINTENANCE and not member.is_party_member

    bad = manager.post(
        f"/property/roster/staff/{member.id}/account",
        data={"username": "A B", "role": "steward", "csrf_token": token(manager)},
        headers=HX,
    )
    assert bad.status_code == 422
    admin_role = manager.post(
        f"/property/roster/staff/{member.id}/account",
        data={"username": "zhou.gj", "role": "admin", "csrf_token": token(manager)},
        headers=HX,
    )
    assert admin_role.status_code == 422
    done = manager.post(
        f"/property/roster/staff/{member.id}/account",
        data={"username": "zhou.gj", "role": "steward", "csrf_token": token(manager)},
        headers=HX,
    )
    password = re.search(r'id="initial-password">([^<]+)<', text(done)).group(1)
    account = db.session.scalar(select(User).where(User.username == "zhou.gj"))
    assert account.role == Role.STEWARD and account.company_id == world["a"]["company"].id
    assert account.check_password(password)
    # Shown once: the list does not show it again.
    assert password not in text(manager.get("/property/roster/staff"))

    off = manager.post(
        f"/property/roster/staff/{member.id}/status",
        data={"active": "0", "csrf_token": token(manager)},
        headers=HX,
    )
    assert off.status_code == 204
    db.session.refresh(account)
    assert not account.is_active
    manager.get("/property/roster/staff")  # shows the flash message once
    assert "周管家" not in text(manager.get("/property/roster/staff"))
    assert "周管家" in text(manager.get("/property/roster/staff?status=inactive"))


def test_staff_of_another_company_is_not_found(manager, world):
    member = factories.staff(world["b"]["company"])
    for path in (
        f"/property/roster/staff/{member.id}/edit",
        f"/property/roster/staff/{member.id}/account",
    ):
        assert manager.get(path).status_code == 404
    response = manager.post(
        f"/property/roster/staff/{member.id}/status",
        data={"active": "0", "csrf_token": token(manager)},
    )
    assert response.status_code == 404


# --- residents and history -------------------------------------------------------------------


def test_unlink_a_resident_from_the_list(manager, world):
    home = world["a"]["home"]
    resident = factories.resident(home)
    assert resident.username in text(manager.get("/property/roster/residents"))
    response = manager.post(
        f"/property/roster/households/{home.id}/unlink",
        data={
            "user_id": resident.id,
            "next": "/property/roster/residents",
            "csrf_token": token(manager),
        },
        headers=HX,
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/property/roster/residents"
    assert resident.username not in text(manager.get("/property/roster/residents"))
    assert resident.username in text(manager.get(f"/property/roster/households/{home.id}/history"))
    stranger = factories.resident(world["b"]["home"])
    foreign = manager.post(
        f"/property/roster/households/{world['b']['home'].id}/unlink",
        data={"user_id": stranger.id, "csrf_token": token(manager)},
    )
    assert foreign.status_code == 404


def test_recent_changes_are_the_companys_own(manager, login_as, world):
    other = login_as(user=world["b"]["manager"])
    edit_household(other, world["b"]["home"].id, owner_name="外人改的", area_m2="50")
    edit_household(manager, world["a"]["home"].id, owner_name="自己改的", area_m2="50")
    html = text(manager.get("/property/roster/history"))
    assert "自己改的" in html and "外人改的" not in html
    assert text(manager.get("/property/roster/history?entity=staff")).count("自己改的") == 0
    assert manager.get("/property/roster/history?entity=bogus").status_code == 200


def test_the_back_button_gets_the_whole_page(manager):
    response = manager.get(
        f"{HOUSEHOLDS}?q=王", headers=HX | {"HX-History-Restore-Request": "true"}
    )
    assert "<html" in text(response)


def test_units_of_a_building_are_listed(manager, world):
    community = world["a"]["community"]
    factories.unit(db.session.get(Unit, world["a"]["unit"].id).building, number="2")
    html = text(manager.get(f"/property/roster/communities/{community.id}"))
    assert html.count('class="unit-chips"') == 1 and "(2)" in html and "(0)" in html


# --- buildings and units ---------------------------------------------------------------------


def building_of(world, tenant="a"):  # type: ignore[no-untyped-def]
    return db.session.get(Unit, world[tenant]["unit"].id).building


def edit_building(client, building_id, headers=HX, **fields):  # type: ignore[no-untyped-def]
    data = {"number": "1", "floors": "6", "sort_key": "1", "csrf_token": token(client)} | fields
    return client.post(f"/property/roster/buildings/{building_id}/edit", data=data, headers=headers)


def edit_unit(client, unit_id, headers=HX, **fields):  # type: ignore[no-untyped-def]
    data = {"number": "1", "csrf_token": token(client)} | fields
    return client.post(f"/property/roster/units/{unit_id}/edit", data=data, headers=headers)


def test_the_community_page_offers_building_and_unit_dialogs(manager, steward, world):
    building, unit = building_of(world), world["a"]["unit"]
    page = f"/property/roster/communities/{world['a']['community'].id}"
    html = text(manager.get(page))
    assert f'id="building-{building.id}"' in html
    assert f'hx-get="/property/roster/buildings/{building.id}/edit"' in html
    assert f'hx-get="/property/roster/units/{unit.id}/edit"' in html
    assert 'aria-label="编辑1栋1单元"' in html
    read_only = text(steward.get(page))
    assert f'id="building-{building.id}"' in read_only
    assert "/edit" not in read_only.split('id="buildings"')[1]


def test_building_dialog_saves_and_swaps_its_row_in_place(manager, world):
    building = building_of(world)
    form = text(manager.get(f"/property/roster/buildings/{building.id}/edit", headers=HX))
    assert "<html" not in form and 'id="roster-form-panel"' in form
    assert 'name="number"' in form and 'value="1"' in form and 'value="6"' in form

    response = edit_building(manager, building.id, number="1栋", floors="7", sort_key="2")
    row = text(response)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == f"#building-{building.id}"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert row.lstrip().startswith(f'<tr id="building-{building.id}" class="row-saved">')
    assert ">7<" in row and "已保存" in row
    # The dialog is closed by a fresh one, out of band; the focus returns to the row's button.
    assert re.search(r'<template>\s*<dialog id="roster-dialog"[^>]*hx-swap-oob="true"', row)
    assert re.search(r'aria-label="编辑1栋"\s+autofocus>', row)

    db.session.refresh(building)
    assert (building.number, building.floors, building.sort_key) == ("1", 7, 2)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "building"))
    assert entry.action == "updated" and entry.entity_id == building.id
    assert entry.changes == {"floors": [6, 7], "sort_key": [0, 2]}
    assert entry.actor_user_id == world["a"]["manager"].id

    history = text(manager.get("/property/roster/history?entity=building"))
    assert "层数" in history and "列表顺序" in history and "小区A" in history
    assert 'value="building" selected' in history


def test_building_dialog_refuses_bad_input_and_keeps_it(manager, world):
    building = building_of(world)
    response = edit_building(manager, building.id, number="3 号", floors="many", sort_key="")
    html = text(response)
    assert response.status_code == 422
    assert 'id="roster-form-panel"' in html and "<html" not in html
    assert 'value="3 号"' in html and 'value="many"' in html
    assert html.count('class="field-error"') == 3 and 'aria-invalid="true"' in html
    assert "层数请填写整数" in html
    db.session.refresh(building)
    assert (building.number, building.floors) == ("1", 6)
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_building_dialog_speaks_the_users_language(world, login_as):
    english = factories.user(Role.MANAGER, company_id=world["a"]["company"].id, locale="en")
    client = login_as(user=english)
    response = edit_building(client, building_of(world).id, floors="0")
    assert response.status_code == 422
    assert "A building has from 1 to 200 floors." in text(response)


def test_building_numbers_and_floors_clash_as_field_errors(manager, world):
    building = building_of(world)
    factories.building(world["a"]["community"], number="2")
    taken = edit_building(manager, building.id, number="2")
    assert taken.status_code == 422
    assert "本小区已有2栋" in text(taken) and 'value="2"' in text(taken)
    # Room 101 is on floor 1 only: one floor is enough, none is not.
    factories.household(world["a"]["unit"], room="501", floor=5)
    too_low = edit_building(manager, building.id, floors="4")
    assert too_low.status_code == 422 and "5" in text(too_low)
    db.session.refresh(building)
    assert (building.number, building.floors) == ("1", 6)


def test_a_number_taken_meanwhile_is_a_422_not_a_500(manager, world, monkeypatch):
    from app.blueprints.property.roster.services import places

    building = building_of(world)
    factories.building(world["a"]["community"], number="2")
    monkeypatch.setattr(places, "_check_building_number_free", lambda *args: None)
    response = edit_building(manager, building.id, number="2")
    assert response.status_code == 422 and "本小区已有2栋" in text(response)
    db.session.refresh(building)
    assert building.number == "1"


def test_unit_dialog_renumbers_and_swaps_the_buildings_row(manager, world):
    unit, building = world["a"]["unit"], building_of(world)
    form = text(manager.get(f"/property/roster/units/{unit.id}/edit", headers=HX))
    assert 'id="roster-form-panel"' in form and "编辑1栋1单元" in form

    factories.unit(building, number="2")
    taken = edit_unit(manager, unit.id, number="2单元")
    assert taken.status_code == 422
    assert "本楼已有2单元" in text(taken) and 'value="2单元"' in text(taken)

    response = edit_unit(manager, unit.id, number="3单元")
    row = text(response)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == f"#building-{building.id}"
    assert "3单元" in row and "row-saved" in row
    assert re.search(r'aria-label="编辑1栋3单元"\s+autofocus>', row)
    db.session.refresh(unit)
    assert unit.number == "3"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "unit"))
    assert entry.changes == {"number": ["1", "3"]} and entry.entity_id == unit.id

    history = text(manager.get("/property/roster/history?entity=unit"))
    assert "单元号" in history and "1栋3单元" in history
    # The households moved with their unit.
    assert "小区A 1-3-101" in text(manager.get(HOUSEHOLDS))


def test_building_and_unit_dialogs_without_htmx_are_pages(manager, world):
    building, unit = building_of(world), world["a"]["unit"]
    community_page = f"/property/roster/communities/{world['a']['community'].id}"
    assert "<html" in text(manager.get(f"/property/roster/buildings/{building.id}/edit"))
    saved = edit_building(manager, building.id, headers={}, number="8", next=community_page)
    assert saved.status_code == 302 and saved.headers["Location"] == community_page
    saved = edit_unit(manager, unit.id, headers={}, number="9")
    assert saved.status_code == 302 and saved.headers["Location"] == community_page
    assert "已保存9单元" in text(manager.get(community_page))


def test_buildings_and_units_of_another_company_are_not_found(manager, world):
    building, unit = building_of(world, "b"), world["b"]["unit"]
    for path in (
        f"/property/roster/buildings/{building.id}/edit",
        f"/property/roster/units/{unit.id}/edit",
    ):
        assert manager.get(path, headers=HX).status_code == 404
    assert edit_building(manager, building.id, number="7").status_code == 404
    assert edit_unit(manager, unit.id, number="7").status_code == 404
    db.session.refresh(building)
    db.session.refresh(unit)
    assert building.number == unit.number == "1"


def test_stewards_and_residents_may_not_edit_buildings_or_units(steward, world, login_as):
    building, unit = building_of(world), world["a"]["unit"]
    resident = login_as(user=factories.resident(world["a"]["home"]))
    for client in (steward, resident):
        assert client.get(f"/property/roster/buildings/{building.id}/edit").status_code == 403
        data = {
            "number": "7",
            "floors": "6",
            "sort_key": "1",
            "csrf_token": csrf_token(client, "/account/password"),
        }
        building_post = client.post(f"/property/roster/buildings/{building.id}/edit", data=data)
        unit_post = client.post(f"/property/roster/units/{unit.id}/edit", data=data)
        assert building_post.status_code == unit_post.status_code == 403
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_the_district_office_edits_any_companys_building(admin_client, world):
    building = building_of(world, "b")
    response = edit_building(admin_client, building.id, number="1", floors="9")
    assert response.status_code == 200 and "row-saved" in text(response)
    db.session.refresh(building)
    assert building.floors == 9
