"""One row of a roster file: each cell read and checked as the roster stores it.

A bad cell becomes an error as the job stores it (`row_error`), language-neutral; the job's
page translates it. The checks across rows (the same room twice, a room the community has
already) are the pipeline's, in SQL.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from app.blueprints.property.imports.reading import COLUMNS, EMPTY, Cell
from app.blueprints.property.roster.services import strip_suffix
from app.phones import normalise_phone
from app.rules import RuleError

MAX_AREA = Decimal("99999999.99")  # Numeric(10, 2)
FLOORS = range(-5, 201)
_AREA_UNIT = re.compile(r"\s*(m2|平方米|平米)$")  # after NFKC, ㎡ and m² are both "m2"
_FLOOR = re.compile(r"(-?\d{1,4})\s*(层|楼|f)?")


class _BadValue(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _floor(text: str) -> int:
    match = _FLOOR.fullmatch(text.lower())
    if not match or int(match.group(1)) not in FLOORS:
        raise _BadValue("floor")
    return int(match.group(1))


def _area(text: str) -> Decimal:
    try:
        value = Decimal(_AREA_UNIT.sub("", text.lower()))
    except InvalidOperation:
        raise _BadValue("area_number") from None
    if not value.is_finite():
        raise _BadValue("area_number")
    if value <= 0:
        raise _BadValue("area_positive")
    if value != value.quantize(Decimal("0.01")):
        raise _BadValue("area_decimals")
    if value > MAX_AREA:
        raise _BadValue("area_large")
    return value.quantize(Decimal("0.01"))


def _phone(text: str) -> str:
    try:
        return normalise_phone(text)
    except RuleError:
        raise _BadValue("phone") from None


_PARSERS = {
    "building": lambda text: strip_suffix(text, "building"),
    "unit": lambda text: strip_suffix(text, "unit"),
    "room": lambda text: strip_suffix(text, "room"),
    "floor": _floor,
    "area_m2": _area,
    "owner_name": lambda text: re.sub(r"\s+", " ", text),
    "phone": _phone,
}


def row_error(row: int, column: str, code: str, value: str = "", **params: Any) -> dict[str, Any]:
    """An error as the job stores it: language-neutral, translated when it is shown."""
    return {"row": row, "column": column, "code": code, "value": value[:40], **params}


def parse_row(
    row_number: int, cells: dict[str, Cell]
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The row's values ready for staging, or None and the errors of each bad cell."""
    values: dict[str, Any] = {}
    errors = []
    for column in COLUMNS:
        cell = cells.get(column.key, EMPTY)
        if cell.formula:
            errors.append(row_error(row_number, column.key, "formula", cell.text))
            continue
        # NFKC turns full-width digits and letters (１０１, ＡＢ) into plain ones.
        text = unicodedata.normalize("NFKC", cell.text).strip()
        if not text:
            if column.required:
                errors.append(row_error(row_number, column.key, "required"))
            values[column.key] = None
            continue
        try:
            value = _PARSERS[column.key](text)
        except _BadValue as bad:
            errors.append(row_error(row_number, column.key, bad.code, cell.text))
            continue
        if isinstance(value, str) and len(value) > column.max_length:
            errors.append(
                row_error(row_number, column.key, "too_long", cell.text, max=column.max_length)
            )
            continue
        values[column.key] = value
    return (None if errors else values), errors
