"""What the roster accepts as typed: floor areas, building and unit numbers (phones: app.phones).

Forms, services and imports read a manager's text through the same functions, so a form and a
test of the service refuse the same input.
"""

from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.rules import RuleError

MAX_AREA = Decimal("9999.99")
AREA = re.compile(r"[0-9]{1,6}(?:\.[0-9]+)?")
# The word after a number (3栋 → 3, 2单元 → 2, 101室 → 101): the roster keeps bare numbers, so
# "3栋" typed in a form or a spreadsheet must meet the "3" already there.
SUFFIXES = {
    "building": ("号楼", "栋", "幢", "座"),
    "unit": ("单元",),
    "room": ("室", "号", "房"),
}
PLACE_NUMBER = re.compile(r"\S{1,16}")
MAX_FLOORS = 200  # as the building's CHECK constraint
# Buildings named by a number sort by it; others ("A", "综合楼") after them, with this key,
# which the generator and imports both give them and the edit form accepts.
NON_NUMERIC_SORT_KEY = MAX_SORT_KEY = 1_000_000
NUMBERED = re.compile(r"[0-9]{1,6}")


def parse_area(text: str | Decimal | None, field: str = "area_m2") -> Decimal:
    """A floor area in m² with at most two decimals, as the manager typed it."""
    # A form field left out of the submission keeps the stored Decimal: read it as text.
    value = ("" if text is None else str(text)).strip().removesuffix("m²").removesuffix("㎡")
    value = value.strip()
    if not AREA.fullmatch(value):
        raise RuleError(_l("Enter the floor area as a number, e.g. 89.5."), field)
    area = Decimal(value)
    if area <= 0 or area > MAX_AREA:
        raise RuleError(_l("The floor area must be between 0.01 and 9999.99 m²."), field)
    if area != area.quantize(Decimal("0.01")):
        raise RuleError(_l("Give the floor area with at most two decimals."), field)
    return area.quantize(Decimal("0.01"))


def building_sort_key(number: str) -> int:
    """Where a new building goes in lists: by its number, or after the numbered ones."""
    return int(number) if NUMBERED.fullmatch(number) else NON_NUMERIC_SORT_KEY


def strip_suffix(text: str, place: str) -> str:
    """`text` without the word after its number, for a "building", "unit" or "room"."""
    for suffix in SUFFIXES[place]:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)].strip()
    return text


def _place_number(text: str | None, place: str, message: object) -> str:
    value = strip_suffix((text or "").strip(), place)
    if not PLACE_NUMBER.fullmatch(value):
        raise RuleError(message, "number")
    return value


def building_number(text: str | None) -> str:
    return _place_number(
        text,
        "building",
        _l("Enter the building number without spaces, at most 16 characters, e.g. 3."),
    )


def unit_number(text: str | None) -> str:
    return _place_number(
        text,
        "unit",
        _l("Enter the unit number without spaces, at most 16 characters, e.g. 2."),
    )
