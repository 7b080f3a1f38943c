"""The merchant alliance at city scale, on top of `app.demo.city`'s data set: twenty alliances on
Yichang's renovated shopping streets, each with its charter, an officer (two on every fifth)
and the city communities of its street; 400 shops — 300 old shops whose fronts were upgraded,
¥45 million between them, and 100 new ones, ¥32 million, the reports' figures — with their
upgrades and revisions: most approved at once and completed, one in eight returned first and
approved on its second revision, one in twenty approved then edited (the edit waiting while the
approved figures count), and a few shops' second upgrade still a draft, waiting for review or
returned. Applications pending and declined beside the members; pledges in force, lapsing
within the month and lapsed. No photos.

The rows are a few thousand: they are drawn in Python from a seeded random and written with one
executemany per table (RETURNING the ids, in order), never row by row.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, func, insert, select, update
from stdnum.cn import uscc
from werkzeug.security import generate_password_hash

from app.blueprints.alliance.ledger import summary
from app.database import patient
from app.demo.base import DEMO_PASSWORD, GIVEN, SURNAMES
from app.demo.city import CITY, _analyze, _city_communities, is_built
from app.extensions import db
from app.models import (
    PLEDGE_DAYS,
    Alliance,
    AllianceCommunity,
    AllianceOfficer,
    CharterMechanism,
    Community,
    Mechanism,
    Membership,
    MembershipStatus,
    Merchant,
    Pledge,
    RevisionDecision,
    Role,
    Shop,
    ShopCategory,
    ShopOrigin,
    Upgrade,
    UpgradeRevision,
    UpgradeStatus,
    User,
)
from app.models.accounts import PASSWORD_METHOD
from app.periods import SHANGHAI, shanghai_today, utcnow

# The reports' figures: what existing merchants put into 300 old shopfronts, and newcomers into
# 100 new shops, in yuan.
UPGRADED_SHOPS, UPGRADED_YUAN = 300, 45_000_000
NEW_SHOPS, NEW_YUAN = 100, 32_000_000
OFFICER = "city-officer-{:02d}"
MERCHANT = "city-m{:04d}"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
DIVISIONS = {
    "西陵区": "420502",
    "伍家岗区": "420503",
    "点军区": "420504",
    "猇亭区": "420505",
    "夷陵区": "420506",
}
# district, the 街道 whose communities are around it, the street
STREETS = (
    ("西陵区", "学院街道", "解放路步行街"),
    ("西陵区", "学院街道", "一马路"),
    ("西陵区", "西陵街道", "滨江路"),
    ("西陵区", "云集街道", "云集路"),
    ("西陵区", "夜明珠街道", "夜明珠老街"),
    ("西陵区", "西坝街道", "西坝老街"),
    ("西陵区", "葛洲坝街道", "葛洲坝老街"),
    ("伍家岗区", "大公桥街道", "大公桥老街"),
    ("伍家岗区", "万寿桥街道", "万寿桥老街"),
    ("伍家岗区", "宝塔河街道", "宝塔河老街"),
    ("伍家岗区", "伍家乡", "伍家新街"),
    ("点军区", "点军街道", "点军老街"),
    ("点军区", "艾家镇", "艾家古街"),
    ("点军区", "桥边镇", "桥边老街"),
    ("猇亭区", "古老背街道", "古老背老街"),
    ("猇亭区", "云池街道", "云池老街"),
    ("夷陵区", "小溪塔街道", "小溪塔老街"),
    ("夷陵区", "龙泉镇", "龙泉古镇老街"),
    ("夷陵区", "鸦鹊岭镇", "鸦鹊岭老街"),
    ("西陵区", "学院街道", "陶珠路"),
)
COMMUNITIES_PER_ALLIANCE = 4
CHARTER = {
    Mechanism.HONEST_TRADING: (
        "明码标价、童叟无欺，收到投诉三日内答复。",
        "货真价实、足斤足两，不欺客、不宰客。",
        "商品和服务明码标价，承诺的事说到做到。",
    ),
    Mechanism.FAIR_COMPETITION: (
        "不低价倾销，不诋毁同行，不在门口拉客。",
        "同业之间比服务、比特色，不打价格战。",
        "有争议先找联盟调解，不私下闹僵。",
    ),
    Mechanism.DIFFERENTIATED_OFFERS: (
        "新店开业前与联盟商量业态，同一业态相邻不超过两家。",
        "老字号守住老手艺，新店做出新花样，各有各的客人。",
        "餐饮、住宿、文创错落经营，一条街逛得出层次。",
    ),
    Mechanism.SHARED_TRAFFIC: (
        "互相推荐客人，节假日共办街区市集。",
        "联名优惠券全街通用，住店客人推荐街上的餐馆。",
        "每月一次街区夜市，统一宣传，客流共享。",
    ),
}
# Shares of each category, in per cent: old shops are mostly eateries, stores and services; the
# newcomers bring bars, cafés, guesthouses and culture.
CATEGORIES = {
    ShopOrigin.UPGRADED: {
        ShopCategory.FOOD: 35,
        ShopCategory.RETAIL: 25,
        ShopCategory.SERVICES: 15,
        ShopCategory.BAR_CAFE: 10,
        ShopCategory.LODGING: 8,
        ShopCategory.CULTURE: 7,
    },
    ShopOrigin.NEW: {
        ShopCategory.BAR_CAFE: 28,
        ShopCategory.LODGING: 22,
        ShopCategory.CULTURE: 18,
        ShopCategory.FOOD: 17,
        ShopCategory.RETAIL: 10,
        ShopCategory.SERVICES: 5,
    },
}
SHOP_KINDS = {
    ShopCategory.FOOD: ("面馆", "小吃店", "火锅店", "饺子馆", "烧烤店", "家常菜馆"),
    ShopCategory.RETAIL: ("杂货铺", "特产店", "茶叶店", "水果店", "五金店"),
    ShopCategory.LODGING: ("民宿", "老宅民宿", "客栈"),
    ShopCategory.BAR_CAFE: ("咖啡馆", "清吧", "茶饮店", "书吧"),
    ShopCategory.SERVICES: ("理发店", "干洗店", "修鞋铺", "照相馆"),
    ShopCategory.CULTURE: ("文创店", "书局", "非遗工坊", "剪纸工作室"),
}
HOURS = {
    ShopCategory.FOOD: "10:00–22:00",
    ShopCategory.RETAIL: "08:30–21:00",
    ShopCategory.LODGING: "全天",
    ShopCategory.BAR_CAFE: "10:00–次日00:30",
    ShopCategory.SERVICES: "08:30–20:00",
    ShopCategory.CULTURE: "09:30–21:00",
}
WORKS = {
    ShopOrigin.UPGRADED: (
        "更换门头招牌，外立面修缮，加装照明",
        "旧卷帘门换成木门板，重做招牌",
        "门头改造，店面地面和灯光翻新",
        "外立面清洗刷新，雨棚和招牌更换",
    ),
    ShopOrigin.NEW: (
        "新店装修：门头、店内装饰和照明",
        "老宅修缮后开业：屋面、门窗、门头",
        "新店门头、橱窗和临街外摆区",
    ),
}
TABLES = (
    User,
    Alliance,
    CharterMechanism,
    AllianceCommunity,
    AllianceOfficer,
    Merchant,
    Membership,
    Pledge,
    Shop,
    Upgrade,
    UpgradeRevision,
)


@dataclass(frozen=True)
class AllianceSample:
    """Ids the bench works with: the alliance with the most shops, its officer, one of its
    merchants, and an upgrade of it waiting for review."""

    alliance_id: int
    officer_username: str
    merchant_username: str
    upgrade_id: int


def build_city_alliance(seed: int = 2027) -> dict[str, float]:
    """Add the alliance area to the city data set (once: a second call, or a database without
    the city, does nothing) and return how long each step took, in seconds."""
    if not is_built() or db.session.scalar(
        select(User.id).where(User.username == OFFICER.format(1))
    ):
        return {}
    rng = random.Random(seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    patient(db.session.connection())
    _Build(rng).run()
    db.session.commit()
    timings["alliances, merchants, shops, upgrades, pledges"] = time.perf_counter() - started
    started = time.perf_counter()
    _analyze(*(m.__tablename__ for m in TABLES))
    timings["analyze the alliance tables"] = time.perf_counter() - started
    return timings


def city_alliances() -> ColumnElement[bool]:
    """The city's alliances: those its officers run."""
    return Alliance.id.in_(
        select(AllianceOfficer.alliance_id)
        .join(User, User.id == AllianceOfficer.user_id)
        .where(User.username.like("city-officer-%"))
    )


def _city_alliance_ids() -> Select:
    return select(Alliance.id).where(city_alliances())


def city_alliance_totals() -> dict[ShopOrigin, tuple[int, int, int]]:
    """The ledger's totals over the city's alliances, by origin: shops, upgrades, yuan."""
    rows = db.session.execute(summary(Shop.alliance_id.in_(_city_alliance_ids())))
    totals = {
        ShopOrigin(origin): (shops, upgrades, fen // 100) for origin, shops, upgrades, fen in rows
    }
    return {origin: totals[origin] for origin in ShopOrigin if origin in totals}


def alliance_sample() -> AllianceSample:
    alliance_id = db.session.scalar(
        select(Shop.alliance_id)
        .where(Shop.alliance_id.in_(_city_alliance_ids()))
        .group_by(Shop.alliance_id)
        .order_by(func.count().desc(), Shop.alliance_id)
        .limit(1)
    )
    officer = db.session.scalar(
        select(User.username)
        .join(AllianceOfficer, AllianceOfficer.user_id == User.id)
        .where(AllianceOfficer.alliance_id == alliance_id)
        .order_by(User.username)
        .limit(1)
    )
    merchant = db.session.scalar(
        select(User.username)
        .join(Merchant, Merchant.user_id == User.id)
        .join(Shop, Shop.merchant_id == Merchant.id)
        .where(Shop.alliance_id == alliance_id)
        .order_by(User.username)
        .limit(1)
    )
    waiting = db.session.scalar(
        select(func.min(Upgrade.id)).where(
            Upgrade.alliance_id == alliance_id, Upgrade.status == UpgradeStatus.SUBMITTED
        )
    )
    return AllianceSample(alliance_id, officer, merchant, waiting)


def _sizes(count: int, total: int, rng: random.Random) -> list[int]:
    """`count` alliance sizes between about half and one and a half times the mean, adding up
    to `total`."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(count)]
    sizes = [max(1, round(total * w / sum(weights))) for w in weights]
    sizes[sizes.index(max(sizes))] += total - sum(sizes)
    return sizes


def _amounts(count: int, total_yuan: int, spread: float, rng: random.Random) -> list[int]:
    """`count` investments in yuan, skewed as real ones are (a few large, many modest), rounded
    to the hundred, adding up to about `total_yuan`."""
    draws = [rng.lognormvariate(0, spread) for _ in range(count)]
    scale = total_yuan / sum(draws)
    return [max(5_000, round(d * scale, -2)) for d in draws]


def _credit_code(n: int, division: str, company: bool) -> str:
    """The city's credit codes: "MAC" and the merchant's number in the USCC alphabet keep them
    apart from one another and from the small demo's."""
    digits = ""
    for _ in range(6):
        n, k = divmod(n, len(USCC_ALPHABET))
        digits = USCC_ALPHABET[k] + digits
    base = f"9{1 if company else 2}{division}MAC{digits}"
    return base + uscc.calc_check_digit(base)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


HEADS = "老街江畔桂香三峡宜城码头石板巴山楚韵橘香清江夷陵"
HEADS = [HEADS[k : k + 2] for k in range(0, len(HEADS), 2)]
TRADES = {
    ShopCategory.FOOD: "餐饮管理",
    ShopCategory.RETAIL: "商贸",
    ShopCategory.LODGING: "民宿管理",
    ShopCategory.BAR_CAFE: "餐饮",
    ShopCategory.SERVICES: "生活服务",
    ShopCategory.CULTURE: "文化传播",
}
RETURN_REASONS = (
    "投资金额与所附报价单不符，请核对。",
    "请补拍临街立面的改造前照片。",
    "门头招牌尺寸超出街区风貌导则，请调整。",
    "请补充施工单位和工期安排。",
)
DECLINE_REASONS = (
    "经营范围不在街区业态导则之内。",
    "营业执照上的地址与经营地址不一致，请先办理变更。",
    "同一业态在相邻门面已有两家，请与联盟商量错位经营。",
)


@dataclass
class _Merchant:
    n: int
    alliance: int  # index into STREETS
    company: bool
    business_name: str
    shops: list[dict]
    joined: date | None = None  # approved on; None: applied or declined, no shops
    status: MembershipStatus = MembershipStatus.APPROVED
    user_id: int = 0
    id: int = 0


class _Build:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.today = shanghai_today()
        self.now = utcnow()
        self.password_hash = generate_password_hash(DEMO_PASSWORD, method=PASSWORD_METHOD)

    def moment(self, day: date) -> datetime:
        """A working-hours moment of `day` in Shanghai, in UTC, never in the future."""
        local = datetime.combine(
            day, clock(self.rng.randint(9, 18), self.rng.randint(0, 59)), tzinfo=SHANGHAI
        )
        return min(local.astimezone(UTC), self.now - timedelta(minutes=30))

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def run(self) -> None:
        alliances = self.alliances()
        officers = self.officers(alliances)
        self.communities(alliances)
        merchants = self.plan_merchants()
        self.merchants(merchants)
        self.memberships(merchants, alliances, officers)
        self.pledges(merchants, alliances)
        self.shops(merchants, alliances)
        self.upgrades(merchants, alliances, officers)

    def alliances(self) -> list[int]:
        founded = self.moment(self.days_ago(1000))
        ids = db.session.scalars(
            insert(Alliance).returning(Alliance.id, sort_by_parameter_order=True),
            [
                {
                    "name": f"宜昌{street}商业联盟",
                    "street": street,
                    "city": CITY,
                    "district": district,
                    "description": f"{district}{street}改造后，沿街商户共同成立的商业联盟。",
                    "created_at": founded,
                }
                for district, _, street in STREETS
            ],
        ).all()
        db.session.execute(
            insert(CharterMechanism),
            [
                {
                    "alliance_id": alliance_id,
                    "mechanism": mechanism,
                    "wording": wordings[k % len(wordings)],
                    "updated_at": founded,
                }
                for k, alliance_id in enumerate(ids)
                for mechanism, wordings in CHARTER.items()
            ],
        )
        return list(ids)

    def officers(self, alliances: list[int]) -> list[int]:
        """One officer per alliance, a second on every fifth; the first decides."""
        accounts = [
            (k, OFFICER.format(k + 1) + ("-2" if second else ""))
            for k in range(len(alliances))
            for second in ((False, True) if k % 5 == 0 else (False,))
        ]
        user_ids = db.session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                {
                    "username": username,
                    "display_name": f"宜昌{STREETS[k][2]}商业联盟",
                    "password_hash": self.password_hash,
                    "role": Role.OFFICER,
                    "created_at": self.now,
                }
                for k, username in accounts
            ],
        ).all()
        db.session.execute(
            insert(AllianceOfficer),
            [
                {"alliance_id": alliances[k], "user_id": user_id, "created_at": self.now}
                for (k, _), user_id in zip(accounts, user_ids, strict=True)
            ],
        )
        first = {}
        for (k, _), user_id in zip(accounts, user_ids, strict=True):
            first.setdefault(k, user_id)
        return [first[k] for k in range(len(alliances))]

    def communities(self, alliances: list[int]) -> None:
        """Up to four city communities of the alliance's 街道 each, none shared."""
        around: dict[tuple[str, str], list[int]] = {}
        for community_id, district, street in db.session.execute(
            select(Community.id, Community.district, Community.street)
            .where(_city_communities())
            .order_by(Community.id)
        ):
            around.setdefault((district, street), []).append(community_id)
        rows = []
        for alliance_id, (district, subdistrict, _) in zip(alliances, STREETS, strict=True):
            pool = around.get((district, subdistrict), [])
            taken, around[(district, subdistrict)] = (
                pool[:COMMUNITIES_PER_ALLIANCE],
                pool[COMMUNITIES_PER_ALLIANCE:],
            )
            rows += [{"alliance_id": alliance_id, "community_id": c} for c in taken]
        if rows:
            db.session.execute(insert(AllianceCommunity), rows)

    def plan_merchants(self) -> list[_Merchant]:
        """The shops, street by street, and who keeps them: one merchant in eight keeps two;
        beside them an application pending on seven streets in ten and a declined one on every
        other street."""
        rng = self.rng
        origins = [ShopOrigin.UPGRADED] * UPGRADED_SHOPS + [ShopOrigin.NEW] * NEW_SHOPS
        rng.shuffle(origins)
        amounts = {
            ShopOrigin.UPGRADED: _amounts(UPGRADED_SHOPS, UPGRADED_YUAN, 0.55, rng),
            ShopOrigin.NEW: _amounts(NEW_SHOPS, NEW_YUAN, 0.6, rng),
        }
        merchants: list[_Merchant] = []
        sizes = _sizes(len(STREETS), len(origins), rng)
        for k, size in enumerate(sizes):
            start = len(merchants)
            for number in range(1, size + 1):
                origin = origins.pop()
                shares = CATEGORIES[origin]
                category = rng.choices(list(shares), weights=list(shares.values()))[0]
                head = rng.choice(HEADS)
                name = (rng.choice(SURNAMES) + "记" if rng.random() < 0.5 else head) + rng.choice(
                    SHOP_KINDS[category]
                )
                shop = {
                    "number": number,
                    "name": name,
                    "category": category,
                    "origin": origin,
                    "yuan": amounts[origin].pop(),
                    # When the merchant wrote the upgrade's first revision.
                    "written": rng.randint(30, 900),
                }
                if len(merchants) > start and rng.random() < 0.125:
                    merchants[-1].shops.append(shop)
                    continue
                company = rng.random() < 0.45
                district = STREETS[k][0]
                business = (
                    f"宜昌{head}{TRADES[category]}有限公司" if company else f"{district}{name}"
                )
                merchants.append(_Merchant(0, k, company, business, [shop]))
            if k % 10 < 7:
                merchants.append(
                    _Merchant(
                        0,
                        k,
                        False,
                        f"{STREETS[k][0]}{rng.choice(HEADS)}小店",
                        [],
                        status=MembershipStatus.APPLIED,
                    )
                )
            if k % 2 == 0:
                merchants.append(
                    _Merchant(
                        0,
                        k,
                        True,
                        f"宜昌{rng.choice(HEADS)}商贸有限公司",
                        [],
                        status=MembershipStatus.DECLINED,
                    )
                )
        for n, merchant in enumerate(merchants, start=1):
            merchant.n = n
            if merchant.shops:
                earliest = max(shop["written"] for shop in merchant.shops)
                merchant.joined = self.days_ago(earliest + rng.randint(20, 90))
        return merchants

    def merchants(self, merchants: list[_Merchant]) -> None:
        user_ids = db.session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                {
                    "username": MERCHANT.format(m.n),
                    "display_name": m.business_name[:60],
                    "password_hash": self.password_hash,
                    "role": Role.MERCHANT,
                    "created_at": self.now,
                }
                for m in merchants
            ],
        ).all()
        rows = []
        for merchant, user_id in zip(merchants, user_ids, strict=True):
            merchant.user_id = user_id
            owner = _name(self.rng)
            rows.append(
                {
                    "user_id": user_id,
                    "business_name": merchant.business_name,
                    "credit_code": _credit_code(
                        merchant.n, DIVISIONS[STREETS[merchant.alliance][0]], merchant.company
                    ),
                    "legal_representative": owner,
                    "contact_name": owner,
                    "contact_phone": f"158{merchant.n:08d}",
                    "created_at": self.now,
                }
            )
        ids = db.session.scalars(
            insert(Merchant).returning(Merchant.id, sort_by_parameter_order=True), rows
        ).all()
        for merchant, merchant_id in zip(merchants, ids, strict=True):
            merchant.id = merchant_id

    def memberships(
        self, merchants: list[_Merchant], alliances: list[int], officers: list[int]
    ) -> None:
        rows = []
        for m in merchants:
            if m.status is MembershipStatus.APPLIED:
                applied, decided = self.days_ago(self.rng.randint(1, 20)), None
            elif m.status is MembershipStatus.DECLINED:
                applied = self.days_ago(self.rng.randint(30, 200))
                decided = applied + timedelta(days=2)
            else:
                applied, decided = m.joined - timedelta(days=2), m.joined
            rows.append(
                {
                    "merchant_id": m.id,
                    "alliance_id": alliances[m.alliance],
                    "status": m.status,
                    "message": None if decided else "申请加入联盟。",
                    "created_at": self.moment(applied),
                    "decided_at": self.moment(decided) if decided else None,
                    "decided_by_user_id": officers[m.alliance] if decided else None,
                    "reason": self.rng.choice(DECLINE_REASONS)
                    if m.status is MembershipStatus.DECLINED
                    else None,
                }
            )
        db.session.execute(insert(Membership), rows)

    def pledges(self, merchants: list[_Merchant], alliances: list[int]) -> None:
        """Seven members in ten have a pledge in force (half of those who joined over a year
        before it signed one earlier), one in ten a pledge lapsing within the month, one in
        five a lapsed one; the rest never signed. A member signs on joining at the earliest."""
        wordings = {
            k: {mechanism.value: texts[k % len(texts)] for mechanism, texts in CHARTER.items()}
            for k in range(len(STREETS))
        }
        rows = []
        for m in merchants:
            if m.joined is None:
                continue
            member_for = (self.today - m.joined).days
            draw = self.rng.random()
            if draw < 0.7:
                ago = self.rng.randint(30, 330)
            elif draw < 0.8:
                ago = PLEDGE_DAYS - self.rng.randint(3, 28)
            elif draw < 0.95:
                ago = PLEDGE_DAYS + self.rng.randint(10, 200)
            else:
                continue
            signed = [min(ago, member_for)]
            if member_for > signed[0] + PLEDGE_DAYS and self.rng.random() < 0.5:
                signed.append(min(member_for, signed[0] + PLEDGE_DAYS + self.rng.randint(0, 20)))
            for days in signed:
                day = self.days_ago(days)
                rows.append(
                    {
                        "merchant_id": m.id,
                        "alliance_id": alliances[m.alliance],
                        "signed_on": day,
                        "expires_on": day + timedelta(days=PLEDGE_DAYS),
                        "wording": wordings[m.alliance],
                        "signed_by_user_id": m.user_id,
                        "created_at": self.moment(day),
                    }
                )
        db.session.execute(insert(Pledge), rows)

    def shops(self, merchants: list[_Merchant], alliances: list[int]) -> None:
        shops = [(m, shop) for m in merchants for shop in m.shops]
        rows = [
            {
                "merchant_id": m.id,
                "alliance_id": alliances[m.alliance],
                "name": shop["name"],
                "address": f"{STREETS[m.alliance][2]}{shop['number']}号",
                "category": shop["category"],
                "origin": shop["origin"],
                "floor_area_m2": Decimal(self.rng.randint(1800, 16000)) / 100,
                "opening_hours": HOURS[shop["category"]],
                "public_phone": f"158{m.n:08d}" if self.rng.random() < 0.5 else None,
                "created_at": self.moment(m.joined),
            }
            for m, shop in shops
        ]
        ids = db.session.scalars(
            insert(Shop).returning(Shop.id, sort_by_parameter_order=True), rows
        ).all()
        for (_, shop), shop_id in zip(shops, ids, strict=True):
            shop["id"] = shop_id

    def upgrades(
        self, merchants: list[_Merchant], alliances: list[int], officers: list[int]
    ) -> None:
        """Every shop's upgrade, counted with its approved revision; and a second one, not
        counted yet, for one shop in twelve and the first shop of every street."""
        plans = []
        for m in merchants:
            for shop in m.shops:
                plans.append(self.counted(m, shop, officers[m.alliance]))
                if shop["number"] == 1:  # every street has one waiting for review
                    plans.append(
                        self.pending(m, shop, officers[m.alliance], UpgradeStatus.SUBMITTED)
                    )
                elif self.rng.random() < 1 / 12:
                    plans.append(self.pending(m, shop, officers[m.alliance]))
        upgrade_ids = db.session.scalars(
            insert(Upgrade).returning(Upgrade.id, sort_by_parameter_order=True),
            [
                {
                    "shop_id": plan["shop_id"],
                    "alliance_id": alliances[plan["alliance"]],
                    "merchant_id": plan["merchant_id"],
                    "status": UpgradeStatus.DRAFT,
                    "created_at": plan["revisions"][0]["created_at"],
                    "updated_at": plan["revisions"][0]["created_at"],
                }
                for plan in plans
            ],
        ).all()
        revisions = [
            revision
            | {
                "upgrade_id": upgrade_id,
                "alliance_id": alliances[plan["alliance"]],
                "number": number,
                "created_by_user_id": plan["user_id"],
            }
            for plan, upgrade_id in zip(plans, upgrade_ids, strict=True)
            for number, revision in enumerate(plan["revisions"], start=1)
        ]
        revision_ids = iter(
            db.session.scalars(
                insert(UpgradeRevision).returning(UpgradeRevision.id, sort_by_parameter_order=True),
                revisions,
            ).all()
        )
        changes = []
        for plan, upgrade_id in zip(plans, upgrade_ids, strict=True):
            ids = [next(revision_ids) for _ in plan["revisions"]]
            approved = plan["approved"]
            last = plan["revisions"][-1]
            changes.append(
                {
                    "id": upgrade_id,
                    "status": plan["status"],
                    "approved_revision_id": ids[approved] if approved is not None else None,
                    "approved_at": plan["revisions"][approved]["decided_at"]
                    if approved is not None
                    else None,
                    "completed_on": plan["completed_on"],
                    "updated_at": last["decided_at"] or last["submitted_at"] or last["created_at"],
                }
            )
        db.session.execute(update(Upgrade), changes)

    def revision(
        self,
        written: date,
        work: str,
        yuan: int,
        officer: int,
        decision: RevisionDecision | None,
        *,
        submitted: bool = True,
        starts_on: date | None = None,
        note: str | None = None,
    ) -> dict:
        rng = self.rng
        created = self.moment(written)
        submitted_at = created + timedelta(minutes=rng.randint(5, 90)) if submitted else None
        decided_at = None
        if decision is not None:
            decided_at = min(
                submitted_at + timedelta(days=rng.randint(1, 6), hours=rng.randint(1, 6)),
                self.now - timedelta(minutes=10),
            )
        starts_on = starts_on or written + timedelta(days=rng.randint(7, 21))
        return {
            "work": work,
            "investment_fen": yuan * 100,
            "starts_on": starts_on,
            "finishes_on": starts_on + timedelta(days=rng.randint(14, 70)),
            "note": note,
            "created_at": created,
            "submitted_at": submitted_at,
            "decision": decision,
            "decided_at": decided_at,
            "decided_by_user_id": officer if decision else None,
            "reason": rng.choice(RETURN_REASONS) if decision is RevisionDecision.RETURNED else None,
        }

    def counted(self, m: _Merchant, shop: dict, officer: int) -> dict:
        """One in eight returned first and approved on revision 2; one in twenty (written over
        two months ago) approved then edited, the edit waiting; the rest approved at once. Work
        that finished is completed, but for one in ten not marked so yet."""
        rng = self.rng
        work = rng.choice(WORKS[shop["origin"]])
        written = self.days_ago(shop["written"])
        draw = rng.random()
        approved = RevisionDecision.APPROVED
        if draw < 0.125:
            asked = round(shop["yuan"] * rng.uniform(0.85, 1.25), -2)
            first = self.revision(written, work, asked, officer, RevisionDecision.RETURNED)
            again = first["decided_at"].astimezone(SHANGHAI).date() + timedelta(days=2)
            second = self.revision(
                again, work, shop["yuan"], officer, approved, note="按意见修改。"
            )
            revisions, index = [first, second], 1
        elif draw < 0.175 and shop["written"] > 60:
            first = self.revision(written, work, shop["yuan"], officer, approved)
            edit = self.days_ago(rng.randint(1, 20))
            more = round(shop["yuan"] * rng.uniform(1.05, 1.3), -2)
            second = self.revision(
                edit,
                work + "；追加店招灯光",
                more,
                officer,
                None,
                starts_on=first["starts_on"],
                note="追加店招灯光，金额相应增加。",
            )
            return self.plan(m, shop, [first, second], 0, UpgradeStatus.SUBMITTED, None)
        else:
            revisions, index = [self.revision(written, work, shop["yuan"], officer, approved)], 0
        finished = revisions[index]["finishes_on"]
        if finished < self.today - timedelta(days=2) and rng.random() < 0.9:
            return self.plan(m, shop, revisions, index, UpgradeStatus.COMPLETED, finished)
        return self.plan(m, shop, revisions, index, UpgradeStatus.APPROVED, None)

    def pending(
        self, m: _Merchant, shop: dict, officer: int, status: UpgradeStatus | None = None
    ) -> dict:
        """A second upgrade, not counted: a draft, waiting for review, or returned."""
        rng = self.rng
        work, yuan = "二期：" + rng.choice(WORKS[shop["origin"]]), rng.randint(100, 1200) * 100
        status = status or rng.choice(
            (
                UpgradeStatus.DRAFT,
                UpgradeStatus.SUBMITTED,
                UpgradeStatus.SUBMITTED,
                UpgradeStatus.RETURNED,
            )
        )
        written = self.days_ago(
            rng.randint(8, 25) if status is UpgradeStatus.RETURNED else rng.randint(1, 25)
        )
        decision = RevisionDecision.RETURNED if status is UpgradeStatus.RETURNED else None
        revision = self.revision(
            written, work, yuan, officer, decision, submitted=status is not UpgradeStatus.DRAFT
        )
        return self.plan(m, shop, [revision], None, status, None)

    def plan(
        self,
        m: _Merchant,
        shop: dict,
        revisions: list[dict],
        approved: int | None,
        status: UpgradeStatus,
        completed_on: date | None,
    ) -> dict:
        return {
            "shop_id": shop["id"],
            "alliance": m.alliance,
            "merchant_id": m.id,
            "user_id": m.user_id,
            "revisions": revisions,
            "approved": approved,
            "status": status,
            "completed_on": completed_on,
        }
