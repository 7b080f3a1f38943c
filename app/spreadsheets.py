"""What every Excel or CSV export does with text that came from users: it stays text.

A cell that begins with "=", "+", "-", "@", a tab or a carriage return is read by Excel, WPS
and LibreOffice as a formula (=HYPERLINK(…) sends the sheet's data away when clicked), so
such text is written with a leading apostrophe, as OWASP's CSV-injection rule says.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: Any) -> Any:
    """`value` for a spreadsheet cell: text that could be read as a formula is neutralised;
    numbers, dates and other values pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def file_chunks(spool: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """A workbook spooled to a file, sent from its start in chunks (a streamed export)."""
    spool.seek(0)
    while chunk := spool.read(size):
        yield chunk
