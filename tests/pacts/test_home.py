"""The resident's building and the steward's units."""

from __future__ import annotations

from datetime import date

from app.blueprints.pacts.campaigns import services as campaigns
from app.extensions import db
from app.models import Answer, Role, StaffPosition
from tests import factories


def test_a_resident_sees_their_stewards_and_their_buildings_inspections(database, login_as):
    home = factories.household()
    entrance = home.unit
    resident = factories.resident(home)
    factories.steward_assignment(entrance, name="李管家", phone="13812345678")
    factories.inspection(entrance, inspected_on=date(2026, 11, 3), lighting=2)
    elsewhere = factories.unit()
    factories.steward_assignment(elsewhere, name="别家管家")
    factories.inspection(elsewhere, inspected_on=date(2026, 11, 4))

    page = login_as(Role.RESIDENT, resident).get("/pacts/my-building").get_data(as_text=True)
    assert "李管家" in page and 'href="tel:+8613812345678"' in page
    assert "别家管家" not in page
    assert "90" in page  # the score of the building's inspection
    assert "本单元尚未推选楼栋长。" in page


def test_a_steward_sees_their_units_with_what_each_lacks(database, login_as):
    entrance = factories.unit()
    other = factories.unit(entrance.building)
    company = entrance.building.community.company
    account = factories.user(Role.STEWARD, company_id=company.id)
    member = factories.staff(company, user_id=account.id, position=StaffPosition.STEWARD)
    factories.steward_assignment(entrance, staff_id=member.id, name=member.name)
    factories.leader_assignment(factories.household(entrance))
    factories.steward_assignment(other)  # someone else's unit

    page = login_as(Role.STEWARD, account).get("/pacts/my-units").get_data(as_text=True)
    assert page.count('<li class="steward-unit') == 1
    assert "无生效公约" in page and "本月未检查" in page
    assert "缺楼栋长" not in page
    assert f"/pacts/inspections/new?unit_id={entrance.id}" in page


def test_a_resident_is_asked_to_sign_and_then_sees_their_answer(database, login_as):
    home = factories.household()
    resident = factories.resident(home)
    for _ in range(3):  # neighbours: one agreeing voice does not adopt the pact
        factories.household(home.unit)
    asking = factories.campaign(factories.pact_version(home.unit), title="一单元公约征集")
    factories.campaign(title="别处的征集")
    client = login_as(Role.RESIDENT, resident)

    page = client.get("/pacts/my-building").get_data(as_text=True)
    assert "一单元公约征集" in page and "别处的征集" not in page
    assert f"/pacts/campaigns/{asking.id}/sign" in page
    assert "尚未征询" in page and "阅读公约并签署" in page

    campaigns.sign(resident, asking, home.id, Answer.AGREE)
    db.session.commit()
    page = client.get("/pacts/my-building").get_data(as_text=True)
    assert "同意" in page and "修改我的意见" in page
