"""Display names, in the user's language, for the values stored as codes. The roles' are
here; each area contributes the labels of its own codes when it is installed."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

from app.models import Role

# Keyed by (enum class, value), not by value: enums whose values coincide (Role.MANAGER and
# StaffPosition.MANAGER are both "manager") keep their own labels.
LABELS: dict[tuple[type, enum.Enum], object] = {}


def contribute(pairs: Iterable[tuple[enum.Enum, object]]) -> None:
    LABELS.update({(type(value), value): text for value, text in pairs})


def label(value: enum.Enum) -> str:
    return str(LABELS.get((type(value), value), value.value))


contribute(
    [
        (Role.ADMIN, _l("District office")),
        (Role.MANAGER, _l("Property manager")),
        (Role.STEWARD, _l("Property steward")),
        (Role.RESIDENT, _l("Resident")),
        (Role.MERCHANT, _l("Merchant")),
        (Role.OFFICER, _l("Alliance officer")),
    ]
)
