"""The upgrade's rules, called directly: registering as a member, the workflow's steps and who
may take them, revisions that never change once submitted, the approved revision counted while
a later one awaits review, photos and completion, the lists."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.blueprints.alliance import ledger
from app.blueprints.alliance.upgrades import services
from app.blueprints.alliance.upgrades.services import NotAllowed, UpgradeDraft, UpgradeError
from app.extensions import db
from app.models import (
    AuditEntry,
    MembershipStatus,
    Merchant,
    PhotoStage,
    RevisionDecision,
    Role,
    UpgradePhoto,
    UpgradeRevision,
    UpgradeStatus,
    User,
)
from app.periods import shanghai_today
from app.rules import RuleError
from tests import factories
from tests.factories.property import photo_bytes

DRAFT = UpgradeDraft("更换门头招牌", 15_000_000, date(2026, 9, 1), date(2026, 10, 15))


@pytest.fixture
def world(database):  # type: ignore[no-untyped-def]
    """A member merchant's shop in an alliance with its officer."""
    street = factories.alliance()
    member = factories.merchant()
    factories.membership(member, street)
    shop = factories.shop(member, street)
    return {
        "alliance": street,
        "shop": shop,
        "merchant": db.session.get(User, member.user_id),
        "officer": factories.officer(street),
    }


def _photo() -> str:
    return services.store_photos([io.BytesIO(photo_bytes())])[0]


def registered(world, photos=()):  # type: ignore[no-untyped-def]
    made = services.register(world["merchant"], world["shop"], DRAFT, photos)
    db.session.commit()
    return made


def submitted(world):  # type: ignore[no-untyped-def]
    made = registered(world)
    services.submit(world["merchant"], made, services.open_revision(made).id)
    db.session.commit()
    return made


def approved(world):  # type: ignore[no-untyped-def]
    made = submitted(world)
    services.approve(world["officer"], made, services.open_revision(made).id)
    db.session.commit()
    return made


def counted_fen() -> int:
    return sum(row.investment_fen for row in db.session.execute(ledger.summary()))


def test_a_member_registers_a_draft_with_its_first_revision_and_photos(world):
    made = registered(world, [_photo()])
    assert made.status == UpgradeStatus.DRAFT and made.approved_revision_id is None
    revision = services.latest_revision(made)
    assert (revision.number, revision.submitted_at, revision.decision) == (1, None, None)
    assert revision.investment_fen == 15_000_000 and revision.work == "更换门头招牌"
    assert services.photos_of(made, world["merchant"])[PhotoStage.BEFORE]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "upgrade"))
    assert entry.action == "registered" and entry.company_id is None
    assert counted_fen() == 0


def test_only_an_approved_member_registers_for_their_own_shop(world):
    applicant = factories.merchant()
    factories.membership(applicant, world["alliance"], status=MembershipStatus.APPLIED)
    their_shop = factories.shop(applicant, world["alliance"])
    account = db.session.get(User, applicant.user_id)
    with pytest.raises(NotAllowed):
        services.register(account, their_shop, DRAFT)
    with pytest.raises(NotAllowed):  # someone else's shop
        services.register(account, world["shop"], DRAFT)
    assert services.is_member(applicant.id, world["alliance"].id) is False
    owner = db.session.scalar(select(Merchant).where(Merchant.user_id == world["merchant"].id))
    assert services.is_member(owner.id, world["alliance"].id) is True


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (UpgradeDraft("  ", 100, date(2026, 9, 1), date(2026, 9, 2)), "work"),
        (UpgradeDraft("x", None, date(2026, 9, 1), date(2026, 9, 2)), "investment"),
        (UpgradeDraft("x", 0, date(2026, 9, 1), date(2026, 9, 2)), "investment"),
        (UpgradeDraft("x", -5, date(2026, 9, 1), date(2026, 9, 2)), "investment"),
        (UpgradeDraft("x", 10_000_000_01, date(2026, 9, 1), date(2026, 9, 2)), "investment"),
        (UpgradeDraft("x", 100, date(2026, 9, 2), date(2026, 9, 1)), "finishes_on"),
        (UpgradeDraft("x", 100, None, date(2026, 9, 1)), "starts_on"),
        (UpgradeDraft("x", 100, date(1999, 9, 1), date(2026, 9, 1)), "starts_on"),
        (UpgradeDraft("x", 100, date(2026, 9, 1), date(2126, 9, 1)), "finishes_on"),
        (UpgradeDraft("x" * 2001, 100, date(2026, 9, 1), date(2026, 9, 1)), "work"),
    ],
)
def test_bad_figures_are_refused_on_their_field(world, draft, field):
    with pytest.raises(RuleError) as refused:
        services.register(world["merchant"], world["shop"], draft)
    assert refused.value.field == field


def test_a_draft_is_edited_in_place_until_it_is_submitted(world):
    made = registered(world)
    changed = UpgradeDraft("更换门头招牌，加装雨棚", 16_000_000, DRAFT.starts_on, DRAFT.finishes_on)
    revision = services.edit(world["merchant"], made, changed)
    db.session.commit()
    assert revision.number == 1 and revision.investment_fen == 16_000_000
    assert db.session.scalar(select(func.count(UpgradeRevision.id))) == 1
    services.submit(world["merchant"], made, revision.id)
    db.session.commit()
    with pytest.raises(UpgradeError):  # waiting for review: frozen
        services.edit(world["merchant"], made, DRAFT, "again")
    db.session.rollback()
    assert services.latest_revision(made).investment_fen == 16_000_000


def test_returned_then_revised_and_resubmitted_then_approved(world):
    made = submitted(world)
    first = services.open_revision(made)
    with pytest.raises(RuleError):
        services.return_upgrade(world["officer"], made, first.id, "   ")
    db.session.rollback()
    services.return_upgrade(world["officer"], made, first.id, "请补充改造前照片")
    db.session.commit()
    assert made.status == UpgradeStatus.RETURNED
    assert (first.decision, first.reason) == (RevisionDecision.RETURNED, "请补充改造前照片")
    with pytest.raises(RuleError) as no_note:
        services.edit(world["merchant"], made, DRAFT)
    assert no_note.value.field == "note"
    db.session.rollback()
    second = services.edit(world["merchant"], made, DRAFT, "补充了照片")
    db.session.commit()
    assert (second.number, second.note, made.status) == (2, "补充了照片", UpgradeStatus.DRAFT)
    db.session.refresh(first)
    assert first.decision == RevisionDecision.RETURNED and first.work == DRAFT.work
    services.submit(world["merchant"], made, second.id)
    services.approve(world["officer"], made, second.id)
    db.session.commit()
    assert made.status == UpgradeStatus.APPROVED and made.approved_revision_id == second.id
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "upgrade").order_by(AuditEntry.id)
    ).all()
    assert actions == ["registered", "submitted", "returned", "revised", "submitted", "approved"]


def test_an_edit_after_approval_is_a_new_revision_and_the_approved_one_stays_counted(world):
    made = approved(world)
    first_id = made.approved_revision_id
    assert counted_fen() == 15_000_000
    bigger = UpgradeDraft(DRAFT.work, 18_000_000, DRAFT.starts_on, DRAFT.finishes_on)
    second = services.edit(world["merchant"], made, bigger, "招牌改用铜字")
    db.session.commit()
    assert made.status == UpgradeStatus.DRAFT and made.approved_revision_id == first_id
    assert counted_fen() == 15_000_000
    services.submit(world["merchant"], made, second.id)
    db.session.commit()
    assert counted_fen() == 15_000_000
    services.approve(world["officer"], made, second.id)
    db.session.commit()
    assert made.approved_revision_id == second.id and counted_fen() == 18_000_000


def test_an_approval_cannot_be_taken_by_a_merchant_or_another_alliances_officer(world):
    made = submitted(world)
    revision_id = services.open_revision(made).id
    stranger = factories.officer()
    for who in (world["merchant"], stranger, factories.user(Role.ADMIN)):
        with pytest.raises(NotAllowed):
            services.approve(who, made, revision_id)
        with pytest.raises(NotAllowed):
            services.return_upgrade(who, made, revision_id, "不行")
    other_merchant = db.session.get(User, factories.merchant().user_id)
    with pytest.raises(NotAllowed):
        services.submit(other_merchant, made, revision_id)
    db.session.rollback()
    assert made.status == UpgradeStatus.SUBMITTED and counted_fen() == 0


def test_an_officer_approves_only_the_revision_they_read(world):
    made = submitted(world)
    first = services.open_revision(made)
    services.return_upgrade(world["officer"], made, first.id, "金额有误")
    db.session.commit()
    second = services.edit(world["merchant"], made, DRAFT, "改了金额")
    services.submit(world["merchant"], made, second.id)
    db.session.commit()
    with pytest.raises(UpgradeError):  # a page opened on revision 1
        services.approve(factories.officer(world["alliance"]), made, first.id)
    db.session.rollback()
    assert made.status == UpgradeStatus.SUBMITTED


def test_steps_taken_twice_are_taken_once(world):
    made = registered(world)
    revision = services.open_revision(made)
    services.submit(world["merchant"], made, revision.id)
    services.submit(world["merchant"], made, revision.id)
    services.approve(world["officer"], made, revision.id)
    services.approve(world["officer"], made, revision.id)
    db.session.commit()
    assert made.status == UpgradeStatus.APPROVED
    assert (
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action.in_(("submitted", "approved"))
            )
        )
        == 2
    )


def test_photos_before_while_a_draft_after_once_approved_and_completion(world):
    made = registered(world)
    assert services.add_photos(world["merchant"], made, [_photo()]) == PhotoStage.BEFORE
    services.submit(world["merchant"], made, services.open_revision(made).id)
    db.session.commit()
    with pytest.raises(UpgradeError):  # under review: nothing added
        services.add_photos(world["merchant"], made, ["x.jpg"])
    db.session.rollback()
    services.approve(world["officer"], made, services.open_revision(made).id)
    db.session.commit()
    today = shanghai_today()
    with pytest.raises(UpgradeError):  # no after photo yet
        services.complete(world["merchant"], made, today)
    db.session.rollback()
    assert services.add_photos(world["merchant"], made, [_photo()]) == PhotoStage.AFTER
    db.session.commit()
    with pytest.raises(RuleError):
        services.complete(world["merchant"], made, today + timedelta(days=1))
    db.session.rollback()
    with pytest.raises(RuleError):
        services.complete(world["merchant"], made, DRAFT.starts_on - timedelta(days=1))
    db.session.rollback()
    with pytest.raises(NotAllowed):
        services.complete(world["officer"], made, today)
    db.session.rollback()
    services.complete(world["merchant"], made, today)
    db.session.commit()
    assert (made.status, made.completed_on) == (UpgradeStatus.COMPLETED, today)
    assert db.session.scalar(select(func.count(UpgradePhoto.id))) == 2


def test_a_completed_upgrade_edited_awaits_approval_and_is_completed_again(world):
    made = approved(world)
    services.add_photos(world["merchant"], made, [_photo()])
    services.complete(world["merchant"], made, shanghai_today())
    db.session.commit()
    revision = services.edit(world["merchant"], made, DRAFT, "最终结算金额")
    db.session.commit()
    assert (made.status, made.completed_on) == (UpgradeStatus.DRAFT, None)
    assert made.approved_revision_id is not None and counted_fen() == 15_000_000
    assert revision.number == 2


def test_comparing_two_revisions_marks_what_changed(world):
    made = approved(world)
    changed = UpgradeDraft("更换门头铜字招牌", 18_000_000, DRAFT.starts_on, date(2026, 10, 30))
    services.edit(world["merchant"], made, changed, "铜字")
    db.session.commit()
    entries = services.revisions_of(made, world["officer"])
    assert [e.revision.number for e in entries] == [2, 1]
    assert services.default_pair(entries, made.approved_revision_id) == (1, 2)
    comparison = services.compare(entries[1].revision, entries[0].revision)
    changed_names = [f.name for f in comparison.figures if f.changed]
    assert changed_names == ["investment_fen", "finishes_on"]
    assert "".join(p.text for p in comparison.work if p.kind.value == "ins") == "铜字"


def test_the_review_queue_is_the_alliances_submitted_upgrades_oldest_first(world):
    older = submitted(world)
    newer = submitted(world)
    registered(world)  # a draft is nobody's to review
    elsewhere = factories.upgrade(status=UpgradeStatus.SUBMITTED)
    rows = db.session.execute(services.review_queue(world["alliance"].id, world["officer"])).all()
    assert [r.id for r in rows] == [older.id, newer.id]
    assert elsewhere.id not in [r.id for r in rows]
    assert rows[0].submitted_at <= rows[1].submitted_at
    stranger = factories.officer()
    assert db.session.execute(services.review_queue(world["alliance"].id, stranger)).all() == []


def test_the_merchants_upgrades_say_where_each_stands_and_what_to_fix(world):
    made = submitted(world)
    services.return_upgrade(world["officer"], made, services.open_revision(made).id, "照片模糊")
    db.session.commit()
    owner = services.merchant_id_of(world["merchant"])
    rows = db.session.execute(services.merchant_upgrades(owner, world["merchant"])).all()
    assert [(r.id, r.status, r.reason) for r in rows] == [
        (made.id, UpgradeStatus.RETURNED, "照片模糊")
    ]


def test_the_list_filters_by_status_and_searches_by_name(world):
    made = approved(world)
    registered(world)
    every = db.session.execute(services.listed(world["officer"])).all()
    assert len(every) == 2
    only = db.session.execute(services.listed(world["officer"], UpgradeStatus.APPROVED)).all()
    assert [r.id for r in only] == [made.id]
    assert db.session.execute(services.listed(world["officer"], q="测试小店")).all()
    assert not db.session.execute(services.listed(world["officer"], q="%")).all()
    assert only[0].approved_fen == 15_000_000
