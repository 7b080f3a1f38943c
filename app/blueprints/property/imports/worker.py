"""Background work of an import: a thread started by the request, so that checking a 20,000-row
file and applying it never hold a request open.

The app runs as several processes behind a load balancer, so a thread keeps nothing that
matters in memory: it writes the job's status, progress and errors to the database, where
whichever process answers the polling page reads them. Each thread has its own app context,
hence its own database session.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.blueprints.property.imports import services
from app.blueprints.property.imports.reading import Roster, UnreadableFile

log = logging.getLogger(__name__)


def start_validation(job_id: int, roster: Roster) -> threading.Thread:
    """Check and stage the rows of `roster` (already opened by the request); closes it."""
    return _start(_validate, job_id, roster)


def start_apply(job_id: int, actor_user_id: int) -> threading.Thread:
    """Apply a job the request has claimed with services.begin_apply()."""
    return _start(_apply, job_id, actor_user_id)


def _start(target: Callable[..., None], job_id: int, *args: Any) -> threading.Thread:
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        with app.app_context():
            target(job_id, *args)

    thread = threading.Thread(target=run, name=f"import-job-{job_id}", daemon=True)
    thread.start()
    return thread


def _validate(job_id: int, roster: Roster) -> None:
    try:
        with roster:
            services.validate_upload(job_id, roster)
    except services.ImportFailed as failure:
        services.fail_job(job_id, failure.code)
    except UnreadableFile:
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
