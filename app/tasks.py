"""Every task of the portal, for the consumer: `huey_consumer app.tasks.queue`.

Importing this module registers the tasks of every area with the queue and makes the app the
tasks run in; the web processes import the same task modules through their blueprints, so both
sides know the same names.
"""

from app import create_app
from app.blueprints.fees.billing import tasks as fee_tasks
from app.blueprints.pacts.boards import printing as board_tasks
from app.blueprints.property.imports import worker as import_tasks
from app.queue import queue, use_app

use_app(create_app())

__all__ = ["board_tasks", "fee_tasks", "import_tasks", "queue"]
