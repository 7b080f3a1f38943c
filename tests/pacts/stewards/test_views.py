"""Steward pages: coverage for the district office and the managers, a community's grid with
its gaps and filter, the building and unit pages with their forms, and who may do what."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.models import Building, Role, StaffPosition, StewardAssignment, StewardKind, Unit
from tests import factories
from tests.conftest import csrf_token

HX = {"HX-Request": "true"}
EN = {"Accept-Language": "en"}


@pytest.fixture
def world(database):
    """Company A runs a community of two buildings (units 1-1, 1-2 and 2-1, a household each),
    with a manager, a steward account and two staff; company B has its own unit."""
    company = factories.company(name="红色物业甲")
    place = factories.community(company, name="桃花小区")
    one = factories.building(place, number="1")
    two = factories.building(place, number="2")
    units = [factories.unit(one, number="1"), factories.unit(one, number="2")]
    units.append(factories.unit(two, number="1"))
    homes = [
        factories.household(entrance, room=f"{n}01", owner_name=f"业主{n}", phone=f"1390000000{n}")
        for n, entrance in enumerate(units, 1)
    ]
    other = factories.company(name="别家物业")
    return SimpleNamespace(
        company=company,
        community=place,
        one=one,
        two=two,
        units=units,
        homes=homes,
        resident=factories.resident(homes[0], display_name="业主一号"),
        zhang=factories.staff(company, name="张管家", phone="13800000001"),
        cleaner=factories.staff(company, name="王保洁", position=StaffPosition.CLEANER),
        manager=factories.user(Role.MANAGER, company_id=company.id),
        steward=factories.user(Role.STEWARD, company_id=company.id),
        other=other,
        elsewhere=factories.unit(factories.building(factories.community(other, name="别家小区"))),
    )


@pytest.fixture
def manager(world, login_as):
    return login_as(user=world.manager)


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def post(client, path, headers=None, **fields):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client, "/pacts/stewards")} | fields
    return client.post(path, data=data, headers=(headers or {}) | EN)


def current(unit, kind=StewardKind.STEWARD):  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.scalar(
        select(StewardAssignment).where(
            StewardAssignment.unit_id == unit.id,
            StewardAssignment.kind == kind,
            StewardAssignment.ends_on.is_(None),
        )
    )


# --- coverage --------------------------------------------------------------------------------


def test_the_manager_sees_their_communities_coverage(manager, world):
    factories.steward_assignment(world.units[0])
    factories.community(world.other, name="不该看见")
    html = text(manager.get("/pacts/stewards", headers=EN))
    assert "桃花小区" in html and "不该看见" not in html
    assert "2 of 3 units have no steward" in html and "3 of 3 units have no leader" in html
    assert "33%" in html  # one unit in three has a steward
    assert 'href="/pacts/stewards/communities/' in html


def test_the_district_office_sees_every_company_and_drills_into_one(admin_client, world):
    factories.steward_assignment(world.units[0])
    factories.leader_assignment(world.homes[0])
    html = text(admin_client.get("/pacts/stewards", headers=EN))
    assert "红色物业甲" in html and "别家物业" in html and "Coverage by company" in html
    page = text(admin_client.get(f"/pacts/stewards/companies/{world.company.id}", headers=EN))
    assert "桃花小区" in page and "别家小区" not in page
    assert "2 of 3 units are missing someone" in page
    grid = admin_client.get(f"/pacts/stewards/communities/{world.community.id}", headers=EN)
    assert grid.status_code == 200 and "红色物业甲" in text(grid)  # the way back to the company
    assert admin_client.get(f"/pacts/stewards/companies/{world.other.id}").status_code == 200


def test_stewards_read_the_boards_but_do_not_post(world, login_as):
    steward = login_as(user=world.steward)
    assert steward.get(f"/pacts/stewards/communities/{world.community.id}").status_code == 200
    html = text(steward.get(f"/pacts/stewards/units/{world.units[0].id}"))
    assert "steward-form" not in html
    response = post(steward, f"/pacts/stewards/units/{world.units[0].id}/steward")
    assert response.status_code == 403
    assert steward.get(f"/pacts/stewards/companies/{world.company.id}").status_code == 403


# --- the grid --------------------------------------------------------------------------------


def test_the_grid_marks_the_gaps_and_filters_them(manager, world):
    factories.steward_assignment(world.units[0], name="张管家", phone="13800000001")
    factories.leader_assignment(world.homes[0], name="业主1")
    path = f"/pacts/stewards/communities/{world.community.id}"
    html = text(manager.get(path, headers=EN))
    assert "Building 1" in html and "Building 2" in html
    assert 'href="tel:+8613800000001"' in html
    assert html.count('class="duty-gap"') == 2 and html.count("No leader</span>") == 2
    assert "1 without a steward" in html and "Missing someone (2)" in html

    only = manager.get(f"{path}?gap=leader", headers=HX | EN)
    block = text(only)
    assert only.status_code == 200 and "<html" not in block and 'id="duty-grid"' in block
    assert "张管家" not in block and block.count('class="duty-gap"') == 2
    assert 'aria-current="page"' in block
    # An unknown filter shows every unit.
    assert "张管家" in text(manager.get(f"{path}?gap=nobody"))


def test_a_large_community_is_read_in_pages_of_buildings(manager, world):
    for n in range(3, 12):
        factories.unit(factories.building(world.community, number=str(n), sort_key=n))
    html = text(manager.get(f"/pacts/stewards/communities/{world.community.id}", headers=EN))
    assert "Page 1 of 2" in html and "Building 8" in html and "Building 9" not in html
    page_two = text(manager.get(f"/pacts/stewards/communities/{world.community.id}?page=2"))
    assert "11" in page_two


# --- posting from the forms ------------------------------------------------------------------


def test_posting_a_steward_on_a_unit_from_its_page(manager, world):
    entrance = world.units[0]
    page = text(manager.get(f"/pacts/stewards/units/{entrance.id}", headers=EN))
    assert "张管家 · 13800000001" in page and "Property stewards" in page
    response = post(
        manager,
        f"/pacts/stewards/units/{entrance.id}/steward",
        headers=HX,
        **{
            "steward-staff_id": world.zhang.id,
            "steward-phone": "",
            "steward-starts_on": "2026-11-18",
        },
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/pacts/stewards/units/{entrance.id}"
    assert current(entrance).name == "张管家"
    after = text(manager.get(f"/pacts/stewards/units/{entrance.id}", headers=EN))
    assert "is now the steward of this unit" in after and "On the board now" in after
    grid = text(manager.get(f"/pacts/stewards/communities/{world.community.id}", headers=EN))
    assert "Posted on the board" in grid  # the recent changes


def test_a_refused_form_keeps_what_was_typed(manager, world):
    entrance = world.units[0]
    response = post(
        manager,
        f"/pacts/stewards/units/{entrance.id}/leader",
        headers=HX,
        **{
            "leader-household_id": world.homes[0].id,
            "leader-name": "刘阿姨",
            "leader-phone": "12",
            "leader-starts_on": "2026-11-40",
        },
    )
    html = text(response)
    assert response.status_code == 422 and "<html" not in html and 'id="leader-form"' in html
    assert 'value="刘阿姨"' in html and 'value="12"' in html and 'value="2026-11-40"' in html
    assert "Enter a date, e.g. 2026-11-18." in html
    assert current(entrance, StewardKind.LEADER) is None


def test_a_rule_refusal_shows_on_its_field_without_htmx_too(manager, world):
    outside = factories.household(world.units[2])  # building 2
    response = post(
        manager,
        f"/pacts/stewards/units/{world.units[0].id}/leader",
        **{
            "leader-household_id": outside.id,
            "leader-name": "外楼的人",
            "leader-starts_on": "2026-11-18",
        },
    )
    html = text(response)
    assert response.status_code == 422 and "<html" in html
    assert "Choose a household of this building." in html and 'value="外楼的人"' in html


def test_a_new_leader_form_starts_from_a_household_of_the_unit(manager, world):
    html = text(manager.get(f"/pacts/stewards/units/{world.units[1].id}", headers=EN))
    assert f'<option selected value="{world.homes[1].id}">' in html
    assert 'value="业主2"' in html and 'value="13900000002"' in html


def test_the_leaders_fields_follow_the_household_chosen(manager, world):
    path = f"/pacts/stewards/buildings/{world.one.id}/leader-fields"
    html = text(manager.get(f"{path}?leader-household_id={world.homes[0].id}", headers=HX | EN))
    assert (
        'id="leader-fields"' in html and 'value="业主1"' in html and 'value="13900000001"' in html
    )
    assert "业主一号 (Owner)" in html
    # A household of another building fills nothing in.
    other = text(manager.get(f"{path}?leader-household_id={world.homes[2].id}", headers=HX))
    assert "业主3" not in other


def test_a_whole_building_gets_one_leader_with_their_account(manager, world):
    response = post(
        manager,
        f"/pacts/stewards/buildings/{world.one.id}/leader",
        **{
            "leader-household_id": world.homes[1].id,
            "leader-name": "",
            "leader-phone": "",
            "leader-user_id": "",
            "leader-starts_on": "2026-11-18",
        },
    )
    assert response.status_code == 302
    assert [current(u, StewardKind.LEADER).name for u in world.units[:2]] == ["业主2", "业主2"]
    assert current(world.units[2], StewardKind.LEADER) is None
    html = text(manager.get(f"/pacts/stewards/buildings/{world.one.id}", headers=EN))
    assert "units posted: 2" in html and "lives in 2-201" in html


def test_a_whole_community_gets_one_steward_filling_the_gaps(manager, world):
    factories.steward_assignment(world.units[0], name="老管家")
    path = f"/pacts/stewards/communities/{world.community.id}/steward"
    assert "2 of them without a steward" in text(manager.get(path, headers=EN))
    response = post(
        manager,
        path,
        **{
            "steward-staff_id": world.cleaner.id,
            "steward-phone": "13700000000",
            "steward-starts_on": "2026-11-18",
            "steward-only_missing": "y",
        },
    )
    assert response.status_code == 302
    assert [current(u).name for u in world.units] == ["老管家", "王保洁", "王保洁"]


def test_taking_someone_off_the_board(manager, world):
    post_row = factories.steward_assignment(world.units[0], starts_on=date(2026, 3, 1))
    path = f"/pacts/stewards/assignments/{post_row.id}/end"
    early = post(manager, path, headers=HX, **{"end-steward-ends_on": "2026-02-01"})
    assert early.status_code == 422 and "2026-03-01" in text(early)
    done = post(manager, path, **{"end-steward-ends_on": "2026-11-18"})
    assert done.status_code == 302 and current(world.units[0]) is None
    again = post(manager, path, **{"end-steward-ends_on": "2026-11-18"})
    assert again.status_code == 302
    assert "no longer on this board" in text(manager.get(again.headers["Location"], headers=EN))


# --- who may reach what ----------------------------------------------------------------------


def test_another_companys_places_are_not_found(manager, world):
    entrance = world.elsewhere
    for path in (
        f"/pacts/stewards/units/{entrance.id}",
        f"/pacts/stewards/buildings/{entrance.building_id}",
        f"/pacts/stewards/communities/{entrance.community_id}",
        f"/pacts/stewards/communities/{entrance.community_id}/steward",
    ):
        assert manager.get(path).status_code == 404, path
    response = post(
        manager,
        f"/pacts/stewards/units/{entrance.id}/steward",
        **{"steward-staff_id": world.zhang.id, "steward-starts_on": "2026-11-18"},
    )
    assert response.status_code == 404
    assert current(entrance) is None


def test_posting_needs_the_csrf_token(manager, world):
    response = manager.post(
        f"/pacts/stewards/units/{world.units[0].id}/steward",
        data={"steward-staff_id": world.zhang.id, "steward-starts_on": "2026-11-18"},
    )
    assert response.status_code == 400 and current(world.units[0]) is None


def test_the_grid_of_a_400_unit_community_takes_as_many_queries_as_a_small_one(manager, world):
    def statements(place) -> int:  # type: ignore[no-untyped-def]
        """How many statements the grid's first page of `place` runs."""
        seen: list[str] = []

        def note(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            assert manager.get(f"/pacts/stewards/communities/{place.id}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        return len(seen)

    large = factories.community(world.company)
    blocks = [
        Building(community_id=large.id, number=str(n), floors=6, sort_key=n) for n in range(60)
    ]
    db.session.add_all(blocks)
    db.session.flush()
    db.session.add_all(
        Unit(building_id=b.id, community_id=large.id, number=str(n))
        for b in blocks
        for n in range(7)
    )
    db.session.commit()
    factories.steward_assignment(
        db.session.scalars(select(Unit).where(Unit.community_id == large.id)).first()
    )
    assert statements(large) == statements(world.community)
