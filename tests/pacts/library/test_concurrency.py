"""Ten editors saving the same pact at the same moment, on PostgreSQL: each started from
version 1, so each claims version 2. The unique (pact_id, number) lets one in; the others get
their form back with the message to reload (422), never a 500, and nothing else is written."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Community, PactVersion, Role
from tests import factories
from tests.conftest import csrf_token, login

AT_ONCE = 10


@pytest.fixture(autouse=True)
def postgres_only(app: Flask, database: None) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite lets one writer in at a time: the race needs PostgreSQL")


def test_ten_editors_saving_at_once_make_one_version(app: Flask) -> None:
    first = factories.pact_version()
    company_id = db.session.get(Community, first.community_id).company_id
    manager = factories.user(Role.MANAGER, company_id=company_id, locale="en")
    db.session.commit()
    path = f"/pacts/library/{first.pact_id}/edit"
    clients = []
    for _ in range(AT_ONCE):
        client = app.test_client()
        login(client, manager)
        clients.append(client)
    tokens = [csrf_token(client, path) for client in clients]
    start = threading.Barrier(AT_ONCE)
    answers: list[object] = [None] * AT_ONCE

    def save(n: int) -> None:
        form = {
            "csrf_token": tokens[n],
            "title": first.title,
            "clauses-0-title": "安静时段",
            "clauses-0-body": f"第{n}位编辑的写法。",
            "base": "1",
            "note": f"编辑{n}",
        }
        start.wait(timeout=10)
        try:
            response = clients[n].post(path, data=form)
            answers[n] = (response.status_code, response.get_data(as_text=True))
        except Exception as error:  # the test client raises what the app did not handle
            answers[n] = (repr(error), "")

    threads = [threading.Thread(target=save, args=(n,)) for n in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    db.session.rollback()
    statuses = [status for status, _body in answers]
    assert statuses.count(302) == 1 and set(statuses) == {302, 422}, statuses
    refused = [body for status, body in answers if status == 422]
    assert all("saved a new version of this pact meanwhile" in body for body in refused)
    saved = db.session.scalars(
        select(PactVersion).where(PactVersion.pact_id == first.pact_id).order_by(PactVersion.number)
    ).all()
    assert [v.number for v in saved] == [1, 2]
