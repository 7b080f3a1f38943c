"""Alliances, merchants and their membership, shops and the pledge (四项承诺): the rules, as
plain functions the views and the tests call.

Other parts of the alliance read from here: `current_merchant`, `officer_alliance`,
`is_member` and `pledge_state`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, update
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from app.authz import scope, visible
from app.blueprints.alliance import ledger
from app.blueprints.auth.services import create_user
from app.extensions import db
from app.listing import starts_with_any
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
    Role,
    Shop,
    ShopOrigin,
    Upgrade,
    UpgradeRevision,
    UpgradeStatus,
    User,
)
from app.periods import shanghai_today, utcnow
from app.rules import RuleError, refuse_duplicates

# A pledge may be signed again this many days before it lapses (and any time after).
RENEWAL_DAYS = 30

CODE_TAKEN = _l("A business with this credit code is already registered.")
USERNAME_TAKEN = _l("This username is taken. Choose another.")
ALREADY_REGISTERED = _l("This account already has a business registered.")
ALREADY_APPLIED = _l("You have already applied to this alliance or are a member of it.")
DECIDED_MEANWHILE = _l("Another officer decided this application meanwhile.")
PLEDGE_IN_FORCE = _l("Your pledge is in force; you can sign it again within 30 days of its end.")
refuse_duplicates(User.__table__, ("username",), "username", lambda _r: USERNAME_TAKEN)
refuse_duplicates(Merchant.__table__, ("credit_code",), "credit_code", lambda _r: CODE_TAKEN)
refuse_duplicates(Merchant.__table__, ("user_id",), "business_name", lambda _r: ALREADY_REGISTERED)
refuse_duplicates(
    Membership.__table__, ("merchant_id", "alliance_id"), "alliance_id", lambda _r: ALREADY_APPLIED
)


# --- who is who ------------------------------------------------------------------------------


def current_merchant(user: Any) -> Merchant | None:
    """The business the account registered, or None (another role, or not registered yet)."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.MERCHANT:
        return None
    return db.session.scalar(select(Merchant).where(Merchant.user_id == user.id))


def officer_alliance(user: Any) -> Alliance | None:
    """The alliance the officer runs, or None."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.OFFICER:
        return None
    return db.session.scalar(
        select(Alliance)
        .join(AllianceOfficer, AllianceOfficer.alliance_id == Alliance.id)
        .where(AllianceOfficer.user_id == user.id)
    )


def is_member(merchant_id: int, alliance_id: int) -> bool:
    """The merchant's application to the alliance was approved."""
    return bool(
        db.session.scalar(
            select(func.count(Membership.id)).where(
                Membership.merchant_id == merchant_id,
                Membership.alliance_id == alliance_id,
                Membership.status == MembershipStatus.APPROVED,
            )
        )
    )


def member_alliances(merchant_id: int) -> list[Alliance]:
    """The alliances the merchant is an approved member of, by name."""
    return list(
        db.session.scalars(
            select(Alliance)
            .join(Membership, Membership.alliance_id == Alliance.id)
            .where(
                Membership.merchant_id == merchant_id,
                Membership.status == MembershipStatus.APPROVED,
            )
            .order_by(Alliance.name)
        )
    )


# --- the credit code -------------------------------------------------------------------------


def normalise_credit_code(text: str) -> str:
    """The unified social credit code (统一社会信用代码) as stored: 18 characters, upper case,
    without spaces or hyphens, its check character right; a RuleError saying what is wrong."""
    code = uscc.compact(text or "")
    try:
        return uscc.validate(code)
    except InvalidLength as error:
        message = _l("A credit code has 18 characters; this one has %(n)s.", n=len(code))
        raise RuleError(message, "credit_code") from error
    except InvalidChecksum as error:
        message = _l(
            "The check character (the last one) is wrong: check the code against the business "
            "licence."
        )
        raise RuleError(message, "credit_code") from error
    except ValidationError as error:  # InvalidFormat and the like
        message = _l(
            "A credit code is made of digits and capital letters (not I, O, S, V or Z); check "
            "it against the business licence."
        )
        raise RuleError(message, "credit_code") from error


# --- signing up ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Business:
    """What a merchant tells about their business when they sign up."""

    business_name: str
    credit_code: str
    legal_representative: str
    contact_name: str
    contact_phone: str


def code_taken(code: str) -> bool:
    return bool(
        db.session.scalar(select(func.count(Merchant.id)).where(Merchant.credit_code == code))
    )


def has_open_application(merchant_id: int, alliance_id: int) -> bool:
    """An application of the merchant to the alliance is pending or approved."""
    return bool(
        db.session.scalar(
            select(func.count(Membership.id)).where(
                Membership.merchant_id == merchant_id,
                Membership.alliance_id == alliance_id,
                Membership.status.in_((MembershipStatus.APPLIED, MembershipStatus.APPROVED)),
            )
        )
    )


def register_business(user: User, business: Business) -> Merchant:
    """Register the account's business; the caller commits."""
    code = normalise_credit_code(business.credit_code)
    if db.session.scalar(select(func.count(Merchant.id)).where(Merchant.user_id == user.id)):
        raise RuleError(ALREADY_REGISTERED)
    if code_taken(code):
        raise RuleError(CODE_TAKEN, "credit_code")
    merchant = Merchant(
        user_id=user.id,
        business_name=business.business_name.strip(),
        credit_code=code,
        legal_representative=business.legal_representative.strip(),
        contact_name=business.contact_name.strip(),
        contact_phone=business.contact_phone,
    )
    db.session.add(merchant)
    db.session.flush()  # a code registered meanwhile: DuplicateRefusal, a RuleError
    return merchant


def sign_up(username: str, password: str, business: Business) -> Merchant:
    """A new merchant account with its business; the caller commits and signs them in."""
    normalise_credit_code(business.credit_code)  # the code's message before the username's
    username = username.strip()
    if db.session.scalar(select(func.count(User.id)).where(User.username == username)):
        raise RuleError(USERNAME_TAKEN, "username")
    user = create_user(username, password, Role.MERCHANT, business.contact_name.strip()[:60])
    db.session.flush()  # taken by someone else meanwhile: DuplicateRefusal, a RuleError
    return register_business(user, business)


# --- applying and deciding -------------------------------------------------------------------


def alliance_choices() -> list[Alliance]:
    return list(db.session.scalars(visible(Alliance).order_by(Alliance.name)))


def applications_of(merchant_id: int) -> list[tuple[Membership, Alliance]]:
    """The merchant's applications, newest first, with their alliance."""
    return [
        (row.Membership, row.Alliance)
        for row in db.session.execute(
            select(Membership, Alliance)
            .join(Alliance, Alliance.id == Membership.alliance_id)
            .where(Membership.merchant_id == merchant_id)
            .order_by(Membership.created_at.desc(), Membership.id.desc())
        )
    ]


def apply(merchant: Merchant, alliance_id: int, message: str | None) -> Membership:
    """The merchant applies to join the alliance; refused while an application there is
    pending or approved. The caller commits."""
    alliance = db.session.scalar(visible(Alliance).where(Alliance.id == alliance_id))
    if alliance is None:
        raise RuleError(_l("Choose one of the alliances."), "alliance_id")
    if has_open_application(merchant.id, alliance.id):
        raise RuleError(ALREADY_APPLIED, "alliance_id")
    application = Membership(
        merchant_id=merchant.id,
        alliance_id=alliance.id,
        status=MembershipStatus.APPLIED,
        message=(message or "").strip() or None,
    )
    db.session.add(application)
    db.session.flush()  # applied twice at once: DuplicateRefusal, a RuleError
    return application


def pending_applications(alliance_id: int) -> Select:
    """The alliance's applications awaiting a decision, oldest first, with their merchant."""
    return (
        select(Membership, Merchant)
        .join(Merchant, Merchant.id == Membership.merchant_id)
        .where(
            Membership.alliance_id == alliance_id,
            Membership.status == MembershipStatus.APPLIED,
            scope(Membership),
        )
        .order_by(Membership.created_at, Membership.id)
    )


def decide(
    application: Membership,
    approve: bool,
    reason: str | None,
    officer: User,
    now: datetime | None = None,
) -> None:
    """Approve or decline an application still awaiting a decision; a decline needs its
    reason. The UPDATE moves it only from "applied", so two officers deciding at once cannot
    both decide (the second is told). The caller commits."""
    reason = (reason or "").strip() or None
    if not approve and reason is None:
        raise RuleError(_l("Say why the application is declined."), "reason")
    status = MembershipStatus.APPROVED if approve else MembershipStatus.DECLINED
    moved = db.session.execute(
        update(Membership)
        .where(Membership.id == application.id, Membership.status == MembershipStatus.APPLIED)
        .values(
            status=status,
            decided_at=now or utcnow(),
            decided_by_user_id=officer.id,
            reason=None if approve else reason,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise RuleError(DECIDED_MEANWHILE)
    db.session.refresh(application)


# --- shops -----------------------------------------------------------------------------------

SHOP_FIELDS = (
    "name",
    "address",
    "category",
    "origin",
    "floor_area_m2",
    "opening_hours",
    "description",
    "public_phone",
)


def save_shop(merchant: Merchant, values: Mapping[str, Any], shop: Shop | None = None) -> Shop:
    """Add a shop to the merchant's alliance (`values["alliance_id"]`, where they must be a
    member), or edit one of theirs (its alliance stays). The caller commits."""
    if shop is None:
        alliance_id = values.get("alliance_id")
        if alliance_id is None or not is_member(merchant.id, alliance_id):
            raise RuleError(_l("Choose an alliance you are a member of."), "alliance_id")
        shop = Shop(merchant_id=merchant.id, alliance_id=alliance_id)
        db.session.add(shop)
    elif shop.merchant_id != merchant.id:
        raise RuleError(_l("This is not one of your shops."))
    area = values["floor_area_m2"]
    if not isinstance(area, Decimal) or area <= 0:
        raise RuleError(_l("Enter the floor area in m², more than 0."), "floor_area_m2")
    for name in SHOP_FIELDS:
        value = values.get(name)
        setattr(shop, name, (value.strip() or None) if isinstance(value, str) else value)
    shop.name, shop.address = values["name"].strip(), values["address"].strip()
    db.session.flush()
    return shop


def shops_of(merchant_id: int) -> list[Shop]:
    return list(
        db.session.scalars(
            visible(Shop).where(Shop.merchant_id == merchant_id).order_by(Shop.name, Shop.id)
        )
    )


def shop_search(alliance_id: int | None, text: str) -> Select:
    """The visible shops (of one alliance, when given) whose name, address or merchant starts
    with `text`, by name, with their merchant and alliance."""
    query = (
        select(Shop, Merchant, Alliance)
        .join(Merchant, Merchant.id == Shop.merchant_id)
        .join(Alliance, Alliance.id == Shop.alliance_id)
        .where(scope(Shop))
        .order_by(Shop.name, Shop.id)
    )
    if alliance_id is not None:
        query = query.where(Shop.alliance_id == alliance_id)
    words = text.strip()
    if words:
        query = query.where(starts_with_any(words, Shop.name, Shop.address, Merchant.business_name))
    return query


# --- the charter -----------------------------------------------------------------------------


def charter(alliance_id: int) -> dict[Mechanism, str]:
    """The alliance's wording of each of the four mechanisms, in their order ("" if unset)."""
    worded = {
        row.mechanism: row.wording
        for row in db.session.scalars(
            select(CharterMechanism).where(CharterMechanism.alliance_id == alliance_id)
        )
    }
    return {mechanism: worded.get(mechanism, "") for mechanism in Mechanism}


def save_charter(
    alliance: Alliance, wordings: Mapping[Mechanism, str], now: datetime | None = None
) -> int:
    """Set the alliance's wording of the mechanisms; returns how many changed. The caller
    commits. Pledges already signed keep the wording of their day."""
    now = now or utcnow()
    rows = {
        row.mechanism: row
        for row in db.session.scalars(
            select(CharterMechanism).where(CharterMechanism.alliance_id == alliance.id)
        )
    }
    changed = 0
    for mechanism in Mechanism:
        text = (wordings.get(mechanism) or "").strip()
        if not text:
            raise RuleError(_l("Word each of the four mechanisms."), mechanism.value)
        row = rows.get(mechanism)
        if row is None:
            db.session.add(
                CharterMechanism(
                    alliance_id=alliance.id, mechanism=mechanism, wording=text, updated_at=now
                )
            )
            changed += 1
        elif row.wording != text:
            row.wording, row.updated_at = text, now
            changed += 1
    db.session.flush()
    return changed


def communities_of(alliance_id: int) -> list[Community]:
    return list(
        db.session.scalars(
            select(Community)
            .join(AllianceCommunity, AllianceCommunity.community_id == Community.id)
            .where(AllianceCommunity.alliance_id == alliance_id)
            .order_by(Community.name)
        )
    )


def officers_of(alliance_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(AllianceOfficer, AllianceOfficer.user_id == User.id)
            .where(AllianceOfficer.alliance_id == alliance_id)
            .order_by(User.display_name)
        )
    )


# --- the district office's alliances -----------------------------------------------------------


def alliance_rows() -> Select:
    """Every visible alliance by name, with its members, shops and pending applications."""
    members = (
        select(func.count(Membership.id))
        .where(
            Membership.alliance_id == Alliance.id,
            Membership.status == MembershipStatus.APPROVED,
        )
        .scalar_subquery()
    )
    waiting = (
        select(func.count(Membership.id))
        .where(
            Membership.alliance_id == Alliance.id,
            Membership.status == MembershipStatus.APPLIED,
        )
        .scalar_subquery()
    )
    shops = select(func.count(Shop.id)).where(Shop.alliance_id == Alliance.id).scalar_subquery()
    return (
        select(
            Alliance,
            members.label("members"),
            shops.label("shops"),
            waiting.label("waiting"),
        )
        .where(scope(Alliance))
        .order_by(Alliance.name)
    )


def free_officers() -> list[User]:
    """Officer accounts that run no alliance yet, who may be appointed to a new one."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role == Role.OFFICER,
                User.is_active.is_(True),
                User.id.not_in(select(AllianceOfficer.user_id)),
            )
            .order_by(User.display_name, User.username)
        )
    )


refuse_duplicates(
    Alliance.__table__,
    ("name",),
    "name",
    lambda _r: _l("An alliance of this name exists already."),
)
refuse_duplicates(
    AllianceOfficer.__table__,
    ("user_id",),
    "officer_id",
    lambda _r: _l("This officer runs another alliance already."),
)


def create_alliance(values: Mapping[str, str], officer_id: int) -> Alliance:
    """A new alliance with the default wording of its charter and its first officer, an
    officer account running no alliance yet. The caller commits."""
    officer = db.session.get(User, officer_id)
    if officer is None or officer.id not in {free.id for free in free_officers()}:
        raise RuleError(_l("Choose an officer who runs no alliance yet."), "officer_id")
    alliance = Alliance(
        name=values["name"].strip(),
        street=values["street"].strip(),
        city=values["city"].strip(),
        district=values["district"].strip(),
        description=(values.get("description") or "").strip() or None,
    )
    db.session.add(alliance)
    db.session.flush()
    save_charter(alliance, {m: str(text) for m, text in DEFAULT_CHARTER.items()})
    db.session.add(AllianceOfficer(alliance_id=alliance.id, user_id=officer.id))
    db.session.flush()
    return alliance


DEFAULT_CHARTER = {
    Mechanism.HONEST_TRADING: _l(
        "Fair prices, true weights and clear labels; complaints are answered."
    ),
    Mechanism.FAIR_COMPETITION: _l("No price wars or poaching; disputes go to the alliance first."),
    Mechanism.DIFFERENTIATED_OFFERS: _l(
        "New shops complement the street instead of copying their neighbours."
    ),
    Mechanism.SHARED_TRAFFIC: _l("Joint events, a shared directory and referrals between shops."),
}


# --- the pledge ------------------------------------------------------------------------------


class PledgeState(enum.StrEnum):
    IN_FORCE = "in_force"
    LAPSING = "lapsing"  # in force, ending within RENEWAL_DAYS
    LAPSED = "lapsed"
    NONE = "none"


@dataclass(frozen=True)
class PledgeStanding:
    """Where a merchant's pledge stands: its state, the latest pledge, days until it ends."""

    state: PledgeState
    pledge: Pledge | None
    days_left: int | None = None

    @property
    def may_sign(self) -> bool:
        return self.state is not PledgeState.IN_FORCE


def _latest_pledge(merchant_id: int, alliance_id: int) -> Pledge | None:
    return db.session.scalar(
        select(Pledge)
        .where(Pledge.merchant_id == merchant_id, Pledge.alliance_id == alliance_id)
        .order_by(Pledge.expires_on.desc(), Pledge.id.desc())
        .limit(1)
    )


def state_on(expires_on: date | None, today: date) -> PledgeState:
    """The state of a pledge ending on `expires_on` (None: never signed) on `today`."""
    if expires_on is None:
        return PledgeState.NONE
    left = (expires_on - today).days
    if left <= 0:
        return PledgeState.LAPSED
    return PledgeState.LAPSING if left <= RENEWAL_DAYS else PledgeState.IN_FORCE


def standing_of(pledge: Pledge | None, today: date) -> PledgeStanding:
    if pledge is None:
        return PledgeStanding(PledgeState.NONE, None)
    return PledgeStanding(
        state_on(pledge.expires_on, today), pledge, (pledge.expires_on - today).days
    )


def pledge_state(merchant_id: int, alliance_id: int, today: date | None = None) -> PledgeStanding:
    """Where the merchant's pledge to the alliance stands on `today` (default: Shanghai's
    today): in force, lapsing soon (in force, ending within 30 days), lapsed, or none signed.
    `.state` is the PledgeState, `.pledge` the latest pledge, `.days_left` until it ends."""
    return standing_of(_latest_pledge(merchant_id, alliance_id), today or shanghai_today())


def sign_pledge(
    merchant: Merchant, alliance: Alliance, user: User, today: date | None = None
) -> Pledge:
    """The member signs the alliance's four mechanisms in their wording of today, for
    PLEDGE_DAYS. A pledge is never edited: within 30 days of its end, or once it has lapsed,
    the member signs a new one, and the old one stays as it was signed. The caller commits."""
    today = today or shanghai_today()
    if not is_member(merchant.id, alliance.id):
        raise RuleError(_l("Only members of the alliance sign its pledge."))
    standing = pledge_state(merchant.id, alliance.id, today)
    if not standing.may_sign:
        raise RuleError(PLEDGE_IN_FORCE)
    wording = charter(alliance.id)
    if not all(wording.values()):
        raise RuleError(_l("The alliance has not worded its charter yet; ask its officer."))
    pledge = Pledge(
        merchant_id=merchant.id,
        alliance_id=alliance.id,
        signed_on=today,
        expires_on=today + timedelta(days=PLEDGE_DAYS),
        wording={mechanism.value: text for mechanism, text in wording.items()},
        signed_by_user_id=user.id,
    )
    db.session.add(pledge)
    db.session.flush()
    return pledge


def pledges_to_renew(alliance_id: int, today: date | None = None) -> Select:
    """The alliance's members whose pledge lapses within 30 days, has lapsed, or was never
    signed, the soonest first (never signed last): merchant, expires_on."""
    today = today or shanghai_today()
    latest = (
        select(Pledge.merchant_id, func.max(Pledge.expires_on).label("expires_on"))
        .where(Pledge.alliance_id == alliance_id)
        .group_by(Pledge.merchant_id)
        .subquery()
    )
    return (
        select(Merchant, latest.c.expires_on)
        .join(Membership, Membership.merchant_id == Merchant.id)
        .outerjoin(latest, latest.c.merchant_id == Merchant.id)
        .where(
            Membership.alliance_id == alliance_id,
            Membership.status == MembershipStatus.APPROVED,
            scope(Membership),
            (latest.c.expires_on.is_(None))
            | (latest.c.expires_on <= today + timedelta(days=RENEWAL_DAYS)),
        )
        .order_by(latest.c.expires_on.is_(None), latest.c.expires_on, Merchant.business_name)
    )


# --- the landing pages' upgrades and totals ------------------------------------------------------


def _latest_revisions() -> Any:
    return (
        select(UpgradeRevision.upgrade_id, func.max(UpgradeRevision.number).label("number"))
        .group_by(UpgradeRevision.upgrade_id)
        .subquery()
    )


def merchant_upgrades(merchant_id: int) -> list[Any]:
    """The merchant's upgrades, latest first: upgrade, shop, its latest revision (investment,
    and an officer's reason when it was returned)."""
    latest = _latest_revisions()
    return list(
        db.session.execute(
            select(Upgrade, Shop, UpgradeRevision)
            .join(Shop, Shop.id == Upgrade.shop_id)
            .join(latest, latest.c.upgrade_id == Upgrade.id)
            .join(
                UpgradeRevision,
                (UpgradeRevision.upgrade_id == Upgrade.id)
                & (UpgradeRevision.number == latest.c.number),
            )
            .where(Upgrade.merchant_id == merchant_id, scope(Upgrade))
            .order_by(Upgrade.updated_at.desc(), Upgrade.id.desc())
        )
    )


def upgrades_waiting(alliance_id: int) -> Select:
    """The alliance's upgrades submitted for review, the longest waiting first: upgrade, shop,
    merchant, the open revision."""
    return (
        select(Upgrade, Shop, Merchant, UpgradeRevision)
        .join(Shop, Shop.id == Upgrade.shop_id)
        .join(Merchant, Merchant.id == Upgrade.merchant_id)
        .join(
            UpgradeRevision,
            (UpgradeRevision.upgrade_id == Upgrade.id) & UpgradeRevision.decision.is_(None),
        )
        .where(
            Upgrade.alliance_id == alliance_id,
            Upgrade.status == UpgradeStatus.SUBMITTED,
            UpgradeRevision.submitted_at.is_not(None),
            scope(Upgrade),
        )
        .order_by(UpgradeRevision.submitted_at, Upgrade.id)
    )


@dataclass(frozen=True)
class OriginTotals:
    shops: int = 0
    upgrades: int = 0
    investment_fen: int = 0


def alliance_totals(alliance_id: int) -> dict[ShopOrigin, OriginTotals]:
    """The alliance's counted shops and investment, for upgraded and for new shops."""
    rows = db.session.execute(ledger.summary(Shop.alliance_id == alliance_id))
    totals = {origin: OriginTotals() for origin in ShopOrigin}
    for row in rows:
        totals[ShopOrigin(row.origin)] = OriginTotals(
            row.shops, row.upgrades, int(row.investment_fen)
        )
    return totals
