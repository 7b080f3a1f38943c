"""The alliance's totals (投资统计): what merchants invested in upgrading existing shopfronts and
in opening new shops, by street, by category and by month, with the average per shop.

Every figure is a GROUP BY over the ledger's counted upgrades (`ledger.counted_upgrades`: the
approved revision of each upgrade, nothing else), limited to what the reader may see. A month is
the month the approved revision's work finishes (`UpgradeRevision.finishes_on`): the money is
spent on the street by then, whenever the officer got round to approving it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import ColumnElement, Integer, Select, and_, cast, extract, func, select

from app.authz import scope
from app.blueprints.alliance.ledger import counted_upgrades, summary
from app.extensions import db
from app.labels import label
from app.models import Alliance, Shop, ShopCategory, ShopOrigin, Upgrade, User
from app.money import fen_to_yuan
from app.periods import SHANGHAI, format_period
from app.spreadsheets import as_text, file_chunks

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_BATCH = 500
YUAN_FORMAT = "#,##0.00"
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Tally:
    """Shops, upgrades and the investment counted for them."""

    shops: int = 0
    upgrades: int = 0
    investment_fen: int = 0

    def __add__(self, other: Tally) -> Tally:
        # A shop is either upgraded or new, never both: its origin's shops add up.
        return Tally(
            self.shops + other.shops,
            self.upgrades + other.upgrades,
            self.investment_fen + other.investment_fen,
        )

    @property
    def average_fen(self) -> int | None:
        """Investment per shop, to the fen; None with no shop."""
        return round(self.investment_fen / self.shops) if self.shops else None


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: a street, a category or a month, split by shop origin."""

    key: Any
    name: (
        str | None
    )  # a street or a month; a category is named by its label, in the page's language
    upgraded: Tally = field(default_factory=Tally)
    new: Tally = field(default_factory=Tally)
    extra: str | None = None  # the street's alliance

    @property
    def total(self) -> Tally:
        return self.upgraded + self.new

    def origin(self, origin: ShopOrigin) -> Tally:
        return self.upgraded if origin is ShopOrigin.UPGRADED else self.new


@dataclass(frozen=True)
class Totals:
    """The whole report: the overall figures and each breakdown."""

    overall: Row
    by_street: Sequence[Row]
    by_category: Sequence[Row]
    by_month: Sequence[Row]


def counted_where(alliance: Alliance | None = None, user: User | None = None) -> ColumnElement:
    """The upgrades the reader may count: one alliance's, or all they may see."""
    clause = scope(Upgrade, user)
    if alliance is not None:
        clause = and_(clause, Upgrade.alliance_id == alliance.id)
    return clause


def _tallies(rows: Sequence[Any], key: str) -> dict[Any, dict[ShopOrigin, Tally]]:
    """Grouped rows (key, origin, shops, upgrades, investment_fen) by key, then origin."""
    found: dict[Any, dict[ShopOrigin, Tally]] = {}
    for row in rows:
        if row.origin is None:  # a street with nothing counted yet
            found.setdefault(getattr(row, key), {})
            continue
        found.setdefault(getattr(row, key), {})[row.origin] = Tally(
            int(row.shops), int(row.upgrades), int(row.investment_fen)
        )
    return found


def _row(
    key: Any, name: str | None, tallies: dict[ShopOrigin, Tally], extra: str | None = None
) -> Row:
    return Row(
        key,
        name,
        tallies.get(ShopOrigin.UPGRADED, Tally()),
        tallies.get(ShopOrigin.NEW, Tally()),
        extra,
    )


def _grouped(rows: Any, *keys: Any) -> Select:
    return select(
        *keys,
        rows.c.origin,
        func.count(func.distinct(rows.c.shop_id)).label("shops"),
        func.count(rows.c.upgrade_id).label("upgrades"),
        func.coalesce(func.sum(rows.c.investment_fen), 0).label("investment_fen"),
    )


def overall(where: ColumnElement) -> Row:
    """The totals by shop origin, from the ledger's own summary."""
    found = db.session.execute(summary(where)).all()
    by_origin = {
        r.origin: Tally(int(r.shops), int(r.upgrades), int(r.investment_fen)) for r in found
    }
    return _row(None, None, by_origin)


def by_category(where: ColumnElement) -> list[Row]:
    """Every category, in the order they are listed, those without a shop counted as zero."""
    rows = counted_upgrades(where).subquery()
    query = _grouped(rows, rows.c.category).group_by(rows.c.category, rows.c.origin)
    tallies = _tallies(db.session.execute(query).all(), "category")
    return [_row(c, None, tallies.get(c, {})) for c in ShopCategory]


def month_of(column: Any) -> ColumnElement[int]:
    """yyyymm of a date, the portal's month (202611), on both backends."""
    return cast(extract("year", column) * 100 + extract("month", column), Integer)


def by_month(where: ColumnElement) -> list[Row]:
    """The months in which counted work finished, in order."""
    rows = counted_upgrades(where).subquery()
    month = month_of(rows.c.finishes_on).label("month")
    query = _grouped(rows, month).group_by(month, rows.c.origin).order_by(month)
    tallies = _tallies(db.session.execute(query).all(), "month")
    return [_row(m, format_period(m), t) for m, t in tallies.items()]


def by_street(where: ColumnElement, user: User | None = None) -> list[Row]:
    """Each street (one alliance each) the reader may see, those with nothing counted yet too,
    the largest investment first."""
    rows = counted_upgrades(where).subquery()
    query = (
        _grouped(rows, Alliance.id.label("alliance_id"), Alliance.name, Alliance.street)
        .select_from(Alliance)
        .outerjoin(rows, rows.c.alliance_id == Alliance.id)
        .where(scope(Alliance, user))
        .group_by(Alliance.id, Alliance.name, Alliance.street, rows.c.origin)
    )
    found = db.session.execute(query).all()
    names = {row.alliance_id: (row.street, row.name) for row in found}
    tallies = _tallies(found, "alliance_id")
    streets = [_row(a, names[a][0], t, names[a][1]) for a, t in tallies.items()]
    return sorted(streets, key=lambda r: (-r.total.investment_fen, r.name))


def totals(alliance: Alliance | None = None, user: User | None = None) -> Totals:
    """The report over one alliance, or over every alliance the reader may see."""
    where = counted_where(alliance, user)
    return Totals(
        overall=overall(where),
        by_street=by_street(where, user) if alliance is None else [],
        by_category=by_category(where),
        by_month=by_month(where),
    )


# ---- Excel -----------------------------------------------------------------------------------


def export_headings() -> list[str]:
    return [
        str(text)
        for text in (
            _l("Alliance"),
            _l("Street"),
            _l("Shop"),
            _l("Category"),
            _l("Shop origin"),
            _l("Investment (yuan)"),
            _l("Work finishes on"),
            _l("Approved at"),
        )
    ]


def export_rows(where: ColumnElement) -> Select:
    """One row per counted upgrade, as the export lists them."""
    rows = counted_upgrades(where).subquery()
    return (
        select(
            Alliance.name.label("alliance"),
            Alliance.street,
            Shop.name.label("shop"),
            rows.c.category,
            rows.c.origin,
            rows.c.investment_fen,
            rows.c.finishes_on,
            rows.c.approved_at,
        )
        .join(Alliance, Alliance.id == rows.c.alliance_id)
        .join(Shop, Shop.id == rows.c.shop_id)
        .order_by(Alliance.name, Shop.name, rows.c.upgrade_id)
    )


def _local(moment: datetime | None) -> datetime | None:
    # Excel keeps no time zone: the time as read in Shanghai.
    return moment.astimezone(SHANGHAI).replace(tzinfo=None) if moment else None


def write_xlsx(query: Select, out: IO[bytes], title: str) -> int:
    """Write the rows as an .xlsx into `out`, read in batches (a server-side cursor on
    PostgreSQL) into openpyxl's write-only sheet, so the table is never held in memory.
    Returns the rows written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    heading = []
    for text in export_headings():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    count = 0
    for row in db.session.execute(query.execution_options(yield_per=EXPORT_BATCH)):
        values = [
            row.alliance,
            row.street,
            row.shop,
            label(row.category),
            label(row.origin),
            fen_to_yuan(int(row.investment_fen)),
            row.finishes_on,
            _local(row.approved_at),
        ]
        cells = [WriteOnlyCell(sheet, value=as_text(value)) for value in values]
        cells[5].number_format = YUAN_FORMAT
        cells[6].number_format = "yyyy-mm-dd"
        cells[7].number_format = "yyyy-mm-dd hh:mm"
        sheet.append(cells)
        count += 1
    workbook.save(out)
    return count


def xlsx_chunks(query: Select, title: str) -> Iterator[bytes]:
    """The workbook, spooled to a temporary file as it is written, then out in chunks."""
    with tempfile.TemporaryFile() as spool:
        write_xlsx(query, spool, title)
        yield from file_chunks(spool, CHUNK)
