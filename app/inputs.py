"""What arrives from the browser, cleaned in one place before any view reads it.

- Control characters are stripped from every query and form value (tab and line breaks stay):
  PostgreSQL refuses a NUL in text, and no clerk means to type one.
- Integers are ids and counts the database can hold (32 bits, as PostgreSQL's INTEGER): a
  larger one in a path is simply not found, and `request.args.get(name, type=int)` treats it
  like any other value that is not a number (the default).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    return _CONTROL.sub("", value)


def record_id(value: Any) -> int:
    """An integer the database can store, from text of ASCII digits (int() would also take
    '²' or '٣'); ValueError otherwise. Also a WTForms `coerce`."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip()
        if not re.fullmatch(r"-?[0-9]{1,10}", text):
            raise ValueError(f"not an id: {value!r}")
        number = int(text)
    if not -MAX_ID <= number <= MAX_ID:
        raise ValueError(f"out of range: {value!r}")
    return number


def _clean(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value  # files pass as they are


class CleanValues(ImmutableMultiDict):
    """Query and form values without control characters, whose int conversions stay in range."""

    def __init__(self, mapping: Any = None) -> None:
        if isinstance(mapping, list):
            mapping = [(clean_text(key), _clean(value)) for key, value in mapping]
        super().__init__(mapping)

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:
        return super().get(key, default, record_id if type is int else type)


def cleaned(request_class: type[Request]) -> type[Request]:
    """`request_class` whose query and form values are CleanValues."""
    return type("CleanRequest", (request_class,), {"parameter_storage_class": CleanValues})


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in a route: past the database's range, the address matches nothing (404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
