"""Display names, in the user's language, for the values stored as codes."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from app.models import (
    CompanyKind,
    CreditReason,
    FeeKind,
    ImportStatus,
    ManagementMode,
    PaymentKind,
    PaymentMethod,
    RequestCategory,
    RequestChannel,
    RequestLocation,
    RequestStatus,
    Role,
    StaffPosition,
)

# Pairs, not a dict literal: enums whose values coincide (Role.MANAGER and
# StaffPosition.MANAGER are both "manager") would collide as keys of one dict.
_PAIRS: list[tuple[enum.Enum, object]] = [
    (Role.ADMIN, _l("District office")),
    (Role.MANAGER, _l("Property manager")),
    (Role.STEWARD, _l("Property steward")),
    (Role.RESIDENT, _l("Resident")),
    (Role.MERCHANT, _l("Merchant")),
    (Role.OFFICER, _l("Alliance officer")),
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
    (ImportStatus.VALIDATING, _l("Checking")),
    (ImportStatus.INVALID, _l("Has errors")),
    (ImportStatus.READY, _l("Ready to import")),
    (ImportStatus.IMPORTING, _l("Importing")),
    (ImportStatus.DONE, _l("Imported")),
    (ImportStatus.FAILED, _l("Stopped")),
    (FeeKind.PROPERTY, _l("Property fee")),
    (FeeKind.PARKING, _l("Parking fee")),
    (FeeKind.FIXED, _l("Fixed monthly charge")),
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
    (PaymentMethod.CASH, _l("Cash")),
    (PaymentMethod.WECHAT, _l("WeChat Pay")),
    (PaymentMethod.ALIPAY, _l("Alipay")),
    (PaymentMethod.BANK, _l("Bank transfer")),
    (PaymentKind.PAYMENT, _l("Payment")),
    (PaymentKind.REVERSAL, _l("Reversal")),
    (CreditReason.OVERPAYMENT, _l("Overpayment kept as credit")),
    (CreditReason.PREPAYMENT, _l("Paid in advance")),
    (CreditReason.APPLIED, _l("Used for a bill")),
    (CreditReason.REVERSED, _l("Taken back by a reversal")),
]
LABELS = {(type(value), value): text for value, text in _PAIRS}


def label(value: enum.Enum) -> str:
    return str(LABELS.get((type(value), value), value.value))
