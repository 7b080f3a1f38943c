"""What a campaign covers and what it takes to adopt: the households and units in its scope
(as SQL, for one campaign or correlated to every campaign of a query), its threshold, and the
names of its three rounds."""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, or_, select, true

from app.models import CampaignScope, Household, SigningCampaign, Unit

# The three rounds of 三轮入户: who knocks on the door.
ROUNDS = {
    1: _l("Owners' committee"),  # 业委会
    2: _l("Grid worker"),  # 网格员
    3: _l("Joint visit"),  # 联合走访
}
LAST_ROUND = max(ROUNDS)


@dataclass(frozen=True)
class Threshold:
    """Support needed, as the fraction numerator/denominator of the households in scope."""

    numerator: int
    denominator: int

    @classmethod
    def percent(cls, value: int) -> Threshold:
        common = gcd(value, 100)
        return cls(value // common, 100 // common)

    @classmethod
    def of(cls, campaign: SigningCampaign) -> Threshold:
        return cls(campaign.threshold_numerator, campaign.threshold_denominator)

    @property
    def valid(self) -> bool:
        return 1 <= self.numerator <= self.denominator

    def reached(self, agreed: int, households: int) -> bool:
        """In whole numbers, so that two thirds of 30 is 20 exactly, never 19.999…"""
        return agreed * self.denominator >= self.numerator * households

    def needed(self, households: int) -> int:
        """The fewest agreeing households that reach the threshold."""
        return -(-self.numerator * households // self.denominator)

    @property
    def key(self) -> str:
        """The preset it is, in the form's terms ("2/3"), or "custom"."""
        text = f"{self.numerator}/{self.denominator}"
        return text if text in PRESETS else "custom"

    @property
    def label(self) -> str:
        """2/3 as "2/3 (66.7%)", 11/20 as "55%"."""
        share = format_decimal(self.numerator * 100 / self.denominator, format="0.#")
        return (
            f"{self.numerator}/{self.denominator} ({share}%)"
            if self.key != "custom"
            else f"{share}%"
        )


PRESETS = {"1/2": Threshold(1, 2), "2/3": Threshold(2, 3), "3/4": Threshold(3, 4)}
DEFAULT_THRESHOLD = PRESETS["2/3"]


def households_in(campaign: SigningCampaign) -> ColumnElement[bool]:
    """The Households (joined to their Unit) that a campaign asks."""
    return (Household.community_id == campaign.community_id) & units_in(campaign)


def units_in(campaign: SigningCampaign) -> ColumnElement[bool]:
    """The Units a campaign covers, and whose pact it adopts."""
    if campaign.scope == CampaignScope.UNIT:
        target = Unit.id == campaign.unit_id
    elif campaign.scope == CampaignScope.BUILDING:
        target = Unit.building_id == campaign.building_id
    else:
        target = true()
    return (Unit.community_id == campaign.community_id) & target


def covers_unit() -> ColumnElement[bool]:
    """SigningCampaign covers Unit, correlated: for queries over many campaigns at once."""
    c = SigningCampaign
    return and_(
        c.community_id == Unit.community_id,
        or_(
            c.scope == CampaignScope.COMMUNITY,
            (c.scope == CampaignScope.BUILDING) & (c.building_id == Unit.building_id),
            (c.scope == CampaignScope.UNIT) & (c.unit_id == Unit.id),
        ),
    )


def overlaps(campaign: SigningCampaign) -> ColumnElement[bool]:
    """Another SigningCampaign of the community that covers a unit this one covers too."""
    c = SigningCampaign
    if campaign.scope == CampaignScope.COMMUNITY:
        shared = true()
    elif campaign.scope == CampaignScope.BUILDING:
        units = select(Unit.id).where(Unit.building_id == campaign.building_id)
        shared = (c.building_id == campaign.building_id) | c.unit_id.in_(units)
    else:
        building = select(Unit.building_id).where(Unit.id == campaign.unit_id)
        shared = (c.unit_id == campaign.unit_id) | c.building_id.in_(building)
    return and_(
        c.community_id == campaign.community_id,
        c.id != campaign.id,
        (c.scope == CampaignScope.COMMUNITY) | shared,
    )
