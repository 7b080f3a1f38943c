"""Hostile input, generated: every form a visitor, resident, steward and manager can reach is
sent with values Hypothesis makes up (huge and odd numbers, months far away, control
characters, spaces, repeated and missing fields), and every page with its query string
mutated. Nothing answers 5xx, and a refused submission writes nothing.

The forms are found as a user finds them: by opening every page the role may open and reading
the forms on it, so a new form is fuzzed as soon as it is shown.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Role
from tests import factories
from tests.conftest import login
from tests.core.test_routes import PUBLIC, routes, tenant_ids, url

NASTY = [
    "",
    " ",
    "  \t ",
    "\x00",
    "a\x00b",
    "0",
    "-1",
    "2147483648",
    "-99999999999",
    "9" * 40,
    "²",
    "٣",
    "1,000.5",
    "1e9",
    "NaN",
    "Infinity",
    "0000-00",
    "2026-13",
    "3000-01",
    "9999-12",
    "\u200f2026-11\u200f",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '=HYPERLINK("http://x.example")',
    "../../etc/passwd",
    "a" * 3000,
    "y",
    "//evil.example/",
    "\r\nSet-Cookie: x=1",
]
VALUES = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.integers().map(str))
QUERY_KEYS = [
    "q", "page", "sort", "dir", "status", "category", "community", "community_id",
    "company_id", "building_id", "unit_id", "household_id", "day", "month", "entity", "filed",
    "overdue", "next", "code", "room", "period", "kind",
]  # fmt: skip
# Forms that end the session or change how every later page reads: sent, they would leave
# the rest of the run signed out or in another language.
SESSION_FORMS = ("/logout", "/language", "/account/password")
EXAMPLES = 120


class FormReader(HTMLParser):
    """The POST forms on a page: their action and their fields' names and values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._current: list[tuple[str, str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if tag == "form" and attr.get("method", "get").lower() == "post":
            self._current = []
            self.forms.append((attr.get("action", ""), self._current))
        elif tag in ("input", "select", "textarea", "button") and self._current is not None:
            self._current.extend(
                [(attr["name"], attr.get("value", ""))] if attr.get("name") else []
            )

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def forms_on(client: FlaskClient, app: Flask, ids: dict) -> list[tuple[str, list]]:
    found: dict[str, list] = {}
    for rule in routes(app):
        if "GET" not in rule.methods or rule.endpoint == "auth.account.healthz":
            continue
        page = client.get(url(rule, ids))
        if page.status_code != 200 or "html" not in page.content_type:
            page.close()  # a streamed export ends its request here
            continue
        reader = FormReader()
        reader.feed(page.get_data(as_text=True))
        for action, fields in reader.forms:
            action = action or url(rule, ids)
            if action.startswith("/") and not action.startswith(SESSION_FORMS):
                found.setdefault(action.split("?")[0], fields)
    return sorted(found.items())


def row_counts() -> tuple[int, ...]:
    db.session.rollback()
    tables = db.metadata.sorted_tables
    counts = [select(func.count()).select_from(table).scalar_subquery() for table in tables]
    return tuple(db.session.execute(select(*counts)).one())


@pytest.fixture
def world(app: Flask, database: None) -> dict:
    ids = tenant_ids(factories.company())
    clients: dict[str, FlaskClient] = {"visitor": app.test_client()}
    for who in ("resident", "steward", "manager"):
        clients[who] = app.test_client()
        login(clients[who], ids[who])
    admin = app.test_client()
    login(admin, factories.user(Role.ADMIN))
    clients["admin"] = admin
    db.session.commit()
    forms = [
        (who, action, fields)
        for who, client in clients.items()
        for action, fields in forms_on(client, app, ids)
    ]
    assert len(forms) > 40, "the crawl found too few forms to be worth fuzzing"
    return {"ids": ids, "clients": clients, "forms": forms}


def mutated(fields: list[tuple[str, str]], data: st.DataObject) -> list[tuple[str, str]]:
    sent = []
    for name, value in fields:
        if name == "csrf_token":
            sent.extend([(name, value)] * data.draw(st.sampled_from([1, 1, 1, 50])))
            continue
        choice = data.draw(st.sampled_from(["keep", "nasty", "nasty", "drop", "repeat"]))
        if choice == "keep":
            sent.append((name, value))
        elif choice == "nasty":
            sent.append((name, data.draw(VALUES)))
        elif choice == "repeat":
            sent.extend([(name, data.draw(VALUES))] * data.draw(st.integers(2, 50)))
    return sent


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


@FUZZ
@given(data=st.data())
def test_no_form_answers_5xx_and_a_refused_one_writes_nothing(world: dict, data) -> None:  # type: ignore[no-untyped-def]
    who, action, fields = data.draw(st.sampled_from(world["forms"]))
    before = row_counts()
    answer = world["clients"][who].post(action, data=MultiDict(mutated(fields, data)))
    assert answer.status_code < 500, (who, action, answer.status_code)
    if answer.status_code >= 400:
        assert row_counts() == before, (
            f"{who} {action} was refused ({answer.status_code}) yet wrote"
        )


@FUZZ
@given(data=st.data())
def test_no_query_string_answers_5xx(world: dict, app: Flask, data) -> None:  # type: ignore[no-untyped-def]
    rules = [
        rule
        for rule in routes(app)
        if "GET" in rule.methods and rule.endpoint not in {"auth.account.healthz"} | PUBLIC
    ]
    rule = data.draw(st.sampled_from(rules))
    who = data.draw(st.sampled_from(sorted(world["clients"])))
    keys = data.draw(st.lists(st.sampled_from(QUERY_KEYS), max_size=4))
    query = [(key, data.draw(VALUES)) for key in keys]
    answer = world["clients"][who].get(url(rule, world["ids"]), query_string=query)
    answer.close()  # a streamed export ends its request here
    assert answer.status_code < 500, (who, rule.rule, query, answer.status_code)


@pytest.mark.parametrize(
    "path", ["/fees/counter/households/2147483648", "/property/communities/-1"]
)
def test_ids_past_the_database_range_are_not_found(world: dict, path: str) -> None:
    assert world["clients"]["admin"].get(path).status_code == 404


def test_a_path_id_of_forty_digits_is_not_found(world: dict) -> None:
    manager = world["clients"]["manager"]
    assert manager.get("/fees/counter/households/" + "9" * 40).status_code == 404


def test_a_nul_byte_in_a_search_or_a_sign_in_is_stripped_not_a_500(world: dict) -> None:
    manager = world["clients"]["manager"]
    assert manager.get("/fees/counter", query_string={"q": "10\x001"}).status_code == 200
    visitor = world["clients"]["visitor"]
    token = visitor.get("/login").get_data(as_text=True).split('name="csrf_token" value="')[1]
    answer = visitor.post(
        "/login",
        data={"username": "ad\x00min", "password": "x\x00", "csrf_token": token.split('"')[0]},
    )
    assert answer.status_code == 422
