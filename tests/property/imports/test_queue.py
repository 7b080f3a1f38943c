"""The import's check on the real queue, with a consumer process that dies: `kill -9` in the
middle of a check, a new consumer started, and the job finishes, its rows staged once."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import func, select

from app.blueprints.property.imports import services
from app.extensions import db
from app.models import ImportJob, ImportRow, ImportStatus, Role
from app.periods import utcnow
from tests import factories
from tests.conftest import TEST_SECRET_KEY
from tests.property.imports.test_services import HEADERS

ROOT = Path(__file__).resolve().parents[3]
ROWS = 6_000


def workbook(rows: int) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("花名册")
    sheet.append(HEADERS)
    for n in range(rows):
        building, rest = divmod(n, 100)
        sheet.append([str(building + 1), "1", f"{rest // 5 + 1}{rest % 5 + 1:02d}",
                      rest // 5 + 1, 72.5, f"业主{n}", ""])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def consumer(app: Flask, folder: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": TEST_SECRET_KEY,
        "QUEUE_URL": f"sqlite:///{folder / 'queue.db'}",
        "IMPORT_CHECK_STALE_SECONDS": "2",
    }
    command = [sys.executable, "-m", "huey.bin.huey_consumer", "app.tasks.queue", "-w", "1"]
    log = (folder / "consumer.log").open("ab")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def job_now(job_id: int) -> ImportJob:
    db.session.remove()
    return db.session.get_one(ImportJob, job_id)


def wait_until(condition, timeout: float = 90) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.05)


@pytest.mark.slow
def test_a_check_cut_off_by_a_killed_consumer_finishes_once_on_restart(
    app: Flask, database: None, tmp_path: Path
) -> None:
    manager = factories.user(Role.MANAGER)
    place = factories.community(manager.company)
    job = services.create_job(place, "花名册.xlsx", ROWS, workbook(ROWS), user=manager)
    # As if the web process had enqueued it and died: only the sweep can find it.
    job.heartbeat_at = utcnow() - timedelta(minutes=5)
    db.session.commit()

    first = consumer(app, tmp_path)
    try:
        wait_until(lambda: 0 < job_now(job.id).processed_rows < ROWS)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    cut = job_now(job.id)
    assert cut.status == ImportStatus.VALIDATING and cut.processed_rows < ROWS

    second = consumer(app, tmp_path)
    try:
        wait_until(lambda: job_now(job.id).status != ImportStatus.VALIDATING)
    finally:
        second.terminate()
        second.wait(timeout=20)
    done = job_now(job.id)
    log = (tmp_path / "consumer.log").read_text(errors="replace")
    assert done.status == ImportStatus.READY, (done.status, done.message, log[-2000:])
    assert done.total_rows == done.processed_rows == ROWS
    staged = db.session.scalar(
        select(func.count()).select_from(ImportRow).where(ImportRow.job_id == job.id)
    )
    assert staged == ROWS
    assert "checking it again" in log
