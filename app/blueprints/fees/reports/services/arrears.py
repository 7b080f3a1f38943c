"""Arrears (欠费): the households that owe, per community, building and unit, with what they
owe now (late fees as of today), and a household's reminder slip (催缴通知单).

What a household owes is, per bill, its amount and late fee less any waiver and what has been
paid; payments pay the principal first, so the unpaid principal is what is left of the amount
and the rest of what is owed is late fee.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_login import current_user
from sqlalchemy import Select, distinct, func, literal, select

from app.authz import get_visible_or_404, scope, visible
from app.blueprints.fees.billing.services import DUE, PRINCIPAL_DUE, due_as_of
from app.blueprints.fees.payments.services import OpenBill, OwedTotals, open_bills
from app.extensions import db
from app.listing import Sort
from app.models import Bill, Building, Community, Company, Household, Role, Unit, User
from app.periods import shanghai_today
from app.places import with_address


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
    owed = func.sum(due_as_of(shanghai_today()))
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
    query = select(
        Household,
        Community.name.label("community"),
        Building.number.label("building"),
        Unit.number.label("unit"),
        owed.c.months,
        owed.c.since,
        owed.c.principal_fen,
        owed.c.late_fen,
        owed.c.owed_fen,
    ).join(owed, owed.c.household_id == Household.id)
    query = with_address(query)
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


def reminder(household_id: int, user: User | None = None) -> Reminder:
    """What a household's reminder slip shows: its home and every bill it still owes on, with
    late fees (as of today) apart, as the arrears list has them. 404 unless the user may see
    it."""
    household = get_visible_or_404(Household, household_id, user)
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
