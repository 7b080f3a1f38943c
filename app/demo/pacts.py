"""Demo data of the pacts area, for every demo community: a board with its token on every
unit, a steward (物业管家) on every unit and a building leader (楼栋长) on most, with some
replaced months ago; the corridor pacts of 兴隆苑 and 弹新街社区 with their versions and a few
units' own pacts; signing campaigns in every state with three rounds of door-to-door answers
(三轮入户); and a year of inspections (包保责任制) in which the better-kept units stay better
kept, so that the rankings and honours mean something.

Accounts: `resident` (兴隆苑 1-1-101) leads 兴隆苑 1-1; `steward` is the steward of 兴隆苑's first
two buildings; `gridworker` is 新守正物业's grid worker (网格员), who canvasses round 2.

The words (clauses, the pacts' stories, remarks) are in `app.demo.pacts_texts`. The rows are
written directly with the models (set-based for the answers and inspections), the way the
area's services would have left them. Idempotent: each step looks for what it would write
first. Run it after `payments`: the Yichang companies' only manager accounts are
the cashiers that the payments demo makes.
"""

from __future__ import annotations

import math
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, literal, select

from app.blueprints.property.roster import services as roster
from app.demo.base import DEMO_PASSWORD, _name, _phone
from app.demo.pacts_texts import (
    ABSENT_REMARKS,
    AGREE_REMARKS,
    CLAUSES,
    DISAGREE_REMARKS,
    ITEM_BIAS,
    ITEM_REMARKS,
    PACTS,
    CampaignPlan,
    PactPlan,
)
from app.demo.roster import _as_made_by
from app.extensions import db
from app.models import (
    INSPECTION_ITEMS,
    ITEM_MAX,
    Answer,
    AnswerChannel,
    Building,
    CampaignAnswer,
    CampaignScope,
    CampaignStatus,
    CampaignVote,
    Community,
    Household,
    Inspection,
    Pact,
    PactVersion,
    ResidentHousehold,
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
from app.periods import SHANGHAI, add_months, current_period, shanghai_today, utcnow
from app.phones import normalise_phone
from app.rules import RuleError

GRID_WORKER_USERNAME = "gridworker"
GRID_WORKER = "王立新"  # 新守正物业's grid worker; 乐群物业's has no account
LEADER_HOME = ("兴隆苑", "1", "1", "101")  # the demo `resident` leads this unit
ROUND_DAYS = 10  # each canvassing round takes about ten days
MAX_SCORE = ITEM_MAX * len(INSPECTION_ITEMS)


@dataclass
class _Cast:
    """Who acts in one community, and where."""

    community: Community
    desk: User  # the company's first manager account: assigns, enters paper sheets
    stewards: list[Staff]  # the company's, for the whole company's buildings
    company_buildings: list[int]  # in order, to spread the stewards over them
    units: list[Unit]
    homes: dict[int, list[Household]]  # by unit, those with a phone that can be posted
    accounts: dict[int, User]  # household id → its resident's account
    grid_worker: str
    staff_accounts: dict[int, User]  # staff id → account


def load_demo(communities: dict[str, Community], rng: random.Random) -> None:
    grid_workers = _grid_workers(communities, rng)
    for name, community in communities.items():
        cast = _cast(community, grid_workers.get(community.company_id), rng)
        if cast is None:
            continue
        _boards(cast, rng)
        _assignments(cast, rng)
        for plan in PACTS:
            if plan.community == name:
                _pact(plan, cast, rng)
        _inspections(cast, rng)
        db.session.flush()


def _desk(company_id: int) -> User | None:
    return db.session.scalar(
        select(User)
        .where(User.company_id == company_id, User.role == Role.MANAGER)
        .order_by(User.id)
        .limit(1)
    )


def _grid_workers(communities: dict[str, Community], rng: random.Random) -> dict[int, str]:
    """The Nan'an companies' grid workers (网格员), who canvass round 2; 新守正物业's signs in as
    `gridworker`. Their names, by company."""
    found = {}
    for name, account in (("兴隆苑", GRID_WORKER_USERNAME), ("弹新街社区", None)):
        community = communities.get(name)
        desk = _desk(community.company_id) if community else None
        if desk is None:
            continue
        member = db.session.scalar(
            select(Staff).where(
                Staff.company_id == community.company_id,
                Staff.position == StaffPosition.GRID_WORKER,
            )
        )
        if member is None:
            worker = GRID_WORKER if account else _name(rng)
            member = roster.create_staff(
                community.company_id, worker, _phone(rng), StaffPosition.GRID_WORKER, True
            )
            _as_made_by(desk, 45, "staff", member.id)
            if account:
                roster.link_account(
                    member, account, DEMO_PASSWORD, Role.STEWARD, f"网格员 · {member.name}"
                )
                _as_made_by(desk, 44, "staff", member.id)
        found[community.company_id] = member.name
    return found


def _cast(community: Community, grid_worker: str | None, rng: random.Random) -> _Cast | None:
    desk = _desk(community.company_id)
    if desk is None:
        return None
    stewards = list(
        db.session.scalars(
            select(Staff)
            .where(
                Staff.company_id == community.company_id,
                Staff.position == StaffPosition.STEWARD,
                Staff.is_active.is_(True),
            )
            .order_by(Staff.id)
        )
    )
    if not stewards:
        return None
    company_buildings = list(
        db.session.scalars(
            select(Building.id)
            .join(Community, Community.id == Building.community_id)
            .where(Community.company_id == community.company_id)
            .order_by(Community.id, Building.sort_key, Building.id)
        )
    )
    units = list(
        db.session.scalars(
            select(Unit)
            .join(Building, Building.id == Unit.building_id)
            .where(Unit.community_id == community.id)
            .order_by(Building.sort_key, Building.id, Unit.number)
        )
    )
    homes: dict[int, list[Household]] = defaultdict(list)
    for home in db.session.scalars(
        select(Household)
        .where(Household.community_id == community.id, Household.phone.is_not(None))
        .order_by(Household.id)
    ):
        if _postable(home.phone):
            homes[home.unit_id].append(home)
    accounts = dict(
        db.session.execute(
            select(ResidentHousehold.household_id, User)
            .join(User, User.id == ResidentHousehold.user_id)
            .join(Household, Household.id == ResidentHousehold.household_id)
            .where(Household.community_id == community.id)
        ).all()
    )
    staff_accounts = {
        member.id: db.session.get(User, member.user_id) for member in stewards if member.user_id
    }
    return _Cast(
        community,
        desk,
        stewards,
        company_buildings,
        units,
        homes,
        accounts,
        grid_worker or _name(rng),
        staff_accounts,
    )


def _postable(phone: str) -> bool:
    """A leader's phone goes on the board: only a number the portal's one rule accepts."""
    try:
        normalise_phone(phone)
    except RuleError:
        return False
    return True


def _moment(day: date, rng: random.Random) -> datetime:
    """A working-hours moment of `day` in Shanghai, in UTC."""
    local = datetime.combine(day, time(rng.randint(8, 19), rng.randint(0, 59)), tzinfo=SHANGHAI)
    return local.astimezone(UTC)


# ---- boards and assignments ------------------------------------------------------------------


def _boards(cast: _Cast, rng: random.Random) -> None:
    boarded = set(
        db.session.scalars(
            select(StewardBoard.unit_id).where(StewardBoard.community_id == cast.community.id)
        )
    )
    now = utcnow()
    rows = [
        {
            "unit_id": unit.id,
            "community_id": unit.community_id,
            # Unguessable even in the demo: a demo install may well be on the internet.
            "token": secrets.token_urlsafe(18),
            "issued_at": now - timedelta(days=rng.randint(300, 420), hours=rng.randint(0, 9)),
            "issued_by_user_id": cast.desk.id,
        }
        for unit in cast.units
        if unit.id not in boarded
    ]
    if rows:
        db.session.execute(insert(StewardBoard), rows)


def _assignments(cast: _Cast, rng: random.Random) -> None:
    """A steward for each building, the company's stewards spread over its buildings (some
    buildings changed steward months ago), and a leader living in each unit but a few."""
    if db.session.scalar(
        select(StewardAssignment.id)
        .where(StewardAssignment.community_id == cast.community.id)
        .limit(1)
    ):
        return
    today = shanghai_today()
    base = {"community_id": cast.community.id, "assigned_by_user_id": cast.desk.id}
    rows = []

    def add(unit: Unit, kind: StewardKind, since: date, until: date | None, **person) -> None:
        rows.append(
            base
            | {
                "unit_id": unit.id,
                "kind": kind,
                "staff_id": None,
                "household_id": None,
                "user_id": None,
                "starts_on": since,
                "ends_on": until,
                "created_at": _moment(since, rng),
            }
            | person
        )

    def steward(member: Staff) -> dict:
        account = cast.staff_accounts.get(member.id)
        return {
            "staff_id": member.id,
            "name": member.name,
            "phone": normalise_phone(member.phone),
            "user_id": account.id if account else None,
        }

    def leader(home: Household) -> dict:
        account = cast.accounts.get(home.id)
        return {
            "household_id": home.id,
            "name": home.owner_name,
            "phone": normalise_phone(home.phone),
            "user_id": account.id if account else None,
        }

    count = len(cast.stewards)
    history: dict[int, tuple[date, Staff | None, date]] = {}
    for index, building_id in enumerate(dict.fromkeys(u.building_id for u in cast.units)):
        position = cast.company_buildings.index(building_id)
        # Every community's second building, and a quarter of the others, changed steward.
        replaced = count > 1 and (index == 1 or rng.random() < 0.25)
        earlier = cast.stewards[(position * count // len(cast.company_buildings) + 1) % count]
        history[building_id] = (
            today - timedelta(days=rng.randint(420, 800)),
            earlier if replaced else None,
            today - timedelta(days=rng.randint(60, 240)),
        )

    leader_home = LEADER_HOME[1:] if cast.community.name == LEADER_HOME[0] else ()
    for index, unit in enumerate(cast.units):
        position = cast.company_buildings.index(unit.building_id)
        member = cast.stewards[position * count // len(cast.company_buildings)]
        since, earlier, changed = history[unit.building_id]
        if earlier is not None:
            add(unit, StewardKind.STEWARD, since, changed, **steward(earlier))
            since = changed
        add(unit, StewardKind.STEWARD, since, None, **steward(member))

        address = (unit.building.number, unit.number)
        homes = cast.homes.get(unit.id, [])
        chosen = next((h for h in homes if (*address, h.room) == leader_home), None)
        # Other demo residents lead nothing: their pages stay those of a plain resident.
        homes = [h for h in homes if h.id not in cast.accounts]
        # The last unit of each community, and a few more, still look for a leader.
        if chosen is None and (not homes or index == len(cast.units) - 1 or rng.random() < 0.06):
            continue
        chosen = chosen or rng.choice(homes)
        since = today - timedelta(days=rng.randint(200, 700))
        others = [h for h in homes if h.id != chosen.id]
        if others and rng.random() < 0.12:
            stepped_down = today - timedelta(days=rng.randint(40, 150))
            add(unit, StewardKind.LEADER, since, stepped_down, **leader(rng.choice(others)))
            since = stepped_down
        add(unit, StewardKind.LEADER, since, None, **leader(chosen))
    db.session.execute(insert(StewardAssignment), rows)


# ---- pacts and campaigns ---------------------------------------------------------------------


def _pact(plan: PactPlan, cast: _Cast, rng: random.Random) -> None:
    unit = None
    if plan.unit is not None:
        unit = next((u for u in cast.units if (u.building.number, u.number) == plan.unit), None)
        if unit is None:
            return
    exists = db.session.scalar(
        select(Pact.id).where(
            Pact.community_id == cast.community.id,
            Pact.unit_id == unit.id if unit else Pact.unit_id.is_(None),
        )
    )
    if exists:
        return
    now = utcnow()
    pact = Pact(
        community_id=cast.community.id,
        unit_id=unit.id if unit else None,
        created_by_user_id=cast.desk.id,
        created_at=now - timedelta(days=plan.versions[0].days_ago),
    )
    db.session.add(pact)
    db.session.flush()
    versions = {}
    for number, version in enumerate(plan.versions, start=1):
        versions[number] = PactVersion(
            pact_id=pact.id,
            community_id=cast.community.id,
            number=number,
            title=version.title,
            clauses=[{"title": CLAUSES[k][0], "body": CLAUSES[k][1]} for k in version.clauses],
            note=version.note,
            created_by_user_id=cast.desk.id,
            created_at=now - timedelta(days=version.days_ago, hours=rng.randint(1, 8)),
        )
        db.session.add(versions[number])
    db.session.flush()
    scope_units = [unit] if unit else cast.units
    for campaign in plan.campaigns:
        _campaign(campaign, versions[campaign.version], scope_units, unit, cast, rng)


def _campaign(
    plan: CampaignPlan,
    version: PactVersion,
    units: list[Unit],
    unit: Unit | None,
    cast: _Cast,
    rng: random.Random,
) -> None:
    now = utcnow()
    opened = now - timedelta(days=plan.days_ago, hours=rng.randint(1, 6))
    homes = list(
        db.session.scalars(
            select(Household)
            .where(Household.unit_id.in_([u.id for u in units]))
            .order_by(Household.id)
        )
    )
    numerator, denominator = plan.threshold
    needed = math.ceil(numerator * len(homes) / denominator)
    draft = plan.status is CampaignStatus.DRAFT
    answers, adopted_at = ([], None) if draft else _canvass(plan, homes, needed, opened, cast, rng)
    last = max((a["answered_at"] for a in answers), default=opened)
    campaign = SigningCampaign(
        community_id=cast.community.id,
        version_id=version.id,
        scope=CampaignScope.UNIT if unit else CampaignScope.COMMUNITY,
        unit_id=unit.id if unit else None,
        title=f"{version.title}（第{version.number}版）征求意见",
        status=plan.status,
        current_round=plan.rounds,
        threshold_numerator=numerator,
        threshold_denominator=denominator,
        household_count=None if draft else len(homes),
        agreed_count=0,
        opened_at=None if draft else opened,
        adopted_at=adopted_at,
        closed_at=last + timedelta(days=3) if plan.status is CampaignStatus.CLOSED else None,
        created_by_user_id=cast.desk.id,
        created_at=opened - timedelta(days=2),
    )
    db.session.add(campaign)
    db.session.flush()
    if not answers:
        return
    for answer in answers:
        answer["campaign_id"] = campaign.id
    db.session.execute(insert(CampaignAnswer), answers)
    _count_votes(campaign)
    if adopted_at is not None:
        db.session.execute(
            insert(UnitPact),
            [
                {
                    "unit_id": u.id,
                    "community_id": u.community_id,
                    "version_id": version.id,
                    "campaign_id": campaign.id,
                    "adopted_at": adopted_at,
                }
                for u in units
            ],
        )


def _count_votes(campaign: SigningCampaign) -> None:
    """Each household's latest answer becomes its vote, and the agreed count follows them."""
    latest = (
        select(
            CampaignAnswer.id,
            CampaignAnswer.household_id,
            CampaignAnswer.community_id,
            CampaignAnswer.answer,
            CampaignAnswer.answered_at,
            func.row_number()
            .over(
                partition_by=CampaignAnswer.household_id,
                order_by=(CampaignAnswer.answered_at.desc(), CampaignAnswer.id.desc()),
            )
            .label("n"),
        )
        .where(CampaignAnswer.campaign_id == campaign.id)
        .subquery()
    )
    db.session.execute(
        insert(CampaignVote).from_select(
            ["campaign_id", "household_id", "community_id", "answer_id", "answer", "answered_at"],
            select(
                literal(campaign.id),
                latest.c.household_id,
                latest.c.community_id,
                latest.c.id,
                latest.c.answer,
                latest.c.answered_at,
            ).where(latest.c.n == 1),
        )
    )
    campaign.agreed_count = db.session.scalar(
        select(func.count()).where(
            CampaignVote.campaign_id == campaign.id, CampaignVote.answer == Answer.AGREE
        )
    )


def _canvass(
    plan: CampaignPlan,
    homes: list[Household],
    needed: int,
    opened: datetime,
    cast: _Cast,
    rng: random.Random,
) -> tuple[list[dict], datetime | None]:
    """The answers of the rounds canvassed so far, in time order, and the moment of adoption.

    An adopted campaign takes no answer after the one that reached the threshold; one that is
    open or closed never reached it. A campaign whose draw missed its fate is drawn again, a
    little more (or less) popular, so the plans' stories hold whatever the seed."""
    adopt = plan.status is CampaignStatus.ADOPTED
    mood = plan.mood
    for _attempt in range(50):
        answers, adopted_at = _rounds(plan, homes, needed, opened, cast, mood, rng)
        if adopt == (adopted_at is not None):
            return answers, adopted_at
        mood *= 1.1 if adopt else 0.9
    raise RuntimeError(f"the demo campaign {plan} cannot end as planned")


def _rounds(
    plan: CampaignPlan,
    homes: list[Household],
    needed: int,
    opened: datetime,
    cast: _Cast,
    mood: float,
    rng: random.Random,
) -> tuple[list[dict], datetime | None]:
    now = utcnow()
    is_open, adopt = plan.status is CampaignStatus.OPEN, plan.status is CampaignStatus.ADOPTED
    committee = "业委会 " + _name(rng)
    steward = cast.stewards[0].name
    canvassers = {
        1: (committee, cast.desk),
        2: ("网格员 " + cast.grid_worker, _grid_worker_account(cast)),
        3: (f"联合走访：物业管家{steward}、网格员{cast.grid_worker}", _steward_account(cast)),
    }
    votes: dict[int, Answer] = {}
    answers: list[dict] = []
    agreed = 0
    for round_ in range(1, plan.rounds + 1):
        begin = opened + timedelta(days=(round_ - 1) * ROUND_DAYS)
        end = min(begin + timedelta(days=ROUND_DAYS - 2), now)
        if round_ == 1:
            visited = list(homes)
        else:
            visited = [h for h in homes if h.id in votes and votes[h.id] is not Answer.AGREE]
        # Open: the demo residents have not answered yet (they can sign), and the round under
        # way has reached only part of its households.
        if is_open:
            visited = [h for h in visited if h.id not in cast.accounts]
            if round_ == plan.rounds:
                visited = rng.sample(visited, len(visited) * 3 // 5)
        rng.shuffle(visited)
        moments = sorted(begin + (end - begin) * rng.random() for _ in visited)
        asked_by, recorder = canvassers[round_]
        for home, at in zip(visited, moments, strict=True):
            resident = cast.accounts.get(home.id)
            online = resident is not None and round_ == 1  # the demo residents sign on phones
            answer = Answer.AGREE if online else _answer(round_, votes.get(home.id), mood, rng)
            if answer is Answer.AGREE and not adopt and agreed + 1 >= needed:
                # An open or closed campaign stays short of the threshold.
                answer = Answer.DISAGREE if online else Answer.ABSENT
            answers.append(
                {
                    "community_id": home.community_id,
                    "household_id": home.id,
                    "answer": answer,
                    "channel": AnswerChannel.ONLINE if online else AnswerChannel.DOOR,
                    "round": round_,
                    "asked_by": None if online else asked_by,
                    "answered_at": at,
                    "remark": None if online else _remark(answer, rng),
                    "recorded_by_user_id": (resident if online else recorder).id,
                    "created_at": at,
                }
            )
            agreed += answer is Answer.AGREE
            votes[home.id] = answer
            if adopt and agreed >= needed:
                return answers, at
    return answers, None


def _answer(round_: int, before: Answer | None, mood: float, rng: random.Random) -> Answer:
    """Round 1 finds half agreeing; later rounds win over about half of those not at home and
    fewer of those who said no."""
    agree = {1: 0.5, 2: 0.45, 3: 0.5}[round_] * mood
    if before is Answer.DISAGREE:
        agree /= 2
    draw = rng.random()
    if draw < agree:
        return Answer.AGREE
    return Answer.DISAGREE if draw < agree + 0.15 else Answer.ABSENT


def _remark(answer: Answer, rng: random.Random) -> str | None:
    if rng.random() < 0.6:
        return None
    choices = {
        Answer.AGREE: AGREE_REMARKS,
        Answer.DISAGREE: DISAGREE_REMARKS,
        Answer.ABSENT: ABSENT_REMARKS,
    }
    return rng.choice(choices[answer])


def _grid_worker_account(cast: _Cast) -> User:
    account = db.session.scalar(
        select(User)
        .join(Staff, Staff.user_id == User.id)
        .where(
            Staff.company_id == cast.community.company_id,
            Staff.position == StaffPosition.GRID_WORKER,
        )
    )
    return account or cast.desk  # without an account, the desk enters the grid worker's sheets


def _steward_account(cast: _Cast) -> User:
    return next(iter(cast.staff_accounts.values()), cast.desk)


# ---- inspections -----------------------------------------------------------------------------


def _inspections(cast: _Cast, rng: random.Random) -> None:
    """One or two inspections a unit a month for the past year. Each unit keeps its own level
    (some corridors are simply better kept), everything improves a little over the year, and
    a pact in force helps."""
    if db.session.scalar(
        select(Inspection.id).where(Inspection.community_id == cast.community.id).limit(1)
    ):
        return
    today = shanghai_today()
    first_day = today - timedelta(days=365)
    duty: dict[int, list[StewardAssignment]] = defaultdict(list)
    for row in db.session.scalars(
        select(StewardAssignment).where(StewardAssignment.community_id == cast.community.id)
    ):
        duty[row.unit_id].append(row)
    in_force = dict(
        db.session.execute(
            select(UnitPact.unit_id, func.min(UnitPact.adopted_at))
            .where(UnitPact.community_id == cast.community.id)
            .group_by(UnitPact.unit_id)
        ).all()
    )
    accounts = {account.id: account for account in cast.accounts.values()}
    accounts |= {account.id: account for account in cast.staff_accounts.values()}
    community_level = rng.uniform(-0.3, 0.3)
    this_month = current_period()
    rows = []
    for unit in cast.units:
        level = rng.uniform(2.6, 4.5) + community_level
        for offset in range(12, -1, -1):
            period = add_months(this_month, -offset)
            year, month = divmod(period, 100)
            days = (date(year + month // 12, month % 12 + 1, 1) - date(year, month, 1)).days
            for day_of_month in sorted(rng.sample(range(1, days + 1), rng.choice((1, 1, 2)))):
                day = date(year, month, day_of_month)
                if not first_day < day <= today:
                    continue
                adopted = in_force.get(unit.id)
                better = 0.35 * (12 - offset) / 12 + (
                    0.3 if adopted and adopted.date() < day else 0
                )
                items = {
                    item: max(
                        0, min(ITEM_MAX, round(rng.gauss(level + better + ITEM_BIAS[item], 0.6)))
                    )
                    for item in INSPECTION_ITEMS
                }
                user, name = _inspector(duty[unit.id], day, accounts, cast.desk, rng)
                rows.append(
                    {
                        "unit_id": unit.id,
                        "community_id": unit.community_id,
                        "building_id": unit.building_id,
                        "inspected_on": day,
                        "period": period,
                        "inspector_user_id": user.id,
                        "inspector_name": name,
                        **items,
                        "score": round(sum(items.values()) * 100 / MAX_SCORE),
                        "remarks": _inspection_remarks(items, rng),
                        "created_at": _moment(day, rng),
                    }
                )
    if rows:
        db.session.execute(insert(Inspection), rows)


def _inspector(
    duty: list[StewardAssignment],
    day: date,
    accounts: dict[int, User],
    desk: User,
    rng: random.Random,
) -> tuple[User, str]:
    """Who inspected the unit that day: the leader or the steward on duty in person when they
    have an account, otherwise the steward on paper, entered by the desk."""
    on_duty = {
        row.kind: row for row in duty if row.starts_on <= day and (row.ends_on or day) >= day
    }
    leader, steward = on_duty.get(StewardKind.LEADER), on_duty.get(StewardKind.STEWARD)
    if leader and leader.user_id in accounts and rng.random() < 0.4:
        return accounts[leader.user_id], leader.name
    if steward and steward.user_id in accounts:
        return accounts[steward.user_id], steward.name
    return desk, steward.name if steward else desk.display_name


def _inspection_remarks(items: dict[str, int], rng: random.Random) -> str | None:
    found = [ITEM_REMARKS[item] for item, value in items.items() if value <= 2]
    if found:
        return "；".join(found)
    if sum(items.values()) == MAX_SCORE and rng.random() < 0.5:
        return "楼道整洁，继续保持"
    return None
