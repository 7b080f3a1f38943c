"""Collection rates (收缴率) against the targets, and the months a report covers.

Every figure is an aggregate computed by the database (GROUP BY), over bills the user may see
(`scope(Bill)`): Python only arranges the few aggregated rows for the page. The collection rate
of some months is the principal collected on those months' bills over what they billed: late
fees are left out of both, so the rate never passes 100% and a waiver does not move it; a
reversal lowers `paid_fen` and so the rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, literal, select, text, union_all

from app import sql
from app.authz import scope, visible
from app.extensions import db
from app.listing import Sort
from app.models import Bill, BillMonthTotal, Community, Company, FeeItem, FeeKind, User
from app.periods import add_months, current_period, format_period, parse_period
from app.rules import RuleError

# The collection rates Yichang reports after renovation, which every dashboard compares with.
TARGETS: dict[FeeKind, int] = {FeeKind.PROPERTY: 80, FeeKind.PARKING: 90}
# The kinds that get a column and a chart of their own; other charges count in the totals.
CHARTED_KINDS = (FeeKind.PROPERTY, FeeKind.PARKING)
# A range longer than this is a typo (the first month's year mistyped).
MAX_MONTHS = 120


@dataclass(frozen=True)
class MonthRange:
    first: int
    last: int

    @property
    def months(self) -> int:
        return (self.last // 100 - self.first // 100) * 12 + self.last % 100 - self.first % 100 + 1

    @property
    def args(self) -> dict[str, str]:
        """The query arguments that name this range, for links that keep it."""
        return {"first": format_period(self.first), "last": format_period(self.last)}


def year_to_date(today: int | None = None) -> MonthRange:
    today = today or current_period()
    return MonthRange(today // 100 * 100 + 1, today)


def presets(today: int | None = None) -> list[tuple[object, MonthRange]]:
    """The ranges people ask for most, as (label, range)."""
    today = today or current_period()
    last_month = add_months(today, -1)
    return [
        (_l("This month"), MonthRange(today, today)),
        (_l("Last month"), MonthRange(last_month, last_month)),
        (_l("Year to date"), year_to_date(today)),
        (_l("Last 12 months"), MonthRange(add_months(today, -11), today)),
    ]


def month_range(first_text: str | None, last_text: str | None) -> MonthRange:
    """The months a report covers: both given, a range; only the first, that month; neither,
    the year to date. Raises RuleError for a month that is not one or a reversed range."""
    first_text, last_text = (first_text or "").strip(), (last_text or "").strip()
    if not first_text and not last_text:
        return year_to_date()
    periods = {}
    for name, typed in (("first", first_text), ("last", last_text or first_text)):
        try:
            periods[name] = parse_period(typed)
        except ValueError as error:
            raise RuleError(_l("Enter a month as YYYY-MM, e.g. 2026-11."), name) from error
    chosen = MonthRange(periods["first"], periods["last"])
    if chosen.first > chosen.last:
        raise RuleError(
            _l("The first month comes after the last one: swap them, e.g. 2026-01 to 2026-11."),
            "last",
        )
    if chosen.months > MAX_MONTHS:
        raise RuleError(_l("Choose a range of at most ten years."), "first")
    return chosen


@dataclass(frozen=True)
class Rate:
    """Billed and collected for some bills, against a target (percent) if the kind has one."""

    billed_fen: int = 0
    collected_fen: int = 0
    bills: int = 0
    target: int | None = None

    @property
    def percent(self) -> Decimal | None:
        """Collected ÷ billed in percent, cut (not rounded) to one decimal, so that a rate
        shown as meeting its target really does."""
        if not self.billed_fen:
            return None
        exact = Decimal(self.collected_fen * 100) / Decimal(self.billed_fen)
        return exact.quantize(Decimal("0.1"), rounding=ROUND_DOWN)

    @property
    def gap(self) -> Decimal | None:
        """Percentage points above (positive) or below (negative) the target."""
        if self.percent is None or self.target is None:
            return None
        return self.percent - self.target

    @property
    def owed_fen(self) -> int:
        return self.billed_fen - self.collected_fen

    def __add__(self, other: Rate) -> Rate:
        return Rate(
            self.billed_fen + other.billed_fen,
            self.collected_fen + other.collected_fen,
            self.bills + other.bills,
            self.target if self.target == other.target else None,
        )


@dataclass
class RateRow:
    """One company or community: its rate per fee kind, and over every kind."""

    id: int
    name: str
    kinds: dict[FeeKind, Rate] = field(default_factory=dict)

    def kind(self, kind: FeeKind) -> Rate:
        return self.kinds.get(kind, Rate(target=TARGETS.get(kind)))

    @property
    def total(self) -> Rate:
        return sum(self.kinds.values(), Rate())


@dataclass(frozen=True)
class CollectionReport:
    months: MonthRange
    rows: list[RateRow]  # companies (the district's report) or communities (a company's)
    totals: RateRow  # every row together

    def below_target(self, kind: FeeKind) -> int:
        return sum(1 for row in self.rows if (row.kind(kind).gap or 0) < 0)


BY_NAME = Sort("name")
RATE_SORTS = ("name", *(kind.value for kind in CHARTED_KINDS), "total")


def _bill_sums(months: MonthRange, user: User | None, company_id: int | None = None) -> Any:
    """Billed, principal collected and bills per community and fee item over the months. Billed
    comes from the monthly totals (a few thousand rows for a city's year); collected is that
    less what the bills not yet paid in full still owe of their amount, read from the small
    partial index ix_bill_unpaid. Each side is grouped first, then the two are added up."""
    total = BillMonthTotal
    billed = select(
        total.community_id,
        total.fee_item_id,
        func.sum(total.billed_fen).label("billed"),
        func.sum(total.bills).label("bills"),
        literal(0).label("unpaid"),
    ).where(total.period.between(months.first, months.last), scope(BillMonthTotal, user))
    unpaid = select(
        Bill.community_id,
        Bill.fee_item_id,
        literal(0),
        literal(0),
        func.sum(Bill.amount_fen - Bill.paid_fen),
    ).where(
        # Written as the index's predicate, so that the database knows it may use it.
        Bill.paid_fen < Bill.amount_fen,
        Bill.period.between(months.first, months.last),
        scope(Bill, user),
    )
    if company_id is not None:
        communities = select(Community.id).where(Community.company_id == company_id)
        billed = billed.where(total.community_id.in_(communities))
        unpaid = unpaid.where(Bill.community_id.in_(communities))
    parts = union_all(
        billed.group_by(total.community_id, total.fee_item_id),
        unpaid.group_by(Bill.community_id, Bill.fee_item_id),
    ).subquery("parts")
    return (
        select(
            parts.c.community_id,
            parts.c.fee_item_id,
            func.sum(parts.c.billed).label("billed"),
            (func.sum(parts.c.billed) - func.sum(parts.c.unpaid)).label("collected"),
            func.sum(parts.c.bills).label("bills"),
        )
        .group_by(parts.c.community_id, parts.c.fee_item_id)
        .subquery("sums")
    )


def _report(
    months: MonthRange,
    names: Select,
    group: ColumnElement[int],
    sums: Any,
    sort: Sort,
) -> CollectionReport:
    """Sum `sums` per `group` (a company or community id) and fee kind, onto the rows of
    `names` (id, name): rows with no bills in the months stay, with nothing billed."""
    if sql.is_postgres():
        # A city's year of bills costs the planner just about jit_above_cost: compiling the
        # query to machine code would then add ~40 ms to a scan of ~100 ms, and save nothing.
        # SET LOCAL lasts until the request's transaction ends.
        db.session.execute(text("SET LOCAL jit = off"))
    figures = db.session.execute(
        select(
            group.label("id"),
            FeeItem.kind,
            func.sum(sums.c.billed),
            func.sum(sums.c.collected),
            func.sum(sums.c.bills),
        )
        .select_from(sums)
        .join(FeeItem, FeeItem.id == sums.c.fee_item_id)
        .join(Community, Community.id == sums.c.community_id)
        .group_by(group, FeeItem.kind)
    ).all()
    rows = {row_id: RateRow(row_id, name) for row_id, name in db.session.execute(names)}
    totals = RateRow(0, "")
    for row_id, kind, billed, collected, bills in figures:
        rate = Rate(int(billed), int(collected), int(bills), TARGETS.get(kind))
        totals.kinds[kind] = totals.kind(kind) + rate
        if row_id in rows:
            rows[row_id].kinds[kind] = rate
    return CollectionReport(months, _sorted(list(rows.values()), sort), totals)


def _sorted(rows: list[RateRow], sort: Sort) -> list[RateRow]:
    """Rows by name, or by a rate (rows with nothing billed last either way)."""
    if sort.key == "name":
        return sorted(rows, key=lambda row: row.name, reverse=sort.descending)

    def rate(row: RateRow) -> Rate:
        return row.total if sort.key == "total" else row.kind(FeeKind(sort.key))

    billed = [row for row in rows if rate(row).percent is not None]
    billed.sort(key=lambda row: (rate(row).percent, row.name), reverse=sort.descending)
    return billed + [row for row in rows if rate(row).percent is None]


def collection_by_company(
    months: MonthRange, sort: Sort = BY_NAME, user: User | None = None
) -> CollectionReport:
    """The district's report: one row per company the user may see."""
    names = visible(Company, user).with_only_columns(Company.id, Company.name)
    return _report(months, names, Community.company_id, _bill_sums(months, user), sort)


def collection_by_community(
    company: Company, months: MonthRange, sort: Sort = BY_NAME, user: User | None = None
) -> CollectionReport:
    """A company's report: one row per community it runs."""
    names = (
        visible(Community, user)
        .with_only_columns(Community.id, Community.name)
        .where(Community.company_id == company.id)
    )
    sums = _bill_sums(months, user, company.id)
    return _report(months, names, Community.id, sums, sort)
