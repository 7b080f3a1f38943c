"""The city-scale data set (`flask --app wsgi demo --scale city`): the size of Yichang's plan.

About 2,000 communities run by 80 companies, 110,000 households, 12 months of property bills,
parking spaces let to a third of the households, and payments that leave 80–90% of the
property fees and over 90% of the parking fees collected, each payment with its receipt
number (gapless per company and year) and allocations. A few households hold prepaid credit
and one community in ten charges late fees.

Everything large is set-based: households, spaces, leases, payments and allocations are each
one INSERT … SELECT over a numbers series (generate_series on PostgreSQL, a recursive CTE on
SQLite), and the bills come from the real billing run, month by month. What looks random is a
hash of the row's ids, so the data set is the same on every machine and backend.

One module of about 600 lines, on purpose: its steps are one pipeline over the same numbers
series and hashing helpers, read top to bottom in the order they run.
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    FromClause,
    Integer,
    String,
    case,
    cast,
    column,
    func,
    insert,
    literal,
    select,
    text,
    union_all,
)
from werkzeug.security import generate_password_hash

from app import sql
from app.blueprints.fees.billing.services import assess_late_fees, run_billing
from app.demo.base import DEMO_PASSWORD, SURNAMES
from app.extensions import db
from app.models import (
    Bill,
    Building,
    Community,
    Company,
    CompanyKind,
    CreditEntry,
    CreditReason,
    FeeItem,
    FeeKind,
    FeeRate,
    Household,
    HouseholdCredit,
    Inspection,
    LateFeeMode,
    LateFeeRule,
    ManagementMode,
    ParkingLease,
    ParkingSpace,
    Payment,
    PaymentAllocation,
    PaymentKind,
    PaymentMethod,
    ReceiptCounter,
    Role,
    SigningCampaign,
    StewardBoard,
    Unit,
    User,
)
from app.models.base import UTCDateTime
from app.periods import SHANGHAI, add_months, current_period, shanghai_now, shanghai_today, utcnow

CITY = "宜昌市"
DISTRICTS = {
    "西陵区": ("学院街道", "西陵街道", "云集街道", "夜明珠街道", "西坝街道", "葛洲坝街道"),
    "伍家岗区": ("大公桥街道", "万寿桥街道", "宝塔河街道", "伍家乡"),
    "点军区": ("点军街道", "艾家镇", "桥边镇"),
    "猇亭区": ("古老背街道", "云池街道"),
    "夷陵区": ("小溪塔街道", "龙泉镇", "鸦鹊岭镇"),
}
NAME_HEADS = "东西南北江桥港城新龙凤桃李桂兰华春和平安康福寿祥瑞金银玉明光晨星月"
NAME_TAILS = "苑园湾庭府居城邨坊里"
NAME_KINDS = ("小区", "花园", "家园", "新村", "")
GIVEN_PAIRS = "建国秀英桂兰志强丽华淑珍海燕文华明辉玉兰红梅德胜春梅永红晓东小萍国庆立新凤英家豪"
COMPANY_CODE = "CT{:03d}"
# The first month of rates and leases: well before the data set, so that the bench can bill
# "new" backdated months that have a rate in force.
RATES_FROM = 201901
COMMUNITIES_PER_COMPANY = 25
SLOTS_PER_QUARTER = 48


@dataclass(frozen=True)
class CitySample:
    """Ids the bench and its cases work with: one company, one of its communities and
    households, and that company's collector account."""

    company_id: int
    community_id: int
    household_id: int
    manager_username: str


def numbers(upto: int, name: str) -> FromClause:
    """1..upto as a one-column table `n`."""
    if sql.is_postgres():
        series = func.generate_series(1, upto)
        return series.table_valued(column("n", Integer), name=name).render_derived()
    series = select(literal(1).label("n")).cte(name, recursive=True)
    return series.union_all(select(series.c.n + 1).where(series.c.n < upto))


def _hash(*parts: ColumnElement | int, modulo: int) -> ColumnElement[int]:
    """A deterministic, well-spread 0..modulo-1 from integer columns (64-bit arithmetic)."""
    mixed: ColumnElement = literal(0)
    for factor, part in zip((2654435761, 40503, 7919, 104729), parts, strict=False):
        mixed = mixed + cast(part, BigInteger) * factor
    return mixed % 2147483647 % modulo


def _text(value: ColumnElement) -> ColumnElement[str]:
    return cast(value, String)


def _padded(value: ColumnElement, width: int) -> ColumnElement[str]:
    """'7' → '007' on both backends (no lpad on SQLite): drop the 1 of 1000 + value."""
    return func.substr(_text(value + 10**width), 2, type_=String)


def is_built() -> bool:
    code = COMPANY_CODE.format(1)
    return db.session.scalar(select(Company.id).where(Company.code == code)) is not None


def build_city(communities: int = 2000, months: int = 12, seed: int = 2026) -> dict[str, float]:
    """Build the data set into the current database (once: a second call does nothing) and
    return how long each step took, in seconds."""
    if is_built():
        return {}
    rng = random.Random(seed)
    today = current_period()
    first = add_months(today, 1 - months)
    timings: dict[str, float] = {}

    def step(name: str, action, *args) -> None:  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        action(*args)
        db.session.commit()
        timings[name] = time.perf_counter() - started

    step("companies and communities", _places, communities, rng)
    step("buildings, units, households", _homes, rng)
    step("fee items and rates", _fees, today)
    step("parking spaces and leases", _parking)
    for offset in range(months):
        period = add_months(first, offset)
        step(f"billing run {period}", run_billing, period, None, None)
    # Fresh statistics: the payments join a million bills, and a plan made for empty tables
    # would take minutes.
    step("analyze", _analyze)
    step("payments, allocations, receipts", _payments, first, months, rng)
    step("late fees", _late_fees)
    step("analyze again", _analyze)
    return timings


def _city_communities() -> ColumnElement[bool]:
    return Community.company_id.in_(
        select(Company.id).where(Company.code.like(COMPANY_CODE[:2] + "%"))
    )


def _places(communities: int, rng: random.Random) -> None:
    companies = -(-communities // COMMUNITIES_PER_COMPANY)
    districts = list(DISTRICTS)
    now = utcnow()
    db.session.execute(
        insert(Company),
        [
            {
                "name": f"宜昌{districts[n % len(districts)]}第{n:03d}物业服务有限公司",
                "code": COMPANY_CODE.format(n),
                "kind": CompanyKind.RED if n % 3 else CompanyKind.MARKET,
                "city": CITY,
                "district": districts[n % len(districts)],
                "founding_street": DISTRICTS[districts[n % len(districts)]][0],
                "phone": f"0717-6{n:06d}",
                "created_at": now,
            }
            for n in range(1, companies + 1)
        ],
    )
    company_ids = db.session.execute(
        select(Company.id, Company.district).where(Company.code.like("CT%")).order_by(Company.id)
    ).all()
    names = [
        head + tail + kind
        for head, tail, kind in itertools.product(NAME_HEADS, NAME_TAILS, NAME_KINDS)
    ]
    rng.shuffle(names)
    rows = []
    for n in range(communities):
        company_id, district = company_ids[n // COMMUNITIES_PER_COMPANY]
        rows.append(
            {
                "company_id": company_id,
                # A name repeats after a few hundred: the second is "二期", as in real cities.
                "name": names[n % len(names)]
                + ("" if n < len(names) else f"{n // len(names) + 1}期"),
                "city": CITY,
                "district": district,
                "street": rng.choice(DISTRICTS[district]),
                "built_year": rng.randint(1978, 2003),
                "management_mode": ManagementMode.RED_PROPERTY
                if rng.random() < 0.7
                else ManagementMode.MARKET_PROPERTY,
                "created_at": now,
            }
        )
    db.session.execute(insert(Community), rows)


def _homes(rng: random.Random) -> None:
    """Buildings and units from a plan per community (a few thousand rows); the households
    in one statement: every unit × floor × two rooms a floor."""
    community_ids = db.session.scalars(
        select(Community.id).where(_city_communities()).order_by(Community.id)
    ).all()
    buildings, unit_plan = [], {}
    for community_id in community_ids:
        floors = rng.choice((4, 5, 6, 7))
        unit_plan[community_id] = rng.choice((1, 2, 2, 3))
        for number in range(1, rng.randint(1, 4) + 1):
            buildings.append(
                {
                    "community_id": community_id,
                    "number": str(number),
                    "floors": floors,
                    "sort_key": number,
                }
            )
    db.session.execute(insert(Building), buildings)
    units = [
        {"building_id": building_id, "community_id": community_id, "number": str(number)}
        for building_id, community_id in db.session.execute(
            select(Building.id, Building.community_id).where(
                Building.community_id.in_(community_ids)
            )
        )
        for number in range(1, unit_plan[community_id] + 1)
    ]
    db.session.execute(insert(Unit), units)

    floor, room = numbers(7, "floors"), numbers(2, "rooms")
    key = _hash(Unit.id, floor.c.n, room.c.n, modulo=1_000_000_007)
    given = len(GIVEN_PAIRS) // 2
    homes = (
        select(
            Unit.id,
            Unit.community_id,
            _text(floor.c.n * 100 + room.c.n),
            floor.c.n,
            (4500 + key % 6000) / literal(100.0),
            func.substr(literal(SURNAMES), cast(1 + key % len(SURNAMES), Integer), 1, type_=String)
            + func.substr(literal(GIVEN_PAIRS), cast(1 + 2 * (key % given), Integer), 2),
            literal("13") + _text(100_000_000 + key % 900_000_000),
            literal(utcnow(), UTCDateTime()),
        )
        .join(Building, Building.id == Unit.building_id)
        .join(floor, floor.c.n <= Building.floors)
        .join(room, room.c.n <= 2)
        .where(Unit.community_id.in_(select(Community.id).where(_city_communities())))
    )
    columns = ["unit_id", "community_id", "room", "floor", "area_m2", "owner_name", "phone"]
    db.session.execute(insert(Household).from_select([*columns, "created_at"], homes))


def _fees(today: int) -> None:
    """A property fee (¥0.80–1.50 per m²) and a parking fee (¥150–300 per space) in every
    community; one in five raised its property fee half a year ago."""
    now = literal(utcnow(), UTCDateTime())
    for kind, name in ((FeeKind.PROPERTY, "物业费"), (FeeKind.PARKING, "停车费")):
        db.session.execute(
            insert(FeeItem).from_select(
                ["community_id", "kind", "name", "active", "created_at"],
                select(Community.id, literal(kind.value), literal(name), literal(True), now).where(
                    _city_communities()
                ),
            )
        )
    city_items = FeeItem.community_id.in_(select(Community.id).where(_city_communities()))
    first_rate = case(
        (FeeItem.kind == FeeKind.PROPERTY, 80 + 10 * (FeeItem.community_id % 8)),
        else_=15000 + 1000 * (FeeItem.community_id % 16),
    )
    raised = select(FeeItem.id, literal(add_months(today, -6)), first_rate + 10, now).where(
        city_items, FeeItem.kind == FeeKind.PROPERTY, FeeItem.community_id % 5 == 0
    )
    columns = ["fee_item_id", "effective_from", "amount_fen", "created_at"]
    db.session.execute(
        insert(FeeRate).from_select(
            columns,
            select(FeeItem.id, literal(RATES_FROM), first_rate, now)
            .where(city_items)
            .union_all(raised),
        )
    )


def _parking() -> None:
    """A space (A001, A002 …) for every third household, let to it for a 鄂E plate."""
    ranked = (
        select(
            Household.id,
            Household.community_id,
            func.row_number()
            .over(partition_by=Household.community_id, order_by=Household.id)
            .label("rank"),
        )
        .where(Household.community_id.in_(select(Community.id).where(_city_communities())))
        .where(_hash(Household.id, modulo=3) == 0)
        .subquery()
    )
    number = literal("A") + _padded(ranked.c.rank, 3)
    now = literal(utcnow(), UTCDateTime())
    db.session.execute(
        insert(ParkingSpace).from_select(
            ["community_id", "number", "created_at"], select(ranked.c.community_id, number, now)
        )
    )
    db.session.execute(
        insert(ParkingLease).from_select(
            ["space_id", "community_id", "household_id", "plate", "start_period", "created_at"],
            select(
                ParkingSpace.id,
                ranked.c.community_id,
                ranked.c.id,
                literal("鄂E") + _text(10000 + _hash(ranked.c.id, modulo=90000)),
                literal(RATES_FROM),
                now,
            ).join(
                ParkingSpace,
                (ParkingSpace.community_id == ranked.c.community_id)
                & (ParkingSpace.number == number),
            ),
        )
    )


def _collectors() -> None:
    """One counter clerk (a manager account) per company, to collect the payments."""
    password_hash = generate_password_hash(DEMO_PASSWORD, method="scrypt")
    rows = [
        {
            "username": f"city-{code.lower()}",
            "display_name": f"{code} 收费员",
            "password_hash": password_hash,
            "role": Role.MANAGER,
            "company_id": company_id,
            "created_at": utcnow(),
        }
        for company_id, code in db.session.execute(
            select(Company.id, Company.code).where(Company.code.like("CT%"))
        )
    ]
    db.session.execute(insert(User), rows)


def _slots(first: int, months: int, rng: random.Random) -> FromClause:
    """Moments payments were made: per quarter of the data set, some working hours in its last
    month (never in the future); quarter `months // 3` holds the prepayments, made lately."""
    now = shanghai_now()
    selects = []
    for quarter in range(months // 3 + 1):
        month = add_months(first, min(3 * quarter + 2, months - 1))
        last_day = now.day if month == current_period() else 28
        for slot in range(SLOTS_PER_QUARTER):
            moment = datetime(
                month // 100,
                month % 100,
                rng.randint(1, last_day),
                rng.randint(8, 17),
                rng.randint(0, 59),
                rng.randint(0, 59),
                tzinfo=SHANGHAI,
            )
            moment = min(moment, now - timedelta(minutes=rng.randint(5, 600)))
            selects.append(
                select(
                    literal(quarter).label("quarter"),
                    literal(slot).label("slot"),
                    literal(moment.astimezone(UTC), UTCDateTime()).label("at"),
                    literal(moment.year).label("year"),
                )
            )
    return union_all(*selects).cte("slots")


def _payments(first: int, months: int, rng: random.Random) -> None:
    """Households pay quarter by quarter, oldest first: most pay everything, some stop after
    a few quarters, a few never pay. One payment per household and quarter, allocations to
    the bills it paid, bills marked paid, receipt numbers and counters; fully paid households
    in one of two hundred also prepaid ¥300 (预存), held as credit."""
    _collectors()
    first_month = (first // 100) * 12 + first % 100
    month_index = cast(Bill.period, Integer) // 100 * 12 + Bill.period % 100 - first_month
    quarter = month_index // 3

    def paid_months(household_id: ColumnElement, parking: bool) -> ColumnElement[int]:
        share = _hash(household_id, 97 if parking else 1, modulo=100)
        steps = (86, 94, 98, 100) if parking else (68, 80, 88, 94)
        return case(
            (share < steps[0], months),
            (share < steps[1], months * 3 // 4),
            (share < steps[2], months // 2),
            (share < steps[3], months // 4),
            else_=0,
        )

    parking_items = select(FeeItem.id).where(FeeItem.kind == FeeKind.PARKING)
    is_parking = Bill.fee_item_id.in_(parking_items)
    is_paid = month_index < case(
        (is_parking, paid_months(Bill.household_id, True)),
        else_=paid_months(Bill.household_id, False),
    )
    city_bills = Bill.community_id.in_(select(Community.id).where(_city_communities()))
    paid_bills = (
        select(
            Bill.household_id,
            Bill.community_id,
            quarter.label("quarter"),
            func.sum(Bill.amount_fen).label("amount"),
            literal(0).label("credit"),
        )
        .where(city_bills, is_paid)
        .group_by(Bill.household_id, Bill.community_id, quarter)
    )
    everything_paid = paid_months(Household.id, False) == months
    no_unpaid_parking = ~Household.id.in_(select(ParkingLease.household_id)) | (
        paid_months(Household.id, True) == months
    )
    prepaid = select(
        Household.id,
        Household.community_id,
        literal(months // 3),
        literal(30000),
        literal(30000),
    ).where(
        Household.community_id.in_(select(Community.id).where(_city_communities())),
        _hash(Household.id, 13, modulo=200) == 0,
        everything_paid,
        no_unpaid_parking,
    )
    source = union_all(paid_bills, prepaid).subquery()
    slots = _slots(first, months, rng)
    collector = User.__table__.alias("collector")
    share = _hash(source.c.household_id, source.c.quarter, modulo=10)
    method = case(
        (share < 4, PaymentMethod.WECHAT.value),
        (share < 6, PaymentMethod.ALIPAY.value),
        (share < 9, PaymentMethod.CASH.value),
        else_=PaymentMethod.BANK.value,
    )
    ranked = (
        select(
            Community.company_id,
            Company.code,
            source.c.household_id,
            source.c.community_id,
            source.c.amount,
            source.c.credit,
            source.c.quarter,
            slots.c.at,
            slots.c.year,
            collector.c.id.label("collector_id"),
            method.label("method"),
            func.row_number()
            .over(
                partition_by=(Community.company_id, slots.c.year),
                order_by=(slots.c.at, source.c.household_id),
            )
            .label("seq"),
        )
        .join(Community, Community.id == source.c.community_id)
        .join(Company, Company.id == Community.company_id)
        .join(collector, collector.c.company_id == Community.company_id)
        .join(
            slots,
            (slots.c.quarter == source.c.quarter)
            & (slots.c.slot == _hash(source.c.household_id, 7, modulo=SLOTS_PER_QUARTER)),
        )
        .subquery()
    )
    key = literal("city-") + _text(ranked.c.household_id) + "-" + _text(ranked.c.quarter)
    db.session.execute(
        insert(Payment).from_select(
            [
                "company_id",
                "household_id",
                "community_id",
                "kind",
                "method",
                "amount_fen",
                "credit_fen",
                "receipt_year",
                "receipt_seq",
                "receipt_no",
                "idempotency_key",
                "collector_user_id",
                "created_at",
            ],
            select(
                ranked.c.company_id,
                ranked.c.household_id,
                ranked.c.community_id,
                literal(PaymentKind.PAYMENT.value),
                ranked.c.method,
                ranked.c.amount,
                ranked.c.credit,
                ranked.c.year,
                ranked.c.seq,
                ranked.c.code + "-" + _text(ranked.c.year) + "-" + _padded(ranked.c.seq, 6),
                key,
                ranked.c.collector_id,
                ranked.c.at,
            ),
        )
    )
    bill_key = literal("city-") + _text(Bill.household_id) + "-" + _text(quarter)
    db.session.execute(
        insert(PaymentAllocation).from_select(
            ["payment_id", "bill_id", "amount_fen"],
            select(Payment.id, Bill.id, Bill.amount_fen)
            .join(Payment, Payment.idempotency_key == bill_key)
            .where(city_bills, is_paid),
        )
    )
    db.session.execute(
        Bill.__table__.update().where(city_bills, is_paid).values(paid_fen=Bill.amount_fen)
    )
    city_payments = Payment.idempotency_key.like("city-%")
    db.session.execute(
        insert(ReceiptCounter).from_select(
            ["company_id", "year", "last_seq"],
            select(Payment.company_id, Payment.receipt_year, func.max(Payment.receipt_seq))
            .where(city_payments)
            .group_by(Payment.company_id, Payment.receipt_year),
        )
    )
    credited = select(Payment).where(city_payments, Payment.credit_fen > 0).subquery()
    db.session.execute(
        insert(HouseholdCredit).from_select(
            ["household_id", "balance_fen"],
            select(credited.c.household_id, credited.c.credit_fen),
        )
    )
    db.session.execute(
        insert(CreditEntry).from_select(
            ["household_id", "amount_fen", "reason", "payment_id", "created_at"],
            select(
                credited.c.household_id,
                credited.c.credit_fen,
                literal(CreditReason.PREPAYMENT.value),
                credited.c.id,
                credited.c.created_at,
            ),
        )
    )


def _late_fees() -> None:
    """One community in ten charges 5‱ a day after 30 days, capped at 20% of the bill."""
    db.session.execute(
        insert(LateFeeRule).from_select(
            [
                "community_id",
                "enabled",
                "mode",
                "daily_rate_per_10k",
                "fixed_fen",
                "grace_days",
                "cap_percent",
                "created_at",
            ],
            select(
                Community.id,
                literal(True),
                literal(LateFeeMode.DAILY_RATE.value),
                literal(5),
                literal(0),
                literal(30),
                literal(20),
                literal(utcnow(), UTCDateTime()),
            ).where(_city_communities(), Community.id % 10 == 0),
        )
    )
    assess_late_fees(shanghai_today())


def _analyze(*tables: str) -> None:
    """Fresh statistics for `tables`, or for every table."""
    if sql.is_postgres():
        # VACUUM as well, as autovacuum would after a bulk load: it clears the dead rows the
        # bulk UPDATEs leave and sets the visibility map, without which an index-only scan
        # (the collection-rate report's) must read the table after all. Not in a transaction.
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f"VACUUM ANALYZE {', '.join(tables)}"))
    else:
        for table in tables or ("",):
            db.session.execute(text(f"ANALYZE {table}"))


def city_sample() -> CitySample:
    """The first city company, its first community and household, and its clerk."""
    company_id, code = db.session.execute(
        select(Company.id, Company.code).where(Company.code == COMPANY_CODE.format(1))
    ).one()
    community_id = db.session.scalar(
        select(func.min(Community.id)).where(Community.company_id == company_id)
    )
    household_id = db.session.scalar(
        select(func.min(Household.id)).where(Household.community_id == community_id)
    )
    return CitySample(company_id, community_id, household_id, f"city-{code.lower()}")


def city_counts() -> dict[str, int]:
    """Rows per table of the whole database, for the command's report."""
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (
            Company,
            Community,
            Household,
            ParkingLease,
            Bill,
            Payment,
            StewardBoard,
            SigningCampaign,
            Inspection,
        )
    }
