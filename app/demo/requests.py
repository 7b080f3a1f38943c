"""Demo service requests: thirteen months of them in every community, in every status.

Each request is a small story (filed, dispatched, notes, joint handling, resolved, rated or
reopened) told back from the time it was filed, so the timelines, the overdue list and the
monthly figures, year on year included, show something real. The demo residents' own homes get
a request in each state they can see. Idempotent: a community that has requests is left alone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from app.blueprints.property.requests.services import TIME_LIMITS, due_at
from app.extensions import db
from app.models import (
    Community,
    Household,
    RequestCategory,
    RequestChannel,
    RequestEvent,
    RequestEventKind,
    RequestLocation,
    RequestStatus,
    ResidentHousehold,
    Role,
    ServiceRequest,
    Staff,
    StaffPosition,
    User,
)
from app.periods import Month, utcnow

DESCRIPTIONS = {
    RequestCategory.REPAIR: [
        ("厨房下水管漏水，楼下邻居天花板有水渍", RequestLocation.HOUSEHOLD),
        ("卫生间地漏反味，疏通后仍然堵", RequestLocation.HOUSEHOLD),
        ("单元门门禁刷卡没反应", RequestLocation.CORRIDOR),
        ("三楼楼道声控灯不亮", RequestLocation.CORRIDOR),
        ("入户门锁芯卡住打不开", RequestLocation.HOUSEHOLD),
        ("雨水管破裂，下雨时墙面渗水", RequestLocation.CORRIDOR),
    ],
    RequestCategory.COMPLAINT: [
        ("晚上十点后广场舞音响声音太大", RequestLocation.COMMON_AREA),
        ("楼下商铺油烟直排进楼道", RequestLocation.CORRIDOR),
        ("垃圾清运不及时，垃圾桶满溢", RequestLocation.COMMON_AREA),
        ("外来车辆长期占用消防通道", RequestLocation.COMMON_AREA),
        ("保洁不到位，楼梯扶手积灰", RequestLocation.CORRIDOR),
    ],
    RequestCategory.SAFETY: [
        ("电动车在楼道充电，飞线从窗户拉出", RequestLocation.CORRIDOR),
        ("燃气管道接口有异味", RequestLocation.HOUSEHOLD),
        ("围墙有裂缝，部分砖块松动", RequestLocation.COMMON_AREA),
        ("消防栓箱门损坏，水带不见了", RequestLocation.CORRIDOR),
    ],
    RequestCategory.DISPUTE: [
        ("楼上装修噪音，周末早上七点就开工", RequestLocation.HOUSEHOLD),
        ("邻居在楼道堆放杂物，占用公共空间", RequestLocation.CORRIDOR),
        ("楼上空调冷凝水滴到我家窗台", RequestLocation.HOUSEHOLD),
    ],
    RequestCategory.SUGGESTION: [
        ("建议在小区增设电动车集中充电桩", RequestLocation.COMMON_AREA),
        ("建议在单元门口加装扶手，方便老人上下", RequestLocation.CORRIDOR),
        ("建议在小广场增加几张休息座椅", RequestLocation.COMMON_AREA),
    ],
}
COMMON_AREAS = ("小区南门", "3栋旁自行车棚", "中心小广场", "1栋与2栋之间的通道", "垃圾分类亭")
NOTES = (
    "已联系住户，约定今天下午上门查看",
    "已到现场查看，需要采购配件",
    "配件已到，安排师傅明早处理",
    "已与当事双方沟通，初步达成一致",
)
RESOLUTIONS = (
    "已更换损坏部件，现场测试正常",
    "已清理完毕，并张贴提示",
    "已协调相关部门处理完毕",
    "已上门处理，住户现场确认",
)
REOPEN_REASONS = ("用了两天又坏了", "问题没有根本解决", "噪音晚上依然存在")
JOINT = {
    RequestCategory.SAFETY: ["property", "gas", "community"],
    RequestCategory.COMPLAINT: ["property", "urban"],
    RequestCategory.DISPUTE: ["property", "community"],
}
WEIGHTS = {
    RequestCategory.REPAIR: 5,
    RequestCategory.COMPLAINT: 3,
    RequestCategory.SAFETY: 1,
    RequestCategory.DISPUTE: 1,
    RequestCategory.SUGGESTION: 1,
}
# Complaints a year ago and now in the two Nan'an communities: down about 12%, as reported.
YEAR_ON_YEAR = {"兴隆苑": (8, 7), "弹新街社区": (9, 8)}


@dataclass
class _Cast:
    """Who acts in a community's stories."""

    clerk: User | None
    handlers: list[Staff]
    homes: list[Household]
    accounts: dict[int, User] = field(default_factory=dict)  # household id → resident


@dataclass
class _Plan:
    category: RequestCategory
    filed: datetime
    home: Household
    # Hours from filing to the handler's "done"; None: not done yet.
    hours: float | None = None
    verdict: int | None = None  # rating; 0 reopens
    dispatched: bool = True
    second_try: bool = True  # after reopening, dispatched and resolved again


def _cast(community: Community, rng: random.Random) -> _Cast:
    clerk = db.session.scalar(
        select(User)
        .where(User.role == Role.MANAGER, User.company_id == community.company_id)
        .order_by(User.id)
        .limit(1)
    )
    handlers = list(
        db.session.scalars(
            select(Staff)
            .where(
                Staff.company_id == community.company_id,
                Staff.is_active.is_(True),
                Staff.position.in_((StaffPosition.STEWARD, StaffPosition.MAINTENANCE)),
            )
            .order_by(Staff.id)
        )
    )
    homes = list(
        db.session.scalars(
            select(Household).where(Household.community_id == community.id).order_by(Household.id)
        )
    )
    accounts = {
        household_id: user
        for household_id, user in db.session.execute(
            select(ResidentHousehold.household_id, User)
            .join(User, User.id == ResidentHousehold.user_id)
            .where(
                ResidentHousehold.household_id.in_(
                    select(Household.id).where(Household.community_id == community.id)
                )
            )
        )
    }
    return _Cast(
        clerk=clerk,
        handlers=handlers,
        homes=rng.sample(homes, min(40, len(homes))),
        accounts=accounts,
    )


def _tell(plan: _Plan, cast: _Cast, now: datetime, rng: random.Random) -> None:
    """Add the request and its timeline as they would have happened up to `now`."""
    resident = cast.accounts.get(plan.home.id)
    channel = (
        RequestChannel.APP
        if resident
        else rng.choice((RequestChannel.WINDOW, RequestChannel.PHONE, RequestChannel.PHONE))
    )
    description, location = rng.choice(DESCRIPTIONS[plan.category])
    request = ServiceRequest(
        community_id=plan.home.community_id,
        household_id=plan.home.id,
        unit_id=plan.home.unit_id if location != RequestLocation.COMMON_AREA else None,
        reporter_user_id=resident.id if resident else None,
        channel=channel,
        category=plan.category,
        location=location,
        location_note=rng.choice(COMMON_AREAS) if location == RequestLocation.COMMON_AREA else None,
        description=description,
        status=RequestStatus.SUBMITTED,
        departments=[],
        due_at=due_at(plan.category, plan.filed),
        created_at=plan.filed,
    )
    db.session.add(request)
    db.session.flush()
    events: list[RequestEvent] = []

    def step(kind: RequestEventKind, at: datetime, actor: User | None, **fields: object) -> bool:
        if at > now:
            return False
        events.append(
            RequestEvent(
                request_id=request.id,
                at=at,
                actor_user_id=actor.id if actor else None,
                kind=kind,
                **fields,
            )
        )
        return True

    step(RequestEventKind.FILED, plan.filed, resident or cast.clerk)
    at = plan.filed + timedelta(minutes=rng.randint(20, 240))
    if not plan.dispatched or not cast.handlers:
        db.session.add_all(events)
        return
    verdict_by = resident or cast.clerk
    for attempt in range(2):
        handler = rng.choice(cast.handlers)
        if not step(RequestEventKind.DISPATCHED, at, cast.clerk, staff_id=handler.id):
            break
        request.status, request.assignee_staff_id = RequestStatus.DISPATCHED, handler.id
        if attempt == 0 and plan.category in JOINT and rng.random() < 0.6:
            departments = JOINT[plan.category][: rng.randint(2, 3)]
            if step(
                RequestEventKind.DEPARTMENTS,
                at + timedelta(hours=1),
                cast.clerk,
                note="\n".join(departments),
            ):
                request.departments = departments
        if plan.hours is None:
            step(RequestEventKind.NOTE, at + timedelta(hours=3), cast.clerk, note=NOTES[0])
            break
        done = plan.filed + timedelta(hours=plan.hours * (1 + attempt * 0.6))
        step(RequestEventKind.NOTE, at + (done - at) / 2, cast.clerk, note=rng.choice(NOTES))
        if not step(RequestEventKind.RESOLVED, done, cast.clerk, note=rng.choice(RESOLUTIONS)):
            break
        request.status, request.resolved_at = RequestStatus.RESOLVED, done
        answered = done + timedelta(hours=rng.uniform(2, 40))
        if plan.verdict is None:
            break
        if plan.verdict == 0 and attempt == 0:
            if not step(
                RequestEventKind.REOPENED, answered, verdict_by, note=rng.choice(REOPEN_REASONS)
            ):
                break
            request.status, request.resolved_at = RequestStatus.REOPENED, None
            if not plan.second_try:
                break
            at = answered + timedelta(hours=rng.uniform(1, 6))
            continue
        rating = plan.verdict or rng.choice((4, 5))
        if step(RequestEventKind.ACCEPTED, answered, verdict_by, rating=rating):
            request.status, request.closed_at, request.rating = (
                RequestStatus.CLOSED,
                answered,
                rating,
            )
        break
    db.session.add_all(events)


def _hours(category: RequestCategory, rng: random.Random, late: float = 0.12) -> float:
    """Time to resolve: most well within the limit, some past it."""
    limit = TIME_LIMITS[category].total_seconds() / 3600
    return limit * (rng.uniform(1.1, 1.8) if rng.random() < late else rng.uniform(0.1, 0.8))


def _random_plans(cast: _Cast, busy: bool, now: datetime, rng: random.Random) -> list[_Plan]:
    """One or two requests a month (none or one in a quiet community) for thirteen months,
    a few more in the current one."""
    start_now = Month.containing(now).bounds()[0]
    plans = []
    for offset in range(12, -1, -1):
        month = Month.containing(now).shifted(-offset)
        begin, end = month.bounds()
        end = min(end, now)
        for _ in range(rng.randint(1, 2) - (0 if busy else 1) + (2 if offset == 0 else 0)):
            category = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
            if category == RequestCategory.COMPLAINT and offset in (0, 12):
                # These months' complaints are set by YEAR_ON_YEAR.
                category = RequestCategory.REPAIR
            filed = begin + (end - begin) * rng.random()
            recent = filed >= start_now - timedelta(days=10)
            hours = None if recent and rng.random() < 0.4 else _hours(category, rng)
            verdict = (
                rng.choice((None, 0, 3, 4, 5)) if recent else rng.choice((5, 5, 4, 4, 3, 0, 2))
            )
            plans.append(
                _Plan(
                    category,
                    filed,
                    rng.choice(cast.homes),
                    hours,
                    verdict,
                    dispatched=not (recent and rng.random() < 0.3),
                )
            )
    return plans


def _complaints(
    cast: _Cast, counts: tuple[int, int], now: datetime, rng: random.Random
) -> list[_Plan]:
    """Complaints in this month and the same month a year earlier, for the year-on-year view."""
    plans = []
    this_month = Month.containing(now)
    for month, count in zip((this_month.shifted(-12), this_month), counts, strict=True):
        begin, end = month.bounds()
        end = min(end, now)
        for _ in range(count):
            filed = begin + (end - begin) * rng.random()
            plans.append(
                _Plan(
                    RequestCategory.COMPLAINT,
                    filed,
                    rng.choice(cast.homes),
                    _hours(RequestCategory.COMPLAINT, rng),
                    rng.choice((3, 4, 5, 5)),
                )
            )
    return plans


def _for_the_demo_residents(cast: _Cast, now: datetime) -> list[_Plan]:
    """Requests of the demo residents' homes in the states a resident meets."""
    homes = [home for home in cast.homes if home.id in cast.accounts]
    homes += [
        h for h in (db.session.get(Household, hid) for hid in cast.accounts) if h not in homes
    ]
    plans = []
    for home in homes:
        plans += [
            _Plan(RequestCategory.SUGGESTION, now - timedelta(days=40), home, 50, 5),
            _Plan(RequestCategory.REPAIR, now - timedelta(days=4), home, 60, None),
            _Plan(RequestCategory.REPAIR, now - timedelta(days=2), home, None, None),
            _Plan(
                RequestCategory.SAFETY,
                now - timedelta(hours=30),
                home,
                None,
                None,
                dispatched=False,
            ),
            _Plan(RequestCategory.DISPUTE, now - timedelta(days=6), home, 30, 0, second_try=False),
        ]
    return plans


def load_demo(communities: dict[str, Community], rng: random.Random) -> None:
    """Add the demo requests to every community that has none yet."""
    now = utcnow()
    for name, community in communities.items():
        if db.session.scalar(
            select(ServiceRequest.id).where(ServiceRequest.community_id == community.id).limit(1)
        ):
            continue
        cast = _cast(community, rng)
        if not cast.homes:
            continue
        plans = _random_plans(cast, name in YEAR_ON_YEAR, now, rng)
        plans += _for_the_demo_residents(cast, now)
        if name in YEAR_ON_YEAR:
            plans += _complaints(cast, YEAR_ON_YEAR[name], now, rng)
        for plan in sorted(plans, key=lambda p: p.filed):
            _tell(plan, cast, now, rng)
    db.session.flush()
