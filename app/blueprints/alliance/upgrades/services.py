"""Shopfront upgrades (门头改造): the rules of registering, revising, reviewing and completing one.

Who takes which step, from where:

- register (→ draft, revision 1): the shop's merchant, an approved member of its alliance.
- edit: the merchant. A draft never submitted is their scratch: its one revision is rewritten.
  A returned, approved or completed upgrade is never rewritten: the edit is a new revision
  (n + 1) with a note of what changed, and the upgrade is a draft again; the revision an officer
  approved stays `approved_revision_id`, counted by the totals, until the new one is approved.
- submit (draft → submitted): the merchant.
- approve (submitted → approved), return with a reason (submitted → returned): an officer of
  the upgrade's alliance, on the revision they read (a revision submitted after they opened the
  page is not approved by their click).
- photos: before photos while the upgrade is the merchant's to edit and was never approved;
  after photos once it is approved.
- complete (approved → completed): the merchant, with the day the work was done, once an after
  photo is there.

Every step locks the upgrade's row, reads its state afresh and moves it by compare-and-set
(app.workflow), so two officers (or a double click) cannot both take it; a repeated step that
is already done is done once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import aliased

from app import audit, history, uploads
from app.authz import scope, visible
from app.blueprints.alliance.access import officer_alliances
from app.blueprints.alliance.members.services import is_member
from app.blueprints.pacts.library.diff import Piece, text_diff
from app.extensions import db
from app.listing import starts_with_any
from app.models import (
    Merchant,
    PhotoStage,
    RevisionDecision,
    Role,
    Shop,
    Upgrade,
    UpgradePhoto,
    UpgradeRevision,
    UpgradeStatus,
    User,
)
from app.money import MAX_FEN, format_fen
from app.periods import shanghai_today, utcnow
from app.rules import RuleError
from app.sql import lock_row
from app.workflow import Workflow

PHOTOS = "alliance"  # the uploads folder
WORK_LENGTH = 2000
NOTE_LENGTH = 1000
REASON_LENGTH = 1000
# Three phone photos of up to 5 MB each stay within the 16 MB a request may carry.
PHOTOS_PER_UPLOAD = 3
# A shopfront is photographed with a good camera: 20 MB a photo, a whole upload within reach.
PHOTO_MAX_BYTES = 20 * 1024 * 1024
PHOTO_MAX_MEGABYTES = PHOTO_MAX_BYTES // (1024 * 1024)
UPLOAD_MAX_BYTES = PHOTOS_PER_UPLOAD * PHOTO_MAX_BYTES + 1024 * 1024  # and the form's fields
PHOTOS_PER_STAGE = 12
MAX_INVESTMENT_FEN = MAX_FEN  # ¥10 million: far above one shopfront, low enough to catch 1e9
EARLIEST_DAY = date(2000, 1, 1)
PLANNED_YEARS = 3  # an upgrade planned further ahead than this is a typo
# Where the merchant may still edit the figures, and where an officer has to act.
MERCHANTS_TURN = (UpgradeStatus.DRAFT, UpgradeStatus.RETURNED)
REVISABLE = (UpgradeStatus.RETURNED, UpgradeStatus.APPROVED, UpgradeStatus.COMPLETED)


class UpgradeError(RuleError):
    """A step the rules do not allow now; the message says why, in the user's language."""


class NotAllowed(UpgradeError):
    """The user may not take this step on this upgrade at all (403, not a form error)."""


# --- who may take a step --------------------------------------------------------------------


def merchant_id_of(user: User) -> int | None:
    """The merchant (business) the account registered, if any."""
    if user.role != Role.MERCHANT:
        return None
    return db.session.scalar(select(Merchant.id).where(Merchant.user_id == user.id))


def owns(user: User, upgrade: Upgrade) -> bool:
    return user.role == Role.MERCHANT and upgrade.merchant_id == merchant_id_of(user)


def reviews(user: User, upgrade: Upgrade) -> bool:
    """An officer of the upgrade's own alliance."""
    return user.role == Role.OFFICER and upgrade.alliance_id in set(
        db.session.scalars(officer_alliances(user))
    )


def _stale() -> UpgradeError:
    return UpgradeError(_l("Someone has just changed this upgrade. Reload the page to see it."))


WORKFLOW = Workflow(
    Upgrade,
    "upgrade",
    {
        "edit": owns,
        "submit": owns,
        "photos": owns,
        "complete": owns,
        "approve": reviews,
        "return": reviews,
    },
    lambda _upgrade: None,  # an alliance belongs to no property company
    _stale,
)

history.register(
    "upgrade",
    _l("Shopfront upgrade"),
    actions={
        "registered": _l("Registered"),
        "edited": _l("Draft changed"),
        "revised": _l("New revision"),
        "submitted": _l("Submitted for review"),
        "approved": _l("Approved"),
        "returned": _l("Returned"),
        "photos": _l("Photos added"),
        "completed": _l("Completed"),
    },
    fields={
        "status": _l("Status"),
        "work": _l("Work"),
        "investment_fen": _l("Investment"),
        "starts_on": _l("Starts"),
        "finishes_on": _l("Finishes"),
        "note": _l("What changed"),
        "number": _l("Revision"),
        "completed_on": _l("Completed on"),
        "stage": _l("Photos"),
        "photos": _l("Number of photos"),
    },
    values={
        "status": history.coded(UpgradeStatus),
        "investment_fen": format_fen,
        "stage": history.coded(PhotoStage),
    },
    hidden=("updated_at", "approved_revision_id", "approved_at"),
)


def may(user: User, upgrade: Upgrade, step: str) -> bool:
    return WORKFLOW.may(user, upgrade, step)


def _allow(user: User, upgrade: Upgrade, step: str) -> None:
    if not may(user, upgrade, step):
        raise NotAllowed(_l("You may not take this step on this upgrade."))


def locked(upgrade: Upgrade) -> Upgrade:
    """The upgrade read afresh under its row lock: steps take turns, and each reads the state
    the last one committed."""
    lock_row(Upgrade, upgrade.id)
    db.session.refresh(upgrade)
    return upgrade


# --- what the merchant types ----------------------------------------------------------------


@dataclass(frozen=True)
class UpgradeDraft:
    """An upgrade's text and figures as the merchant entered them."""

    work: str
    investment_fen: int | None
    starts_on: date | None
    finishes_on: date | None


FIGURES = ("work", "investment_fen", "starts_on", "finishes_on")


def checked(draft: UpgradeDraft, today: date | None = None) -> UpgradeDraft:
    """The draft cleaned, or a RuleError naming the field that is wrong."""
    today = today or shanghai_today()
    work = (draft.work or "").strip()
    if not work:
        raise RuleError(_l("Describe the work being done."), "work")
    if len(work) > WORK_LENGTH:
        raise RuleError(_l("Use at most %(max)d characters.", max=WORK_LENGTH), "work")
    fen = draft.investment_fen
    if fen is None:
        raise RuleError(_l("Enter the investment in yuan."), "investment")
    if isinstance(fen, bool) or not isinstance(fen, int) or fen <= 0:
        raise RuleError(_l("The investment must be more than zero."), "investment")
    if fen > MAX_INVESTMENT_FEN:
        raise RuleError(
            _l("Enter at most %(max)s.", max=format_fen(MAX_INVESTMENT_FEN)), "investment"
        )
    latest = date(today.year + PLANNED_YEARS, 12, 31)
    for name, day, missing in (
        ("starts_on", draft.starts_on, _l("Enter the day the work starts.")),
        ("finishes_on", draft.finishes_on, _l("Enter the day the work finishes.")),
    ):
        if day is None:
            raise RuleError(missing, name)
        if not EARLIEST_DAY <= day <= latest:
            raise RuleError(
                _l("Choose a day between %(first)s and %(last)s.", first=EARLIEST_DAY, last=latest),
                name,
            )
    assert draft.starts_on is not None and draft.finishes_on is not None
    if draft.finishes_on < draft.starts_on:
        raise RuleError(_l("The work cannot finish before it starts."), "finishes_on")
    return UpgradeDraft(work, fen, draft.starts_on, draft.finishes_on)


def _note(note: str | None, required: bool) -> str | None:
    text = (note or "").strip()
    if required and not text:
        raise RuleError(_l("Say what changed in this revision."), "note")
    if len(text) > NOTE_LENGTH:
        raise RuleError(_l("Use at most %(max)d characters.", max=NOTE_LENGTH), "note")
    return text or None


# --- registering and editing ----------------------------------------------------------------


def registration_refusal(user: User, shop: Shop) -> Any:
    """Why `user` may not register an upgrade of `shop` (a lazy string), or None if they may."""
    if user.role != Role.MERCHANT or shop.merchant_id != merchant_id_of(user):
        return _l("Only the shop's own merchant may register its upgrades.")
    if not is_member(shop.merchant_id, shop.alliance_id):
        return _l(
            "Your membership of the shop's alliance has not been approved yet: upgrades can be "
            "registered once it is."
        )
    return None


def register(
    user: User,
    shop: Shop,
    draft: UpgradeDraft,
    photos: Iterable[str] = (),
    now: datetime | None = None,
) -> Upgrade:
    """A new draft upgrade of `shop` with its first revision and before photos (names that
    `store_photos` returned). The caller commits, and discards the photos if it does not."""
    reason = registration_refusal(user, shop)
    if reason is not None:
        raise NotAllowed(reason)
    now = now or utcnow()
    figures = checked(draft, now.date())
    names = list(photos)
    if len(names) > PHOTOS_PER_UPLOAD:
        raise RuleError(_l("Add at most %(n)s photos at a time.", n=PHOTOS_PER_UPLOAD), "photos")
    upgrade = Upgrade(
        shop_id=shop.id,
        alliance_id=shop.alliance_id,
        merchant_id=shop.merchant_id,
        status=UpgradeStatus.DRAFT,
        updated_at=now,
    )
    db.session.add(upgrade)
    db.session.flush()
    revision = UpgradeRevision(
        upgrade_id=upgrade.id,
        alliance_id=upgrade.alliance_id,
        number=1,
        created_by_user_id=user.id,
        **{name: getattr(figures, name) for name in FIGURES},
    )
    db.session.add(revision)
    _add_photos(upgrade, PhotoStage.BEFORE, names, user)
    db.session.flush()
    audit.record(
        "upgrade",
        upgrade.id,
        None,
        "registered",
        {"status": upgrade.status.value, **audit.snapshot(revision, FIGURES)},
    )
    return upgrade


def latest_revision(upgrade: Upgrade) -> UpgradeRevision:
    return db.session.scalars(
        select(UpgradeRevision)
        .where(UpgradeRevision.upgrade_id == upgrade.id)
        .order_by(UpgradeRevision.number.desc())
        .limit(1)
    ).one()


def needs_note(upgrade: Upgrade) -> bool:
    """An edit now makes (or rewrites) a revision after the first: it says what changed."""
    return upgrade.status in REVISABLE or latest_revision(upgrade).number > 1


def edit(
    user: User,
    upgrade: Upgrade,
    draft: UpgradeDraft,
    note: str | None = None,
    now: datetime | None = None,
) -> UpgradeRevision:
    """Change the upgrade's text and figures: the draft's own revision while it was never
    submitted, else a new revision awaiting submission. Returns the revision written."""
    _allow(user, upgrade, "edit")
    now = now or utcnow()
    locked(upgrade)
    current = latest_revision(upgrade)
    figures = checked(draft, now.date())
    if upgrade.status == UpgradeStatus.DRAFT:
        # Never submitted (a submitted revision leaves the draft state): still the scratch.
        text = _note(note, required=current.number > 1)
        with db.session.no_autoflush:
            for name in FIGURES:
                setattr(current, name, getattr(figures, name))
            current.note = text
            changes = audit.pending_changes(current, (*FIGURES, "note"))
        if changes:
            # Under the row lock the draft stays a draft until this commits: no move to make.
            upgrade.updated_at = now
            audit.record("upgrade", upgrade.id, None, "edited", changes)
        return current
    if upgrade.status not in REVISABLE:
        raise UpgradeError(
            _l("The upgrade is waiting for the alliance's review: it can be changed afterwards.")
        )
    text = _note(note, required=True)
    revision = UpgradeRevision(
        upgrade_id=upgrade.id,
        alliance_id=upgrade.alliance_id,
        number=current.number + 1,
        note=text,
        created_by_user_id=user.id,
        **{name: getattr(figures, name) for name in FIGURES},
    )
    db.session.add(revision)
    # A completed upgrade edited is completed again only once the new figures are approved.
    # The new revision keeps its own text and figures: the history entry says it was made.
    WORKFLOW.move(
        upgrade, UpgradeStatus.DRAFT, "revised", {"completed_on": None, "updated_at": now}
    )
    return revision


# --- review ---------------------------------------------------------------------------------


def open_revision(upgrade: Upgrade) -> UpgradeRevision | None:
    """The revision awaiting a decision (a draft's, or one submitted), if any."""
    return db.session.scalar(
        select(UpgradeRevision).where(
            UpgradeRevision.upgrade_id == upgrade.id, UpgradeRevision.decision.is_(None)
        )
    )


def submit(
    user: User, upgrade: Upgrade, revision_id: int | None, now: datetime | None = None
) -> UpgradeRevision:
    """Send the draft's revision to the alliance for review; sending it again does nothing."""
    _allow(user, upgrade, "submit")
    now = now or utcnow()
    locked(upgrade)
    revision = open_revision(upgrade)
    if revision is None or revision.id != revision_id:
        raise _stale()
    if upgrade.status == UpgradeStatus.SUBMITTED:
        return revision
    if upgrade.status != UpgradeStatus.DRAFT:
        raise _stale()
    revision.submitted_at = now
    WORKFLOW.move(upgrade, UpgradeStatus.SUBMITTED, "submitted", {"updated_at": now})
    return revision


def _under_review(upgrade: Upgrade, revision_id: int | None) -> UpgradeRevision:
    revision = open_revision(upgrade)
    if (
        upgrade.status != UpgradeStatus.SUBMITTED
        or revision is None
        or revision.submitted_at is None
        or revision.id != revision_id
    ):
        raise UpgradeError(
            _l("This upgrade has just been decided or changed. Reload the page to see it.")
        )
    return revision


def _decided(
    user: User, upgrade: Upgrade, revision_id: int | None, decision: RevisionDecision
) -> bool:
    """`user` already took this decision on this revision (a double click, a retry). Another
    officer's decision is not theirs: they are told, and their reason is not lost unseen."""
    revision = db.session.get(UpgradeRevision, revision_id) if revision_id else None
    return (
        revision is not None
        and revision.upgrade_id == upgrade.id
        and revision.decided_by_user_id == user.id
        and revision.decision == decision
        and upgrade.status == UpgradeStatus(decision.value)
        and latest_revision(upgrade).id == revision.id
    )


def approve(
    user: User, upgrade: Upgrade, revision_id: int | None, now: datetime | None = None
) -> UpgradeRevision:
    """Approve the submitted revision the officer read: from now on the totals count it."""
    _allow(user, upgrade, "approve")
    now = now or utcnow()
    locked(upgrade)
    if _decided(user, upgrade, revision_id, RevisionDecision.APPROVED):
        return db.session.get(UpgradeRevision, revision_id)
    revision = _under_review(upgrade, revision_id)
    revision.decision = RevisionDecision.APPROVED
    revision.decided_at = now
    revision.decided_by_user_id = user.id
    WORKFLOW.move(
        upgrade,
        UpgradeStatus.APPROVED,
        "approved",
        {"approved_revision_id": revision.id, "approved_at": now, "updated_at": now},
    )
    return revision


def return_upgrade(
    user: User,
    upgrade: Upgrade,
    revision_id: int | None,
    reason: str | None,
    now: datetime | None = None,
) -> UpgradeRevision:
    """Return the submitted revision to the merchant with what to fix; an approved revision
    before it stays counted."""
    _allow(user, upgrade, "return")
    now = now or utcnow()
    text = (reason or "").strip()
    if not text:
        raise RuleError(_l("Say what the merchant should fix."), "reason")
    if len(text) > REASON_LENGTH:
        raise RuleError(_l("Use at most %(max)d characters.", max=REASON_LENGTH), "reason")
    locked(upgrade)
    if _decided(user, upgrade, revision_id, RevisionDecision.RETURNED):
        return db.session.get(UpgradeRevision, revision_id)
    revision = _under_review(upgrade, revision_id)
    revision.decision = RevisionDecision.RETURNED
    revision.decided_at = now
    revision.decided_by_user_id = user.id
    revision.reason = text
    WORKFLOW.move(upgrade, UpgradeStatus.RETURNED, "returned", {"updated_at": now})
    return revision


# --- photos and completion ------------------------------------------------------------------


def photo_stage(upgrade: Upgrade) -> PhotoStage | None:
    """Which photos the merchant may add now: before photos until it was first approved (while
    it is theirs to edit), after photos once it is approved; None otherwise."""
    if upgrade.status in MERCHANTS_TURN and upgrade.approved_revision_id is None:
        return PhotoStage.BEFORE
    if upgrade.status == UpgradeStatus.APPROVED:
        return PhotoStage.AFTER
    return None


def store_photos(streams: Iterable[Any]) -> list[str]:
    """Check, clean and store each photo. If one is refused, none is kept and the UploadError
    says why."""
    names: list[str] = []
    try:
        for stream in streams:
            names.append(uploads.save_image(stream, PHOTOS, max_bytes=PHOTO_MAX_BYTES))
    except uploads.UploadError:
        discard_photos(names)
        raise
    return names


def discard_photos(names: Iterable[str]) -> None:
    """Remove stored photos whose record was not saved."""
    for name in names:
        uploads.discard_image(PHOTOS, name)


def _add_photos(upgrade: Upgrade, stage: PhotoStage, names: Sequence[str], user: User) -> None:
    db.session.add_all(
        UpgradePhoto(
            upgrade_id=upgrade.id,
            alliance_id=upgrade.alliance_id,
            stage=stage,
            stored_name=name,
            uploaded_by_user_id=user.id,
        )
        for name in names
    )


def photo_count(upgrade: Upgrade, stage: PhotoStage) -> int:
    return db.session.scalar(
        select(func.count(UpgradePhoto.id)).where(
            UpgradePhoto.upgrade_id == upgrade.id, UpgradePhoto.stage == stage
        )
    )


def add_photos(
    user: User, upgrade: Upgrade, names: Sequence[str], now: datetime | None = None
) -> PhotoStage:
    """Attach stored photos to the upgrade, as before or after photos as its state says.
    The caller commits, and discards the photos if it does not."""
    _allow(user, upgrade, "photos")
    locked(upgrade)
    stage = photo_stage(upgrade)
    if stage is None:
        raise UpgradeError(
            _l("Photos can be added while the upgrade is a draft or returned, and once approved.")
        )
    if not names:
        raise RuleError(_l("Choose at least one photo."), "photos")
    if len(names) > PHOTOS_PER_UPLOAD:
        raise RuleError(_l("Add at most %(n)s photos at a time.", n=PHOTOS_PER_UPLOAD), "photos")
    if photo_count(upgrade, stage) + len(names) > PHOTOS_PER_STAGE:
        raise RuleError(
            _l("An upgrade keeps at most %(n)s photos of each kind.", n=PHOTOS_PER_STAGE), "photos"
        )
    _add_photos(upgrade, stage, names, user)
    upgrade.updated_at = now or utcnow()
    db.session.flush()
    audit.record(
        "upgrade", upgrade.id, None, "photos", {"stage": stage.value, "photos": len(names)}
    )
    return stage


def complete(
    user: User,
    upgrade: Upgrade,
    completed_on: date | None,
    today: date | None = None,
    now: datetime | None = None,
) -> None:
    """Mark the approved upgrade done on `completed_on`; marking it again does nothing."""
    _allow(user, upgrade, "complete")
    today = today or shanghai_today()
    now = now or utcnow()
    locked(upgrade)
    if upgrade.status == UpgradeStatus.COMPLETED:
        return
    if upgrade.status != UpgradeStatus.APPROVED:
        raise UpgradeError(_l("Only an approved upgrade can be marked completed."))
    if completed_on is None:
        raise RuleError(_l("Enter the day the work was completed."), "completed_on")
    approved = db.session.get(UpgradeRevision, upgrade.approved_revision_id)
    if completed_on > today:
        raise RuleError(_l("The completion day cannot be in the future."), "completed_on")
    if completed_on < approved.starts_on:
        raise RuleError(
            _l(
                "The work started on %(day)s: it cannot be completed before.",
                day=approved.starts_on,
            ),
            "completed_on",
        )
    if photo_count(upgrade, PhotoStage.AFTER) == 0:
        raise UpgradeError(_l("Add at least one photo of the finished shopfront first."))
    WORKFLOW.move(
        upgrade,
        UpgradeStatus.COMPLETED,
        "completed",
        {"completed_on": completed_on, "updated_at": now},
    )


# --- reading one upgrade --------------------------------------------------------------------


@dataclass(frozen=True)
class RevisionEntry:
    """A revision as the history shows it, with who wrote and who decided it."""

    revision: UpgradeRevision
    author: str
    decider: str | None


def revisions_of(upgrade: Upgrade, user: User | None = None) -> list[RevisionEntry]:
    """Every revision of the upgrade, newest first."""
    author, decider = aliased(User), aliased(User)
    rows = db.session.execute(
        visible(UpgradeRevision, user)
        .add_columns(author.display_name, decider.display_name)
        .join(author, author.id == UpgradeRevision.created_by_user_id)
        .outerjoin(decider, decider.id == UpgradeRevision.decided_by_user_id)
        .where(UpgradeRevision.upgrade_id == upgrade.id)
        .order_by(UpgradeRevision.number.desc())
    )
    return [RevisionEntry(revision, by, decided) for revision, by, decided in rows]


def photos_of(upgrade: Upgrade, user: User | None = None) -> dict[PhotoStage, list[UpgradePhoto]]:
    photos = db.session.scalars(
        visible(UpgradePhoto, user)
        .where(UpgradePhoto.upgrade_id == upgrade.id)
        .order_by(UpgradePhoto.created_at, UpgradePhoto.id)
    )
    grouped: dict[PhotoStage, list[UpgradePhoto]] = {stage: [] for stage in PhotoStage}
    for photo in photos:
        grouped[photo.stage].append(photo)
    return grouped


@dataclass(frozen=True)
class FigureChange:
    """One figure of two revisions: its value in each, and whether it changed."""

    name: str
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class Comparison:
    older: UpgradeRevision
    newer: UpgradeRevision
    work: tuple[Piece, ...]  # the newer text, what was inserted and deleted marked
    figures: tuple[FigureChange, ...]

    @property
    def changed(self) -> bool:
        return any(f.changed for f in self.figures) or self.older.work != self.newer.work


def compare(older: UpgradeRevision, newer: UpgradeRevision) -> Comparison:
    """What changed from `older` to `newer`: the work text piece by piece, the figures."""
    return Comparison(
        older,
        newer,
        text_diff(older.work, newer.work),
        tuple(
            FigureChange(name, getattr(older, name), getattr(newer, name))
            for name in ("investment_fen", "starts_on", "finishes_on")
        ),
    )


def default_pair(
    entries: Sequence[RevisionEntry], approved_id: int | None
) -> tuple[int, int] | None:
    """The revisions worth comparing first, as numbers: the approved one against a later one,
    else the latest against the one before it; None with a single revision."""
    if len(entries) < 2:
        return None
    latest = entries[0].revision
    approved = next((e.revision for e in entries if e.revision.id == approved_id), None)
    if approved is not None and approved.number < latest.number:
        return approved.number, latest.number
    return entries[1].revision.number, latest.number


# --- lists ----------------------------------------------------------------------------------


def _latest_numbers() -> Any:
    return (
        select(UpgradeRevision.upgrade_id, func.max(UpgradeRevision.number).label("number"))
        .group_by(UpgradeRevision.upgrade_id)
        .subquery()
    )


def upgrade_rows(where: ColumnElement[bool] | None = None) -> Select:
    """One row per upgrade with where it stands: its shop and merchant, the latest revision
    (number, work, investment, dates, when submitted, why returned) and the approved
    investment the totals count; newest change first. `where` narrows it."""
    numbers = _latest_numbers()
    latest, approved = aliased(UpgradeRevision), aliased(UpgradeRevision)
    query = (
        select(
            Upgrade.id,
            Upgrade.status,
            Upgrade.shop_id,
            Upgrade.alliance_id,
            Upgrade.updated_at,
            Upgrade.completed_on,
            Shop.name.label("shop_name"),
            Merchant.business_name,
            latest.number,
            latest.work,
            latest.investment_fen,
            latest.starts_on,
            latest.finishes_on,
            latest.submitted_at,
            latest.reason,
            approved.investment_fen.label("approved_fen"),
        )
        .join(Shop, Shop.id == Upgrade.shop_id)
        .join(Merchant, Merchant.id == Upgrade.merchant_id)
        .join(numbers, numbers.c.upgrade_id == Upgrade.id)
        .join(latest, (latest.upgrade_id == Upgrade.id) & (latest.number == numbers.c.number))
        .outerjoin(approved, approved.id == Upgrade.approved_revision_id)
        .order_by(Upgrade.updated_at.desc(), Upgrade.id.desc())
    )
    return query.where(where) if where is not None else query


def merchant_upgrades(merchant_id: int, user: User | None = None) -> Select:
    """The merchant's upgrades with where each stands (`reason`: what an officer asked them to
    fix, on a returned one), newest change first."""
    return upgrade_rows(Upgrade.merchant_id == merchant_id).where(scope(Upgrade, user))


def review_queue(alliance_id: int, user: User | None = None) -> Select:
    """The alliance's upgrades waiting for an officer's review, the longest waiting first;
    `submitted_at` says since when."""
    query = upgrade_rows(Upgrade.alliance_id == alliance_id).where(
        Upgrade.status == UpgradeStatus.SUBMITTED, scope(Upgrade, user)
    )
    return query.order_by(None).order_by(query.selected_columns.submitted_at, Upgrade.id)


def listed(user: User | None = None, status: UpgradeStatus | None = None, q: str = "") -> Select:
    """The upgrades the user may see, by status, their shop's or merchant's name starting with
    `q`."""
    query = upgrade_rows().where(scope(Upgrade, user))
    if status is not None:
        query = query.where(Upgrade.status == status)
    if q.strip():
        query = query.where(starts_with_any(q.strip(), Shop.name, Merchant.business_name))
    return query


def waited(since: datetime | None, now: datetime | None = None) -> timedelta:
    """How long a submitted revision has waited."""
    if since is None:
        return timedelta(0)
    return max((now or utcnow()) - since, timedelta(0))


def officer_alliance_id(user: User) -> int | None:
    """The alliance an officer runs."""
    return db.session.scalar(officer_alliances(user).limit(1))
