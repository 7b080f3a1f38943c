"""The workflow helper on a toy workflow of its own: who may take a step, a move that holds
only if nobody moved the record first, and the history entry each move leaves."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models import AuditEntry, Community, RequestStatus, Role, ServiceRequest
from app.workflow import Workflow
from tests import factories


class Moved(Exception):
    pass


def toy() -> Workflow:
    return Workflow(
        ServiceRequest,
        "toy",
        {"close": lambda user, _record: user.role == Role.MANAGER},
        lambda record: db.session.get(Community, record.community_id).company_id,
        Moved,
    )


def test_a_step_is_for_whom_its_guard_says(database):
    item = factories.service_request()
    manager = factories.user(Role.MANAGER)
    resident = factories.user(Role.RESIDENT)
    assert toy().may(manager, item, "close")
    assert not toy().may(resident, item, "close")


def test_a_move_changes_the_status_and_leaves_a_history_entry(database):
    item = factories.service_request()
    toy().move(item, RequestStatus.CLOSED, "closed", {"rating": 5})
    db.session.commit()
    assert (item.status, item.rating) == (RequestStatus.CLOSED, 5)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "toy"))
    assert entry.entity_id == item.id and entry.action == "closed"
    assert entry.changes == {"status": ["submitted", "closed"], "rating": [None, 5]}


def test_a_record_moved_meanwhile_is_not_moved_again(database):
    item = factories.service_request()
    db.session.execute(
        update(ServiceRequest)
        .where(ServiceRequest.id == item.id)
        .values(status=RequestStatus.DISPATCHED)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    # As read before someone else dispatched it.
    set_committed_value(item, "status", RequestStatus.SUBMITTED)
    with pytest.raises(Moved):
        toy().move(item, RequestStatus.CLOSED, "closed", {})
    db.session.rollback()
    assert db.session.get(ServiceRequest, item.id).status == RequestStatus.DISPATCHED
