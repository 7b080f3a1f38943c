"""Demo notices for the Nan'an communities: in force, pinned, to one building, scheduled and
expired, so that every state shows in the lists. Idempotent: a notice is found by its
community and title before it is created."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from app.blueprints.property.notices import services
from app.extensions import db
from app.models import Building, Community, Notice, Role, User
from app.periods import utcnow

# community, title, body, pinned, days since published (negative: scheduled), days valid,
# building numbers (none: the whole community)
NOTICES = [
    (
        "兴隆苑",
        "关于2026年度物业费收缴的通知",
        "各位业主：\n2026年度物业费即日起开始收缴，可在物业服务中心现场缴纳，"
        "也可在共建平台“我的费用”中查看账单。\n感谢大家一直以来的支持！",
        True,
        6,
        60,
        (),
    ),
    (
        "兴隆苑",
        "1栋二次供水设施清洗停水通知",
        "因二次供水水箱清洗消毒，1栋将于本周六8:00至14:00停水。\n请提前做好储水准备。",
        False,
        1,
        5,
        ("1",),
    ),
    (
        "兴隆苑",
        "楼道公约征求意见",
        "各单元楼道公约草案已张贴在楼道公示牌上，欢迎在本月底前向楼栋长提出意见。",
        False,
        3,
        None,
        (),
    ),
    (
        "兴隆苑",
        "春节期间物业服务安排",
        "春节期间物业服务中心值班电话：023-62801234。",
        False,
        -2,
        10,
        (),
    ),
    (
        "兴隆苑",
        "电梯年检完成公告",
        "小区电梯年度检验已全部完成，检验合格。",
        False,
        40,
        30,
        (),
    ),
    (
        "弹新街社区",
        "红色物业党员志愿服务日",
        "本周六上午9点，党员志愿者在社区广场开展义务理发、家电维修等志愿服务，欢迎居民参加。",
        True,
        2,
        7,
        (),
    ),
    (
        "弹新街社区",
        "2栋外墙修缮施工提示",
        "2栋外墙修缮施工期间，请居民出入注意安全，不要在施工区域停留。",
        False,
        4,
        20,
        ("2",),
    ),
]


def _author(community: Community) -> User | None:
    return db.session.scalar(
        select(User)
        .where(User.company_id == community.company_id, User.role == Role.MANAGER)
        .order_by(User.id)
    )


def load_demo(communities: dict[str, Community], rng: random.Random) -> None:
    now = utcnow()
    for name, title, body, pinned, days_ago, days_valid, numbers in NOTICES:
        community = communities.get(name)
        author = _author(community) if community else None
        if community is None or author is None:
            continue
        exists = db.session.scalar(
            select(Notice.id).where(Notice.community_id == community.id, Notice.title == title)
        )
        if exists:
            continue
        # A few minutes' jitter so that notices of the same day keep a stable, natural order.
        published = now - timedelta(days=days_ago, minutes=rng.randint(0, 600))
        building_ids = db.session.scalars(
            select(Building.id).where(
                Building.community_id == community.id, Building.number.in_(numbers)
            )
        ).all()
        services.publish_notice(
            services.NoticeDraft(
                community_id=community.id,
                title=title,
                body=body,
                pinned=pinned,
                published_at=published,
                expires_at=published + timedelta(days=days_valid) if days_valid else None,
                building_ids=tuple(building_ids),
            ),
            author,
        )
    db.session.commit()
