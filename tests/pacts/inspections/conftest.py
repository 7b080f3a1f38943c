"""One company's community with its people on duty, shared by the inspections tests: building 1
with units 1 and 2, a steward posted to both (linked to a steward account), a building leader
living in unit 1 and posted to both, a neighbour in unit 1 who leads nothing, and the managers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.models import Building, Community, Company, Household, Role, Staff, Unit, User
from tests import factories


@dataclass
class Place:
    company: Company
    community: Community
    building: Building
    unit: Unit
    other_unit: Unit
    home: Household
    steward: User
    staff: Staff
    leader: User
    neighbour: User
    manager: User


@pytest.fixture
def place(database) -> Place:
    company = factories.company()
    community = factories.community(company, name="兴隆苑")
    block = factories.building(community, number="1")
    first, second = factories.unit(block, number="1"), factories.unit(block, number="2")
    home = factories.household(first, room="101")
    steward = factories.user(Role.STEWARD, company_id=company.id, display_name="张管家")
    member = factories.staff(company, user_id=steward.id, name="张管家")
    leader = factories.resident(home, display_name="李楼长")
    for entrance in (first, second):
        factories.steward_assignment(entrance, staff_id=member.id, name=member.name)
        factories.leader_assignment(home, unit_id=entrance.id, user_id=leader.id, name="李楼长")
    return Place(
        company=company,
        community=community,
        building=block,
        unit=first,
        other_unit=second,
        home=home,
        steward=steward,
        staff=member,
        leader=leader,
        neighbour=factories.resident(factories.household(first, room="102")),
        manager=factories.user(Role.MANAGER, company_id=company.id),
    )
