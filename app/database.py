"""The database in trouble: every wait on it is bounded, conflicts are retried, and what still
fails answers 503 without touching the database again.

On PostgreSQL each connection carries a statement, lock and idle-in-transaction timeout (the
server ends what runs too long or a transaction its client abandoned), TCP keepalives, and a
client-side bound on every wait for an answer: a server that is partitioned away, frozen or
behind a proxy that swallows packets never answers, and no server-side timeout helps then.
The settings are `DATABASE_*` in the environment (seconds; README, production section).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import psycopg
from flask import Flask
from psycopg.pq import TransactionStatus
from sqlalchemy import Table, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.rules import duplicate_refusal

log = logging.getLogger(__name__)

# SQLSTATEs that mean "another transaction got in the way; the same work may succeed now":
# serialization failure, deadlock, lock not available within lock_timeout.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
RETRIES = 3

DEFAULT_TIMEOUTS = {
    "DATABASE_CONNECT_TIMEOUT": 3,
    "DATABASE_STATEMENT_TIMEOUT": 5,
    "DATABASE_LOCK_TIMEOUT": 3,
    "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT": 15,
    "DATABASE_ANSWER_TIMEOUT": 6,
    "DATABASE_POOL_TIMEOUT": 3,
}


def timeouts_from(env: dict[str, str]) -> dict[str, float]:
    """The timeouts, in seconds, from the environment or the defaults; 0 turns one off."""
    return {name: float(env.get(name, default)) for name, default in DEFAULT_TIMEOUTS.items()}


def engine_options(url: str, timeouts: dict[str, float]) -> dict[str, Any]:
    """SQLAlchemy engine options: pre-ping on checkout everywhere; on PostgreSQL the
    per-connection timeouts and keepalives, as libpq parameters."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    if not url.startswith("postgresql"):
        return options
    server = {
        "statement_timeout": timeouts["DATABASE_STATEMENT_TIMEOUT"],
        "lock_timeout": timeouts["DATABASE_LOCK_TIMEOUT"],
        "idle_in_transaction_session_timeout": timeouts["DATABASE_IDLE_IN_TRANSACTION_TIMEOUT"],
    }
    options["pool_timeout"] = timeouts["DATABASE_POOL_TIMEOUT"] or None
    options["connect_args"] = {
        "connect_timeout": max(1, round(timeouts["DATABASE_CONNECT_TIMEOUT"])),
        "options": " ".join(f"-c {name}={round(value * 1000)}" for name, value in server.items()),
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 2,
        # Data sent and not acknowledged for this long (a real partition) breaks the socket.
        "tcp_user_timeout": round(timeouts["DATABASE_ANSWER_TIMEOUT"] * 1000),
    }
    return options


class BoundedConnection(psycopg.Connection):
    """A psycopg connection whose every wait for the server gives up after `answer_timeout`
    seconds. The connection is then closed, since it may be mid-protocol, so that SQLAlchemy
    sees a disconnect and drops it from the pool."""

    answer_timeout: float | None = None

    def wait(self, gen, interval=0.1, timeout=None):  # type: ignore[no-untyped-def, override]
        try:
            return super().wait(gen, interval, timeout if timeout else self.answer_timeout)
        except psycopg.OperationalError:
            if not self.closed and self.pgconn.transaction_status == TransactionStatus.ACTIVE:
                self.pgconn.finish()
            raise


def patient(connection: Any) -> None:
    """Lift the timeouts for this session's connection: long maintenance work (migrations, the
    demo, a whole-city billing run from the command line) may take minutes."""
    raw = connection.connection.dbapi_connection
    if isinstance(raw, BoundedConnection):
        raw.answer_timeout = None
        connection.exec_driver_sql(
            "SET statement_timeout = 0; SET lock_timeout = 0; "
            "SET idle_in_transaction_session_timeout = 0"
        )


def install(app: Flask, engine: Engine, tables: dict[str, Table]) -> None:
    """Make `engine` turn duplicates into the form's refusals and, on PostgreSQL, open bounded
    connections."""

    @event.listens_for(engine, "handle_error")
    def refuse_duplicate(context):  # type: ignore[no-untyped-def]
        error = context.sqlalchemy_exception
        if isinstance(error, IntegrityError):
            refusal = duplicate_refusal(error, tables)
            if refusal is not None:
                raise refusal from error

    if engine.dialect.name != "postgresql":
        return
    answer_timeout = app.config["DATABASE_TIMEOUTS"]["DATABASE_ANSWER_TIMEOUT"] or None

    @event.listens_for(engine, "do_connect")
    def connect(_dialect, _record, cargs, cparams):  # type: ignore[no-untyped-def]
        connection = BoundedConnection.connect(*cargs, **cparams)
        connection.answer_timeout = answer_timeout
        return connection


def is_unavailable(error: BaseException) -> bool:
    """The database could not be reached or did not answer in time: 503, not a bug."""
    if isinstance(error, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def is_retryable(error: BaseException) -> bool:
    """A conflict with another transaction (deadlock, serialization, a lock wait timed out):
    the whole request may be tried again on a fresh transaction."""
    if not isinstance(error, DBAPIError):
        return False
    return getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def retrying(dispatch: Callable[[], Any], rollback: Callable[[], None]) -> Any:
    """Run a request's view; on a conflict, roll back and run it again, a few times, after a
    short pause that grows (and differs between the racers, so they stop colliding)."""
    for attempt in range(RETRIES):
        try:
            return dispatch()
        except DBAPIError as error:
            if not is_retryable(error) or attempt == RETRIES - 1:
                raise
            log.info("retrying after a conflict (%s)", error.orig.sqlstate)
            rollback()
            time.sleep(0.02 * (attempt + 1) * (1 + (time.monotonic_ns() % 7) / 7))
    raise AssertionError("unreachable")
