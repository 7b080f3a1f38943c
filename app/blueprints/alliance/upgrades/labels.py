"""Labels of the upgrades part's stored codes, in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import PhotoStage, RevisionDecision, UpgradeStatus

LABELS = [
    (UpgradeStatus.DRAFT, _l("Draft")),
    (UpgradeStatus.SUBMITTED, _l("Awaiting review")),
    (UpgradeStatus.RETURNED, _l("Returned")),
    (UpgradeStatus.APPROVED, _l("Approved")),
    (UpgradeStatus.COMPLETED, _l("Completed")),
    (RevisionDecision.APPROVED, _l("Approved")),
    (RevisionDecision.RETURNED, _l("Returned")),
    (PhotoStage.BEFORE, _l("Before")),
    (PhotoStage.AFTER, _l("After")),
]
