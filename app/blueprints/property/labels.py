"""Labels of the property area's stored codes, in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import (
    CompanyKind,
    ImportStatus,
    ManagementMode,
    RequestCategory,
    RequestChannel,
    RequestLocation,
    RequestStatus,
    StaffPosition,
)

LABELS = [
    (CompanyKind.RED, _l("Red property company")),
    (CompanyKind.MARKET, _l("Market property company")),
    (CompanyKind.SELF_MANAGED, _l("Resident self-management")),
    (ManagementMode.RED_PROPERTY, _l("Red property")),
    (ManagementMode.MARKET_PROPERTY, _l("Market property")),
    (ManagementMode.SELF_MANAGED, _l("Self-managed")),
    (StaffPosition.STEWARD, _l("Property steward")),
    (StaffPosition.MANAGER, _l("Manager")),
    (StaffPosition.CLEANER, _l("Cleaner")),
    (StaffPosition.SECURITY, _l("Security guard")),
    (StaffPosition.MAINTENANCE, _l("Maintenance")),
    (StaffPosition.GRID_WORKER, _l("Grid worker")),
    (ImportStatus.VALIDATING, _l("Checking")),
    (ImportStatus.INVALID, _l("Has errors")),
    (ImportStatus.READY, _l("Ready to import")),
    (ImportStatus.IMPORTING, _l("Importing")),
    (ImportStatus.DONE, _l("Imported")),
    (ImportStatus.FAILED, _l("Stopped")),
    (RequestCategory.REPAIR, _l("Repair")),
    (RequestCategory.COMPLAINT, _l("Complaint")),
    (RequestCategory.SAFETY, _l("Safety hazard")),
    (RequestCategory.DISPUTE, _l("Neighbour dispute")),
    (RequestCategory.SUGGESTION, _l("Suggestion")),
    (RequestLocation.HOUSEHOLD, _l("In the home")),
    (RequestLocation.CORRIDOR, _l("The unit's corridor")),
    (RequestLocation.COMMON_AREA, _l("A common area")),
    (RequestStatus.SUBMITTED, _l("Received")),
    (RequestStatus.DISPATCHED, _l("Dispatched")),
    (RequestStatus.RESOLVED, _l("Resolved, awaiting confirmation")),
    (RequestStatus.CLOSED, _l("Closed")),
    (RequestStatus.REOPENED, _l("Reopened")),
    (RequestChannel.APP, _l("Online")),
    (RequestChannel.WINDOW, _l("At the service window")),
    (RequestChannel.PHONE, _l("By phone")),
]
