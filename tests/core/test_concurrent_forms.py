"""The same form sent ten times at once (a double click, a network that retries), on
PostgreSQL: the unique constraint, not the form's own check, decides the race, and the losers
get the form back with the field's message (422), never a 500. Nothing is written twice."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Community,
    FeeItem,
    Household,
    LateFeeRule,
    NoticeBuilding,
    Role,
    User,
)
from tests import factories
from tests.conftest import csrf_token, login

AT_ONCE = 10


@pytest.fixture(autouse=True)
def postgres_only(app: Flask, database: None) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite lets one writer in at a time: the race needs PostgreSQL")


def submit_at_once(app: Flask, manager: User, path: str, form: dict) -> list[object]:
    clients: list[FlaskClient] = []
    for _ in range(AT_ONCE):
        client = app.test_client()
        login(client, manager)
        clients.append(client)
    tokens = [csrf_token(client, "/property/roster") for client in clients]
    start = threading.Barrier(AT_ONCE)
    statuses: list[object] = [None] * AT_ONCE

    def send(n: int) -> None:
        start.wait(timeout=10)
        try:
            statuses[n] = clients[n].post(path, data=form | {"csrf_token": tokens[n]}).status_code
        except Exception as error:  # the test client raises what the app did not handle
            statuses[n] = repr(error)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    db.session.rollback()
    return statuses


def count(model: type, *where: object) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def office(app: Flask) -> tuple[User, Community]:
    place = factories.community()
    manager = factories.user(Role.MANAGER, company_id=place.company_id)
    db.session.commit()
    return manager, place


def one_saved(statuses: list[object], saved: int = 302) -> bool:
    return statuses.count(saved) == 1 and set(statuses) == {saved, 422}


def test_a_fee_item_sent_ten_times_is_added_once(app: Flask, office) -> None:  # type: ignore[no-untyped-def]
    manager, place = office
    form = {"kind": "property", "name": "物业费", "rate": "1.2", "effective_from": "2026-01"}
    statuses = submit_at_once(app, manager, f"/fees/billing/communities/{place.id}/items", form)
    assert one_saved(statuses), statuses
    assert count(FeeItem, FeeItem.community_id == place.id) == 1


def test_a_first_late_fee_rule_sent_ten_times_is_saved(app: Flask, office) -> None:  # type: ignore[no-untyped-def]
    manager, place = office
    form = {
        "enabled": "y",
        "mode": "daily_rate",
        "daily_rate_per_10k": "5",
        "grace_days": "30",
        "cap_percent": "20",
    }
    path = f"/fees/billing/communities/{place.id}/late-fees"
    statuses = submit_at_once(app, manager, path, form)
    assert set(statuses) == {302}, statuses
    assert count(LateFeeRule, LateFeeRule.community_id == place.id) == 1


def test_a_room_sent_ten_times_is_added_once(app: Flask, office) -> None:  # type: ignore[no-untyped-def]
    manager, place = office
    entrance = factories.unit(factories.building(place))
    db.session.commit()
    form = {
        "unit_id": entrance.id,
        "room": "301",
        "floor": "3",
        "area_m2": "72.4",
        "owner_name": "赵海燕",
        "phone": "",
    }
    statuses = submit_at_once(app, manager, "/property/roster/households/new", form)
    assert one_saved(statuses), statuses
    assert count(Household, Household.unit_id == entrance.id) == 1


def test_a_community_sent_ten_times_is_added_once(app: Flask, office) -> None:  # type: ignore[no-untyped-def]
    manager, _place = office
    form = {
        "name": "新建小区",
        "city": "宜昌市",
        "district": "西陵区",
        "street": "学院街道",
        "management_mode": "red_property",
        "built_year": "1999",
    }
    statuses = submit_at_once(app, manager, "/property/roster/communities/new", form)
    assert one_saved(statuses), statuses
    assert count(Community, Community.name == "新建小区") == 1


def test_an_account_sent_ten_times_is_opened_once(app: Flask, office) -> None:  # type: ignore[no-untyped-def]
    manager, place = office
    member = factories.staff(db.session.get(Community, place.id).company)
    db.session.commit()
    path = f"/property/roster/staff/{member.id}/account"
    statuses = submit_at_once(app, manager, path, {"username": "zhou.gj", "role": "steward"})
    # The one-time password is shown on the answer itself.
    assert one_saved(statuses, saved=200), statuses
    assert count(User, User.username == "zhou.gj") == 1


def test_a_notice_saved_unchanged_ten_times_at_once_is_saved(app: Flask, office) -> None:  # type: ignore[no-untyped-def]
    manager, place = office
    buildings = [factories.building(place) for _ in range(3)]
    notice = factories.notice(place, buildings=buildings)
    db.session.commit()
    form = {
        "community_id": place.id,
        "building_ids": [b.id for b in buildings],
        "title": notice.title,
        "body": notice.body,
        "published_at": "2026-11-01T09:00",
    }
    statuses = submit_at_once(app, manager, f"/property/notices/{notice.id}/edit", form)
    assert set(statuses) == {302}, statuses
    assert count(NoticeBuilding, NoticeBuilding.notice_id == notice.id) == 3
