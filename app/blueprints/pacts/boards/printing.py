"""The print shop's PDF: every board of a community, one A4 page each, made by WeasyPrint from
the sheet the browser prints.

WeasyPrint lays out a board in about a tenth of a second of CPU, so the 400 boards of a large
community take about a minute: too long for a request. A task on the queue makes the PDF; the
manager's page polls its state and offers the file once it is ready.

State and file live in the upload folder, which the web nodes and the consumer must share
(photos go to app/storage.py instead, a bucket in production), one state file per community:
the job that is current, its status, and when. A job started while another runs supersedes it:
the older one's PDF is discarded when it ends. A job whose consumer was killed stays "running"
until it is STALE; then it may be started again.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from app.blueprints.pacts.boards import services
from app.extensions import db
from app.models import Community
from app.pdf import html_to_pdf
from app.periods import shanghai_today, utcnow
from app.queue import queue, task_context
from app.uploads import upload_folder

log = logging.getLogger(__name__)

QUEUED, RUNNING, READY, FAILED = "queued", "running", "ready", "failed"
# Far beyond the largest community's minute: a job this old that has not ended never will.
STALE = timedelta(minutes=15)


@dataclass(frozen=True)
class PdfJob:
    job: str
    status: str
    boards: int
    requested_at: datetime
    finished_at: datetime | None = None

    @property
    def under_way(self) -> bool:
        return self.status in (QUEUED, RUNNING)

    @property
    def stale(self) -> bool:
        return self.under_way and utcnow() - self.requested_at > STALE

    def to_json(self) -> str:
        values = asdict(self)
        for key in ("requested_at", "finished_at"):
            values[key] = values[key].isoformat() if values[key] else None
        return json.dumps(values)

    @classmethod
    def from_json(cls, text: str) -> PdfJob:
        values = json.loads(text)
        for key in ("requested_at", "finished_at"):
            values[key] = datetime.fromisoformat(values[key]) if values[key] else None
        return cls(**values)


def _folder() -> Path:
    folder = upload_folder("boards")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _state_path(community_id: int) -> Path:
    return _folder() / f"community-{community_id}.json"


def pdf_path(community_id: int, job: str) -> Path:
    return _folder() / f"community-{community_id}-{job}.pdf"


def _write(path: Path, data: bytes) -> None:
    """Replace the file whole: a reader on another node sees the old file or the new one."""
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    partial.write_bytes(data)
    os.replace(partial, path)


def current_job(community_id: int) -> PdfJob | None:
    try:
        return PdfJob.from_json(_state_path(community_id).read_text())
    except FileNotFoundError:
        return None


def ready_pdf(community_id: int) -> bytes | None:
    """The community's PDF, once its current job has made it."""
    job = current_job(community_id)
    if job is None or job.status != READY:
        return None
    try:
        return pdf_path(community_id, job.job).read_bytes()
    except FileNotFoundError:
        return None


def _record(community_id: int, job: PdfJob) -> None:
    _write(_state_path(community_id), job.to_json().encode())


def start(community: Community, boards: int, locale: str) -> PdfJob:
    """Queue the PDF of the community's boards, unless one is under way already (and not
    stale): then that one is the answer."""
    running = current_job(community.id)
    if running is not None and running.under_way and not running.stale:
        return running
    job = PdfJob(secrets.token_hex(8), QUEUED, boards, utcnow())
    _record(community.id, job)
    make_boards_pdf(community.id, job.job, locale)
    return job


@queue.task()
def make_boards_pdf(community_id: int, job: str, locale: str) -> None:
    with task_context() as app:
        # The sheets' links and QR codes are built from PUBLIC_URL; a request context gives
        # url_for its place outside a request, in the language of the manager who asked.
        addressed = app.test_request_context(base_url=app.config["PUBLIC_URL"])
        with addressed, force_locale(locale):
            _make(community_id, job)


def _make(community_id: int, job: str) -> None:
    state = current_job(community_id)
    if state is None or state.job != job:
        return  # superseded before it started
    _record(community_id, PdfJob(job, RUNNING, state.boards, state.requested_at))
    try:
        community = db.session.scalar(select(Community).where(Community.id == community_id))
        sheets = services.community_sheets(community)
        html = render_template(
            "pacts/boards/sheets.html",
            community=community,
            sheets=sheets,
            printed_on=shanghai_today(),
        )
        data = html_to_pdf(html)
    except Exception:
        log.exception("boards PDF of community %s failed", community_id)
        _finish(community_id, job, FAILED, state.boards)
        return
    _write(pdf_path(community_id, job), data)
    _finish(community_id, job, READY, len(sheets))


def _finish(community_id: int, job: str, status: str, boards: int) -> None:
    """Record the job's end, unless a newer job has taken its place: then its PDF goes."""
    state = current_job(community_id)
    if state is None or state.job != job:
        pdf_path(community_id, job).unlink(missing_ok=True)
        return
    _record(community_id, PdfJob(job, status, boards, state.requested_at, utcnow()))
    for old in _folder().glob(f"community-{community_id}-*.pdf"):
        if old.name != pdf_path(community_id, job).name:
            old.unlink(missing_ok=True)
