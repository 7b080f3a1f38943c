"""Every task of the portal, for the consumer: `huey_consumer app.tasks.queue`.

Importing this module registers the tasks of every area with the queue; the web processes
import the same task modules through their blueprints, so both sides know the same names.
"""

from app.blueprints.fees.billing import tasks as fee_tasks
from app.blueprints.property.imports import worker as import_tasks
from app.queue import queue

__all__ = ["fee_tasks", "import_tasks", "queue"]
