"""Reading a roster file: Excel workbooks and CSV text, their header row and their data rows.

Only the first rows are read when the file is opened, so a broken file is refused while the
manager is still on the upload form; the data rows are streamed later by the worker.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from types import TracebackType
from typing import Any, NamedTuple

import openpyxl
from defusedxml import ElementTree
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from app.rules import RuleError

HEADER_SCAN_ROWS = 10  # a title line or two above the headers is common in office rosters
MIN_HEADER_MATCHES = 3
ZIP_SIGNATURE = b"PK\x03\x04"
# Old .xls files and password-protected workbooks are OLE compound documents.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_DELIMITERS = (",", "\t", ";")
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a 50,000-row roster unpacks to about 20 MB
# A 50,000-row roster has about 150,000 distinct texts; openpyxl keeps every one in memory
# before the first row is read, so a workbook of millions of tiny strings is refused unread.
MAX_SHARED_STRINGS = 400_000
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ImportFileError(RuleError):
    """The file cannot be imported at all; the message says why, in the user's language, under
    the upload form's file field. A type of its own: reading tells it from a file that breaks."""

    def __init__(self, message: object) -> None:
        super().__init__(message, "file")


class UnreadableFile(Exception):
    """The file broke while its rows were being read, after it had opened fine."""


class Cell(NamedTuple):
    text: str
    formula: bool = False


EMPTY = Cell("")


@dataclass(frozen=True)
class Column:
    key: str  # the ImportRow attribute it fills
    header: str  # the template's Chinese header
    label: Any  # lazy, shown in messages and error lists
    aliases: tuple[str, ...]
    required: bool
    max_length: int
    width: int  # in the template, in characters


def normalize_header(text: str) -> str:
    """Headers compare loosely: full-width forms, case, spaces, marks of required columns
    and the unit of the area: "建筑面积（㎡）", "建筑面积(m²)*" and "Area (m2)" all match."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[\s_*\-]", "", text)
    text = re.sub(r"\((必填|选填|required|optional)\)$", "", text)
    return re.sub(r"\((m2|平方米|平米)\)$", "", text)


COLUMNS = (
    Column(
        "building",
        "楼栋",
        _l("Building"),
        ("楼栋", "楼栋号", "楼号", "栋", "栋号", "幢", "building", "buildingno", "buildingnumber"),
        True,
        16,
        8,
    ),
    Column(
        "unit", "单元", _l("Unit"), ("单元", "单元号", "unit", "unitno", "entrance"), True, 16, 8
    ),
    Column(
        "room",
        "房号",
        _l("Room number"),
        ("房号", "房间号", "室号", "户号", "门牌号", "room", "roomno", "roomnumber"),
        True,
        16,
        8,
    ),
    Column("floor", "楼层", _l("Floor"), ("楼层", "层", "所在楼层", "floor", "storey"), True, 4, 8),
    Column(
        "area_m2",
        "建筑面积(㎡)",
        _l("Floor area (m²)"),
        ("建筑面积", "面积", "房屋面积", "area", "aream2", "floorarea"),
        True,
        14,
        14,
    ),
    Column(
        "owner_name",
        "业主姓名",
        _l("Owner name"),
        ("业主姓名", "业主", "姓名", "户主", "户主姓名", "owner", "ownername", "name"),
        True,
        60,
        14,
    ),
    Column(
        "phone",
        "联系电话",
        _l("Contact phone"),
        ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "phone", "mobile", "tel"),
        False,
        32,
        16,
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
_HEADER_KEYS = {
    normalize_header(name): column.key
    for column in COLUMNS
    for name in (column.header, *column.aliases)
}
TEMPLATE_EXAMPLE = ("3", "1", "101", 1, 89.5, "王小萍", "13800000000")


def _text(value: object) -> str:
    """A cell's value as the text the manager sees in Excel."""
    if value is None:
        return ""
    if isinstance(value, float):
        # Excel stores every number as a float: 101.0 is room 101, 89.5 stays 89.5.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _xlsx_cell(cell: Any) -> Cell:
    if cell.data_type == "f":
        return Cell(_text(cell.value), formula=True)
    return Cell(_text(cell.value))


def _csv_cell(text: str) -> Cell:
    text = text.strip()
    # Excel turns "=…" into a formula when it opens a CSV, so it is refused like one.
    return Cell(text, formula=text.startswith("="))


RowSource = Callable[[int], Iterator[list[Cell]]]


class Roster:
    """An opened roster file: where its columns are, and its data rows on demand."""

    def __init__(
        self,
        source: RowSource,
        columns: dict[str, int],
        header_row: int,
        estimated_rows: int,
        close: Callable[[], None] = lambda: None,
    ) -> None:
        self._source = source
        self.columns = columns
        self.header_row = header_row
        self.estimated_rows = estimated_rows
        self._close = close

    def rows(self) -> Iterator[tuple[int, dict[str, Cell]]]:
        """(row number as Excel shows it, {column key: cell}) for each non-blank data row."""
        for number, cells in enumerate(self._source(self.header_row + 1), self.header_row + 1):
            values = {
                key: cells[index] if index < len(cells) else EMPTY
                for key, index in self.columns.items()
            }
            if any(cell.text or cell.formula for cell in values.values()):
                yield number, values

    def close(self) -> None:
        self._close()

    def __enter__(self) -> Roster:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_roster(data: bytes, filename: str) -> Roster:
    """Open an uploaded roster, check its format, headers and that it has rows.
    Raises ImportFileError with a message for the manager."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xls":
        raise ImportFileError(
            _l(
                "This is an old Excel 97-2003 file (.xls). In Excel choose Save As → "
                "Excel Workbook (.xlsx) and upload that file."
            )
        )
    if extension not in ("xlsx", "csv"):
        raise ImportFileError(_l("Choose an Excel workbook (.xlsx) or a CSV file."))
    if not data:
        raise ImportFileError(_l("The file is empty."))
    roster = _open_xlsx(data) if extension == "xlsx" else _open_csv(data)
    try:
        has_rows = any(True for _row in roster.rows())
    except UnreadableFile as error:
        roster.close()
        raise ImportFileError(_damaged()) from error
    if not has_rows:
        roster.close()
        raise ImportFileError(_l("The file has a header row but no households under it."))
    return roster


def _open_xlsx(data: bytes) -> Roster:
    if data.startswith(OLE_SIGNATURE):
        raise ImportFileError(
            _l(
                "This workbook is password-protected or in the old .xls format. Save it in "
                "Excel as an Excel Workbook (.xlsx) without a password and upload it again."
            )
        )
    if not data.startswith(ZIP_SIGNATURE):
        raise ImportFileError(
            _l("This file is not an Excel workbook, although its name ends in .xlsx.")
        )
    try:
        # Sizes are checked before anything is unpacked: a small file can unpack to gigabytes.
        # (Python's zipfile never inflates an entry past the size its header declares.)
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(entry.file_size for entry in archive.infolist())
        too_large = unpacked > MAX_UNPACKED_BYTES or _too_many_strings(archive)
    except (zipfile.BadZipFile, OSError, ValueError, ElementTree.ParseError) as error:
        raise ImportFileError(_damaged()) from error
    if too_large:
        raise ImportFileError(
            _l("The workbook is too large to import at once. Split it into several files.")
        )
    try:
        # data_only=False keeps formulas as formulas, so that they can be refused cell by cell.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds of error on a damaged file
        raise ImportFileError(_damaged()) from error
    try:
        sheets = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
        if not sheets:
            raise ImportFileError(_l("The workbook has no visible worksheet."))
        sheet = sheets[0]

        def source(first_row: int, max_col: int | None = None) -> Iterator[list[Cell]]:
            for row in sheet.iter_rows(min_row=first_row, max_col=max_col):
                yield [_xlsx_cell(cell) for cell in row]

        header_row, columns = _find_header(source(1))
        max_col = max(columns.values()) + 1
        estimated = max((sheet.max_row or 0) - header_row, 0)
        return Roster(
            lambda first: _reading(source(first, max_col)),
            columns,
            header_row,
            estimated,
            workbook.close,
        )
    except ImportFileError:
        workbook.close()
        raise
    except Exception as error:
        workbook.close()
        raise ImportFileError(_damaged()) from error


def _too_many_strings(archive: zipfile.ZipFile) -> bool:
    """Count the shared strings as a stream, stopping at the limit."""
    names = [name for name in archive.namelist() if name.lower().endswith("sharedstrings.xml")]
    for name in names:
        with archive.open(name) as part:
            count = 0
            for _event, element in ElementTree.iterparse(part):
                if element.tag.endswith("}si") or element.tag == "si":
                    count += 1
                    if count > MAX_SHARED_STRINGS:
                        return True
                    element.clear()
    return False


def _damaged() -> Any:
    return _l(
        "The file could not be read; it may be damaged. Open it in Excel, save it again "
        "and upload it."
    )


def _reading(rows: Iterator[list[Cell]]) -> Iterator[list[Cell]]:
    """Rows of the file, with a damaged part further down reported as UnreadableFile."""
    try:
        yield from rows
    except Exception as error:
        raise UnreadableFile from error


def _decode(data: bytes) -> str:
    """The text of a CSV file: UTF-8 with or without BOM, UTF-16 with BOM, or GB18030 (GBK)."""
    if data.startswith(ZIP_SIGNATURE) or data.startswith(OLE_SIGNATURE):
        raise ImportFileError(_l("This is an Excel workbook, not a CSV file. Upload it as .xlsx."))
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
    except UnicodeDecodeError as error:
        raise ImportFileError(_unknown_encoding()) from error
    if b"\x00" in data:
        raise ImportFileError(_not_csv())
    # Chinese Excel saves "CSV" in GBK; GB18030 is its superset. UTF-8 is tried first
    # because GB18030 would also accept many UTF-8 byte sequences, as the wrong characters.
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_unknown_encoding())


def _unknown_encoding() -> Any:
    return _l(
        "The text encoding of this CSV file is not recognised. Save it as CSV UTF-8 or as an "
        "Excel workbook (.xlsx)."
    )


def _not_csv() -> Any:
    return _l(
        "This file is not CSV text. Save the roster as CSV, or upload the Excel workbook (.xlsx)."
    )


def _open_csv(data: bytes) -> Roster:
    text = _decode(data)
    if CONTROL_CHARACTERS.search(text):
        raise ImportFileError(_not_csv())
    first_line = next((line for line in io.StringIO(text) if line.strip()), "")
    delimiter = max(CSV_DELIMITERS, key=first_line.count)

    def source(first_row: int) -> Iterator[list[Cell]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for number, record in enumerate(reader, 1):
            if number >= first_row:
                yield [_csv_cell(value) for value in record]

    try:
        header_row, columns = _find_header(source(1))
    except csv.Error as error:
        raise ImportFileError(_not_csv()) from error
    estimated = max(text.count("\n") - header_row + (0 if text.endswith("\n") else 1), 0)
    return Roster(lambda first: _reading(source(first)), columns, header_row, estimated)


def _find_header(rows: Iterator[list[Cell]]) -> tuple[int, dict[str, int]]:
    """The row naming the columns (among the first few), and where each known column is."""
    best: tuple[int, dict[str, int]] | None = None
    for number, cells in enumerate(rows, 1):
        if number > HEADER_SCAN_ROWS:
            break
        if not any(cell.text for cell in cells):
            continue
        columns: dict[str, int] = {}
        for index, cell in enumerate(cells):
            key = _HEADER_KEYS.get(normalize_header(cell.text))
            if key and key not in columns:
                columns[key] = index
        if best is None or len(columns) > len(best[1]):
            best = (number, columns)
        if len(columns) >= MIN_HEADER_MATCHES:
            break
    if best is None:
        raise ImportFileError(_l("The file is empty."))
    number, columns = best
    missing = [c.label for c in COLUMNS if c.required and c.key not in columns]
    if missing:
        raise ImportFileError(
            _l(
                "Columns missing: %(columns)s. The header row must name the columns of the "
                "template (楼栋, 单元, 房号, 楼层, 建筑面积(㎡), 业主姓名, 联系电话).",
                columns=LazyString(lambda: ", ".join(str(label) for label in missing)),
            )
        )
    return number, columns


def template_workbook() -> bytes:
    """The roster template: Chinese headers, an example row, and a sheet of instructions."""
    workbook = openpyxl.Workbook()
    sheet: Worksheet = workbook.active
    sheet.title = "住户花名册"
    sheet.append([column.header for column in COLUMNS])
    sheet.append(list(TEMPLATE_EXAMPLE))
    header_fill = PatternFill("solid", fgColor="FDECEA")
    for index, column in enumerate(COLUMNS, 1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = column.width
        # Text, so that Excel keeps room 0101 and long phone numbers as typed.
        if column.key in ("building", "unit", "room", "phone"):
            sheet.column_dimensions[letter].number_format = "@"
    sheet.cell(row=2, column=5).number_format = "0.00"
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 100
    for line in (
        _("One row per household. Replace the example row with your own."),
        _("Building, unit, room, floor, floor area and owner are required; the phone is optional."),
        _("Floor area in square metres, a positive number with at most two decimals."),
        _("Floor: a whole number from -5 to 200."),
        _("Phone: a mobile number, or a landline with its area code such as 023-62801234."),
        _("Type values, not formulas: cells with formulas are refused."),
        _("Rooms that already exist in the community are refused; the import adds new homes only."),
    ):
        notes.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
