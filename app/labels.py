"""Display names, in the user's language, for the values stored as codes."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from app.models import CompanyKind, ManagementMode, Role, StaffPosition

LABELS: dict[enum.Enum, object] = {
    Role.ADMIN: _l("District office"),
    Role.MANAGER: _l("Property manager"),
    Role.STEWARD: _l("Property steward"),
    Role.RESIDENT: _l("Resident"),
    Role.MERCHANT: _l("Merchant"),
    Role.OFFICER: _l("Alliance officer"),
    CompanyKind.RED: _l("Red property company"),
    CompanyKind.MARKET: _l("Market property company"),
    CompanyKind.SELF_MANAGED: _l("Resident self-management"),
    ManagementMode.RED_PROPERTY: _l("Red property"),
    ManagementMode.MARKET_PROPERTY: _l("Market property"),
    ManagementMode.SELF_MANAGED: _l("Self-managed"),
    StaffPosition.STEWARD: _l("Property steward"),
    StaffPosition.MANAGER: _l("Manager"),
    StaffPosition.CLEANER: _l("Cleaner"),
    StaffPosition.SECURITY: _l("Security guard"),
    StaffPosition.MAINTENANCE: _l("Maintenance"),
}


def label(value: enum.Enum) -> str:
    return str(LABELS.get(value, value.value))
