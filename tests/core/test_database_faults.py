"""The database in trouble, seen through real HTTP: gunicorn serving the portal through a TCP
proxy in front of PostgreSQL that refuses, drops packets and cuts connections. Pages and
payments answer 503 with a readable page within seconds, no lock outlives its request, and
retried payments are recorded exactly once. PostgreSQL only: the faults are network faults."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models import Community, Household, Payment, Role
from tests import factories
from tests.conftest import TEST_SECRET_KEY
from tests.faults import FaultProxy, Served, WebClient, gunicorn

UNAVAILABLE_TEXT = "系统暂时连不上数据库"
# A request stuck on the database answers within about ten seconds; this leaves room for a
# busy machine.
PATIENCE = 14


@pytest.fixture
def proxy(app: Flask, database: None) -> Iterator[FaultProxy]:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("network faults need a database server")
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    fault_proxy = FaultProxy((url.host or "127.0.0.1", url.port or 5432))
    yield fault_proxy
    fault_proxy.close()


@pytest.fixture
def homes(app: Flask) -> list[Household]:
    """Two households of two companies, each with open bills, and the manager of the first."""
    found = []
    for _ in range(2):
        home = factories.household()
        for period in (202609, 202610, 202611):
            factories.bill(home, period=period)
        found.append(home)
    db.session.commit()
    return found


@pytest.fixture
def portal(app: Flask, proxy: FaultProxy, tmp_path: Path) -> Iterator[Served]:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(port=proxy.port)
    with gunicorn(
        url.render_as_string(hide_password=False),
        TEST_SECRET_KEY,
        tmp_path / "gunicorn.log",
        DATABASE_IDLE_IN_TRANSACTION_TIMEOUT="4",
    ) as served:
        yield served


def collector(portal: Served, home: Household) -> WebClient:
    manager = factories.user(Role.MANAGER, company_id=_company_of(home))
    db.session.commit()
    client = WebClient(portal.base)
    client.login(manager.username, factories.PASSWORD)
    return client


def _company_of(home: Household) -> int:
    return db.session.get(Community, home.community_id).company_id


def pay(client: WebClient, home: Household, token: str, amount: str = "10.00") -> object:
    page = f"/fees/counter/households/{home.id}"
    csrf = client.csrf(page)
    return client.request(
        page, {"csrf_token": csrf, "token": token, "amount": amount, "method": "cash"}
    )


def payments_with(token: str) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(Payment).where(Payment.idempotency_key == token)
    )


def test_a_refusing_database_answers_503_and_the_portal_recovers(
    proxy: FaultProxy, portal: Served, homes: list[Household]
) -> None:
    clerk = collector(portal, homes[0])
    page = f"/fees/counter/households/{homes[0].id}"
    csrf = clerk.csrf(page)
    proxy.refuse()

    for answer in (
        clerk.request(page),
        clerk.request(
            page, {"csrf_token": csrf, "token": "refused-1", "amount": "10", "method": "cash"}
        ),
        clerk.request("/healthz"),
    ):
        assert answer.status == 503, answer.body[:300]
        assert answer.seconds < PATIENCE
    assert UNAVAILABLE_TEXT in clerk.request(page).body
    assert "Traceback" not in portal.log()

    proxy.restore()
    deadline = time.monotonic() + PATIENCE
    while clerk.request("/healthz").status != 200:
        assert time.monotonic() < deadline, "the portal did not recover"
        time.sleep(0.3)
    assert clerk.request(page).status == 200
    assert pay(clerk, homes[0], "refused-1").status == 302
    assert payments_with("refused-1") == 1


def test_a_partition_answers_503_in_seconds_and_leaves_no_lock_behind(
    app: Flask, proxy: FaultProxy, portal: Served, homes: list[Household]
) -> None:
    clerk = collector(portal, homes[0])
    page = f"/fees/counter/households/{homes[0].id}"
    csrf = clerk.csrf(page)
    # A transaction through the proxy holds the household's lock when the network fails.
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(port=proxy.port)
    stranded = create_engine(url).connect()
    stranded.execute(select(Household.id).where(Household.id == homes[0].id).with_for_update())
    proxy.drop()
    stranded.invalidate()

    for answer in (
        clerk.request(page),
        clerk.request(
            page, {"csrf_token": csrf, "token": "partition-1", "amount": "10", "method": "cash"}
        ),
    ):
        assert answer.status == 503, answer.body[:300]
        assert answer.seconds < PATIENCE

    proxy.restore()
    # The stranded transaction's server side ends by its idle-in-transaction timeout: the
    # household can be paid again without anyone killing backends by hand.
    deadline = time.monotonic() + PATIENCE
    while True:
        answer = pay(clerk, homes[0], "partition-1")
        if answer.status == 302:
            break
        assert answer.status == 503, answer.body[:300]
        assert time.monotonic() < deadline, "the household stayed locked"
    assert payments_with("partition-1") == 1


def test_a_lock_held_elsewhere_answers_503_in_seconds_and_others_pay_meanwhile(
    app: Flask, portal: Served, homes: list[Household]
) -> None:
    first, second = collector(portal, homes[0]), collector(portal, homes[1])
    with create_engine(app.config["SQLALCHEMY_DATABASE_URI"]).connect() as holder:
        holder.execute(
            text("UPDATE receipt_counter SET last_seq = last_seq WHERE company_id = :id"),
            {"id": _company_of(homes[0])},
        )
        holder.execute(select(Household.id).where(Household.id == homes[0].id).with_for_update())
        answer = pay(first, homes[0], "held-1")
        assert answer.status == 503, answer.body[:300]
        assert answer.seconds < PATIENCE
        other = pay(second, homes[1], "held-2")
        assert other.status == 302, other.body[:300]
        assert other.seconds < 3
        holder.rollback()
    assert pay(first, homes[0], "held-1").status == 302
    assert payments_with("held-1") == 1


def test_payments_cut_mid_burst_are_each_recorded_once_when_retried(
    proxy: FaultProxy, portal: Served, homes: list[Household]
) -> None:
    clerk = collector(portal, homes[0])
    page = f"/fees/counter/households/{homes[0].id}"
    tokens = [f"burst-{n}" for n in range(30)]
    csrfs = [clerk.csrf(page) for _ in tokens]
    answers: dict[str, int] = {}

    def submit(token: str, csrf: str) -> None:
        form = {"csrf_token": csrf, "token": token, "amount": "1.00", "method": "cash"}
        answers[token] = clerk.request(page, form).status

    pairs = zip(tokens, csrfs, strict=True)
    threads = [threading.Thread(target=submit, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    time.sleep(0.05)
    proxy.cut()
    for thread in threads:
        thread.join(timeout=PATIENCE * 2)
    assert set(answers.values()) <= {302, 503}, answers
    # A clerk who saw 503 (or nothing) submits again; the form keeps its token.
    for token in tokens:
        deadline = time.monotonic() + PATIENCE
        while pay(clerk, homes[0], token, "1.00").status != 302:
            assert time.monotonic() < deadline
    assert all(payments_with(token) == 1 for token in tokens)


def test_a_worker_killed_during_200_payments_loses_and_doubles_none(
    portal: Served, homes: list[Household]
) -> None:
    clerk = collector(portal, homes[0])
    page = f"/fees/counter/households/{homes[0].id}"
    csrf = clerk.csrf(page)
    tokens = [f"killed-{n}" for n in range(200)]
    answered: dict[str, int] = {}

    def submit(batch: list[str]) -> None:
        for token in batch:
            form = {"csrf_token": csrf, "token": token, "amount": "0.50", "method": "cash"}
            try:
                answered[token] = clerk.request(page, form, timeout=PATIENCE).status
            except OSError:  # the worker died under this request: no answer
                answered[token] = 0

    batches = [tokens[n::8] for n in range(8)]
    threads = [threading.Thread(target=submit, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    os.kill(portal.worker_pids()[0], signal.SIGKILL)
    for thread in threads:
        thread.join(timeout=120)
    assert set(answered.values()) <= {0, 302, 503}, answered
    # Whoever got no answer (or a 503) submits the same form again.
    for token in tokens:
        if answered[token] != 302:
            assert pay(clerk, homes[0], token, "0.50").status == 302
    # Every payment, answered or not, is in the database exactly once.
    assert all(payments_with(token) == 1 for token in tokens)
