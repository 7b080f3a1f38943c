"""Labels of the pacts area's stored codes, in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import Answer, AnswerChannel, CampaignScope, CampaignStatus, StewardKind

LABELS = [
    (StewardKind.STEWARD, _l("Property steward")),
    (StewardKind.LEADER, _l("Building leader")),
    (CampaignScope.UNIT, _l("One unit")),
    (CampaignScope.BUILDING, _l("One building")),
    (CampaignScope.COMMUNITY, _l("Whole community")),
    (CampaignStatus.DRAFT, _l("Draft")),
    (CampaignStatus.OPEN, _l("Canvassing")),
    (CampaignStatus.ADOPTED, _l("Adopted")),
    (CampaignStatus.CLOSED, _l("Closed without adoption")),
    (Answer.AGREE, _l("Agree")),
    (Answer.DISAGREE, _l("Disagree")),
    (Answer.ABSENT, _l("Not at home")),
    (AnswerChannel.ONLINE, _l("Signed online")),
    (AnswerChannel.DOOR, _l("At the door")),
]
