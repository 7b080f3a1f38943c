"""The public shop directory (商户名录): each alliance's listed shops — those of its approved
members — with their photos, the alliance's badge and whether the merchant's pledge is in force.

Everything here is read the way the public reads it, through the anonymous audience, whoever
asks: a signed-in merchant or officer sees in the directory exactly what a passer-by sees, never
a draft, an applicant's shop or a returned revision. No contact data but the phone the merchant
chose to publish.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_login import AnonymousUserMixin
from sqlalchemy import ColumnElement, Select, case, func, or_, select

from app.authz import scope
from app.extensions import db
from app.models import (
    Alliance,
    PhotoStage,
    Pledge,
    Shop,
    ShopCategory,
    Upgrade,
    UpgradePhoto,
    UpgradeRevision,
)
from app.periods import shanghai_today

ANONYMOUS = AnonymousUserMixin()
PHOTO_KIND = "alliance"


def public(model: type) -> ColumnElement[bool]:
    return scope(model, ANONYMOUS)


def pledge_in_force(today: date | None = None) -> ColumnElement[bool]:
    """The shop's merchant has a pledge to the shop's alliance running past `today`."""
    return (
        select(Pledge.id)
        .where(
            Pledge.merchant_id == Shop.merchant_id,
            Pledge.alliance_id == Shop.alliance_id,
            Pledge.expires_on > (today or shanghai_today()),
            public(Pledge),
        )
        .exists()
    )


def _stage_order() -> ColumnElement[int]:
    # Before, then after: the change reads left to right.
    return case((UpgradePhoto.stage == PhotoStage.BEFORE, 0), else_=1)


def _cover_photo() -> ColumnElement[int]:
    """The id of the shop's photo shown on its card: the latest approved upgrade's first
    "after" photo, or else its first photo."""
    return (
        select(UpgradePhoto.id)
        .join(Upgrade, Upgrade.id == UpgradePhoto.upgrade_id)
        .where(Upgrade.shop_id == Shop.id, public(UpgradePhoto))
        .order_by(Upgrade.id.desc(), _stage_order().desc(), UpgradePhoto.id)
        .limit(1)
        .correlate(Shop)
        .scalar_subquery()
    )


def listed_alliances() -> Select:
    """Every alliance, with how many shops its directory lists."""
    listed = (
        select(func.count(Shop.id))
        .where(Shop.alliance_id == Alliance.id, public(Shop))
        .correlate(Alliance)
        .scalar_subquery()
    )
    return (
        select(Alliance, listed.label("shops"))
        .where(public(Alliance))
        .order_by(Alliance.city, Alliance.district, Alliance.name)
    )


def public_alliance(alliance_id: int) -> Alliance | None:
    return db.session.scalar(select(Alliance).where(Alliance.id == alliance_id, public(Alliance)))


def category_counts(alliance: Alliance) -> dict[ShopCategory, int]:
    rows = db.session.execute(
        select(Shop.category, func.count())
        .where(Shop.alliance_id == alliance.id, public(Shop))
        .group_by(Shop.category)
    )
    return {category: count for category, count in rows}


def _contains(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    # lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
    return func.lower(column).contains(text.lower(), autoescape=True)


def shop_rows(
    alliance: Alliance,
    category: ShopCategory | None = None,
    q: str = "",
    today: date | None = None,
) -> Select:
    """The alliance's listed shops, by name: each with whether its pledge is in force and the
    photo for its card; narrowed to a category and to a text in the name, the address or the
    description."""
    query = (
        select(
            Shop,
            pledge_in_force(today).label("pledged"),
            _cover_photo().label("photo_id"),
        )
        .where(Shop.alliance_id == alliance.id, public(Shop))
        .order_by(Shop.name, Shop.id)
    )
    if category is not None:
        query = query.where(Shop.category == category)
    if text := q.strip():
        query = query.where(
            or_(
                _contains(Shop.name, text),
                _contains(Shop.address, text),
                _contains(Shop.description, text),
            )
        )
    return query


def pledged_members(alliance: Alliance, today: date | None = None) -> int:
    """How many listed shops have their merchant's pledge in force."""
    return db.session.scalar(
        select(func.count(Shop.id)).where(
            Shop.alliance_id == alliance.id, public(Shop), pledge_in_force(today)
        )
    )


@dataclass(frozen=True)
class ListedShop:
    shop: Shop
    alliance: Alliance
    pledged: bool


def public_shop(shop_id: int, today: date | None = None) -> ListedShop | None:
    row = db.session.execute(
        select(Shop, Alliance, pledge_in_force(today).label("pledged"))
        .join(Alliance, Alliance.id == Shop.alliance_id)
        .where(Shop.id == shop_id, public(Shop))
    ).first()
    return ListedShop(row.Shop, row.Alliance, bool(row.pledged)) if row else None


@dataclass(frozen=True)
class ShownUpgrade:
    """An approved upgrade as the directory shows it: the work and its photos."""

    work: str
    finishes_on: date
    photos: Sequence[UpgradePhoto]


def shop_upgrades(shop: Shop) -> list[ShownUpgrade]:
    """The shop's approved upgrades, latest first, each with the approved revision's text and
    its photos, before then after."""
    revisions = db.session.execute(
        select(Upgrade.id, UpgradeRevision.work, UpgradeRevision.finishes_on)
        .join(UpgradeRevision, UpgradeRevision.id == Upgrade.approved_revision_id)
        .where(Upgrade.shop_id == shop.id, public(Upgrade), public(UpgradeRevision))
        .order_by(UpgradeRevision.finishes_on.desc(), Upgrade.id.desc())
    ).all()
    photos = db.session.scalars(
        select(UpgradePhoto)
        .where(
            UpgradePhoto.upgrade_id.in_([r.id for r in revisions]),
            public(UpgradePhoto),
        )
        .order_by(_stage_order(), UpgradePhoto.id)
    ).all()
    by_upgrade: dict[int, list[UpgradePhoto]] = {}
    for photo in photos:
        by_upgrade.setdefault(photo.upgrade_id, []).append(photo)
    return [ShownUpgrade(r.work, r.finishes_on, by_upgrade.get(r.id, [])) for r in revisions]


def public_photo(photo_id: int) -> UpgradePhoto | None:
    """A photo the public may see: of an approved upgrade of a listed shop."""
    return db.session.scalar(
        select(UpgradePhoto).where(UpgradePhoto.id == photo_id, public(UpgradePhoto))
    )
