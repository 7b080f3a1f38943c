"""Who sees the merchant alliance's records.

A merchant sees their own business, applications, shops, upgrades and pledges — until an
application is approved nothing else — and the alliances (to apply to one). An officer sees
their own alliance and what its merchants brought to it: applications, members, shops,
upgrades with every revision and photo, pledges. The public sees the alliances and, in their
directory, the shops of approved members only, with the photos of approved upgrades; never a
draft, a returned revision or another alliance's application. The district office sees all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, select, true

from app.authz import Audience, Rule, Rules
from app.models import (
    Alliance,
    AllianceCommunity,
    AllianceOfficer,
    CharterMechanism,
    Membership,
    MembershipStatus,
    Merchant,
    Pledge,
    Shop,
    Upgrade,
    UpgradePhoto,
    UpgradeRevision,
    User,
)


def own_merchant(user: User) -> Select:
    return select(Merchant.id).where(Merchant.user_id == user.id)


def officer_alliances(user: User) -> Select:
    return select(AllianceOfficer.alliance_id).where(AllianceOfficer.user_id == user.id)


def approved_member(merchant_id: object, alliance_id: object) -> ColumnElement[bool]:
    """The merchant is an approved member of the alliance (both columns of the outer row)."""
    return (
        select(Membership.id)
        .where(
            Membership.merchant_id == merchant_id,
            Membership.alliance_id == alliance_id,
            Membership.status == MembershipStatus.APPROVED,
        )
        .exists()
    )


def listed_shop() -> ColumnElement[bool]:
    """A shop the public directory may show: its merchant is an approved member of its
    alliance."""
    return approved_member(Shop.merchant_id, Shop.alliance_id)


def _public_upgrades() -> Select:
    """Upgrades of listed shops that an officer has approved (a later revision awaiting review
    does not hide the approved one)."""
    return select(Upgrade.id).where(
        Upgrade.approved_revision_id.is_not(None),
        Upgrade.shop_id.in_(select(Shop.id).where(listed_shop())),
    )


def _officer(column: Any) -> Rule:
    return lambda user: column.in_(officer_alliances(user))


def _merchant(column: Any) -> Rule:
    return lambda user: column.in_(own_merchant(user))


RULES: Rules = {
    Alliance: {
        Audience.MERCHANT: lambda u: true(),
        Audience.OFFICER: _officer(Alliance.id),
        Audience.PUBLIC: lambda u: true(),
        Audience.STAFF: lambda u: true(),
        Audience.RESIDENT: lambda u: true(),
    },
    CharterMechanism: {
        Audience.MERCHANT: lambda u: true(),
        Audience.OFFICER: _officer(CharterMechanism.alliance_id),
        Audience.PUBLIC: lambda u: true(),
    },
    AllianceCommunity: {
        Audience.OFFICER: _officer(AllianceCommunity.alliance_id),
        Audience.PUBLIC: lambda u: true(),
        Audience.MERCHANT: lambda u: true(),
    },
    AllianceOfficer: {Audience.OFFICER: lambda u: AllianceOfficer.user_id == u.id},
    Merchant: {
        Audience.MERCHANT: lambda u: Merchant.user_id == u.id,
        Audience.OFFICER: lambda u: Merchant.id.in_(
            select(Membership.merchant_id).where(Membership.alliance_id.in_(officer_alliances(u)))
        ),
    },
    Membership: {
        Audience.MERCHANT: _merchant(Membership.merchant_id),
        Audience.OFFICER: _officer(Membership.alliance_id),
    },
    Shop: {
        Audience.MERCHANT: _merchant(Shop.merchant_id),
        Audience.OFFICER: _officer(Shop.alliance_id),
        Audience.PUBLIC: lambda u: listed_shop(),
    },
    Upgrade: {
        Audience.MERCHANT: _merchant(Upgrade.merchant_id),
        Audience.OFFICER: _officer(Upgrade.alliance_id),
        Audience.PUBLIC: lambda u: Upgrade.id.in_(_public_upgrades()),
    },
    UpgradeRevision: {
        Audience.MERCHANT: lambda u: UpgradeRevision.upgrade_id.in_(
            select(Upgrade.id).where(Upgrade.merchant_id.in_(own_merchant(u)))
        ),
        Audience.OFFICER: _officer(UpgradeRevision.alliance_id),
        # The public reads only the revision an officer approved.
        Audience.PUBLIC: lambda u: UpgradeRevision.id.in_(
            select(Upgrade.approved_revision_id).where(Upgrade.id.in_(_public_upgrades()))
        ),
    },
    UpgradePhoto: {
        Audience.MERCHANT: lambda u: UpgradePhoto.upgrade_id.in_(
            select(Upgrade.id).where(Upgrade.merchant_id.in_(own_merchant(u)))
        ),
        Audience.OFFICER: _officer(UpgradePhoto.alliance_id),
        Audience.PUBLIC: lambda u: UpgradePhoto.upgrade_id.in_(_public_upgrades()),
    },
    Pledge: {
        Audience.MERCHANT: _merchant(Pledge.merchant_id),
        Audience.OFFICER: _officer(Pledge.alliance_id),
        # The directory says whether a member's pledge is in force.
        Audience.PUBLIC: lambda u: approved_member(Pledge.merchant_id, Pledge.alliance_id),
    },
}
