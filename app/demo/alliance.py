"""Demo data of the merchant alliance: 弹子石老街商业联盟 on 弹子石老街 in Nan'an,
around 弹新街社区, and 宜昌二马路商业联盟 on 二马路 in Yichang's 西陵区, around 宜港小区
and 四合院小区 — each with its charter in its own words, an officer, and merchants whose shops
cover every category, upgraded old shops and new ones alike.

Every state is there: applications pending, approved and declined with a reason (one declined
merchant has applied again); upgrades as drafts, submitted and waiting, returned with what to
fix, returned then revised (waiting again, or approved and finished), approved, completed with
their after photos, and approved then edited, so that a second revision waits while the first
one still counts; pledges in force, lapsing within the month and lapsed, one renewed.

Accounts: `merchant` (弹子石老街 · 商户) keeps a hot-pot restaurant and an old-house guesthouse
on 弹子石老街, approved, with a pledge that lapses within two weeks; the officer returned the
guesthouse's upgrade with what to fix and approved the restaurant's. `officer` runs
弹子石老街商业联盟, `officer-yc` 宜昌二马路商业联盟; the other merchants sign in as
`dzs-01` …, `eml-01` …

The photos are drawn at load time with Pillow (a shopfront: wall, sign with the shop's name,
door and windows; dull before, bright after) and stored through `app.uploads` like any upload.
Dates are relative to the portal's clock. Idempotent: an alliance already there is left alone.
"""

from __future__ import annotations

import enum
import io
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from stdnum.cn import uscc
from werkzeug.security import generate_password_hash

from app.demo.base import DEMO_PASSWORD, _name, _phone
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
    PhotoStage,
    Pledge,
    RevisionDecision,
    Role,
    Shop,
    ShopCategory,
    ShopOrigin,
    Upgrade,
    UpgradePhoto,
    UpgradeRevision,
    UpgradeStatus,
    User,
)
from app.models.accounts import PASSWORD_METHOD
from app.periods import SHANGHAI, shanghai_today
from app.phones import normalise_phone
from app.rules import RuleError
from app.uploads import save_image

# The characters a unified social credit code (统一社会信用代码) is written in.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
PHOTO_SIZE = (800, 600)
# Pillow finds a font file by name in the system's font folders; the first CJK one wins.
CJK_FONTS = (
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSerifCJK-Regular.ttc",
    "wqy-zenhei.ttc",
    "wqy-microhei.ttc",
    "DroidSansFallbackFull.ttf",
)


class Story(enum.Enum):
    """How an upgrade went so far."""

    DRAFT = "draft"  # written, not submitted
    SUBMITTED = "submitted"  # waiting for the officer
    RETURNED = "returned"  # returned with what to fix; the merchant has not revised it yet
    REVISED = "revised"  # returned, revision 2 submitted and waiting
    REVISED_APPROVED = "revised_approved"  # returned, revision 2 approved
    REVISED_COMPLETED = "revised_completed"  # returned, revision 2 approved, the work done
    APPROVED = "approved"
    COMPLETED = "completed"
    EDITED = "edited"  # approved, then edited: revision 2 waits while revision 1 counts


class PledgeState(enum.Enum):
    IN_FORCE = "in_force"
    LAPSING = "lapsing"  # lapses within the month
    LAPSED = "lapsed"
    RENEWED = "renewed"  # a lapsed pledge and the one signed after it


class Joining(enum.Enum):
    APPROVED = "approved"
    APPLIED = "applied"
    DECLINED = "declined"
    DECLINED_THEN_APPLIED = "declined_then_applied"


@dataclass(frozen=True)
class UpgradePlan:
    story: Story
    work: str
    yuan: int
    days_ago: int  # when revision 1 was written
    weeks: int = 6  # how long the work takes
    reason: str | None = None  # the officer's, when returned
    # Revision 2 of a revised or edited upgrade: what is done now, its cost, what changed.
    change: tuple[str, int, str] | None = None


@dataclass(frozen=True)
class ShopPlan:
    name: str
    number: int  # on the street
    category: ShopCategory
    origin: ShopOrigin
    area: str
    hours: str
    description: str
    upgrades: tuple[UpgradePlan, ...]
    publishes_phone: bool = True


@dataclass(frozen=True)
class MerchantPlan:
    username: str | None  # None: `<alliance's prefix>-NN`
    business_name: str
    company: bool  # a company (91…) or an individual business (个体工商户, 92…)
    joining: Joining = Joining.APPROVED
    pledge: PledgeState | None = PledgeState.IN_FORCE
    shops: tuple[ShopPlan, ...] = ()
    message: str | None = None  # written with the (latest) application
    reason: str | None = None  # the officer's, when declined


@dataclass(frozen=True)
class AlliancePlan:
    name: str
    street: str
    city: str
    district: str
    division: str  # the district's administrative division code, in the credit codes
    communities: tuple[str, ...]
    description: str
    charter: dict[Mechanism, str]
    officer: tuple[str, str]  # username, display name
    prefix: str  # of the other merchants' usernames
    merchants: tuple[MerchantPlan, ...] = field(default=())


S, U = ShopCategory, ShopOrigin

DANZISHI = AlliancePlan(
    name="弹子石老街商业联盟",
    street="弹子石老街",
    city="重庆市",
    district="南岸区",
    division="500108",
    communities=("弹新街社区",),
    description="弹子石老街改造后，沿街老字号与新开店铺共同成立的商业联盟，"
    "与弹新街社区一起守护老街风貌。",
    charter={
        Mechanism.HONEST_TRADING: "明码标价、足斤足两，不宰客、不欺生；"
        "老街的口碑是每家店一起守的。",
        Mechanism.FAIR_COMPETITION: "不低价倾销，不在门口拉客抢客，不贬低同街商户；"
        "有争议先找联盟调解。",
        Mechanism.DIFFERENTIATED_OFFERS: "新开店铺的业态先与联盟商量：火锅、小面、民宿、"
        "文创各有特色，同一业态不扎堆。",
        Mechanism.SHARED_TRAFFIC: "客人问到的，推荐给街上别家；节假日共办开埠文化市集，"
        "联名优惠券全街通用。",
    },
    officer=("officer", "弹子石老街商业联盟"),
    prefix="dzs",
    merchants=(
        MerchantPlan(
            "merchant",
            "南岸区弹子石巴渝人家餐饮店",
            company=False,
            pledge=PledgeState.LAPSING,
            shops=(
                ShopPlan(
                    "巴渝人家老火锅",
                    12,
                    S.FOOD,
                    U.UPGRADED,
                    "86.50",
                    "11:00–23:00",
                    "老街上开了十八年的火锅店，牛油锅底现炒。",
                    (
                        UpgradePlan(
                            Story.APPROVED,
                            "更换木质雕花门头招牌，临街外立面青砖修复，加装暖光灯带",
                            168_000,
                            days_ago=40,
                            weeks=5,
                        ),
                    ),
                ),
                ShopPlan(
                    "江岸老宅民宿",
                    58,
                    S.LODGING,
                    U.NEW,
                    "142.00",
                    "全天",
                    "百年老宅改成的六间客房，推窗见长江。",
                    (
                        UpgradePlan(
                            Story.RETURNED,
                            "老宅修缮后开业：屋面防水、木窗更换、庭院铺装、门头招牌",
                            356_000,
                            days_ago=12,
                            weeks=10,
                            reason="改造前照片只有屋内，请补拍临街立面；"
                            "门头招牌请按老街风貌导则写明尺寸（宽不超过 2.4 米）。",
                        ),
                    ),
                ),
            ),
        ),
        MerchantPlan(
            None,
            "重庆码头时光餐饮管理有限公司",
            company=True,
            pledge=PledgeState.RENEWED,
            shops=(
                ShopPlan(
                    "弹子石码头咖啡",
                    27,
                    S.BAR_CAFE,
                    U.UPGRADED,
                    "64.00",
                    "09:00–22:00",
                    "老码头仓库边的咖啡馆，露台看江景。",
                    (
                        UpgradePlan(
                            Story.EDITED,
                            "门头改为落地玻璃窗，店外外摆区铺防腐木地板",
                            98_000,
                            days_ago=150,
                            weeks=4,
                            change=(
                                "门头改为落地玻璃窗，店外外摆区铺防腐木地板；"
                                "二楼露台加装围栏和遮阳棚",
                                126_000,
                                "追加二楼露台的围栏和遮阳棚，金额相应增加。",
                            ),
                        ),
                    ),
                ),
            ),
        ),
        MerchantPlan(
            None,
            "重庆开埠记忆文化传播有限公司",
            company=True,
            shops=(
                ShopPlan(
                    "开埠记忆文创馆",
                    40,
                    S.CULTURE,
                    U.NEW,
                    "210.00",
                    "10:00–21:00",
                    "老仓库改成的展馆和文创小店，讲弹子石开埠的故事。",
                    (
                        UpgradePlan(
                            Story.COMPLETED,
                            "老仓库改造为文创展陈空间：外墙修缮、仿古木门、展陈灯光",
                            285_000,
                            days_ago=200,
                            weeks=8,
                        ),
                    ),
                ),
            ),
        ),
        MerchantPlan(
            None,
            "南岸区张记杂货铺",
            company=False,
            pledge=PledgeState.LAPSED,
            shops=(
                ShopPlan(
                    "老街张记杂货铺",
                    8,
                    S.RETAIL,
                    U.UPGRADED,
                    "32.50",
                    "07:30–21:30",
                    "针头线脑、竹编蒸笼、老式糖果，街坊买了几十年。",
                    (
                        UpgradePlan(
                            Story.COMPLETED,
                            "旧卷帘门换成木门板，重做招牌，店门口地面防滑处理",
                            42_000,
                            days_ago=300,
                            weeks=3,
                        ),
                    ),
                    publishes_phone=False,
                ),
            ),
        ),
        MerchantPlan(
            None,
            "南岸区老街剪艺理发店",
            company=False,
            shops=(
                ShopPlan(
                    "弹子石老街理发店",
                    19,
                    S.SERVICES,
                    U.UPGRADED,
                    "28.00",
                    "08:30–20:00",
                    "老师傅的传统理发、刮脸、掏耳。",
                    (
                        UpgradePlan(
                            Story.DRAFT,
                            "门头换新招牌，加装遮雨棚和旋转灯柱",
                            18_500,
                            days_ago=3,
                            weeks=2,
                        ),
                    ),
                ),
            ),
        ),
        MerchantPlan(
            None,
            "重庆江景酒馆餐饮有限公司",
            company=True,
            shops=(
                ShopPlan(
                    "江景小酒馆",
                    66,
                    S.BAR_CAFE,
                    U.NEW,
                    "118.00",
                    "17:00–次日01:00",
                    "精酿和本地果酒，二十二点后调低音量。",
                    (
                        UpgradePlan(
                            Story.SUBMITTED,
                            "新店装修：临江一侧开窗，门头暖色灯牌（二十三点定时关闭）",
                            215_000,
                            days_ago=6,
                            weeks=7,
                        ),
                    ),
                ),
            ),
        ),
        MerchantPlan(
            None,
            "南岸区老街豌杂面馆",
            company=False,
            shops=(
                ShopPlan(
                    "老街豌杂小面",
                    31,
                    S.FOOD,
                    U.UPGRADED,
                    "45.00",
                    "06:30–14:00",
                    "豌杂面、红油抄手，早上六点半开门。",
                    (
                        UpgradePlan(
                            Story.REVISED,
                            "后厨排烟改造，门头换招牌，店外增设两张外摆桌",
                            76_000,
                            days_ago=25,
                            weeks=3,
                            reason="投资金额与所附报价单不符（报价单合计 6.2 万元），"
                            "请核对金额并附上外摆桌的占道许可。",
                            change=(
                                "后厨排烟改造，门头换招牌；外摆桌待占道许可批下后再做",
                                62_000,
                                "按报价单核对了金额；外摆桌暂不做。",
                            ),
                        ),
                    ),
                ),
            ),
        ),
        MerchantPlan(
            None,
            "重庆巴渝蜀绣工艺品有限公司",
            company=True,
            shops=(
                ShopPlan(
                    "弹子石蜀绣坊",
                    45,
                    S.CULTURE,
                    U.UPGRADED,
                    "52.00",
                    "09:30–18:30",
                    "蜀绣传承人的工作室，可以预约体验课。",
                    (
                        UpgradePlan(
                            Story.REVISED_COMPLETED,
                            "门头改造：仿古木窗、绣品展示橱窗、招牌",
                            88_000,
                            days_ago=170,
                            weeks=5,
                            reason="橱窗玻璃请用夹胶安全玻璃，并补充施工单位名称。",
                            change=(
                                "门头改造：仿古木窗、夹胶安全玻璃展示橱窗、招牌；"
                                "施工单位：重庆渝南装饰工程有限公司",
                                93_500,
                                "改用夹胶安全玻璃，补充了施工单位。",
                            ),
                        ),
                    ),
                ),
            ),
        ),
        MerchantPlan(
            None,
            "南岸区弹子石老茶馆",
            company=False,
            joining=Joining.APPLIED,
            pledge=None,
            message="我们在老街 33 号经营茶馆二十年，申请加入联盟。",
        ),
        MerchantPlan(
            None,
            "重庆速达电子烟专卖店",
            company=True,
            joining=Joining.DECLINED,
            pledge=None,
            message="申请入盟。",
            reason="经营范围与老街业态导则不符（电子烟不在准入目录），请调整后再申请。",
        ),
        MerchantPlan(
            None,
            "南岸区老街炭火烧烤店",
            company=False,
            joining=Joining.DECLINED_THEN_APPLIED,
            pledge=None,
            message="已办理营业执照地址变更，重新提交申请。",
            reason="营业执照上的地址与经营地址不一致，请先办理变更。",
        ),
    ),
)

ERMALU = AlliancePlan(
    name="宜昌二马路商业联盟",
    street="二马路",
    city="宜昌市",
    district="西陵区",
    division="420502",
    communities=("宜港小区", "四合院小区"),
    description="二马路历史街区改造后成立的商业联盟，老宅民宿、特色餐饮和书店错落经营。",
    charter={
        Mechanism.HONEST_TRADING: "商品和服务明码标价，菜品分量与图片一致；收到投诉三天内答复。",
        Mechanism.FAIR_COMPETITION: "同业之间不压价、不诋毁、不挖店员，在价格和服务上见高低。",
        Mechanism.DIFFERENTIATED_OFFERS: "老宅民宿、特色餐饮、文创书店错落经营，"
        "同一业态相邻不超过两家。",
        Mechanism.SHARED_TRAFFIC: "住店客人的餐饮和伴手礼推荐街上的联盟商户；"
        "每月办一次街区夜市，统一宣传。",
    },
    officer=("officer-yc", "宜昌二马路商业联盟"),
    prefix="eml",
    merchants=(
        MerchantPlan(
            None,
            "宜昌二马路老宅民宿有限公司",
            company=True,
            shops=(
                ShopPlan(
                    "二马路老宅民宿",
                    21,
                    S.LODGING,
                    U.UPGRADED,
                    "168.00",
                    "全天",
                    "民国老宅里的八间客房，天井里种着桂花。",
                    (
                        UpgradePlan(
                            Story.COMPLETED,
                            "老宅外立面修缮，木门窗翻新，天井排水改造，新做门头",
                            420_000,
                            days_ago=260,
                            weeks=9,
                        ),
                    ),
                ),
            ),
        ),
        MerchantPlan(
            None,
            "西陵区宜昌凉虾铺",
            company=False,
            pledge=PledgeState.LAPSING,
            shops=(
                ShopPlan(
                    "宜昌凉虾铺",
                    5,
                    S.FOOD,
                    U.NEW,
                    "24.00",
                    "10:00–22:00",
                    "凉虾、冰粉、萝卜饺子，宜昌的老味道。",
                    (
                        UpgradePlan(
                            Story.APPROVED,
                            "新店门头、操作台和临街售卖窗口",
                            65_000,
                            days_ago=30,
                            weeks=3,
                        ),
                    ),
                ),
            ),
        ),
        MerchantPlan(
            None,
            "宜昌二马路书局有限公司",
            company=True,
            shops=(
                ShopPlan(
                    "二马路书局",
                    33,
                    S.CULTURE,
                    U.UPGRADED,
                    "96.00",
                    "09:00–21:00",
                    "三峡地方文献和旧书，周末有读书会。",
                    (
                        UpgradePlan(
                            Story.SUBMITTED,
                            "门头改造：老式木招牌复原，橱窗加装展示灯",
                            132_000,
                            days_ago=12,
                            weeks=4,
                        ),
                    ),
                ),
            ),
        ),
        MerchantPlan(
            None,
            "西陵区江城洗衣店",
            company=False,
            shops=(
                ShopPlan(
                    "江城干洗",
                    14,
                    S.SERVICES,
                    U.NEW,
                    "30.00",
                    "08:00–20:00",
                    "干洗、改衣、皮具护理。",
                    (
                        UpgradePlan(
                            Story.DRAFT,
                            "新店门头招牌、收衣台和店内照明",
                            36_000,
                            days_ago=2,
                            weeks=2,
                        ),
                    ),
                ),
            ),
        ),
        MerchantPlan(
            None,
            "宜昌三峡伴手礼商贸有限公司",
            company=True,
            pledge=PledgeState.LAPSED,
            shops=(
                ShopPlan(
                    "三峡伴手礼",
                    9,
                    S.RETAIL,
                    U.NEW,
                    "58.00",
                    "09:00–21:30",
                    "宜红茶、柑橘、土家腊肉。",
                    (
                        UpgradePlan(
                            Story.RETURNED,
                            "新店门头广告牌、货架和收银台",
                            88_000,
                            days_ago=9,
                            weeks=3,
                            reason="门头广告牌面积超出街区风貌要求，请按 3 平方米以内重新设计，"
                            "并附上效果图。",
                        ),
                    ),
                ),
            ),
        ),
        MerchantPlan(
            None,
            "宜昌码头清吧餐饮有限公司",
            company=True,
            shops=(
                ShopPlan(
                    "码头清吧",
                    40,
                    S.BAR_CAFE,
                    U.NEW,
                    "110.00",
                    "18:00–次日00:30",
                    "民谣驻唱，二十二点后不放音响。",
                    (
                        UpgradePlan(
                            Story.EDITED,
                            "新店装修：门头、吧台、隔音墙",
                            180_000,
                            days_ago=120,
                            weeks=6,
                            change=(
                                "新店装修：门头、吧台、隔音墙；加厚临街一侧隔音",
                                205_000,
                                "邻居反映有噪音，临街一侧的隔音墙加厚。",
                            ),
                        ),
                    ),
                ),
            ),
        ),
        MerchantPlan(
            None,
            "西陵区老宜昌面馆",
            company=False,
            shops=(
                ShopPlan(
                    "老宜昌面馆",
                    17,
                    S.FOOD,
                    U.UPGRADED,
                    "40.00",
                    "06:00–13:30",
                    "宜昌碱面、牛肉面，老街坊的早饭。",
                    (
                        UpgradePlan(
                            Story.REVISED_APPROVED,
                            "门头换招牌，店面地砖和灶台翻新",
                            54_000,
                            days_ago=45,
                            weeks=4,
                            reason="请补充灶台燃气改造的验收材料。",
                            change=(
                                "门头换招牌，店面地砖和灶台翻新（燃气改造已验收）",
                                54_000,
                                "附上了燃气改造的验收单。",
                            ),
                        ),
                    ),
                ),
            ),
        ),
        MerchantPlan(
            None,
            "宜昌巧手剪纸工作室",
            company=False,
            joining=Joining.APPLIED,
            pledge=None,
            message="做了三十年的宜昌剪纸，想在二马路开个工作室。",
        ),
        MerchantPlan(
            None,
            "西陵区二马路棋牌室",
            company=False,
            joining=Joining.DECLINED,
            pledge=None,
            message="申请加入。",
            reason="棋牌室不在二马路街区业态导则之内。",
        ),
    ),
)

ALLIANCES = (DANZISHI, ERMALU)


def load_demo(communities: dict[str, Community], rng: random.Random) -> None:
    today = shanghai_today()
    password_hash = generate_password_hash(DEMO_PASSWORD, method=PASSWORD_METHOD)
    for plan in ALLIANCES:
        if db.session.scalar(select(Alliance.id).where(Alliance.name == plan.name)) is None:
            _alliance(plan, communities, today, password_hash, rng)
            db.session.flush()


def _moment(day: date, rng: random.Random) -> datetime:
    """A working-hours moment of `day` in Shanghai, in UTC."""
    local = datetime.combine(day, time(rng.randint(9, 19), rng.randint(0, 59)), tzinfo=SHANGHAI)
    return local.astimezone(UTC)


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=SHANGHAI).astimezone(UTC)


def credit_code(division: str, company: bool, rng: random.Random) -> str:
    """A unified social credit code with its check character: registered with the market
    regulator (9), a company (1) or an individual business (2), the district's division code,
    and nine characters of the USCC alphabet (a "D" after "MA" keeps them apart from the city
    data set's)."""
    base = f"9{1 if company else 2}{division}MAD" + "".join(rng.choices(USCC_ALPHABET, k=6))
    return base + uscc.calc_check_digit(base)


def _mobile(rng: random.Random) -> str:
    while True:
        try:
            return normalise_phone(_phone(rng))
        except RuleError:
            continue


def _account(username: str, role: Role, display_name: str, password_hash: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(
            username=username, display_name=display_name, role=role, password_hash=password_hash
        )
        db.session.add(user)
        db.session.flush()
    return user


def _alliance(
    plan: AlliancePlan,
    communities: dict[str, Community],
    today: date,
    password_hash: str,
    rng: random.Random,
) -> None:
    founded = today - timedelta(days=720)
    alliance = Alliance(
        name=plan.name,
        street=plan.street,
        city=plan.city,
        district=plan.district,
        description=plan.description,
        created_at=_moment(founded, rng),
    )
    db.session.add(alliance)
    db.session.flush()
    for mechanism, wording in plan.charter.items():
        db.session.add(
            CharterMechanism(
                alliance_id=alliance.id,
                mechanism=mechanism,
                wording=wording,
                updated_at=_moment(founded, rng),
            )
        )
    for name in plan.communities:
        if name in communities:
            db.session.add(
                AllianceCommunity(alliance_id=alliance.id, community_id=communities[name].id)
            )
    username, display_name = plan.officer
    officer = _account(username, Role.OFFICER, display_name, password_hash)
    # An officer runs one alliance: an account already running another stays where it is.
    if not db.session.scalar(
        select(AllianceOfficer.id).where(AllianceOfficer.user_id == officer.id)
    ):
        db.session.add(
            AllianceOfficer(
                alliance_id=alliance.id, user_id=officer.id, created_at=_moment(founded, rng)
            )
        )
    wording = {mechanism.value: text for mechanism, text in plan.charter.items()}
    numbers = iter(range(1, len(plan.merchants) + 1))
    for merchant_plan in plan.merchants:
        username = merchant_plan.username or f"{plan.prefix}-{next(numbers):02d}"
        display_name = f"{plan.street} · {merchant_plan.business_name}"[:60]
        account = _account(username, Role.MERCHANT, display_name, password_hash)
        if db.session.scalar(select(Merchant.id).where(Merchant.user_id == account.id)):
            continue  # one account, one business: an account already in business keeps its own
        _merchant(merchant_plan, plan, alliance, account, officer, wording, today, rng)


def _merchant(
    plan: MerchantPlan,
    alliance_plan: AlliancePlan,
    alliance: Alliance,
    account: User,
    officer: User,
    wording: dict[str, str],
    today: date,
    rng: random.Random,
) -> None:
    owner = _name(rng)
    joined = _joined_days_ago(plan, rng)
    signed_up = today - timedelta(days=joined + 2)
    merchant = Merchant(
        user_id=account.id,
        business_name=plan.business_name,
        credit_code=credit_code(alliance_plan.division, plan.company, rng),
        legal_representative=owner,
        contact_name=owner if not plan.company or rng.random() < 0.5 else _name(rng),
        contact_phone=_mobile(rng),
        created_at=_moment(signed_up, rng),
    )
    db.session.add(merchant)
    db.session.flush()
    _memberships(plan, merchant, alliance, officer, signed_up, today, rng)
    if plan.pledge is not None:
        _pledges(plan.pledge, joined, merchant, alliance, account, wording, today)
    for shop_plan in plan.shops:
        shop = Shop(
            merchant_id=merchant.id,
            alliance_id=alliance.id,
            name=shop_plan.name,
            address=f"{alliance_plan.street}{shop_plan.number}号",
            category=shop_plan.category,
            origin=shop_plan.origin,
            floor_area_m2=Decimal(shop_plan.area),
            opening_hours=shop_plan.hours,
            description=shop_plan.description,
            public_phone=_mobile(rng) if shop_plan.publishes_phone else None,
            created_at=_moment(signed_up + timedelta(days=3), rng),
        )
        db.session.add(shop)
        db.session.flush()
        for upgrade_plan in shop_plan.upgrades:
            _upgrade(upgrade_plan, shop, merchant, account, officer, today, rng)


def _joined_days_ago(plan: MerchantPlan, rng: random.Random) -> int:
    """When the merchant's application was approved (or made): before their pledge and their
    earliest upgrade."""
    pledged = {
        PledgeState.LAPSING: PLEDGE_DAYS - 12,
        PledgeState.LAPSED: PLEDGE_DAYS + 40,
        PledgeState.RENEWED: 2 * PLEDGE_DAYS - 30,
        PledgeState.IN_FORCE: 90,
    }.get(plan.pledge, 0)
    earliest = max((u.days_ago for s in plan.shops for u in s.upgrades), default=0)
    if plan.joining is Joining.APPLIED:
        return rng.randint(2, 6)
    if plan.joining is Joining.DECLINED_THEN_APPLIED:
        return rng.randint(40, 60)
    return max(pledged, earliest + 20) + rng.randint(0, 10)


def _memberships(
    plan: MerchantPlan,
    merchant: Merchant,
    alliance: Alliance,
    officer: User,
    applied: date,
    today: date,
    rng: random.Random,
) -> None:
    decided = applied + timedelta(days=2)
    rows = []
    if plan.joining in (Joining.DECLINED, Joining.DECLINED_THEN_APPLIED):
        rows.append((MembershipStatus.DECLINED, applied, decided, plan.reason))
    if plan.joining is Joining.APPROVED:
        rows.append((MembershipStatus.APPROVED, applied, decided, None))
    if plan.joining is Joining.APPLIED:
        rows.append((MembershipStatus.APPLIED, applied, None, None))
    if plan.joining is Joining.DECLINED_THEN_APPLIED:
        rows.append(
            (MembershipStatus.APPLIED, today - timedelta(days=rng.randint(2, 5)), None, None)
        )
    for status, made, decided_on, reason in rows:
        db.session.add(
            Membership(
                merchant_id=merchant.id,
                alliance_id=alliance.id,
                status=status,
                message=plan.message if status is not MembershipStatus.APPROVED else None,
                created_at=_moment(made, rng),
                decided_at=_moment(decided_on, rng) if decided_on else None,
                decided_by_user_id=officer.id if decided_on else None,
                reason=reason,
            )
        )
        db.session.flush()  # the declined one first: the open application follows it


def _pledges(
    state: PledgeState,
    joined: int,
    merchant: Merchant,
    alliance: Alliance,
    account: User,
    wording: dict[str, str],
    today: date,
) -> None:
    # A member signs on joining; one who joined over eleven months ago has signed again since.
    in_force = joined if joined <= PLEDGE_DAYS - 35 else 90
    signed = {
        PledgeState.IN_FORCE: [today - timedelta(days=in_force)],
        PledgeState.LAPSING: [today - timedelta(days=PLEDGE_DAYS - 12)],
        PledgeState.LAPSED: [today - timedelta(days=PLEDGE_DAYS + 40)],
        # Lapsed for a fortnight before the merchant signed again.
        PledgeState.RENEWED: [
            today - timedelta(days=2 * PLEDGE_DAYS - 30),
            today - timedelta(days=PLEDGE_DAYS - 44),
        ],
    }[state]
    for day in signed:
        db.session.add(
            Pledge(
                merchant_id=merchant.id,
                alliance_id=alliance.id,
                signed_on=day,
                expires_on=day + timedelta(days=PLEDGE_DAYS),
                wording=wording,
                signed_by_user_id=account.id,
                created_at=_at(day, time(10)),
            )
        )


def _upgrade(
    plan: UpgradePlan,
    shop: Shop,
    merchant: Merchant,
    account: User,
    officer: User,
    today: date,
    rng: random.Random,
) -> None:
    written = today - timedelta(days=plan.days_ago)
    first_at = _moment(written, rng)
    upgrade = Upgrade(
        shop_id=shop.id,
        alliance_id=shop.alliance_id,
        merchant_id=merchant.id,
        status=UpgradeStatus.DRAFT,
        created_at=first_at,
        updated_at=first_at,
    )
    db.session.add(upgrade)
    db.session.flush()

    story = plan.story
    returned_first = story in (
        Story.RETURNED,
        Story.REVISED,
        Story.REVISED_APPROVED,
        Story.REVISED_COMPLETED,
    )
    approved_first = story in (Story.APPROVED, Story.COMPLETED, Story.EDITED)
    first = _revision(
        upgrade,
        1,
        plan.work,
        plan.yuan,
        written,
        plan.weeks,
        account,
        first_at,
        submitted=story is not Story.DRAFT,
        decision=RevisionDecision.RETURNED
        if returned_first
        else RevisionDecision.APPROVED
        if approved_first
        else None,
        officer=officer,
        reason=plan.reason,
        rng=rng,
    )
    approved, last = (first if approved_first else None), first
    if plan.change is not None and story is not Story.RETURNED:
        work, yuan, note = plan.change
        # An edit after approval comes a few days ago; a fix, a few days after the return.
        again = (
            today - timedelta(days=4)
            if story is Story.EDITED
            else first.decided_at.astimezone(SHANGHAI).date() + timedelta(days=3)
        )
        decided = story in (Story.REVISED_APPROVED, Story.REVISED_COMPLETED)
        last = _revision(
            upgrade,
            2,
            work,
            yuan,
            again,
            plan.weeks,
            account,
            _moment(again, rng),
            submitted=True,
            decision=RevisionDecision.APPROVED if decided else None,
            officer=officer,
            note=note,
            rng=rng,
            starts_on=first.starts_on if story is Story.EDITED else None,
        )
        approved = last if decided else approved
    upgrade.status = _status(story)
    upgrade.updated_at = last.decided_at or last.submitted_at or last.created_at
    if approved is not None:
        upgrade.approved_revision_id = approved.id
        upgrade.approved_at = approved.decided_at
    if upgrade.status is UpgradeStatus.COMPLETED:
        upgrade.completed_on = approved.finishes_on
        upgrade.updated_at = _at(approved.finishes_on, time(17))
    db.session.flush()
    _photos(upgrade, shop, account, first_at, rng)


def _status(story: Story) -> UpgradeStatus:
    return {
        Story.DRAFT: UpgradeStatus.DRAFT,
        Story.SUBMITTED: UpgradeStatus.SUBMITTED,
        Story.RETURNED: UpgradeStatus.RETURNED,
        Story.REVISED: UpgradeStatus.SUBMITTED,
        Story.REVISED_APPROVED: UpgradeStatus.APPROVED,
        Story.REVISED_COMPLETED: UpgradeStatus.COMPLETED,
        Story.APPROVED: UpgradeStatus.APPROVED,
        Story.COMPLETED: UpgradeStatus.COMPLETED,
        Story.EDITED: UpgradeStatus.SUBMITTED,
    }[story]


def _revision(
    upgrade: Upgrade,
    number: int,
    work: str,
    yuan: int,
    written: date,
    weeks: int,
    account: User,
    created_at: datetime,
    *,
    submitted: bool,
    decision: RevisionDecision | None,
    officer: User,
    rng: random.Random,
    reason: str | None = None,
    note: str | None = None,
    starts_on: date | None = None,
) -> UpgradeRevision:
    """One revision; the work starts a fortnight after it is written (an edit keeps the start
    of the work under way)."""
    starts_on = starts_on or written + timedelta(days=14)
    submitted_at = created_at + timedelta(hours=rng.randint(1, 20)) if submitted else None
    decided_at = (
        submitted_at + timedelta(days=rng.randint(2, 6), hours=rng.randint(1, 5))
        if decision is not None
        else None
    )
    revision = UpgradeRevision(
        upgrade_id=upgrade.id,
        alliance_id=upgrade.alliance_id,
        number=number,
        work=work,
        investment_fen=yuan * 100,
        starts_on=starts_on,
        finishes_on=starts_on + timedelta(weeks=weeks),
        note=note,
        created_by_user_id=account.id,
        created_at=created_at,
        submitted_at=submitted_at,
        decision=decision,
        decided_at=decided_at,
        decided_by_user_id=officer.id if decision else None,
        reason=reason if decision is RevisionDecision.RETURNED else None,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def _photos(
    upgrade: Upgrade, shop: Shop, account: User, written: datetime, rng: random.Random
) -> None:
    """Before photos with every upgrade (two once it was submitted), after photos once the
    work is done."""
    stages = [PhotoStage.BEFORE]
    if upgrade.status is not UpgradeStatus.DRAFT:
        stages.append(PhotoStage.BEFORE)
    if upgrade.status is UpgradeStatus.COMPLETED:
        stages += [PhotoStage.AFTER, PhotoStage.AFTER]
    for k, stage in enumerate(stages):
        stored = save_image(io.BytesIO(shopfront(shop.name, stage, rng)), "alliance")
        taken = (
            written + timedelta(minutes=k)
            if stage is PhotoStage.BEFORE
            else _at(upgrade.completed_on, time(16, k))
        )
        db.session.add(
            UpgradePhoto(
                upgrade_id=upgrade.id,
                alliance_id=upgrade.alliance_id,
                stage=stage,
                stored_name=stored,
                uploaded_by_user_id=account.id,
                created_at=taken,
            )
        )


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont | None:
    for name in CJK_FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return None  # no CJK font on this machine: the sign stays blank


def shopfront(name: str, stage: PhotoStage, rng: random.Random) -> bytes:
    """A JPEG of a shopfront: a wall, a sign with the shop's name, a door between two windows
    under an awning. Before the upgrade grey and stained with a faded sign and loose wires;
    after it warm and bright with a red sign in gold."""
    width, height = PHOTO_SIZE
    after = stage is PhotoStage.AFTER
    image = Image.new("RGB", PHOTO_SIZE, (196, 214, 230) if after else (178, 182, 186))
    draw = ImageDraw.Draw(image)
    wall = rng.choice(
        [(214, 180, 140), (200, 160, 120), (226, 206, 170)]
        if after
        else [(128, 122, 112), (140, 132, 120)]
    )
    draw.rectangle((40, 60, width - 40, height - 40), fill=wall)
    if not after:
        for _ in range(9):  # stains and peeling plaster
            x, y = rng.randint(60, width - 140), rng.randint(160, height - 120)
            draw.ellipse(
                (x, y, x + rng.randint(30, 90), y + rng.randint(20, 60)), fill=(104, 98, 90)
            )
        for k in range(3):  # loose wires across the front
            y = 70 + 14 * k
            draw.line((40, y, width - 40, y + rng.randint(-10, 25)), fill=(40, 40, 40), width=3)
    sign = (150, 24, 30) if after else (120, 112, 100)
    draw.rectangle(
        (80, 90, width - 80, 190), fill=sign, outline=(212, 170, 60) if after else None, width=6
    )
    font = _font(56)
    if font is not None:
        colour = (240, 200, 90) if after else (176, 170, 160)
        draw.text((width // 2, 140), name[:10], font=font, fill=colour, anchor="mm")
    stripes = ((200, 40, 40), (245, 235, 220)) if after else ((110, 100, 90), (150, 140, 128))
    for k in range(12):  # the awning
        x = 80 + k * (width - 160) // 12
        draw.rectangle((x, 205, x + (width - 160) // 12, 245), fill=stripes[k % 2])
    glass = (170, 210, 235) if after else (90, 96, 100)
    draw.rectangle((100, 280, 300, 460), fill=glass, outline=(60, 40, 30), width=8)
    draw.rectangle((width - 300, 280, width - 100, 460), fill=glass, outline=(60, 40, 30), width=8)
    door = (120, 70, 40) if after else (84, 80, 76)
    draw.rectangle((width // 2 - 70, 270, width // 2 + 70, height - 40), fill=door)
    if after:
        for x in (120, width // 2, width - 120):  # warm lamps
            draw.ellipse((x - 12, 255, x + 12, 279), fill=(255, 214, 120))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()
