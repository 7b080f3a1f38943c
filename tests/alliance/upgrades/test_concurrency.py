"""Two officers deciding the same upgrade at the same moment, on PostgreSQL: real concurrent
connections, one thread and session each, released together by a barrier. One decision wins;
the other is refused, and the upgrade, its revision and its history show one decision. SQLite
lets one writer in at a time, so there is nothing to race."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.blueprints.alliance.upgrades import services
from app.extensions import db
from app.models import AuditEntry, RevisionDecision, Upgrade, UpgradeRevision, UpgradeStatus, User
from tests import factories
from tests.races import at_once

OFFICERS = 4


@pytest.fixture(autouse=True)
def postgres_only(app: Flask, database: None) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite lets one writer in at a time: the race needs PostgreSQL")


def deciding(
    upgrade_id: int, revision_id: int, user_id: int, approve: bool
) -> Callable[[], object]:
    def decide() -> str:
        upgrade = db.session.get(Upgrade, upgrade_id)
        officer = db.session.get(User, user_id)
        if approve:
            services.approve(officer, upgrade, revision_id)
            return "approved"
        services.return_upgrade(officer, upgrade, revision_id, "请补充照片")
        return "returned"

    return decide


@pytest.mark.parametrize("mixed", [False, True], ids=["all-approve", "approve-or-return"])
def test_officers_deciding_at_once_decide_once(app: Flask, mixed: bool):
    made = factories.upgrade(status=UpgradeStatus.SUBMITTED)
    revision_id = db.session.scalar(
        select(UpgradeRevision.id).where(UpgradeRevision.upgrade_id == made.id)
    )
    street = db.session.get(factories.alliance().__class__, made.alliance_id)
    officers = [factories.officer(street).id for _ in range(OFFICERS)]
    upgrade_id = made.id
    db.session.commit()

    results = at_once(
        app,
        [
            deciding(upgrade_id, revision_id, user, approve=not mixed or n % 2 == 0)
            for n, user in enumerate(officers)
        ],
    )

    decided = [r for r in results if r in ("approved", "returned")]
    refused = [r for r in results if r not in ("approved", "returned")]
    assert len(decided) == 1, results
    assert len(refused) == OFFICERS - 1
    assert all("has just been decided" in r for r in refused), refused
    db.session.expire_all()
    upgrade = db.session.get(Upgrade, upgrade_id)
    revision = db.session.get(UpgradeRevision, revision_id)
    if decided == ["approved"]:
        assert upgrade.status == UpgradeStatus.APPROVED
        assert upgrade.approved_revision_id == revision_id
        assert revision.decision == RevisionDecision.APPROVED
    else:
        assert upgrade.status == UpgradeStatus.RETURNED and upgrade.approved_revision_id is None
        assert revision.decision == RevisionDecision.RETURNED
    assert revision.decided_by_user_id in officers
    entries = db.session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.entity == "upgrade", AuditEntry.entity_id == upgrade_id
        )
    )
    assert entries == 1
