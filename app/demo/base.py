"""The demo data set: the communities named in the source reports, with realistic homes.

Nan'an (Chongqing): 兴隆苑 in 南坪镇, run by 新守正物业, and 弹新街社区, run by the red company
重庆乐群物业服务有限公司. Yichang: 嘉明花园, 黄龙小区, 宜港小区, 四合院小区 and 白龙岗小区; the
companies running these five are invented for the demo. Loading is idempotent: every row is
found by its natural key before it is created.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app.blueprints.auth.services import create_user
from app.extensions import db
from app.models import (
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

DEMO_PASSWORD = "gongjian-demo"  # noqa: S105 - documented in the README, demo data only

COMPANIES = [
    # code, name, kind, city, district, founding street, phone
    ("XSZ", "新守正物业", CompanyKind.MARKET, "重庆市", "南岸区", None, "023-62801234"),
    (
        "LQ",
        "重庆乐群物业服务有限公司",
        CompanyKind.RED,
        "重庆市",
        "南岸区",
        "弹子石街道",
        "023-62905678",
    ),
    (
        "JMYW",
        "嘉明花园业主委员会",
        CompanyKind.SELF_MANAGED,
        "宜昌市",
        "伍家岗区",
        None,
        "0717-6551020",
    ),
    (
        "WJG",
        "宜昌伍家岗红色物业服务有限公司",
        CompanyKind.RED,
        "宜昌市",
        "伍家岗区",
        "大公桥街道",
        "0717-6553388",
    ),
    (
        "XL",
        "宜昌西陵红色物业服务有限公司",
        CompanyKind.RED,
        "宜昌市",
        "西陵区",
        "学院街道",
        "0717-6229900",
    ),
]


@dataclass(frozen=True)
class CommunityPlan:
    company: str
    name: str
    city: str
    district: str
    street: str
    built_year: int
    mode: ManagementMode
    buildings: int
    units: int
    floors: int
    rooms_per_floor: int
    areas: tuple[str, ...]


COMMUNITIES = [
    CommunityPlan(
        "XSZ",
        "兴隆苑",
        "重庆市",
        "南岸区",
        "南坪镇",
        1996,
        ManagementMode.MARKET_PROPERTY,
        8,
        2,
        7,
        2,
        ("72.40", "89.50"),
    ),
    CommunityPlan(
        "LQ",
        "弹新街社区",
        "重庆市",
        "南岸区",
        "弹子石街道",
        1988,
        ManagementMode.RED_PROPERTY,
        10,
        3,
        6,
        2,
        ("54.80", "63.20"),
    ),
    CommunityPlan(
        "JMYW",
        "嘉明花园",
        "宜昌市",
        "伍家岗区",
        "大公桥街道",
        1998,
        ManagementMode.SELF_MANAGED,
        6,
        2,
        6,
        2,
        ("86.30", "98.70"),
    ),
    CommunityPlan(
        "WJG",
        "黄龙小区",
        "宜昌市",
        "伍家岗区",
        "大公桥街道",
        1993,
        ManagementMode.RED_PROPERTY,
        5,
        2,
        6,
        2,
        ("61.50", "74.90"),
    ),
    CommunityPlan(
        "XL",
        "宜港小区",
        "宜昌市",
        "西陵区",
        "学院街道",
        1995,
        ManagementMode.RED_PROPERTY,
        4,
        3,
        7,
        2,
        ("58.60", "69.40"),
    ),
    CommunityPlan(
        "XL",
        "四合院小区",
        "宜昌市",
        "西陵区",
        "学院街道",
        1985,
        ManagementMode.RED_PROPERTY,
        4,
        1,
        5,
        4,
        ("46.20", "52.80", "52.80", "46.20"),
    ),
    CommunityPlan(
        "XL",
        "白龙岗小区",
        "宜昌市",
        "西陵区",
        "西陵街道",
        2001,
        ManagementMode.RED_PROPERTY,
        7,
        2,
        6,
        2,
        ("78.10", "92.60"),
    ),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
    "许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
)
GIVEN = (
    "建国秀英桂兰志强丽华淑珍海燕文华明辉玉兰红梅"
    "德胜春梅永红晓东小萍国庆立新凤英家豪子涵雨萱思远俊杰"
)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return (
        f"1{rng.choice(('38', '39', '58', '59', '86', '87', '36', '77'))}{rng.randrange(10**8):08d}"
    )


def _get_or_add(model: type, defaults: dict | None = None, **key: object):  # type: ignore[no-untyped-def]
    obj = db.session.scalar(select(model).filter_by(**key))
    if obj is None:
        obj = model(**key, **(defaults or {}))
        db.session.add(obj)
        db.session.flush()
    return obj


def _load_companies() -> dict[str, Company]:
    companies = {}
    for code, name, kind, city, district, street, phone in COMPANIES:
        companies[code] = _get_or_add(
            Company,
            {
                "name": name,
                "kind": kind,
                "city": city,
                "district": district,
                "founding_street": street,
                "phone": phone,
            },
            code=code,
        )
    return companies


def _load_community(plan: CommunityPlan, company: Company, rng: random.Random) -> Community:
    community = _get_or_add(
        Community,
        {
            "company_id": company.id,
            "street": plan.street,
            "built_year": plan.built_year,
            "management_mode": plan.mode,
        },
        city=plan.city,
        district=plan.district,
        name=plan.name,
    )
    for b in range(1, plan.buildings + 1):
        building = _get_or_add(
            Building,
            {"floors": plan.floors, "sort_key": b},
            community_id=community.id,
            number=str(b),
        )
        for u in range(1, plan.units + 1):
            unit = _get_or_add(
                Unit, None, building_id=building.id, community_id=community.id, number=str(u)
            )
            present = set(
                db.session.scalars(select(Household.room).where(Household.unit_id == unit.id))
            )
            for floor in range(1, plan.floors + 1):
                for r, area in enumerate(plan.areas, start=1):
                    room = f"{floor}{r:02d}"
                    if room not in present:
                        db.session.add(
                            Household(
                                unit_id=unit.id,
                                community_id=community.id,
                                room=room,
                                floor=floor,
                                area_m2=Decimal(area),
                                owner_name=_name(rng),
                                phone=_phone(rng),
                            )
                        )
    return community


def _load_staff(company: Company, rng: random.Random) -> None:
    if db.session.scalar(select(Staff.id).where(Staff.company_id == company.id).limit(1)):
        return
    positions = (
        [StaffPosition.MANAGER]
        + [StaffPosition.STEWARD] * 4
        + [
            StaffPosition.MAINTENANCE,
            StaffPosition.MAINTENANCE,
            StaffPosition.CLEANER,
            StaffPosition.CLEANER,
            StaffPosition.SECURITY,
        ]
    )
    # Red companies recruit party members and residents first, as the Nan'an report describes.
    party_share = 0.6 if company.kind == CompanyKind.RED else 0.25
    for position in positions:
        db.session.add(
            Staff(
                company_id=company.id,
                name=_name(rng),
                phone=_phone(rng),
                position=position,
                is_party_member=rng.random() < party_share,
            )
        )


def household_at(community: Community, building: str, unit: str, room: str) -> Household | None:
    """The demo household at an address the demo data names (None before the roster has it)."""
    return db.session.scalar(
        select(Household)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .where(
            Household.community_id == community.id,
            Building.number == building,
            Unit.number == unit,
            Household.room == room,
        )
    )


def _account(username: str, role: Role, display_name: str, company: Company | None = None) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = create_user(
            username, DEMO_PASSWORD, role, display_name, company.id if company else None
        )
        db.session.flush()
    return user


def _link(user: User, household: Household) -> None:
    _get_or_add(
        ResidentHousehold, {"relation": "owner"}, user_id=user.id, household_id=household.id
    )


def load_demo() -> dict[str, int]:
    """Load (or complete) the demo data set and return how many rows each table holds."""
    rng = random.Random(20261123)  # a fixed seed: the same names and phones on every machine
    companies = _load_companies()
    communities = {
        plan.name: _load_community(plan, companies[plan.company], rng) for plan in COMMUNITIES
    }
    for company in companies.values():
        _load_staff(company, rng)
    _account("admin", Role.ADMIN, "南岸区住建委")
    _account("manager", Role.MANAGER, "新守正物业 · 前台", companies["XSZ"])
    _account("manager2", Role.MANAGER, "乐群物业 · 前台", companies["LQ"])
    _link(
        _account("resident", Role.RESIDENT, "兴隆苑 1-1-101"),
        household_at(communities["兴隆苑"], "1", "1", "101"),
    )
    _link(
        _account("resident2", Role.RESIDENT, "弹新街 2-1-301"),
        household_at(communities["弹新街社区"], "2", "1", "301"),
    )
    _account("merchant", Role.MERCHANT, "弹子石老街 · 商户")
    _account("officer", Role.OFFICER, "弹子石老街商业联盟")
    db.session.commit()
    return {
        model.__tablename__: db.session.scalar(select(db.func.count()).select_from(model))
        for model in (Company, Community, Building, Unit, Household, Staff, User)
    }


def database_is_empty() -> bool:
    return db.session.scalar(select(Company.id).limit(1)) is None
