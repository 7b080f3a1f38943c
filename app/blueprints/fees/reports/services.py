"""Arrears (欠费), collection rates (收缴率) against the targets, and a resident's own fees.

Every figure is an aggregate computed by the database (GROUP BY, HAVING), over bills the user
may see (`scope(Bill)`): Python only arranges the few aggregated rows for the page.

Two amounts matter. What a household owes now is, per bill, its amount and late fee less any
waiver and what has been paid (`DUE`); payments pay the principal first, so the unpaid principal
is what is left of the amount and the rest of what is owed is late fee. The collection rate of
some months is the principal collected on those months' bills over what they billed: late fees
are left out of both, so the rate never passes 100% and a waiver does not move it; a reversal
lowers `paid_fen` and so the rate.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import ColumnElement, Select, case, distinct, func, literal, select, text, union_all

from app import sql
from app.authz import get_visible_or_404, scope, visible
from app.blueprints.fees.billing.services import assess_late_fees
from app.blueprints.fees.payments.services import DUE, OpenBill, OwedTotals, open_bills
from app.extensions import db
from app.listing import Sort
from app.models import (
    Bill,
    BillMonthTotal,
    Building,
    Community,
    Company,
    FeeItem,
    FeeKind,
    Household,
    HouseholdCredit,
    ResidentHousehold,
    Role,
    Unit,
    User,
)
from app.money import fen_to_yuan
from app.periods import add_months, current_period, format_period, parse_period, shanghai_today

# The collection rates Yichang reports after renovation, which every dashboard compares with.
TARGETS: dict[FeeKind, int] = {FeeKind.PROPERTY: 80, FeeKind.PARKING: 90}
# The kinds that get a column and a chart of their own; other charges count in the totals.
CHARTED_KINDS = (FeeKind.PROPERTY, FeeKind.PARKING)
KIND_ORDER = case({FeeKind.PROPERTY: 0, FeeKind.PARKING: 1}, value=FeeItem.kind, else_=2)
# A range longer than this is a typo (the first month's year mistyped).
MAX_MONTHS = 120

# Payments pay a bill's principal first: what is left of its amount.
PRINCIPAL_DUE = case((Bill.paid_fen < Bill.amount_fen, Bill.amount_fen - Bill.paid_fen), else_=0)


class ReportError(ValueError):
    """A filter the reports cannot use; the message is for the user, in their language.
    `field` names the form field it is about."""

    def __init__(self, message: object, field: str) -> None:
        super().__init__(str(message))
        self.field = field


# ---- Months -------------------------------------------------------------------------------------


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
    the year to date. Raises ReportError for a month that is not one or a reversed range."""
    first_text, last_text = (first_text or "").strip(), (last_text or "").strip()
    if not first_text and not last_text:
        return year_to_date()
    periods = {}
    for name, typed in (("first", first_text), ("last", last_text or first_text)):
        try:
            periods[name] = parse_period(typed)
        except ValueError as error:
            raise ReportError(_l("Enter a month as YYYY-MM, e.g. 2026-11."), name) from error
    chosen = MonthRange(periods["first"], periods["last"])
    if chosen.first > chosen.last:
        raise ReportError(
            _l("The first month comes after the last one: swap them, e.g. 2026-01 to 2026-11."),
            "last",
        )
    if chosen.months > MAX_MONTHS:
        raise ReportError(_l("Choose a range of at most ten years."), "first")
    return chosen


# ---- Collection rates ---------------------------------------------------------------------------


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


# ---- Arrears ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArrearsFilter:
    company_id: int | None = None
    community_id: int | None = None
    building_id: int | None = None
    unit_id: int | None = None
    min_months: int | None = None
    min_owed_fen: int | None = None

    @property
    def chosen(self) -> bool:
        """Whether the list is narrowed to a company or community: the district office picks
        one first, as a list of the whole city's debtors is nobody's work list."""
        return bool(self.company_id or self.community_id)


_HOME_ORDER = (Community.name, Building.sort_key, Building.number, Unit.number, Household.room)


def _arrears_sorts(owed: Any) -> dict[str, tuple[Any, ...]]:
    return {
        "room": _HOME_ORDER,
        "owner": (Household.owner_name, Household.id),
        "months": (owed.c.months, owed.c.owed_fen, Household.id),
        "since": (owed.c.since, Household.id),
        "owed": (owed.c.owed_fen, Household.id),
    }


ARREARS_SORTS = ("room", "owner", "months", "since", "owed")
DEFAULT_ARREARS_SORT = Sort("owed", descending=True)


def _owed_per_household(filters: ArrearsFilter, user: User | None) -> Any:
    """Per household with something owed: months owed, the oldest, principal, late fee and
    total owed. One GROUP BY over the bills still owing, narrowed by HAVING."""
    months = func.count(distinct(Bill.period))
    owed = func.sum(DUE)
    query = (
        select(
            Bill.household_id,
            months.label("months"),
            func.min(Bill.period).label("since"),
            func.sum(PRINCIPAL_DUE).label("principal_fen"),
            (owed - func.sum(PRINCIPAL_DUE)).label("late_fen"),
            owed.label("owed_fen"),
        )
        .where(scope(Bill, user), DUE > 0)
        .group_by(Bill.household_id)
    )
    if filters.community_id:
        query = query.where(Bill.community_id == filters.community_id)
    elif filters.company_id:
        query = query.where(
            Bill.community_id.in_(
                select(Community.id).where(Community.company_id == filters.company_id)
            )
        )
    if filters.min_months:
        query = query.having(months >= filters.min_months)
    if filters.min_owed_fen:
        query = query.having(owed >= filters.min_owed_fen)
    return query.subquery("owed")


def arrears_rows(
    filters: ArrearsFilter, sort: Sort = DEFAULT_ARREARS_SORT, user: User | None = None
) -> Select:
    """Households in arrears with their home and what they owe, sorted; rows of (Household,
    community, building, unit, months, since, principal_fen, late_fen, owed_fen)."""
    owed = _owed_per_household(filters, user)
    query = (
        select(
            Household,
            Community.name.label("community"),
            Building.number.label("building"),
            Unit.number.label("unit"),
            owed.c.months,
            owed.c.since,
            owed.c.principal_fen,
            owed.c.late_fen,
            owed.c.owed_fen,
        )
        .join(owed, owed.c.household_id == Household.id)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .join(Community, Community.id == Household.community_id)
    )
    if filters.building_id:
        query = query.where(Unit.building_id == filters.building_id)
    if filters.unit_id:
        query = query.where(Household.unit_id == filters.unit_id)
    columns = _arrears_sorts(owed)[sort.key]
    return query.order_by(*(c.desc() if sort.descending else c for c in columns), *_HOME_ORDER)


@dataclass(frozen=True)
class ArrearsTotals:
    households: int
    owed_fen: int
    late_fen: int


def arrears_totals(query: Select) -> ArrearsTotals:
    """How many households the list holds and what they owe in all, in one aggregate."""
    rows = query.order_by(None).subquery()
    households, owed, late = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(rows.c.owed_fen), 0),
            func.coalesce(func.sum(rows.c.late_fen), 0),
        )
    ).one()
    return ArrearsTotals(int(households), int(owed), int(late))


def filter_choices(filters: ArrearsFilter, user: User | None = None) -> dict[str, list]:
    """The options of the arrears filters: companies (the district office), the communities
    of the chosen company (or all the user may see), and the chosen community's buildings and
    units, as (id, label) pairs."""
    company_id = filters.company_id
    choices: dict[str, list] = {"companies": [], "communities": [], "buildings": [], "units": []}
    is_district = (user if user is not None else current_user).role == Role.ADMIN
    if is_district:
        choices["companies"] = list(
            db.session.execute(
                visible(Company, user)
                .with_only_columns(Company.id, Company.name)
                .order_by(Company.name)
            )
        )
    if company_id or not is_district:
        communities = visible(Community, user).with_only_columns(Community.id, Community.name)
        if company_id:
            communities = communities.where(Community.company_id == company_id)
        choices["communities"] = list(db.session.execute(communities.order_by(Community.name)))
    if filters.community_id:
        choices["buildings"] = list(
            db.session.execute(
                visible(Building, user)
                .with_only_columns(Building.id, Building.number)
                .where(Building.community_id == filters.community_id)
                .order_by(Building.sort_key, Building.number)
            )
        )
        choices["units"] = list(
            db.session.execute(
                visible(Unit, user)
                .join(Building, Building.id == Unit.building_id)
                .with_only_columns(Unit.id, Building.number + literal("-") + Unit.number)
                .where(Unit.community_id == filters.community_id)
                .order_by(Building.sort_key, Building.number, Unit.number)
            )
        )
    return choices


def resolve_filter(
    filters: ArrearsFilter, user: User | None = None
) -> tuple[ArrearsFilter, dict[str, Any]]:
    """Check the chosen company, community, building and unit (404 unless the user may see
    them) and make them agree: a community sets its company, unless another company has been
    chosen since; a building or unit outside the community is dropped. Returns the filter and
    the chosen objects."""
    chosen: dict[str, Any] = {}
    company_id, community_id = filters.company_id, filters.community_id
    building_id, unit_id = filters.building_id, filters.unit_id
    if community_id:
        community = get_visible_or_404(Community, community_id, user)
        if company_id and community.company_id != company_id:
            community_id = None  # another company was chosen since: its communities apply
        else:
            chosen["community"] = community
            company_id = community.company_id
    if not community_id:
        building_id = unit_id = None
    if company_id:
        chosen["company"] = get_visible_or_404(Company, company_id, user)
    if building_id:
        building = get_visible_or_404(Building, building_id, user)
        if building.community_id != community_id:
            building_id = None
    if unit_id:
        unit = get_visible_or_404(Unit, unit_id, user)
        if unit.community_id != community_id or (building_id and unit.building_id != building_id):
            unit_id = None
    resolved = ArrearsFilter(
        company_id=company_id,
        community_id=community_id,
        building_id=building_id,
        unit_id=unit_id,
        min_months=filters.min_months,
        min_owed_fen=filters.min_owed_fen,
    )
    return resolved, chosen


# ---- The Excel export ---------------------------------------------------------------------------

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
            cell = WriteOnlyCell(sheet, value=value)
            if index in money_columns:
                cell.number_format = YUAN_FORMAT
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(out)
    return count


def file_chunks(spool: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    spool.seek(0)
    while chunk := spool.read(size):
        yield chunk


# ---- The reminder slip (催缴通知单) ----------------------------------------------------------


@dataclass(frozen=True)
class Reminder(OwedTotals):
    household: Household
    community: Community
    company: Company
    building: Building
    unit: Unit
    bills: list[OpenBill]

    @property
    def months(self) -> list[int]:
        return sorted({open_bill.bill.period for open_bill in self.bills})


def bring_late_fees_up_to_date(household_id: int) -> None:
    """Late fees grow by the day, and the nightly job may not have run since midnight: a page
    that shows what a household owes brings them up to today first, as the counter does. One
    UPDATE of its unpaid bills; the caller commits."""
    assess_late_fees(shanghai_today(), household_id=household_id)


def bring_arrears_late_fees_up_to_date(filters: ArrearsFilter) -> None:
    """The same for an arrears list of one community. A company's or the city's are left to
    the nightly job (`flask fees assess-late-fees`): too many bills to touch on every page.
    The caller commits."""
    if filters.community_id is not None:
        assess_late_fees(shanghai_today(), community_id=filters.community_id)


def reminder(household_id: int, user: User | None = None) -> Reminder:
    """What a household's reminder slip shows: its home and every bill it still owes on, with
    late fees apart (brought up to today; the caller commits), as the arrears list has them.
    404 unless the user may see it."""
    household = get_visible_or_404(Household, household_id, user)
    bring_late_fees_up_to_date(household.id)
    unit = db.session.get(Unit, household.unit_id)
    community = db.session.get(Community, household.community_id)
    return Reminder(
        household=household,
        community=community,
        company=db.session.get(Company, community.company_id),
        building=db.session.get(Building, unit.building_id),
        unit=unit,
        bills=open_bills(household.id, user),
    )


# ---- A resident's own fees ----------------------------------------------------------------------


def own_households(user: User) -> list[Any]:
    """The homes the resident is linked to, as rows of (Household, community, building, unit)."""
    return list(
        db.session.execute(
            visible(Household, user)
            .join(ResidentHousehold, ResidentHousehold.household_id == Household.id)
            .join(Unit, Unit.id == Household.unit_id)
            .join(Building, Building.id == Unit.building_id)
            .join(Community, Community.id == Household.community_id)
            .add_columns(
                Community.name.label("community"),
                Building.number.label("building"),
                Unit.number.label("unit"),
            )
            .where(ResidentHousehold.user_id == user.id)
            .order_by(Household.id)
            .distinct()
        )
    )


@dataclass(frozen=True)
class FeeStanding:
    """What a household (or all of a resident's households) owes now, and its credit."""

    principal_fen: int
    late_fen: int
    months: int
    since: int | None
    credit_fen: int

    @property
    def owed_fen(self) -> int:
        return self.principal_fen + self.late_fen


def fee_standing(household_ids: Sequence[int], user: User | None = None) -> FeeStanding:
    """One aggregate over the households' bills still owing, and their credit balances."""
    if not household_ids:
        return FeeStanding(0, 0, 0, None, 0)
    principal, owed, months, since = db.session.execute(
        select(
            func.coalesce(func.sum(PRINCIPAL_DUE), 0),
            func.coalesce(func.sum(DUE), 0),
            func.count(distinct(Bill.period)),
            func.min(Bill.period),
        ).where(scope(Bill, user), Bill.household_id.in_(household_ids), DUE > 0)
    ).one()
    credit = db.session.scalar(
        select(func.coalesce(func.sum(HouseholdCredit.balance_fen), 0)).where(
            scope(HouseholdCredit, user), HouseholdCredit.household_id.in_(household_ids)
        )
    )
    return FeeStanding(int(principal), int(owed) - int(principal), int(months), since, int(credit))


def bill_months(household_id: int, user: User | None = None) -> Select:
    """The months the household has bills for, newest first: the unit the page is paged by."""
    return (
        select(Bill.period)
        .where(scope(Bill, user), Bill.household_id == household_id)
        .group_by(Bill.period)
        .order_by(Bill.period.desc())
    )


BILL_PAID, BILL_PART_PAID, BILL_UNPAID = "paid", "part_paid", "unpaid"
BILL_STATUS_LABELS: Mapping[str, object] = {
    BILL_PAID: _l("Paid"),
    BILL_PART_PAID: _l("Part paid"),
    BILL_UNPAID: _l("Unpaid"),
}


@dataclass(frozen=True)
class MonthBill:
    bill: Bill
    item: str
    kind: FeeKind

    @property
    def late_fen(self) -> int:
        """The late fee still charged, after any waiver."""
        return self.bill.late_fee_fen - self.bill.late_fee_waived_fen

    @property
    def due_fen(self) -> int:
        return self.bill.amount_fen + self.late_fen - self.bill.paid_fen

    @property
    def status(self) -> str:
        if self.due_fen <= 0:
            return BILL_PAID
        return BILL_PART_PAID if self.bill.paid_fen else BILL_UNPAID


@dataclass(frozen=True)
class Month:
    period: int
    bills: list[MonthBill]

    @property
    def due_fen(self) -> int:
        return sum(b.due_fen for b in self.bills)

    @property
    def status(self) -> str:
        statuses = {b.status for b in self.bills}
        if statuses == {BILL_PAID}:
            return BILL_PAID
        return BILL_UNPAID if statuses == {BILL_UNPAID} else BILL_PART_PAID


def months_with_bills(
    household_id: int, periods: Iterable[int], user: User | None = None
) -> list[Month]:
    """The household's bills of these months, grouped by month, newest first."""
    wanted = list(periods)
    rows = db.session.execute(
        visible(Bill, user)
        .join(FeeItem, FeeItem.id == Bill.fee_item_id)
        .add_columns(FeeItem.name, FeeItem.kind)
        .where(Bill.household_id == household_id, Bill.period.in_(wanted))
        .order_by(Bill.period.desc(), KIND_ORDER, FeeItem.name, Bill.id)
    ).all()
    by_month: dict[int, list[MonthBill]] = {period: [] for period in wanted}
    for row in rows:
        by_month[row.Bill.period].append(MonthBill(row.Bill, row.name, row.kind))
    return [Month(period, bills) for period, bills in by_month.items() if bills]
