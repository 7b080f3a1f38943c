"""Labels of the alliance's stored codes, in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.blueprints.alliance.members.services import PledgeState
from app.models import (
    Mechanism,
    MembershipStatus,
    PhotoStage,
    RevisionDecision,
    ShopCategory,
    ShopOrigin,
    UpgradeStatus,
)

LABELS = [
    (Mechanism.HONEST_TRADING, _l("Honest trading")),
    (Mechanism.FAIR_COMPETITION, _l("Fair competition")),
    (Mechanism.DIFFERENTIATED_OFFERS, _l("Differentiated offers")),
    (Mechanism.SHARED_TRAFFIC, _l("Shared customer traffic")),
    (MembershipStatus.APPLIED, _l("Awaiting a decision")),
    (MembershipStatus.APPROVED, _l("Member")),
    (MembershipStatus.DECLINED, _l("Declined")),
    (ShopCategory.FOOD, _l("Food")),
    (ShopCategory.RETAIL, _l("Retail")),
    (ShopCategory.LODGING, _l("Lodging")),
    (ShopCategory.BAR_CAFE, _l("Bar and café")),
    (ShopCategory.SERVICES, _l("Services")),
    (ShopCategory.CULTURE, _l("Culture")),
    (ShopOrigin.UPGRADED, _l("Upgraded existing shop")),
    (ShopOrigin.NEW, _l("New shop")),
    (UpgradeStatus.DRAFT, _l("Draft")),
    (UpgradeStatus.SUBMITTED, _l("Submitted for review")),
    (UpgradeStatus.RETURNED, _l("Returned to fix")),
    (UpgradeStatus.APPROVED, _l("Approved")),
    (UpgradeStatus.COMPLETED, _l("Completed")),
    (PledgeState.IN_FORCE, _l("Pledge in force")),
    (PledgeState.LAPSING, _l("Pledge lapsing soon")),
    (PledgeState.LAPSED, _l("Pledge lapsed")),
    (PledgeState.NONE, _l("No pledge signed")),
    (RevisionDecision.APPROVED, _l("Approved")),
    (RevisionDecision.RETURNED, _l("Returned")),
    (PhotoStage.BEFORE, _l("Before")),
    (PhotoStage.AFTER, _l("After")),
]
