"""Service requests: the state machine, who may take which step, overdue, and the figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.blueprints.property.requests import services
from app.blueprints.property.requests.services import Filters, NotAllowed, RequestError
from app.extensions import db
from app.models import (
    AuditEntry,
    RequestCategory,
    RequestChannel,
    RequestEvent,
    RequestEventKind,
    RequestLocation,
    RequestStatus,
    Role,
    ServiceRequest,
)
from app.periods import Month, utcnow
from tests import factories


@pytest.fixture
def world(app, database):
    """One company with a community, a home and its resident, a manager, a steward linked to a
    staff record, and a second company with its own manager; in a request context, so that
    messages can be read."""
    company = factories.company()
    community = factories.community(company)
    home = factories.household(factories.unit(factories.building(community)))
    steward_user = factories.user(Role.STEWARD, company_id=company.id)
    steward = factories.staff(company, user_id=steward_user.id, name="张管家")
    other = factories.company()
    with app.test_request_context():
        yield {
            "company": company,
            "community": community,
            "home": home,
            "resident": factories.resident(home),
            "manager": factories.user(Role.MANAGER, company_id=company.id),
            "steward_user": steward_user,
            "steward": steward,
            "other_staff": factories.staff(company, name="王师傅"),
            "outsider": factories.user(Role.MANAGER, company_id=other.id),
            "foreign_staff": factories.staff(other),
        }


def file(world, **fields) -> ServiceRequest:
    values = {
        "category": RequestCategory.REPAIR,
        "location": RequestLocation.HOUSEHOLD,
        "description": "厨房水管漏水",
    }
    item = services.file_request(world["resident"], world["home"], **(values | fields))
    db.session.commit()
    return item


def kinds(item: ServiceRequest) -> list[str]:
    return [
        e.kind.value
        for e in db.session.scalars(
            select(RequestEvent).where(RequestEvent.request_id == item.id).order_by(RequestEvent.id)
        )
    ]


def test_the_whole_loop_from_filing_to_rating(world):
    item = file(world)
    assert item.status == RequestStatus.SUBMITTED
    assert item.due_at - item.created_at == timedelta(hours=72)
    assert item.unit_id == world["home"].unit_id

    services.dispatch(world["manager"], item, world["steward"], "今天下午处理")
    services.add_note(world["steward_user"], item, "已关闭总阀，等配件")
    services.set_departments(world["steward_user"], item, ["property", "water", "街道办"])
    services.resolve(world["steward_user"], item, "更换了三通")
    db.session.commit()
    assert item.status == RequestStatus.RESOLVED and item.resolved_at is not None

    services.accept(world["resident"], item, 5, "师傅很专业")
    db.session.commit()
    db.session.refresh(item)
    assert item.status == RequestStatus.CLOSED
    assert item.rating == 5 and item.closed_at is not None
    assert item.departments == ["property", "water", "街道办"]
    assert kinds(item) == ["filed", "dispatched", "note", "departments", "resolved", "accepted"]
    history = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "request").order_by(AuditEntry.id)
    ).all()
    assert history == ["filed", "dispatched", "departments", "resolved", "accepted"]
    dispatched = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "dispatched"))
    assert dispatched.changes["status"] == ["submitted", "dispatched"]
    assert dispatched.changes["assignee_staff_id"] == [None, world["steward"].id]


def test_reopen_needs_a_reason_and_goes_back_to_dispatch(world):
    item = file(world)
    services.dispatch(world["manager"], item, world["steward"])
    services.resolve(world["manager"], item, "已处理")
    with pytest.raises(RequestError):
        services.reopen(world["resident"], item, "   ")
    services.reopen(world["resident"], item, "还在漏")
    db.session.commit()
    assert item.status == RequestStatus.REOPENED and item.resolved_at is None
    # Reopened work can go to the same person again, or to someone else.
    services.dispatch(world["manager"], item, world["other_staff"])
    assert item.status == RequestStatus.DISPATCHED
    assert item.assignee_staff_id == world["other_staff"].id


def test_a_rating_is_required_and_between_1_and_5(world):
    item = file(world)
    services.dispatch(world["manager"], item, world["steward"])
    services.resolve(world["manager"], item, "已处理")
    for bad in (None, 0, 6):
        with pytest.raises(RequestError):
            services.accept(world["resident"], item, bad)
    assert item.status == RequestStatus.RESOLVED


@pytest.mark.parametrize(
    ("step", "status"),
    [
        ("resolve", RequestStatus.SUBMITTED),
        ("accept", RequestStatus.DISPATCHED),
        ("reopen", RequestStatus.SUBMITTED),
        ("dispatch", RequestStatus.RESOLVED),
        ("note", RequestStatus.CLOSED),
    ],
)
def test_steps_from_the_wrong_status_are_refused(world, step, status):
    item = file(world)
    item.status = status
    if status == RequestStatus.CLOSED:
        item.rating = 4
    db.session.commit()
    actions = {
        "resolve": lambda: services.resolve(world["manager"], item, "好了"),
        "accept": lambda: services.accept(world["resident"], item, 5),
        "reopen": lambda: services.reopen(world["resident"], item, "没修好"),
        "dispatch": lambda: services.dispatch(world["manager"], item, world["steward"]),
        "note": lambda: services.add_note(world["manager"], item, "备注"),
    }
    with pytest.raises(RequestError) as raised:
        actions[step]()
    assert not isinstance(raised.value, NotAllowed)
    assert raised.value.message


def test_who_may_take_which_step(world):
    item = file(world)
    with pytest.raises(NotAllowed):
        services.dispatch(world["steward_user"], item, world["steward"])
    with pytest.raises(NotAllowed):
        services.dispatch(world["outsider"], item, world["steward"])
    with pytest.raises(NotAllowed):
        services.dispatch(world["resident"], item, world["steward"])
    services.dispatch(world["manager"], item, world["other_staff"])
    # A steward acts only on the requests dispatched to them.
    with pytest.raises(NotAllowed):
        services.add_note(world["steward_user"], item, "我来看看")
    with pytest.raises(NotAllowed):
        services.resolve(world["steward_user"], item, "好了")
    services.resolve(world["manager"], item, "好了")
    # Staff do not give the resident's verdict on a request filed online.
    with pytest.raises(NotAllowed):
        services.accept(world["manager"], item, 5)
    neighbour = factories.resident(factories.household(factories.unit()))
    with pytest.raises(NotAllowed):
        services.accept(neighbour, item, 5)
    with pytest.raises(NotAllowed):
        services.accept(factories.user(Role.ADMIN), item, 5)


def test_dispatch_only_to_active_staff_of_the_company(world):
    item = file(world)
    with pytest.raises(RequestError):
        services.dispatch(world["manager"], item, world["foreign_staff"])
    world["other_staff"].is_active = False
    with pytest.raises(RequestError):
        services.dispatch(world["manager"], item, world["other_staff"])
    services.dispatch(world["manager"], item, world["steward"])
    with pytest.raises(RequestError, match="张管家"):
        services.dispatch(world["manager"], item, world["steward"])


def test_a_stale_status_cannot_move_twice(world):
    """Two clerks acting on the same request at once: the second finds it already moved."""
    item = file(world)
    services.dispatch(world["manager"], item, world["steward"])
    services.resolve(world["manager"], item, "好了")
    db.session.commit()
    # Another process closes it meanwhile; this session still believes it is resolved.
    db.session.execute(
        ServiceRequest.__table__.update()
        .where(ServiceRequest.id == item.id)
        .values(status="closed", rating=3)
    )
    with pytest.raises(RequestError):
        services.reopen(world["resident"], item, "还是坏的")
    db.session.rollback()
    assert kinds(item).count("reopened") == 0


def test_filing_checks_the_household_and_the_place(world):
    neighbour_home = factories.household(factories.unit(factories.building(world["community"])))
    with pytest.raises(NotAllowed):
        services.file_request(
            world["resident"],
            neighbour_home,
            category=RequestCategory.REPAIR,
            location=RequestLocation.HOUSEHOLD,
            description="漏水",
        )
    with pytest.raises(RequestError):
        services.file_request(
            world["resident"],
            world["home"],
            category=RequestCategory.SAFETY,
            location=RequestLocation.COMMON_AREA,
            description="路灯不亮",
        )
    common = file(
        world,
        category=RequestCategory.SAFETY,
        location=RequestLocation.COMMON_AREA,
        location_note="3栋旁自行车棚",
    )
    assert common.unit_id is None
    assert common.due_at - common.created_at == timedelta(hours=24)
    # A resident files online only; a clerk files for the window or the phone only.
    for who in ("resident", "outsider"):
        with pytest.raises(NotAllowed):
            services.file_request(
                world[who],
                world["home"],
                category=RequestCategory.REPAIR,
                location=RequestLocation.HOUSEHOLD,
                description="漏水",
                channel=RequestChannel.PHONE,
            )


def test_a_clerk_records_a_phone_request_and_the_follow_up_call(world):
    item = services.file_request(
        world["manager"],
        world["home"],
        category=RequestCategory.COMPLAINT,
        location=RequestLocation.CORRIDOR,
        description="楼道堆放杂物",
        channel=RequestChannel.PHONE,
    )
    assert item.reporter_user_id is None and item.unit_id == world["home"].unit_id
    services.dispatch(world["manager"], item, world["steward"])
    services.resolve(world["steward_user"], item, "已清理")
    services.accept(world["manager"], item, 4, "电话回访满意")
    assert item.status == RequestStatus.CLOSED


def test_departments_are_cleaned(world):
    assert services.clean_departments(["gas", "bogus", "gas"], "街道办，派出所、 ") == [
        "gas",
        "街道办",
        "派出所",
    ]
    with pytest.raises(RequestError):
        services.clean_departments([], "一" * 21)
    with pytest.raises(RequestError):
        services.clean_departments([], ",".join(f"部门{n}" for n in range(11)))
    item = file(world)
    services.set_departments(world["manager"], item, ["power"])
    with pytest.raises(RequestError):
        services.set_departments(world["manager"], item, ["power"])


def test_overdue_is_open_and_past_its_limit(world):
    now = utcnow()
    late = factories.service_request(
        world["home"], category=RequestCategory.SAFETY, due_at=now - timedelta(hours=1)
    )
    on_time = factories.service_request(world["home"], due_at=now + timedelta(hours=1))
    done_late = factories.service_request(
        world["home"],
        status=RequestStatus.RESOLVED,
        due_at=now - timedelta(hours=5),
        resolved_at=now - timedelta(hours=2),
    )
    assert services.is_overdue(late) and not services.is_overdue(on_time)
    assert not services.is_overdue(done_late)
    rows = db.session.execute(services.inbox(Filters(overdue=True), world["manager"])).all()
    assert [row.ServiceRequest.id for row in rows] == [late.id]
    assert services.overdue_count(world["manager"]) == 1
    assert services.overdue_count(world["outsider"]) == 0


def test_inbox_filters_and_search_in_sql(world):
    leak = file(world, description="卫生间漏水")
    noise = file(world, category=RequestCategory.COMPLAINT, description="广场舞噪音")
    closed = factories.service_request(world["home"], status=RequestStatus.CLOSED, rating=5)

    def ids(**filters):
        return [
            row.ServiceRequest.id
            for row in db.session.execute(services.inbox(Filters(**filters), world["manager"]))
        ]

    assert set(ids()) == {leak.id, noise.id}
    assert ids(category="complaint") == [noise.id]
    assert ids(q="漏水") == [leak.id]
    assert ids(q="%") == []
    assert ids(status="closed") == [closed.id]
    assert set(ids(status="all")) == {leak.id, noise.id, closed.id}
    assert ids(community_id=world["community"].id + 999) == []
    assert set(ids()) and not db.session.execute(services.inbox(Filters(), world["outsider"])).all()


def test_the_filed_filter_counts_days_on_the_office_clock(world):
    now = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
    after_midnight = factories.service_request(
        world["home"],
        created_at=datetime(2026, 11, 28, 16, 30, tzinfo=UTC),  # 00:30 local
    )
    before_midnight = factories.service_request(
        world["home"],
        created_at=datetime(2026, 11, 28, 15, 30, tzinfo=UTC),  # 23:30 local
    )
    last_month = factories.service_request(
        world["home"], created_at=datetime(2026, 10, 20, 8, 0, tzinfo=UTC)
    )

    def ids(filed):
        query = services.inbox(Filters(status="all", filed=filed), world["manager"], now)
        return {row.ServiceRequest.id for row in db.session.execute(query)}

    assert ids("today") == {after_midnight.id}
    assert ids("7d") == {after_midnight.id, before_midnight.id}
    assert ids("") == {after_midnight.id, before_midnight.id, last_month.id}


def test_a_steward_sees_only_their_tasks(world):
    mine = file(world)
    theirs = file(world)
    services.dispatch(world["manager"], mine, world["steward"])
    services.dispatch(world["manager"], theirs, world["other_staff"])
    db.session.commit()
    rows = db.session.execute(services.tasks(world["steward_user"], Filters())).all()
    assert [row.ServiceRequest.id for row in rows] == [mine.id]
    # A steward account not linked to any staff record has no tasks at all.
    unlinked = factories.user(Role.STEWARD, company_id=world["company"].id)
    file(world)
    assert not db.session.execute(services.tasks(unlinked, Filters())).all()


def test_find_household_by_building_unit_room(world):
    home = world["home"]
    unit = home.unit
    for text in (
        f"{unit.building.number}-{unit.number}-{home.room}",
        f"{unit.building.number}栋{unit.number}单元{home.room}室",
        f" {unit.building.number} / {unit.number} / {home.room} ",
    ):
        assert services.find_household(world["community"].id, text, world["manager"]) == home
    assert services.find_household(world["community"].id, "9-9-999", world["manager"]) is None
    assert services.find_household(world["community"].id, "nonsense", world["manager"]) is None
    assert services.find_household(world["community"].id, text, world["outsider"]) is None


def test_month_boundaries_are_shanghai_midnights():
    month = Month.parse("2026-11")
    start, end = month.bounds()
    assert start == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert end == datetime(2026, 11, 30, 16, tzinfo=UTC)
    assert str(month.shifted(-12)) == "2025-11" and str(month.shifted(2)) == "2027-01"
    assert Month.containing(datetime(2026, 10, 31, 17, tzinfo=UTC)) == month
    for bad in ("2026-13", "2026-1", "11/2026", "", "1999-01"):
        assert Month.parse(bad) is None


def test_monthly_figures(world):
    month = Month(2026, 11)
    start, _end = month.bounds()
    home = world["home"]

    def at(days: float) -> datetime:
        return start + timedelta(days=days)

    # Filed and resolved in the month: 10 h and 30 h, rated 5 and 3.
    factories.service_request(
        home,
        created_at=at(1),
        status=RequestStatus.CLOSED,
        resolved_at=at(1) + timedelta(hours=10),
        closed_at=at(2),
        rating=5,
    )
    factories.service_request(
        home,
        category=RequestCategory.COMPLAINT,
        created_at=at(3),
        status=RequestStatus.CLOSED,
        resolved_at=at(3) + timedelta(hours=30),
        closed_at=at(5),
        rating=3,
    )
    # Filed in the month, still open; one more complaint.
    factories.service_request(home, category=RequestCategory.COMPLAINT, created_at=at(10))
    # Filed the last evening of October in Shanghai: not this month.
    factories.service_request(home, created_at=start - timedelta(minutes=1))
    # A year earlier: four complaints, one of them in the previous month.
    for days in (0.5, 4, 20):
        factories.service_request(
            home,
            category=RequestCategory.COMPLAINT,
            created_at=month.shifted(-12).bounds()[0] + timedelta(days=days),
        )
    factories.service_request(
        home,
        category=RequestCategory.COMPLAINT,
        created_at=month.shifted(-12).bounds()[0] - timedelta(hours=1),
    )
    # Another company's requests count for the district office only.
    foreign_home = factories.household(factories.unit(factories.building(factories.community())))
    factories.service_request(foreign_home, created_at=at(2))

    totals = services.figure_totals(month, world["manager"])
    assert (totals.received, totals.resolved, totals.rated) == (3, 2, 2)
    assert totals.avg_hours == pytest.approx(20.0, abs=0.01)
    assert totals.avg_rating == pytest.approx(4.0)
    assert totals.satisfied_share == pytest.approx(0.5)
    assert (totals.complaints, totals.complaints_last_year) == (2, 3)
    assert totals.complaint_change == pytest.approx(-33.333, abs=0.01)

    rows = db.session.execute(services.figure_rows(month, world["manager"])).all()
    assert [(row.name, row.received) for row in rows] == [(world["community"].name, 3)]

    admin = factories.user(Role.ADMIN)
    assert services.figure_totals(month, admin).received == 4
    by_company = {
        row.name: row.received
        for row in db.session.execute(services.figure_rows(month, admin)).all()
    }
    assert by_company[world["company"].name] == 3
    assert sum(value or 0 for value in by_company.values()) == 4


def test_figures_without_last_year_show_no_change():
    figures = services.Figures.of(
        "x",
        type(
            "Row",
            (),
            dict.fromkeys(services.FIGURE_NAMES, None) | {"complaints": 2},
        ),
    )
    assert figures.complaint_change is None and figures.satisfied_share is None


def test_timeline_names_who_acted(world):
    item = file(world)
    services.dispatch(world["manager"], item, world["steward"])
    db.session.commit()
    events = services.timeline(item, world["resident"])
    assert [e.RequestEvent.kind for e in events] == [
        RequestEventKind.FILED,
        RequestEventKind.DISPATCHED,
    ]
    assert events[0].actor == world["resident"].display_name
    assert events[1].staff == "张管家"
    assert services.timeline(item, world["outsider"]) == []


def test_demo_requests_cover_every_status_and_load_once(app, database):
    import random

    from app.demo.base import load_demo
    from app.demo.requests import load_demo as load_requests
    from app.models import Community, User

    load_demo()
    communities = {c.name: c for c in db.session.scalars(select(Community))}
    load_requests(communities, random.Random(7))
    db.session.commit()
    count = db.session.scalar(select(db.func.count(ServiceRequest.id)))
    load_requests(communities, random.Random(7))
    assert db.session.scalar(select(db.func.count(ServiceRequest.id))) == count
    assert 40 <= count <= 250

    statuses = set(db.session.scalars(select(ServiceRequest.status)))
    assert statuses == set(RequestStatus)
    assert services.overdue_count(factories.user(Role.ADMIN)) > 0
    resident = db.session.scalar(select(User).where(User.username == "resident"))
    assert {
        row.ServiceRequest.status
        for row in db.session.execute(services.resident_requests(resident))
    } >= {RequestStatus.RESOLVED, RequestStatus.DISPATCHED, RequestStatus.REOPENED}

    manager = db.session.scalar(select(User).where(User.username == "manager"))
    with app.test_request_context():
        this_month = Month.containing(utcnow())
        figures = services.figure_totals(this_month, manager)
        assert figures.received > 0 and figures.complaints_last_year > 0
        assert figures.complaint_change is not None and figures.complaint_change < 0
        earlier = services.figure_totals(this_month.shifted(-2), manager)
        assert earlier.resolved > 0 and earlier.avg_rating is not None


def test_stewards_come_first_in_the_dispatch_list(world):
    from app.models import StaffPosition

    factories.staff(world["company"], name="保洁甲", position=StaffPosition.CLEANER)
    item = file(world)
    staff = services.dispatchable_staff(item, world["manager"])
    assert staff[0].position == StaffPosition.STEWARD
    assert world["foreign_staff"] not in staff
