"""Background work of an import, on the task queue (app/queue.py): checking an uploaded file
and applying a checked one never hold a request open, and outlive the process that took the
upload.

A task keeps nothing that matters in memory: the upload is read from the job's row, and the
status, progress and errors are written there, where whichever node answers the polling page
reads them. A worker killed mid-way leaves a job whose heartbeat (a check) or claim (an apply)
goes stale; the next consumer to start, or the minute's sweep, takes it up again from the
start. A check restarts clean (its staged rows are removed first); an apply was one
transaction, rolled back whole, and is claimed again by a conditional UPDATE, so each job is
applied once.
"""

from __future__ import annotations

import logging

from huey import crontab
from sqlalchemy.exc import IntegrityError

from app.blueprints.property.imports import services
from app.blueprints.property.imports.reading import ImportFileError, UnreadableFile, open_roster
from app.extensions import db
from app.models import ImportJob
from app.queue import queue, task_context

log = logging.getLogger(__name__)


@queue.task()
def check_import(job_id: int) -> None:
    """Check and stage the rows of the job's upload."""
    with task_context():
        _validate(job_id)


@queue.task()
def apply_import(job_id: int, actor_user_id: int) -> None:
    """Apply a job the request has claimed with services.begin_apply()."""
    with task_context():
        _apply(job_id, actor_user_id)


@queue.periodic_task(crontab(minute="*"))
def resume_cut_off_imports() -> None:
    with task_context() as app:
        _resume(app.config["IMPORT_CHECK_STALE_SECONDS"])


@queue.on_startup()
def resume_on_start() -> None:
    resume_cut_off_imports.call_local()


def _resume(stale_seconds: float) -> None:
    for job_id in services.reclaim_stalled_checks(stale_seconds):
        log.warning("import job %s: its check was cut off; checking it again", job_id)
        _validate(job_id)
    for job_id, actor_user_id in services.reclaim_cut_off_applies():
        log.warning("import job %s: applying it was cut off; applying it again", job_id)
        _apply(job_id, actor_user_id)


def _validate(job_id: int) -> None:
    job = db.session.get_one(ImportJob, job_id)
    upload, filename = job.upload, job.filename
    if upload is None:  # checked already
        return
    try:
        with open_roster(upload, filename) as roster:
            services.validate_upload(job_id, roster)
    except services.ImportFailed as failure:
        services.fail_job(job_id, failure.code)
    except (UnreadableFile, ImportFileError):
        services.fail_job(job_id, "unreadable")
    except Exception:
        log.exception("import job %s: checking the file failed", job_id)
        services.fail_job(job_id, "internal")


def _apply(job_id: int, actor_user_id: int) -> None:
    try:
        services.apply_job(job_id, actor_user_id)
    except IntegrityError:
        # A room was entered by hand after the check: the transaction is rolled back whole.
        log.warning("import job %s: conflict with rooms entered meanwhile", job_id)
        services.fail_job(job_id, "conflict")
    except Exception:
        log.exception("import job %s: applying failed", job_id)
        services.fail_job(job_id, "internal")
