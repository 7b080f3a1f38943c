"""The nightly late-fee assessment, a periodic task of the queue (instead of a cron line):
00:30 in Asia/Shanghai, 16:30 UTC. Assessing is idempotent (it brings every late fee up to
today), so a second consumer running it the same night changes nothing."""

from __future__ import annotations

import logging

from huey import crontab

from app.blueprints.fees.billing.services import assess_late_fees
from app.database import patient
from app.extensions import db
from app.periods import shanghai_today
from app.queue import queue, task_context

log = logging.getLogger(__name__)


@queue.periodic_task(crontab(hour="16", minute="30"))
def assess_late_fees_nightly() -> int:
    with task_context():
        patient(db.session.connection())
        changed = assess_late_fees(shanghai_today())
        db.session.commit()
    log.info("late fees assessed: %s bills changed", changed)
    return changed
