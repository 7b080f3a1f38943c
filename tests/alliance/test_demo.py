"""The alliance's demo data: loaded once, every state of applications, upgrades and pledges, the
rules of the tables kept (a returned revision stays, its fix is revision 2; an edit after
approval waits while the approved revision counts), real photos, what the `merchant` and
`officer` accounts see; and at city scale, the reports' figures."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from itertools import pairwise

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select
from stdnum.cn import uscc

from app.authz import visible
from app.blueprints.alliance.ledger import summary
from app.demo import alliance as alliance_demo
from app.demo import city
from app.demo.base import load_demo
from app.demo.city_alliance import (
    NEW_SHOPS,
    NEW_YUAN,
    UPGRADED_SHOPS,
    UPGRADED_YUAN,
    alliance_sample,
    build_city_alliance,
    city_alliance_totals,
)
from app.extensions import db
from app.models import (
    PLEDGE_DAYS,
    Alliance,
    AllianceCommunity,
    AllianceOfficer,
    CharterMechanism,
    Community,
    Mechanism,
    Membership,
    MembershipStatus,
    Merchant,
    PhotoStage,
    Pledge,
    RevisionDecision,
    Shop,
    ShopCategory,
    ShopOrigin,
    Upgrade,
    UpgradePhoto,
    UpgradeRevision,
    UpgradeStatus,
    User,
)
from app.periods import shanghai_today, utcnow
from app.uploads import upload_folder
from tests.conftest import _empty_tables

TABLES = (
    Alliance,
    CharterMechanism,
    AllianceCommunity,
    AllianceOfficer,
    Merchant,
    Membership,
    Shop,
    Upgrade,
    UpgradeRevision,
    UpgradePhoto,
    Pledge,
    User,
)


def _count(model: type, *where) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _counts() -> dict[str, int]:
    return {model.__tablename__: _count(model) for model in TABLES}


def _load() -> None:
    communities = {c.name: c for c in db.session.scalars(select(Community))}
    alliance_demo.load_demo(communities, random.Random(7))
    db.session.commit()


@pytest.fixture(scope="module")
def loaded(app: Flask) -> Iterator[None]:
    """The base demo and the alliance's, loaded once for the tests that only read them (the
    base takes seconds); the city test below empties the tables, so it comes last."""
    with app.app_context():
        _empty_tables()
        load_demo()
        _load()
        yield
        _empty_tables()


@pytest.fixture
def demo(loaded: None) -> Iterator[None]:
    yield
    db.session.remove()  # ends the test's transaction, which a TRUNCATE would wait for


def _account(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _revisions(upgrade: Upgrade) -> list[UpgradeRevision]:
    return list(
        db.session.scalars(
            select(UpgradeRevision)
            .where(UpgradeRevision.upgrade_id == upgrade.id)
            .order_by(UpgradeRevision.number)
        )
    )


def test_the_demo_loads_once(demo):
    first = _counts()
    _load()
    assert _counts() == first
    assert first["alliance"] == 2 and first["shop"] >= 12


def test_the_alliances_sit_on_the_demo_streets_with_their_charters(demo):
    alliances = {a.name: a for a in db.session.scalars(select(Alliance))}
    danzishi, ermalu = alliances["弹子石老街商业联盟"], alliances["宜昌二马路商业联盟"]
    assert (danzishi.city, danzishi.district) == ("重庆市", "南岸区")
    assert (ermalu.city, ermalu.district) == ("宜昌市", "西陵区")
    around = dict.fromkeys(alliances.values(), None)
    for alliance in around:
        around[alliance] = set(
            db.session.scalars(
                select(Community.name)
                .join(AllianceCommunity, AllianceCommunity.community_id == Community.id)
                .where(AllianceCommunity.alliance_id == alliance.id)
            )
        )
    assert around[danzishi] == {"弹新街社区"}
    assert around[ermalu] == {"宜港小区", "四合院小区"}
    for alliance in alliances.values():
        charter = dict(
            db.session.execute(
                select(CharterMechanism.mechanism, CharterMechanism.wording).where(
                    CharterMechanism.alliance_id == alliance.id
                )
            ).all()
        )
        assert set(charter) == set(Mechanism)
        assert all(charter.values())
        assert _count(AllianceOfficer, AllianceOfficer.alliance_id == alliance.id) == 1
    # Each alliance in its own words.
    assert alliance_demo.DANZISHI.charter != alliance_demo.ERMALU.charter


def test_merchants_have_valid_credit_codes_and_shops_of_every_kind(demo):
    codes = list(db.session.scalars(select(Merchant.credit_code)))
    assert codes and all(uscc.is_valid(code) for code in codes)
    assert len(set(codes)) == len(codes)
    kinds = set(db.session.execute(select(Shop.category, Shop.origin)).all())
    assert kinds == {(c, o) for c in ShopCategory for o in ShopOrigin}
    # Shops belong to approved members only.
    for shop in db.session.scalars(select(Shop)):
        assert _count(
            Membership,
            Membership.merchant_id == shop.merchant_id,
            Membership.alliance_id == shop.alliance_id,
            Membership.status == MembershipStatus.APPROVED,
        )


def test_applications_in_every_state(demo):
    statuses = {m.status for m in db.session.scalars(select(Membership))}
    assert statuses == set(MembershipStatus)
    for declined in db.session.scalars(
        select(Membership).where(Membership.status == MembershipStatus.DECLINED)
    ):
        assert declined.reason and declined.decided_by_user_id
    # A declined merchant applied again: the refusal stays in the history.
    again = db.session.scalar(
        select(Membership.merchant_id).group_by(Membership.merchant_id).having(func.count() == 2)
    )
    history = db.session.scalars(
        select(Membership).where(Membership.merchant_id == again).order_by(Membership.id)
    ).all()
    assert [m.status for m in history] == [MembershipStatus.DECLINED, MembershipStatus.APPLIED]
    assert history[0].created_at < history[1].created_at


def test_upgrades_in_every_state_with_their_revisions(demo):
    upgrades = list(db.session.scalars(select(Upgrade)))
    assert {u.status for u in upgrades} == set(UpgradeStatus)
    now = utcnow()
    stories = set()
    for upgrade in upgrades:
        revisions = _revisions(upgrade)
        last = revisions[-1]
        assert [r.number for r in revisions] == list(range(1, len(revisions) + 1))
        # Only the last revision may be undecided; each earlier one was decided before the next.
        for before, after in pairwise(revisions):
            assert before.decision is not None and before.decided_at <= after.created_at
        approved = [r for r in revisions if r.decision is RevisionDecision.APPROVED]
        if approved:
            assert upgrade.approved_revision_id == approved[-1].id
            assert upgrade.approved_at == approved[-1].decided_at
        else:
            assert upgrade.approved_revision_id is None
        if upgrade.status is UpgradeStatus.COMPLETED:
            assert upgrade.completed_on == approved[-1].finishes_on <= shanghai_today()
        for revision in revisions:
            assert revision.created_at <= now
            assert revision.decided_at is None or revision.decided_at <= now
            if revision.decision is RevisionDecision.RETURNED:
                assert revision.reason
        returned = revisions[0].decision is RevisionDecision.RETURNED
        if returned and len(revisions) == 2:
            stories.add(("returned, revised", last.decision))
        if approved and last.decision is None:
            # Approved then edited: the edit waits, the approved revision still counts.
            assert upgrade.status is UpgradeStatus.SUBMITTED
            assert upgrade.approved_revision_id == revisions[0].id
            assert last.investment_fen != revisions[0].investment_fen
            stories.add(("approved, edited", None))
    assert stories == {
        ("returned, revised", None),
        ("returned, revised", RevisionDecision.APPROVED),
        ("approved, edited", None),
    }


def test_the_edit_after_approval_leaves_the_approved_figures_counted(demo):
    edited = [
        u
        for u in db.session.scalars(
            select(Upgrade).where(Upgrade.approved_revision_id.is_not(None))
        )
        if _revisions(u)[-1].decision is None
    ]
    counted = db.session.scalar(
        select(func.sum(UpgradeRevision.investment_fen)).join(
            Upgrade, Upgrade.approved_revision_id == UpgradeRevision.id
        )
    )
    assert sum(row.investment_fen for row in db.session.execute(summary())) == counted
    pending = sum(_revisions(u)[-1].investment_fen for u in edited)
    approved = sum(_revisions(u)[0].investment_fen for u in edited)
    assert pending > approved  # the edits cost more: counting them would show
    everything = db.session.scalar(select(func.sum(UpgradeRevision.investment_fen)))
    assert counted < everything


def test_photos_are_real_images_before_and_after(demo):
    photos = list(db.session.scalars(select(UpgradePhoto)))
    folder = upload_folder("alliance")
    for photo in photos:
        with Image.open(folder / photo.stored_name) as image:
            assert image.format == "JPEG" and image.size == alliance_demo.PHOTO_SIZE
    stages = {}
    for photo in photos:
        stages.setdefault(photo.upgrade_id, set()).add(photo.stage)
    for upgrade in db.session.scalars(select(Upgrade)):
        assert PhotoStage.BEFORE in stages[upgrade.id]
        assert (PhotoStage.AFTER in stages[upgrade.id]) == (
            upgrade.status is UpgradeStatus.COMPLETED
        )


def test_pledges_in_force_lapsing_and_lapsed(demo):
    today = shanghai_today()
    pledges = list(db.session.scalars(select(Pledge)))
    for pledge in pledges:
        assert pledge.expires_on == pledge.signed_on + timedelta(days=PLEDGE_DAYS)
        assert set(pledge.wording) == {m.value for m in Mechanism}
        assert pledge.signed_on <= today
    assert any(p.expires_on > today + timedelta(days=30) for p in pledges)
    assert any(today < p.expires_on <= today + timedelta(days=30) for p in pledges)
    assert any(p.expires_on <= today for p in pledges)
    # A renewal follows the pledge that lapsed.
    renewed = db.session.scalar(
        select(Pledge.merchant_id).group_by(Pledge.merchant_id).having(func.count() == 2)
    )
    old, new = db.session.scalars(
        select(Pledge).where(Pledge.merchant_id == renewed).order_by(Pledge.signed_on)
    ).all()
    assert old.expires_on <= new.signed_on and new.expires_on > today


def test_the_merchant_account_sees_its_two_shops_on_danzishi(demo):
    account = _account("merchant")
    assert account.display_name == "弹子石老街 · 商户"
    merchant = db.session.scalar(visible(Merchant, account))
    danzishi = db.session.scalar(select(Alliance).where(Alliance.name == "弹子石老街商业联盟"))
    shops = db.session.scalars(visible(Shop, account)).all()
    assert len(shops) == 2 and {s.alliance_id for s in shops} == {danzishi.id}
    assert {s.merchant_id for s in shops} == {merchant.id}
    (member,) = db.session.scalars(visible(Membership, account)).all()
    assert member.status is MembershipStatus.APPROVED and member.alliance_id == danzishi.id
    today = shanghai_today()
    (pledge,) = db.session.scalars(visible(Pledge, account)).all()
    assert today < pledge.expires_on <= today + timedelta(days=30)
    upgrades = db.session.scalars(visible(Upgrade, account)).all()
    assert sorted(u.status for u in upgrades) == [UpgradeStatus.APPROVED, UpgradeStatus.RETURNED]
    returned = next(u for u in upgrades if u.status is UpgradeStatus.RETURNED)
    (revision,) = _revisions(returned)
    assert revision.decision is RevisionDecision.RETURNED and "照片" in revision.reason
    # Nobody else's: the merchant sees only its own records.
    assert len(db.session.scalars(visible(UpgradeRevision, account)).all()) == 2


def test_the_officer_account_runs_danzishi(demo):
    account = _account("officer")
    (alliance,) = db.session.scalars(visible(Alliance, account)).all()
    assert alliance.name == "弹子石老街商业联盟" == account.display_name
    shops = db.session.scalars(visible(Shop, account)).all()
    assert shops and {s.alliance_id for s in shops} == {alliance.id}
    statuses = {m.status for m in db.session.scalars(visible(Membership, account))}
    assert statuses == set(MembershipStatus)
    waiting = db.session.scalars(
        visible(Upgrade, account).where(Upgrade.status == UpgradeStatus.SUBMITTED)
    ).all()
    assert len(waiting) >= 2
    decided = set(
        db.session.scalars(
            select(UpgradeRevision.decided_by_user_id).where(
                UpgradeRevision.alliance_id == alliance.id,
                UpgradeRevision.decided_by_user_id.is_not(None),
            )
        )
    )
    assert decided == {account.id}


def test_the_city_lands_on_the_reports_figures(database):
    city.build_city(communities=12, months=3)
    assert build_city_alliance()
    first = _counts()
    assert build_city_alliance() == {}  # built once
    assert _counts() == first

    totals = {row.origin: row for row in db.session.execute(summary())}
    for origin, shops, yuan in (
        (ShopOrigin.UPGRADED, UPGRADED_SHOPS, UPGRADED_YUAN),
        (ShopOrigin.NEW, NEW_SHOPS, NEW_YUAN),
    ):
        row = totals[origin]
        assert shops * 0.95 <= row.shops <= shops * 1.05
        assert yuan * 0.95 <= row.investment_fen / 100 <= yuan * 1.05
        assert city_alliance_totals()[origin] == (
            row.shops,
            row.upgrades,
            row.investment_fen // 100,
        )
    assert first["alliance"] == 20 and first["shop"] == UPGRADED_SHOPS + NEW_SHOPS

    assert {u.status for u in db.session.scalars(select(Upgrade))} == set(UpgradeStatus)
    assert {m.status for m in db.session.scalars(select(Membership))} == set(MembershipStatus)
    for upgrade in db.session.scalars(select(Upgrade)):
        revisions = _revisions(upgrade)
        approved = [r for r in revisions if r.decision is RevisionDecision.APPROVED]
        assert upgrade.approved_revision_id == (approved[-1].id if approved else None)
        assert sum(r.decision is None for r in revisions) <= 1
    codes = list(db.session.scalars(select(Merchant.credit_code)))
    assert all(uscc.is_valid(code) for code in codes)
    today = shanghai_today()
    expiries = list(db.session.scalars(select(Pledge.expires_on)))
    assert any(day > today + timedelta(days=30) for day in expiries)
    assert any(today < day <= today + timedelta(days=30) for day in expiries)
    assert any(day <= today for day in expiries)

    sample = alliance_sample()
    waiting = db.session.get(Upgrade, sample.upgrade_id)
    assert waiting.alliance_id == sample.alliance_id and waiting.status is UpgradeStatus.SUBMITTED
    officer = _account(sample.officer_username)
    assert db.session.scalar(visible(Alliance, officer)).id == sample.alliance_id
