"""The arrears list as an Excel workbook, written row by row as the database yields them."""

from __future__ import annotations

from typing import IO, Any

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import Select

from app.extensions import db
from app.money import fen_to_yuan
from app.periods import format_period
from app.spreadsheets import as_text

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_BATCH = 500
YUAN_FORMAT = "#,##0.00"


def export_headings() -> list[str]:
    return [
        str(text)
        for text in (
            _l("Community"),
            _l("Building"),
            _l("Unit"),
            _l("Room"),
            _l("Owner"),
            _l("Phone"),
            _l("Months owed"),
            _l("Owed since"),
            _l("Principal owed (yuan)"),
            _l("Late fees owed (yuan)"),
            _l("Total owed (yuan)"),
        )
    ]


def _export_values(row: Any) -> list[Any]:
    home = row.Household
    return [
        row.community,
        row.building,
        row.unit,
        home.room,
        home.owner_name,
        home.phone or "",
        int(row.months),
        format_period(row.since),
        fen_to_yuan(int(row.principal_fen)),
        fen_to_yuan(int(row.late_fen)),
        fen_to_yuan(int(row.owed_fen)),
    ]


def write_arrears_xlsx(query: Select, out: IO[bytes], title: str) -> int:
    """Write the list as an .xlsx into `out`. The rows come from the database in batches (a
    server-side cursor on PostgreSQL) and openpyxl's write-only sheet spools them to a
    temporary file, so the whole table is never in memory. Returns the rows written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    heading = []
    for heading_text in export_headings():
        cell = WriteOnlyCell(sheet, value=heading_text)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    money_columns = range(8, 11)
    count = 0
    result = db.session.execute(query.execution_options(yield_per=EXPORT_BATCH))
    for row in result:
        cells: list[Any] = []
        for index, value in enumerate(_export_values(row)):
            cell = WriteOnlyCell(sheet, value=as_text(value))
            if index in money_columns:
                cell.number_format = YUAN_FORMAT
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(out)
    return count
