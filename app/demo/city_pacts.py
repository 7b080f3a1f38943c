"""The pacts area at city scale, on top of `app.demo.city`'s data set: five stewards per
company spread over its buildings (one building in five changed steward in the spring), a
building leader (the household in room 101) on nine units in ten, a board with its token on
every unit, a community-wide pact in every community with a signing campaign canvassed over two
rounds — adopted, for every unit, where two thirds agreed, still open elsewhere — and a year of
inspections, one or two a unit a month.

Set-based like the rest of the city: every large step is one INSERT … SELECT over the units or
households (the boards' tokens, which must be unguessable, come from Python in one executemany),
and what looks random is `city._hash` of the row's ids.
"""

from __future__ import annotations

import secrets
import time
from datetime import date, datetime, timedelta

from sqlalchemy import (
    JSON,
    ColumnElement,
    Date,
    FromClause,
    Integer,
    Select,
    String,
    case,
    cast,
    func,
    insert,
    literal,
    select,
    true,
    union_all,
    update,
)

from app import sql
from app.database import patient
from app.demo.base import SURNAMES
from app.demo.city import GIVEN_PAIRS, _analyze, _city_communities, _hash, is_built, numbers
from app.demo.pacts_texts import CLAUSES
from app.extensions import db
from app.models import (
    INSPECTION_ITEMS,
    ITEM_MAX,
    Answer,
    AnswerChannel,
    CampaignAnswer,
    CampaignScope,
    CampaignStatus,
    CampaignVote,
    Community,
    Company,
    Household,
    Inspection,
    Pact,
    PactVersion,
    Role,
    SigningCampaign,
    Staff,
    StaffPosition,
    StewardAssignment,
    StewardBoard,
    StewardKind,
    Unit,
    UnitPact,
    User,
)
from app.models.base import UTCDateTime
from app.periods import shanghai_today, utcnow

STEWARDS_PER_COMPANY = 5
PACT_CLAUSES = ("clear", "ebike", "wires", "rota", "quiet", "pets", "notices")
CAMPAIGN_DAYS_AGO = 120  # when the campaigns opened; each round takes ten days
ROUND_DAYS = 10
MAX_SCORE = ITEM_MAX * len(INSPECTION_ITEMS)
TABLES = (
    Staff,
    StewardAssignment,
    StewardBoard,
    Pact,
    PactVersion,
    SigningCampaign,
    CampaignAnswer,
    CampaignVote,
    UnitPact,
    Inspection,
)


def build_city_pacts() -> dict[str, float]:
    """Add the pacts area to the city data set (once: a second call, or a database without the
    city, does nothing) and return how long each step took, in seconds."""
    if not is_built() or db.session.scalar(
        select(StewardBoard.unit_id).where(StewardBoard.community_id.in_(_communities())).limit(1)
    ):
        return {}
    timings: dict[str, float] = {}

    def step(name: str, action) -> None:  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        # A step's statements may outlast the portal's timeouts on a busy machine.
        patient(db.session.connection())
        action()
        db.session.commit()
        timings[name] = time.perf_counter() - started

    step("stewards, leaders and boards", _duty)
    step("pacts, campaigns, answers and adoptions", _pacts)
    step("a year of inspections", _inspections)
    step("analyze the pacts tables", lambda: _analyze(*(m.__tablename__ for m in TABLES)))
    return timings


def _draw(*parts: ColumnElement | int, modulo: int) -> ColumnElement[int]:
    """`city._hash` squared: _hash is linear in its parts, so two of its draws that differ only
    in a constant part are shifts of one another (a household's round-2 answer would follow its
    round-1 answer); the square mixes them apart. Both factors are below 2³¹: no overflow."""
    mixed = _hash(*parts, modulo=2147483647)
    return mixed * mixed % 2147483647 % modulo


def _communities() -> Select:
    return select(Community.id).where(_city_communities())


def _collector() -> FromClause:
    """Each city company's clerk account (city.py makes one per company): it assigns the
    stewards, opens the campaigns and enters the paper checklists."""
    return (
        select(User.id.label("user_id"), User.company_id)
        .where(User.username.like("city-%"), User.role == Role.MANAGER)
        .subquery("collector")
    )


def _at(moment: datetime) -> ColumnElement:
    return literal(moment, UTCDateTime())


def _duty() -> None:
    today = shanghai_today()
    now = utcnow()
    companies = db.session.scalars(
        select(Company.id).where(Company.code.like("CT%")).order_by(Company.id)
    ).all()
    db.session.execute(
        insert(Staff),
        [
            {
                "company_id": company_id,
                "name": SURNAMES[(company_id * 7 + k) % len(SURNAMES)]
                + GIVEN_PAIRS[2 * ((company_id + 3 * k) % (len(GIVEN_PAIRS) // 2)) :][:2],
                "phone": f"139{company_id:04d}{k:04d}",
                "position": StaffPosition.STEWARD,
                "is_party_member": k % 2 == 0,
                "is_active": True,
                "created_at": now,
            }
            for company_id in companies
            for k in range(STEWARDS_PER_COMPANY)
        ],
    )
    stewards = (
        select(
            Staff.id,
            Staff.company_id,
            Staff.name,
            Staff.phone,
            (func.row_number().over(partition_by=Staff.company_id, order_by=Staff.id) - 1).label(
                "k"
            ),
        )
        .where(Staff.company_id.in_(companies), Staff.position == StaffPosition.STEWARD)
        .subquery("stewards")
    )
    collector = _collector()
    long_ago, changed = today - timedelta(days=600), today - timedelta(days=200)
    replaced = _draw(Unit.building_id, 3, modulo=5) == 0

    def stewards_of(offset: int, since: ColumnElement, until: ColumnElement | None) -> None:
        pick = (_draw(Unit.building_id, modulo=STEWARDS_PER_COMPANY) + offset) % (
            STEWARDS_PER_COMPANY
        )
        rows = (
            select(
                Unit.id,
                Unit.community_id,
                literal(StewardKind.STEWARD.value),
                stewards.c.id,
                stewards.c.name,
                stewards.c.phone,
                since,
                until if until is not None else literal(None, Date()),
                collector.c.user_id,
                _at(now),
            )
            .join(Community, Community.id == Unit.community_id)
            .join(
                stewards, (stewards.c.company_id == Community.company_id) & (stewards.c.k == pick)
            )
            .join(collector, collector.c.company_id == Community.company_id)
            .where(Unit.community_id.in_(_communities()))
        )
        if until is not None:
            rows = rows.where(replaced)
        columns = ["unit_id", "community_id", "kind", "staff_id", "name", "phone", "starts_on"]
        db.session.execute(
            insert(StewardAssignment).from_select(
                [*columns, "ends_on", "assigned_by_user_id", "created_at"], rows
            )
        )

    # The earlier steward of the buildings that changed, then everyone on duty now.
    stewards_of(1, literal(long_ago, Date()), literal(changed, Date()))
    stewards_of(
        0, case((replaced, literal(changed, Date())), else_=literal(long_ago, Date())), None
    )

    leaders = (
        select(
            Household.unit_id,
            Household.community_id,
            literal(StewardKind.LEADER.value),
            Household.id,
            Household.owner_name,
            Household.phone,
            literal(today - timedelta(days=400), Date()),
            collector.c.user_id,
            _at(now),
        )
        .join(Community, Community.id == Household.community_id)
        .join(collector, collector.c.company_id == Community.company_id)
        .where(
            Household.community_id.in_(_communities()),
            Household.room == "101",
            _draw(Household.unit_id, 5, modulo=10) != 0,  # one unit in ten has no leader yet
        )
    )
    db.session.execute(
        insert(StewardAssignment).from_select(
            [
                "unit_id",
                "community_id",
                "kind",
                "household_id",
                "name",
                "phone",
                "starts_on",
                "assigned_by_user_id",
                "created_at",
            ],
            leaders,
        )
    )

    issued = now - timedelta(days=300)
    units = db.session.execute(
        select(Unit.id, Unit.community_id, collector.c.user_id)
        .join(Community, Community.id == Unit.community_id)
        .join(collector, collector.c.company_id == Community.company_id)
        .where(Unit.community_id.in_(_communities()))
    ).all()
    db.session.execute(
        insert(StewardBoard),
        [
            {
                "unit_id": unit_id,
                "community_id": community_id,
                "token": secrets.token_urlsafe(18),
                "issued_at": issued,
                "issued_by_user_id": user_id,
            }
            for unit_id, community_id, user_id in units
        ],
    )


def _moments(rounds: int, opened: datetime) -> FromClause:
    """Eight moments of each round's days, to spread the answers over: (round, slot, at)."""
    selects = [
        select(
            literal(round_).label("round"),
            literal(slot).label("slot"),
            _at(opened + timedelta(days=(round_ - 1) * ROUND_DAYS + slot, hours=2 + slot)).label(
                "at"
            ),
        )
        for round_ in range(1, rounds + 1)
        for slot in range(8)
    ]
    return union_all(*selects).cte("moments")


def _pacts() -> None:
    now = utcnow()
    opened = now - timedelta(days=CAMPAIGN_DAYS_AGO)
    collector = _collector()
    city = Community.id.in_(_communities())
    db.session.execute(
        insert(Pact).from_select(
            ["community_id", "created_by_user_id", "created_at"],
            select(Community.id, collector.c.user_id, _at(opened - timedelta(days=30)))
            .join(collector, collector.c.company_id == Community.company_id)
            .where(city),
        )
    )
    clauses = [{"title": CLAUSES[k][0], "body": CLAUSES[k][1]} for k in PACT_CLAUSES]
    db.session.execute(
        insert(PactVersion).from_select(
            [
                "pact_id",
                "community_id",
                "number",
                "title",
                "clauses",
                "created_by_user_id",
                "created_at",
            ],
            select(
                Pact.id,
                Pact.community_id,
                literal(1),
                Community.name + literal("楼道公约", String()),
                literal(clauses, JSON()),
                Pact.created_by_user_id,
                Pact.created_at,
            )
            .join(Community, Community.id == Pact.community_id)
            .where(city),
        )
    )
    households = (
        select(Household.community_id, func.count().label("n"))
        .where(Household.community_id.in_(_communities()))
        .group_by(Household.community_id)
        .subquery()
    )
    db.session.execute(
        insert(SigningCampaign).from_select(
            [
                "community_id",
                "version_id",
                "scope",
                "title",
                "status",
                "current_round",
                "threshold_numerator",
                "threshold_denominator",
                "household_count",
                "agreed_count",
                "opened_at",
                "created_by_user_id",
                "created_at",
            ],
            select(
                PactVersion.community_id,
                PactVersion.id,
                literal(CampaignScope.COMMUNITY.value),
                PactVersion.title + literal("征求意见", String()),
                literal(CampaignStatus.OPEN.value),
                literal(2),
                literal(2),
                literal(3),
                households.c.n,
                literal(0),
                _at(opened),
                PactVersion.created_by_user_id,
                _at(opened - timedelta(days=2)),
            )
            .join(households, households.c.community_id == PactVersion.community_id)
            .where(PactVersion.community_id.in_(_communities())),
        )
    )
    _answers(opened)
    _adoptions()


def _answers(opened: datetime) -> None:
    """Round 1 (the owners' committee) at every door: 52% agree, 10% disagree, the rest are
    not at home. Round 2 (the grid worker) at the doors not yet agreeing — all of them in seven
    communities of ten, half elsewhere so far — wins over half."""
    moments = _moments(2, opened)
    campaigns = SigningCampaign.community_id.in_(_communities())

    def answer(share: ColumnElement[int], agree: int) -> ColumnElement[str]:
        return case(
            (share < agree, Answer.AGREE.value),
            (share < 90, Answer.ABSENT.value),
            else_=Answer.DISAGREE.value,
        )

    def insert_round(round_: int, rows) -> None:  # type: ignore[no-untyped-def]
        db.session.execute(
            insert(CampaignAnswer).from_select(
                [
                    "campaign_id",
                    "community_id",
                    "household_id",
                    "answer",
                    "channel",
                    "round",
                    "asked_by",
                    "answered_at",
                    "recorded_by_user_id",
                    "created_at",
                ],
                rows,
            )
        )

    def door(round_: int, household: ColumnElement, agree: int, asked_by: str):  # type: ignore[no-untyped-def]
        return (
            SigningCampaign.id,
            SigningCampaign.community_id,
            household,
            answer(_draw(household, round_, modulo=100), agree),
            literal(AnswerChannel.DOOR.value),
            literal(round_),
            literal(asked_by),
            moments.c.at,
            SigningCampaign.created_by_user_id,
            moments.c.at,
        )

    insert_round(
        1,
        select(*door(1, Household.id, 52, "业委会"))
        .join(SigningCampaign, SigningCampaign.community_id == Household.community_id)
        .join(moments, (moments.c.round == 1) & (moments.c.slot == _draw(Household.id, modulo=8)))
        .where(campaigns),
    )
    first = CampaignAnswer.__table__.alias("first")
    finished = _draw(SigningCampaign.community_id, 11, modulo=10) < 7
    insert_round(
        2,
        select(*door(2, first.c.household_id, 50, "网格员"))
        .join(SigningCampaign, SigningCampaign.id == first.c.campaign_id)
        .join(
            moments,
            (moments.c.round == 2) & (moments.c.slot == _draw(first.c.household_id, modulo=8)),
        )
        .where(
            campaigns,
            first.c.round == 1,
            first.c.answer != Answer.AGREE.value,
            finished | (_draw(first.c.household_id, 4, modulo=2) == 0),
        ),
    )
    latest = (
        select(
            CampaignAnswer.id,
            CampaignAnswer.campaign_id,
            CampaignAnswer.household_id,
            CampaignAnswer.community_id,
            CampaignAnswer.answer,
            CampaignAnswer.answered_at,
            func.row_number()
            .over(
                partition_by=(CampaignAnswer.campaign_id, CampaignAnswer.household_id),
                order_by=CampaignAnswer.round.desc(),
            )
            .label("n"),
        )
        .where(CampaignAnswer.community_id.in_(_communities()))
        .subquery()
    )
    db.session.execute(
        insert(CampaignVote).from_select(
            ["campaign_id", "household_id", "community_id", "answer_id", "answer", "answered_at"],
            select(
                latest.c.campaign_id,
                latest.c.household_id,
                latest.c.community_id,
                latest.c.id,
                latest.c.answer,
                latest.c.answered_at,
            ).where(latest.c.n == 1),
        )
    )
    agreed = (
        select(func.count())
        .where(CampaignVote.campaign_id == SigningCampaign.id, CampaignVote.answer == Answer.AGREE)
        .scalar_subquery()
    )
    db.session.execute(
        update(SigningCampaign).where(campaigns).values(agreed_count=agreed),
        execution_options={"synchronize_session": False},
    )


def _adoptions() -> None:
    """Campaigns that reached two thirds were adopted with their last answer; their pact is in
    force on every unit of the community from then on."""
    last_answer = (
        select(func.max(CampaignAnswer.answered_at))
        .where(CampaignAnswer.campaign_id == SigningCampaign.id)
        .scalar_subquery()
    )
    reached = (
        SigningCampaign.agreed_count * SigningCampaign.threshold_denominator
        >= SigningCampaign.household_count * SigningCampaign.threshold_numerator
    )
    campaigns = SigningCampaign.community_id.in_(_communities())
    db.session.execute(
        update(SigningCampaign)
        .where(campaigns, reached)
        .values(status=CampaignStatus.ADOPTED.value, adopted_at=last_answer),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        insert(UnitPact).from_select(
            ["unit_id", "community_id", "version_id", "campaign_id", "adopted_at"],
            select(
                Unit.id,
                Unit.community_id,
                SigningCampaign.version_id,
                SigningCampaign.id,
                SigningCampaign.adopted_at,
            )
            .join(SigningCampaign, SigningCampaign.community_id == Unit.community_id)
            .where(campaigns, SigningCampaign.status == CampaignStatus.ADOPTED),
        )
    )


def _yyyymmdd(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _day(period: ColumnElement[int], dom: ColumnElement[int]) -> ColumnElement[date]:
    """The date of day `dom` of month `period` (YYYYMM): a date on PostgreSQL, the ISO text a
    Date column holds on SQLite."""
    year, month = period // 100, period % 100
    if sql.is_postgres():
        return func.make_date(year, month, cast(dom, Integer), type_=Date)
    return func.printf("%04d-%02d-%02d", year, month, dom, type_=Date)


def _inspections() -> None:
    """One inspection a unit a month, a second in half the months, on a day drawn per unit and
    month. Each unit keeps its level — items of 3–5 points in nine units of twenty, 2–4 in as
    many, 1–3 in the rest — so the rankings hold from month to month. The steward on duty
    inspected; the clerk entered the sheet."""
    today = shanghai_today()
    since = today - timedelta(days=365)
    months, visits = numbers(13, "months"), numbers(2, "visits")
    # Month n (1–13) of the year that ends with this one, as YYYYMM; days up to the 28th, so
    # that every month has them all.
    index = since.year * 12 + since.month - 1 + months.c.n - 1
    period = index // 12 * 100 + index % 12 + 1
    dom = 1 + _draw(Unit.id, months.c.n, visits.c.n, modulo=28)
    collector = _collector()
    on_duty = StewardAssignment.__table__.alias("on_duty")
    quality = _draw(Unit.id, 77, modulo=20)
    level = case((quality < 9, 3), (quality < 18, 2), else_=1)
    items = {
        item: level + _draw(Unit.id, months.c.n, visits.c.n, number, modulo=3)
        for number, item in enumerate(INSPECTION_ITEMS, start=1)
    }
    drawn = (
        select(
            Unit.id.label("unit_id"),
            Unit.community_id,
            Unit.building_id,
            _day(period, dom).label("day"),
            period.label("period"),
            collector.c.user_id,
            on_duty.c.name,
            *(value.label(item) for item, value in items.items()),
        )
        .join(Community, Community.id == Unit.community_id)
        .join(collector, collector.c.company_id == Community.company_id)
        .join(
            on_duty,
            (on_duty.c.unit_id == Unit.id)
            & (on_duty.c.kind == StewardKind.STEWARD.value)
            & on_duty.c.ends_on.is_(None),
        )
        .join(months, true())
        .join(visits, (visits.c.n == 1) | (_draw(Unit.id, months.c.n, 9, modulo=2) == 0))
        .where(
            Unit.community_id.in_(_communities()),
            # Within the past year: after `since`, up to today (as YYYYMMDD numbers).
            (period * 100 + dom).between(_yyyymmdd(since) + 1, _yyyymmdd(today)),
        )
        .subquery("drawn")
    )
    total = sum((drawn.c[item] for item in INSPECTION_ITEMS), literal(0))
    # Integer division rounds down; adding half the divisor rounds a tenth-third to nearest,
    # which equals round(total * 100 / 30) as sums * 10 / 3 never end in .5.
    score = (total * 100 + MAX_SCORE // 2) // MAX_SCORE
    db.session.execute(
        insert(Inspection).from_select(
            [
                "unit_id",
                "community_id",
                "building_id",
                "inspected_on",
                "period",
                "inspector_user_id",
                "inspector_name",
                *INSPECTION_ITEMS,
                "score",
                "created_at",
            ],
            select(
                drawn.c.unit_id,
                drawn.c.community_id,
                drawn.c.building_id,
                drawn.c.day,
                drawn.c.period,
                drawn.c.user_id,
                drawn.c.name,
                *(drawn.c[item] for item in INSPECTION_ITEMS),
                score,
                _at(utcnow()),
            ),
        )
    )
