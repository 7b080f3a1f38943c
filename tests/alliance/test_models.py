"""The alliance's tables refuse the states the rules forbid, whatever the code above them."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import MembershipStatus, UpgradeRevision, UpgradeStatus
from tests import factories


def _refused(change) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError):
        change()
        db.session.flush()
    db.session.rollback()


def test_one_open_application_per_merchant_and_alliance(database):
    member = factories.membership(status=MembershipStatus.APPLIED)
    merchant = db.session.get(factories.merchant().__class__, member.merchant_id)
    again = dict(merchant_id=merchant.id, alliance_id=member.alliance_id)
    _refused(lambda: db.session.add(type(member)(**again)))
    declined = factories.membership(
        merchant, db.session.get(factories.alliance().__class__, member.alliance_id),
        status=MembershipStatus.DECLINED,
    )  # fmt: skip
    assert declined.reason


def test_an_approved_upgrade_points_at_its_revision_and_one_revision_awaits_review(database):
    approved = factories.upgrade(status=UpgradeStatus.APPROVED)
    assert approved.approved_revision_id is not None
    first = db.session.get(UpgradeRevision, approved.approved_revision_id)

    def second_open_revision() -> None:
        for number in (2, 3):
            db.session.add(
                UpgradeRevision(
                    upgrade_id=approved.id,
                    alliance_id=approved.alliance_id,
                    number=number,
                    work="再改",
                    investment_fen=100,
                    starts_on=first.starts_on,
                    finishes_on=first.finishes_on,
                    created_by_user_id=first.created_by_user_id,
                )
            )

    _refused(second_open_revision)
    approved = db.session.merge(approved)
    approved.approved_revision_id = None  # approved, yet nothing approved: impossible
    _refused(lambda: None)


def test_money_and_dates_are_checked_by_the_database(database):
    made = factories.upgrade(status=UpgradeStatus.DRAFT)
    revision = db.session.scalar(
        db.select(UpgradeRevision).where(UpgradeRevision.upgrade_id == made.id)
    )
    revision.investment_fen = 0
    _refused(lambda: None)
    revision = db.session.merge(revision)
    revision.finishes_on = revision.starts_on.replace(year=revision.starts_on.year - 1)
    _refused(lambda: None)


def test_the_ledger_counts_only_approved_revisions(database):
    from app.blueprints.alliance import ledger
    from app.models import ShopOrigin

    shop = factories.shop()
    factories.upgrade(shop, status=UpgradeStatus.APPROVED, investment_fen=1_000_00)
    factories.upgrade(shop, status=UpgradeStatus.COMPLETED, investment_fen=2_000_00)
    factories.upgrade(shop, status=UpgradeStatus.SUBMITTED, investment_fen=9_999_00)
    factories.upgrade(shop, status=UpgradeStatus.RETURNED, investment_fen=9_999_00)
    rows = db.session.execute(ledger.summary()).all()
    assert [(r.origin, r.shops, r.upgrades, r.investment_fen) for r in rows] == [
        (ShopOrigin.UPGRADED, 1, 2, 3_000_00)
    ]
