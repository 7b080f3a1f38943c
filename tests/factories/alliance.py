"""Factories of the merchant alliance: alliances with their charter, officers, merchants with
valid credit codes, memberships, shops, upgrades with their revisions, pledges."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from stdnum.cn import uscc

from app.extensions import db
from app.models import (
    PLEDGE_DAYS,
    Alliance,
    AllianceOfficer,
    CharterMechanism,
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
from app.periods import utcnow
from tests.factories.base import _next, _save, user

WORDING = {
    Mechanism.HONEST_TRADING: "明码标价，童叟无欺。",
    Mechanism.FAIR_COMPETITION: "不压价倾销，不恶意诋毁同行。",
    Mechanism.DIFFERENTIATED_OFFERS: "同一业态错位经营，各有特色。",
    Mechanism.SHARED_TRAFFIC: "互相推荐客人，共办街区活动。",
}


def credit_code(n: int | None = None) -> str:
    """A unified social credit code whose check character is right."""
    base = f"91420500MA4F{(n if n is not None else _next()) % 100000:05d}"
    return base + uscc.calc_check_digit(base)


def alliance(**fields) -> Alliance:  # type: ignore[no-untyped-def]
    n = _next()
    values = {
        "name": f"测试街商业联盟{n}",
        "street": f"测试老街{n}",
        "city": "重庆市",
        "district": "南岸区",
    }
    made = _save(Alliance(**(values | fields)))
    for mechanism, wording in WORDING.items():
        db.session.add(
            CharterMechanism(
                alliance_id=made.id, mechanism=mechanism, wording=wording, updated_at=utcnow()
            )
        )
    db.session.commit()
    return made


def officer(of: Alliance | None = None, **fields) -> User:  # type: ignore[no-untyped-def]
    of = of or alliance()
    account = user(Role.OFFICER, **fields)
    _save(AllianceOfficer(alliance_id=of.id, user_id=account.id))
    return account


def merchant(account: User | None = None, **fields) -> Merchant:  # type: ignore[no-untyped-def]
    account = account or user(Role.MERCHANT)
    n = _next()
    values = {
        "user_id": account.id,
        "business_name": f"测试商行{n}",
        "credit_code": credit_code(n),
        "legal_representative": "李老板",
        "contact_name": "李老板",
        "contact_phone": "+8613800000000",
    }
    return _save(Merchant(**(values | fields)))


def membership(
    of: Merchant | None = None,
    to: Alliance | None = None,
    status: MembershipStatus = MembershipStatus.APPROVED,
    **fields,
) -> Membership:  # type: ignore[no-untyped-def]
    of, to = of or merchant(), to or alliance()
    decided = status is not MembershipStatus.APPLIED
    values = {
        "merchant_id": of.id,
        "alliance_id": to.id,
        "status": status,
        "decided_at": utcnow() if decided else None,
        "reason": "材料不全" if status is MembershipStatus.DECLINED else None,
    }
    return _save(Membership(**(values | fields)))


def shop(of: Merchant | None = None, to: Alliance | None = None, **fields) -> Shop:  # type: ignore[no-untyped-def]
    """A shop of an approved member (one is made when not given)."""
    if of is None or to is None:
        member = membership(of, to)
        of, to = (
            db.session.get(Merchant, member.merchant_id),
            db.session.get(Alliance, member.alliance_id),
        )
    n = _next()
    values = {
        "merchant_id": of.id,
        "alliance_id": to.id,
        "name": f"测试小店{n}",
        "address": f"老街{n}号",
        "category": ShopCategory.FOOD,
        "origin": ShopOrigin.UPGRADED,
        "floor_area_m2": Decimal("48.50"),
        "opening_hours": "09:00–21:00",
    }
    return _save(Shop(**(values | fields)))


def upgrade(
    of: Shop | None = None,
    status: UpgradeStatus = UpgradeStatus.APPROVED,
    investment_fen: int = 15_000_000,
    **fields,
) -> Upgrade:  # type: ignore[no-untyped-def]
    """An upgrade with one revision, standing at `status` (approved: that revision approved)."""
    of = of or shop()
    merchant_row = db.session.get(Merchant, of.merchant_id)
    now = utcnow()
    made = _save(
        Upgrade(
            shop_id=of.id,
            alliance_id=of.alliance_id,
            merchant_id=of.merchant_id,
            status=UpgradeStatus.DRAFT,
            updated_at=now,
        )
    )
    submitted = status is not UpgradeStatus.DRAFT
    decision = {
        UpgradeStatus.RETURNED: RevisionDecision.RETURNED,
        UpgradeStatus.APPROVED: RevisionDecision.APPROVED,
        UpgradeStatus.COMPLETED: RevisionDecision.APPROVED,
    }.get(status)
    decider = officer_of(of.alliance_id) if decision else None
    revision = _save(
        UpgradeRevision(
            upgrade_id=made.id,
            alliance_id=of.alliance_id,
            number=1,
            work=fields.pop("work", "更换门头招牌，外立面刷新"),
            investment_fen=investment_fen,
            starts_on=fields.pop("starts_on", date(2026, 9, 1)),
            finishes_on=fields.pop("finishes_on", date(2026, 10, 15)),
            created_by_user_id=merchant_row.user_id,
            submitted_at=now if submitted else None,
            decision=decision,
            decided_at=now if decision else None,
            decided_by_user_id=decider.id if decider else None,
            reason="请补充改造前照片" if decision is RevisionDecision.RETURNED else None,
        )
    )
    revision_id, finishes_on = revision.id, revision.finishes_on  # read before the changes below
    made.status = status
    if decision is RevisionDecision.APPROVED:
        made.approved_revision_id = revision_id
        made.approved_at = now
    if status is UpgradeStatus.COMPLETED:
        made.completed_on = finishes_on
    for name, value in fields.items():
        setattr(made, name, value)
    return _save(made)


def officer_of(alliance_id: int) -> User:
    """The alliance's first officer, made when it has none."""
    found = db.session.scalar(
        db.select(User)
        .join(AllianceOfficer, AllianceOfficer.user_id == User.id)
        .where(AllianceOfficer.alliance_id == alliance_id)
        .limit(1)
    )
    return found or officer(db.session.get(Alliance, alliance_id))


def pledge(
    of: Merchant | None = None, to: Alliance | None = None, signed_on: date | None = None
) -> Pledge:
    if of is None or to is None:
        member = membership(of, to)
        of, to = (
            db.session.get(Merchant, member.merchant_id),
            db.session.get(Alliance, member.alliance_id),
        )
    day = signed_on or date(2026, 6, 1)
    return _save(
        Pledge(
            merchant_id=of.id,
            alliance_id=to.id,
            signed_on=day,
            expires_on=day + timedelta(days=PLEDGE_DAYS),
            wording={m.value: w for m, w in WORDING.items()},
            signed_by_user_id=of.user_id,
        )
    )


def upgrade_photo(of: Upgrade | None = None, stage: str = "before") -> UpgradePhoto:
    """A real photo stored as the upgrades part stores one, attached to an upgrade."""
    import io

    from app.uploads import save_image
    from tests.factories.property import photo_bytes

    of = of or upgrade(status=UpgradeStatus.DRAFT)
    merchant_row = db.session.get(Merchant, of.merchant_id)
    return _save(
        UpgradePhoto(
            upgrade_id=of.id,
            alliance_id=of.alliance_id,
            stage=PhotoStage(stage),
            stored_name=save_image(io.BytesIO(photo_bytes()), "alliance"),
            uploaded_by_user_id=merchant_row.user_id,
        )
    )
