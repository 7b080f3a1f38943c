"""The demo's words for the pacts area: the clauses its pacts are written from, the stories of
those pacts (versions and campaigns, with when and how each went), and what canvassers and
inspectors wrote down. `app.demo.pacts` loads them; the city's pact reuses the clauses."""

from __future__ import annotations

from dataclasses import dataclass

from app.models import CampaignStatus

CLAUSES = {
    "clear": (
        "楼道畅通",
        "楼道、楼梯间和安全出口是生命通道，不堆放鞋柜、纸箱、杂物和废旧家具，保持畅通无阻。",
    ),
    "ebike": (
        "电动车不进楼",
        "电动自行车及其电池不进楼道、不进电梯、不入户充电，统一停放在小区集中停放点。",
    ),
    "ebike_shed": (
        "电动车不进楼",
        "电动自行车及其电池不进楼道、不进电梯、不入户充电，请停放在东门集中充电棚扫码充电。",
    ),
    "wires": (
        "禁止飞线充电",
        "严禁从窗户、阳台或楼道私拉电线为电动车充电；发现飞线，物业管家和楼栋长当日劝导拆除。",
    ),
    "rota": (
        "卫生轮值",
        "各楼层住户按月轮流负责楼道清扫，轮值表张贴在公示牌旁；垃圾袋不在楼道过夜。",
    ),
    "rota_weekly": (
        "卫生轮值",
        "各楼层住户按周轮流负责楼道清扫，轮值表张贴在公示牌旁，由楼栋长每周提醒；"
        "垃圾袋不在楼道过夜。",
    ),
    "quiet": (
        "安静时段",
        "每日22:00至次日7:00为安静时段，不在楼道大声喧哗、不拖拽重物；"
        "装修施工限8:00至12:00、14:00至18:00。",
    ),
    "quiet_weekend": (
        "安静时段",
        "每日22:00至次日7:00为安静时段，不在楼道大声喧哗、不拖拽重物；"
        "装修施工限工作日8:00至12:00、14:00至18:00，周末和节假日不施工。",
    ),
    "pets": (
        "文明养宠",
        "遛狗拴绳，及时清理宠物粪便；宠物不在楼道饲养，进出单元门和电梯时主动避让老人和儿童。",
    ),
    "notices": (
        "张贴规范",
        "通知和广告只贴在楼道公示栏内，不在墙面、门上乱贴乱画；过期通知由楼栋长每月清理。",
    ),
    "party": (
        "党员示范",
        "楼栋内的党员住户亮身份、作表率，带头遵守公约，主动参与楼道议事和卫生轮值。",
    ),
    "handrail": (
        "爱护扶手座椅",
        "本单元老人较多，楼道扶手和休息座椅由住户共同爱护，不在扶手上晾晒衣物、悬挂杂物。",
    ),
    "door": ("单元门随手关", "单元门随手关闭，不用杂物卡住门扇，不把门禁卡借给外来人员。"),
    "shoes": (
        "鞋柜入户",
        "本单元楼道狭窄，各户放在门外的鞋柜、鞋架在公约通过后一个月内移入户内。",
    ),
}


@dataclass(frozen=True)
class VersionPlan:
    title: str
    clauses: tuple[str, ...]  # keys of CLAUSES, in print order
    note: str
    days_ago: int


@dataclass(frozen=True)
class CampaignPlan:
    version: int  # the version's number
    status: CampaignStatus
    rounds: int  # rounds canvassed so far (the current round while open)
    days_ago: int  # opened (created, for a draft)
    mood: float  # how readily the households agree: 1.0 is an ordinary pact
    threshold: tuple[int, int] = (2, 3)


@dataclass(frozen=True)
class PactPlan:
    community: str
    unit: tuple[str, str] | None  # (building, unit) numbers; None: community-wide
    versions: tuple[VersionPlan, ...]
    campaigns: tuple[CampaignPlan, ...]


# 兴隆苑's first text failed (the committee's strict draft), the revised one was adopted after a
# joint visit, and a third is being signed; 弹新街社区 adopted its first and is asking about its
# second. Two units wrote their own pacts on top; a third unit's did not pass.
PACTS = (
    PactPlan(
        "兴隆苑",
        None,
        (
            VersionPlan(
                "兴隆苑楼道公约",
                ("clear", "ebike", "wires", "rota", "notices"),
                "业委会与物业共同起草的初稿",
                400,
            ),
            VersionPlan(
                "兴隆苑楼道公约",
                ("clear", "ebike_shed", "wires", "rota", "quiet", "pets", "notices"),
                "写明东门集中充电棚；增加安静时段和文明养宠两条",
                260,
            ),
            VersionPlan(
                "兴隆苑楼道公约",
                ("clear", "ebike_shed", "wires", "rota_weekly", "quiet_weekend", "pets", "notices"),
                "根据居民意见：卫生轮值改为按周，周末和节假日不装修施工",
                30,
            ),
        ),
        (
            CampaignPlan(1, CampaignStatus.CLOSED, 3, 380, 0.6),
            CampaignPlan(2, CampaignStatus.ADOPTED, 3, 240, 0.8),
            CampaignPlan(3, CampaignStatus.OPEN, 2, 20, 1.0),
        ),
    ),
    PactPlan(
        "兴隆苑",
        ("5", "1"),
        (
            VersionPlan(
                "兴隆苑5栋1单元楼道公约",
                ("clear", "ebike_shed", "wires", "rota", "quiet", "pets", "notices", "handrail"),
                "在小区公约基础上增加爱护扶手座椅一条",
                150,
            ),
        ),
        (CampaignPlan(1, CampaignStatus.ADOPTED, 2, 130, 1.1),),
    ),
    PactPlan(
        "兴隆苑",
        ("3", "2"),
        (
            VersionPlan(
                "兴隆苑3栋2单元楼道公约",
                ("clear", "ebike_shed", "wires", "rota", "quiet", "pets", "notices"),
                "照小区公约第2版起草",
                12,
            ),
            VersionPlan(
                "兴隆苑3栋2单元楼道公约",
                ("clear", "ebike_shed", "wires", "rota", "quiet", "pets", "notices", "door"),
                "增加单元门随手关一条",
                5,
            ),
        ),
        (CampaignPlan(2, CampaignStatus.DRAFT, 1, 2, 1.0),),
    ),
    PactPlan(
        "弹新街社区",
        None,
        (
            VersionPlan(
                "弹新街社区楼道公约",
                ("clear", "ebike", "wires", "rota", "quiet", "notices"),
                "社区党委、红色物业和居民代表共同起草",
                330,
            ),
            VersionPlan(
                "弹新街社区楼道公约",
                ("clear", "ebike", "wires", "rota", "quiet", "pets", "notices", "party"),
                "增加文明养宠和党员示范两条",
                15,
            ),
        ),
        (
            CampaignPlan(1, CampaignStatus.ADOPTED, 2, 300, 1.0),
            CampaignPlan(2, CampaignStatus.OPEN, 1, 6, 1.0),
        ),
    ),
    PactPlan(
        "弹新街社区",
        ("7", "3"),
        (
            VersionPlan(
                "弹新街社区7栋3单元楼道公约",
                ("clear", "ebike", "wires", "rota", "quiet", "notices", "shoes"),
                "单元居民提议增加鞋柜入户一条",
                170,
            ),
        ),
        # Three quarters were needed, as the unit decided: the shoe cabinets stayed out.
        (CampaignPlan(1, CampaignStatus.CLOSED, 3, 160, 0.7, threshold=(3, 4)),),
    ),
)

DISAGREE_REMARKS = (
    "担心电动车没地方充电",
    "家里老人需要在楼道放轮椅",
    "对装修时间的规定有意见",
    "觉得卫生轮值不公平，租户不参与",
    "门口鞋柜没地方放",
)
ABSENT_REMARKS = ("家中无人，已在门上留言", "房屋出租，已电话联系房东", "老人独居，耳背未应门")
AGREE_REMARKS = ("支持，希望尽快落实", "同意，建议多装几个充电桩", "同意")
# Each item's remark when it scored 2 or less.
ITEM_REMARKS = {
    "corridor_clear": "楼道堆放纸箱和旧家具，已通知住户三日内清理",
    "cleanliness": "楼梯扶手积灰，已提醒本月轮值住户",
    "lighting": "声控灯不亮，已报修",
    "fire_equipment": "灭火器压力不足，已联系更换",
    "notices_tidy": "墙面小广告较多，已铲除",
    "no_flying_wires": "发现飞线充电一处，已劝导拆除",
}
# What is usually in better shape than the unit's average, and what worse.
ITEM_BIAS = {
    "corridor_clear": -0.3,
    "cleanliness": 0.0,
    "lighting": 0.3,
    "fire_equipment": 0.2,
    "notices_tidy": -0.4,
    "no_flying_wires": 0.1,
}
