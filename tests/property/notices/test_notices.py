"""Notices: publishing to a community or some buildings, residents reading them, read counts,
and the manager's landing page with the day's figures."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select

from app.blueprints.property import services as property_services
from app.blueprints.property.notices import services
from app.blueprints.property.notices.services import NoticeDraft, NoticeStatus
from app.extensions import db
from app.models import (
    Notice,
    NoticeBuilding,
    NoticeRead,
    RequestCategory,
    RequestChannel,
    RequestLocation,
    RequestStatus,
    Role,
    ServiceRequest,
)
from app.periods import utcnow
from tests import factories
from tests.conftest import csrf_token


def estate():
    """A company's community with two buildings of two households each."""
    company = factories.company()
    place = factories.community(company)
    blocks = [factories.building(place, number=str(n)) for n in (1, 2)]
    homes = [factories.household(factories.unit(b)) for b in blocks for _ in (0, 1)]
    return company, place, blocks, homes


def reads() -> int:
    return db.session.scalar(select(func.count(NoticeRead.id)))


def figures(notice: Notice) -> tuple[int, int]:
    row = db.session.execute(
        services.notice_rows(user=factories.user(Role.ADMIN)).where(Notice.id == notice.id)
    ).one()
    return row.read, row.addressed


# --- services ---------------------------------------------------------------------------


def test_status_follows_publish_and_expiry_times(database):
    now = utcnow()
    place = factories.community()
    scheduled = factories.notice(place, published_at=now + timedelta(hours=2))
    current = factories.notice(place, expires_at=now + timedelta(days=1))
    expired = factories.notice(place, expires_at=now - timedelta(minutes=1))
    assert services.status_of(scheduled, now) == NoticeStatus.SCHEDULED
    assert services.status_of(current, now) == NoticeStatus.IN_FORCE
    assert services.status_of(expired, now) == NoticeStatus.EXPIRED
    for status, expected in [
        (NoticeStatus.SCHEDULED, scheduled),
        (NoticeStatus.IN_FORCE, current),
        (NoticeStatus.EXPIRED, expired),
    ]:
        ids = db.session.scalars(select(Notice.id).where(services.status_clause(status, now))).all()
        assert ids == [expected.id], status


def test_publish_to_buildings_and_count_households_addressed(database):
    company, place, blocks, _homes = estate()
    author = factories.user(Role.MANAGER, company_id=company.id)
    draft = NoticeDraft(
        community_id=place.id,
        title=" 电梯检修 ",
        body="2栋电梯周三检修。",
        pinned=True,
        published_at=utcnow(),
        expires_at=None,
        building_ids=(blocks[1].id, blocks[1].id),
    )
    notice = services.publish_notice(draft, author)
    db.session.commit()
    assert notice.title == "电梯检修"
    assert [b.building_id for b in notice.buildings] == [blocks[1].id]
    assert figures(notice) == (0, 2)
    everyone = factories.notice(place)
    assert figures(everyone) == (0, 4)
    assert services.in_force_count(author) == 2
    assert services.in_force_count(factories.user(Role.MANAGER)) == 0


def test_a_read_is_recorded_once_per_household(database):
    _company, place, blocks, homes = estate()
    notice = factories.notice(place, buildings=[blocks[0]])
    owner = factories.resident(homes[0])
    family = factories.resident(homes[0])
    services.mark_read(notice, owner)
    services.mark_read(notice, owner)
    services.mark_read(notice, family)
    db.session.commit()
    assert reads() == 1
    assert figures(notice) == (1, 2)
    # The household of the other building is not addressed: opening records nothing.
    services.mark_read(notice, factories.resident(homes[2]))
    assert reads() == 1


def test_the_read_insert_tolerates_a_row_written_meanwhile(database):
    """Another process may have inserted the same read between our check and our insert:
    ON CONFLICT DO NOTHING keeps the first and raises nothing."""
    _company, place, _blocks, homes = estate()
    notice = factories.notice(place)
    owner = factories.resident(homes[0])
    with db.engine.begin() as other:
        other.execute(
            insert(NoticeRead).values(
                notice_id=notice.id, household_id=homes[0].id, user_id=owner.id, read_at=utcnow()
            )
        )
    services.mark_read(notice, owner)
    db.session.commit()
    assert reads() == 1


def test_narrowing_a_notice_drops_reads_of_households_no_longer_addressed(database):
    _company, place, blocks, homes = estate()
    notice = factories.notice(place)
    services.mark_read(notice, factories.resident(homes[0]))
    services.mark_read(notice, factories.resident(homes[2]))
    assert figures(notice) == (2, 4)
    services.update_notice(
        notice,
        NoticeDraft(
            place.id, notice.title, notice.body, False, notice.published_at, None, (blocks[1].id,)
        ),
    )
    db.session.commit()
    assert figures(notice) == (1, 2)
    assert services.read_figures(notice) == (1, 2)


def test_residents_see_notices_in_force_addressed_to_them_pinned_first(database):
    now = utcnow()
    _company, place, blocks, homes = estate()
    resident = factories.resident(homes[0])
    older_pinned = factories.notice(
        place, title="置顶", pinned=True, published_at=now - timedelta(days=3)
    )
    newest = factories.notice(place, title="最新")
    factories.notice(place, title="别的楼", buildings=[blocks[1]])
    mine = factories.notice(
        place, title="本楼", buildings=[blocks[0]], published_at=now - timedelta(days=1)
    )
    factories.notice(place, title="未发布", published_at=now + timedelta(hours=1))
    factories.notice(place, title="已过期", expires_at=now - timedelta(seconds=1))
    factories.notice(factories.community(), title="别的小区")
    services.mark_read(mine, resident)
    rows = db.session.execute(services.current_notices(resident, now)).all()
    assert [(r.Notice.id, r.read) for r in rows] == [
        (older_pinned.id, False),
        (newest.id, False),
        (mine.id, True),
    ]


def test_unpin_and_expire_now(database):
    notice = factories.notice(pinned=True)
    services.unpin(notice)
    now = utcnow()
    services.expire_now(notice, now)
    assert not notice.pinned and notice.expires_at == now
    later = now + timedelta(hours=1)
    services.expire_now(notice, later)
    assert notice.expires_at == now, "an expired notice keeps its expiry"


# --- manager views ----------------------------------------------------------------------


def notice_form(client, **fields) -> dict:
    data = {
        "csrf_token": csrf_token(client, "/property/notices/new"),
        "title": "停电通知",
        "body": "周六8:00-12:00停电检修。\n请注意<安全>。",
        "published_at": "2026-01-10T09:00",
        "expires_at": "",
    }
    return data | fields


def test_a_manager_publishes_a_notice_to_one_building(login_as):
    company, place, blocks, _homes = estate()
    manager = login_as(user=factories.user(Role.MANAGER, company_id=company.id))
    page = manager.get("/property/notices/new").get_data(as_text=True)
    assert place.name in page and 'name="building_ids"' in page
    response = manager.post(
        "/property/notices/new",
        data=notice_form(manager, community_id=place.id, building_ids=[blocks[0].id], pinned="y"),
    )
    assert response.status_code == 302
    notice = db.session.scalar(select(Notice))
    assert notice.pinned and [b.building_id for b in notice.buildings] == [blocks[0].id]
    # 09:00 in Shanghai is 01:00 UTC.
    assert notice.published_at.hour == 1
    listing = manager.get("/property/notices").get_data(as_text=True)
    assert "停电通知" in listing and "0 / 2 户" in listing


def test_the_building_checkboxes_follow_the_community(login_as):
    company, _place, blocks, _homes = estate()
    other_place = factories.community(company)
    other_block = factories.building(other_place, number="9")
    manager = login_as(user=factories.user(Role.MANAGER, company_id=company.id))
    html = manager.get(
        f"/property/notices/buildings?community_id={other_place.id}",
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert html.lstrip().startswith('<fieldset id="notice-buildings"')
    assert f'value="{other_block.id}"' in html and f'value="{blocks[0].id}"' not in html
    stranger = factories.community()
    factories.building(stranger)
    html = manager.get(
        f"/property/notices/buildings?community_id={stranger.id}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert 'name="building_ids"' in html and stranger.name not in html


def test_bad_notice_input_is_refused_and_kept(login_as):
    company, place, _blocks, _homes = estate()
    stranger = factories.community()
    strange_block = factories.building(stranger)
    manager = login_as(user=factories.user(Role.MANAGER, company_id=company.id))
    cases = [
        ({"community_id": place.id, "title": ""}, "请输入标题"),
        ({"community_id": place.id, "expires_at": "2026-01-09T09:00"}, "晚于发布时间"),
        ({"community_id": place.id, "published_at": "not a time"}, "日期"),
        ({"community_id": stranger.id}, "不是有效的选择"),
        ({"community_id": place.id, "building_ids": [strange_block.id]}, "请选择所选小区的楼栋"),
        ({"community_id": place.id, "title": "长" * 121}, "120"),
    ]
    for fields, message in cases:
        response = manager.post("/property/notices/new", data=notice_form(manager, **fields))
        html = response.get_data(as_text=True)
        assert response.status_code == 422, fields
        assert message in html, (fields, html[html.find("field-error") - 300 :][:800])
        assert "周六8:00-12:00停电检修。" in html
    assert db.session.scalar(select(func.count(Notice.id))) == 0


def test_edit_unpin_and_expire_from_the_list(login_as):
    company, place, blocks, _homes = estate()
    notice = factories.notice(place, pinned=True)
    manager = login_as(user=factories.user(Role.MANAGER, company_id=company.id))
    form = manager.get(f"/property/notices/{notice.id}/edit").get_data(as_text=True)
    assert "停水通知" in form and "应读 4 户，已读 0 户。" in form
    response = manager.post(
        f"/property/notices/{notice.id}/edit",
        data=notice_form(
            manager,
            community_id=place.id,
            title="停水通知（更新）",
            building_ids=[blocks[1].id],
            pinned="y",
        ),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/property/notices"
    db.session.expire_all()
    assert notice.title == "停水通知（更新）"
    assert db.session.scalars(select(NoticeBuilding.building_id)).all() == [blocks[1].id]

    token = csrf_token(manager, "/property/notices")
    back = "/property/notices?status=in_force"
    response = manager.post(
        f"/property/notices/{notice.id}/unpin", data={"csrf_token": token, "next": back}
    )
    assert response.headers["Location"] == back
    response = manager.post(
        f"/property/notices/{notice.id}/expire",
        data={"csrf_token": token, "next": "https://evil.example/"},
    )
    assert response.headers["Location"] == "/property/notices"
    db.session.expire_all()
    assert not notice.pinned and services.status_of(notice) == NoticeStatus.EXPIRED
    expired = manager.get("/property/notices?status=expired").get_data(as_text=True)
    assert "停水通知（更新）" in expired and "已过期" in expired
    assert "停水通知（更新）" not in manager.get("/property/notices?status=in_force").get_data(
        as_text=True
    )


def test_another_company_s_notice_is_a_404_and_stewards_only_read(login_as):
    company, place, _blocks, _homes = estate()
    theirs = factories.notice(factories.community())
    manager = login_as(user=factories.user(Role.MANAGER, company_id=company.id))
    assert manager.get(f"/property/notices/{theirs.id}/edit").status_code == 404
    token = csrf_token(manager, "/property/notices")
    assert (
        manager.post(
            f"/property/notices/{theirs.id}/expire", data={"csrf_token": token}
        ).status_code
        == 404
    )
    steward = login_as(user=factories.user(Role.STEWARD, company_id=company.id))
    factories.notice(place, title="本公司通知")
    listing = steward.get("/property/notices").get_data(as_text=True)
    assert "本公司通知" in listing and "/property/notices/new" not in listing
    assert steward.get("/property/notices/new").status_code == 403


# --- residents --------------------------------------------------------------------------


def test_a_resident_sees_and_opens_a_notice_and_the_manager_sees_the_read(login_as):
    company, place, blocks, homes = estate()
    notice = factories.notice(place, buildings=[blocks[0]], title="<b>停水</b>通知")
    resident = login_as(user=factories.resident(homes[0]))
    home = resident.get("/property/my-home").get_data(as_text=True)
    assert "&lt;b&gt;停水&lt;/b&gt;通知" in home and "<b>停水" not in home
    assert "badge-new" in home
    page = resident.get(f"/property/notices/{notice.id}").get_data(as_text=True)
    assert "明天上午9点至12点停水。\n请提前储水。" in page
    assert 'class="notice-body"' in page
    assert "badge-new" not in resident.get("/property/my-home").get_data(as_text=True)
    resident.get(f"/property/notices/{notice.id}")
    assert reads() == 1

    manager = login_as(user=factories.user(Role.MANAGER, company_id=company.id))
    listing = manager.get("/property/notices").get_data(as_text=True)
    assert "1 / 2 户" in listing and "(50%)" in listing


def test_a_resident_cannot_open_notices_not_for_them(login_as):
    now = utcnow()
    _company, place, blocks, homes = estate()
    resident = login_as(user=factories.resident(homes[0]))
    for notice in (
        factories.notice(place, buildings=[blocks[1]]),
        factories.notice(place, published_at=now + timedelta(hours=1)),
        factories.notice(place, expires_at=now - timedelta(hours=1)),
        factories.notice(factories.community()),
    ):
        assert resident.get(f"/property/notices/{notice.id}").status_code == 404
    assert reads() == 0
    assert resident.get("/property/notices").status_code == 403


# --- the manager's landing page ---------------------------------------------------------


def service_request(place, **fields) -> ServiceRequest:
    values = {
        "community_id": place.id,
        "channel": RequestChannel.WINDOW,
        "category": RequestCategory.REPAIR,
        "location": RequestLocation.COMMON_AREA,
        "description": "路灯不亮",
        "status": RequestStatus.SUBMITTED,
        "due_at": utcnow() + timedelta(days=2),
    }
    request = ServiceRequest(**(values | fields))
    db.session.add(request)
    db.session.commit()
    return request


def test_day_figures_count_open_overdue_and_new_requests(database):
    now = utcnow()
    company, place, _blocks, _homes = estate()
    service_request(place)
    service_request(place, status=RequestStatus.DISPATCHED, due_at=now - timedelta(hours=1))
    service_request(
        place,
        status=RequestStatus.REOPENED,
        due_at=now - timedelta(days=3),
        created_at=now - timedelta(days=5),
    )
    service_request(place, status=RequestStatus.RESOLVED, due_at=now - timedelta(days=1))
    service_request(factories.community())
    factories.notice(place)
    factories.notice(place, expires_at=now - timedelta(minutes=1))
    manager = factories.user(Role.MANAGER, company_id=company.id)
    figures = property_services.day_figures(manager, now)
    assert figures.open_requests == 4  # not closed, as the inbox counts them
    assert figures.overdue_requests == 2
    assert figures.new_today in (3, 4)  # the resolved one too, unless it is just past midnight
    assert figures.notices_in_force == 1


def test_today_starts_at_midnight_in_shanghai(app, database):
    from datetime import UTC, datetime

    company, place, _blocks, _homes = estate()
    # 2026-03-02 00:30 in Shanghai is 2026-03-01 16:30 UTC.
    now = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
    service_request(place, created_at=datetime(2026, 3, 1, 16, 10, tzinfo=UTC))
    service_request(place, created_at=datetime(2026, 3, 1, 15, 50, tzinfo=UTC))
    manager = factories.user(Role.MANAGER, company_id=company.id)
    with app.test_request_context():
        assert property_services.day_figures(manager, now).new_today == 1


def test_the_dashboard_shows_the_day_cards(login_as):
    company, place, _blocks, _homes = estate()
    service_request(place, due_at=utcnow() - timedelta(hours=1))
    factories.notice(place)
    manager = login_as(user=factories.user(Role.MANAGER, company_id=company.id))
    html = manager.get("/property/dashboard").get_data(as_text=True)
    for caption in ("待办工单", "已超时", "今日新增", "生效中的通知"):
        assert caption in html
    assert "/property/notices?status=in_force" in html
    assert "/property/requests/inbox?overdue=y" in html
    assert "/property/requests/inbox?status=all&amp;filed=today" in html
    assert html.index("day-cards") < html.index('id="communities"')


def test_the_demo_notices_load_once(database):
    import random

    from app.demo.base import load_demo
    from app.demo.notices import load_demo as load_notices
    from app.models import Community

    load_demo()
    communities = {c.name: c for c in db.session.scalars(select(Community))}
    load_notices(communities, random.Random(1))
    count = db.session.scalar(select(func.count(Notice.id)))
    load_notices(communities, random.Random(2))
    assert db.session.scalar(select(func.count(Notice.id))) == count == 7
    now = utcnow()
    states = {services.status_of(n, now) for n in db.session.scalars(select(Notice))}
    assert states == set(NoticeStatus)
