"""Routes of the upgrades part: the merchant registers an upgrade of a shop, edits and submits
it, adds photos and marks it completed; an officer reviews it (approve, or return with a
reason); the upgrade's page with its revisions, their comparison and photos; the lists."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user

from app import uploads
from app.authz import get_visible_or_404, roles_required, visible
from app.blueprints.alliance.upgrades import services
from app.blueprints.alliance.upgrades.forms import (
    CompareForm,
    CompleteForm,
    ListForm,
    PhotoForm,
    ReturnForm,
    RevisionForm,
    UpgradeForm,
)
from app.blueprints.alliance.upgrades.services import NotAllowed
from app.errors import render_error
from app.extensions import db
from app.labels import label
from app.models import (
    Merchant,
    PhotoStage,
    Role,
    Shop,
    Upgrade,
    UpgradePhoto,
    UpgradeRevision,
    UpgradeStatus,
)
from app.money import fen_to_yuan
from app.pagination import paginate
from app.periods import shanghai_today, utcnow
from app.rendering import redirect_to, render_page
from app.rules import RuleError, show_on_form
from app.uploads import takes_photos

bp = Blueprint("upgrades", __name__)


READERS = (Role.MERCHANT, Role.OFFICER, Role.ADMIN)
DETAIL = "alliance/upgrades/detail.html"


def _args() -> dict[str, str]:
    """The list's query arguments, for its pager."""
    return {k: v for k, v in request.args.items() if k != "page" and v}


def _waited(since: Any) -> str:
    return format_timedelta(services.waited(since), granularity="hour", threshold=1.5)


# --- lists ----------------------------------------------------------------------------------


@bp.get("/upgrades")
@roles_required(*READERS)
def upgrade_list() -> ResponseReturnValue:
    form = ListForm(request.args, labels={s: label(s) for s in UpgradeStatus})
    form.validate()
    rows = paginate(services.listed(current_user, form.chosen_status(), form.query()))
    shops: list[tuple[Shop, Any]] = []
    if current_user.role == Role.MERCHANT:
        shops = [
            (shop, services.registration_refusal(current_user, shop))
            for shop in db.session.scalars(visible(Shop).order_by(Shop.name, Shop.id))
        ]
    return render_page(
        "alliance/upgrades/list.html",
        "results",
        form=form,
        rows=rows,
        args=_args(),
        shops=shops,
    ), (422 if form.errors else 200)


@bp.get("/upgrades/review")
@roles_required(Role.OFFICER)
def review_queue() -> ResponseReturnValue:
    alliance_id = services.officer_alliance_id(current_user)
    rows = (
        paginate(services.review_queue(alliance_id, current_user))
        if alliance_id is not None
        else None
    )
    return render_page(
        "alliance/upgrades/queue.html", "results", rows=rows, args=_args(), waited=_waited
    )


# --- registering and editing ----------------------------------------------------------------


@bp.route("/shops/<int:shop_id>/upgrades/new", methods=["GET", "POST"])
@roles_required(Role.MERCHANT)
@takes_photos(services.UPLOAD_MAX_BYTES)
def upgrade_new(shop_id: int) -> ResponseReturnValue:
    shop = get_visible_or_404(Shop, shop_id)
    reason = services.registration_refusal(current_user, shop)
    if reason is not None:
        return render_error(403, str(reason))
    form = UpgradeForm()
    if form.validate_on_submit():
        saved = _register(form, shop)
        if saved is not None:
            flash(
                _("The upgrade has been saved as a draft. Submit it when it is ready."), "success"
            )
            return redirect_to(url_for(".upgrade_detail", upgrade_id=saved.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_page("alliance/upgrades/new.html", "form", form=form, shop=shop), status


def _register(form: UpgradeForm, shop: Shop) -> Upgrade | None:
    """Store the photos and register the upgrade; if it is refused, or anything fails before it
    is saved, the photos are removed again and the reason goes on the form."""
    try:
        photos = services.store_photos(upload.stream for upload in form.photos.uploads())
    except uploads.UploadError as error:
        form.photos.errors = [*form.photos.errors, error.message]
        return None
    try:
        upgrade = services.register(current_user, shop, form.draft(), photos)
        db.session.commit()
    except NotAllowed:
        services.discard_photos(photos)
        raise
    except RuleError as error:
        services.discard_photos(photos)
        show_on_form(form, error)
        return None
    except BaseException:
        services.discard_photos(photos)
        raise
    return upgrade


@bp.route("/upgrades/<int:upgrade_id>/edit", methods=["GET", "POST"])
@roles_required(Role.MERCHANT)
@takes_photos(services.UPLOAD_MAX_BYTES)
def upgrade_edit(upgrade_id: int) -> ResponseReturnValue:
    upgrade = get_visible_or_404(Upgrade, upgrade_id)
    if not services.may(current_user, upgrade, "edit"):
        abort(404)
    if upgrade.status == UpgradeStatus.SUBMITTED:
        flash(
            _("The upgrade is waiting for the alliance's review: it can be changed afterwards."),
            "error",
        )
        return redirect_to(url_for(".upgrade_detail", upgrade_id=upgrade.id))
    current = services.latest_revision(upgrade)
    shop = db.session.get(Shop, upgrade.shop_id)
    if request.method == "POST":
        form = UpgradeForm()
    else:
        form = UpgradeForm(
            work=current.work,
            investment=current.investment_fen,
            starts_on=current.starts_on,
            finishes_on=current.finishes_on,
            note=current.note if upgrade.status == UpgradeStatus.DRAFT else None,
        )
    del form.photos  # photos are added on the upgrade's page
    if form.validate_on_submit():
        try:
            revision = services.edit(current_user, upgrade, form.draft(), form.note.data)
            db.session.commit()
        except RuleError as error:
            show_on_form(form, error)
        else:
            flash(
                _(
                    "Revision %(n)s saved as a draft. Submit it when it is ready.",
                    n=revision.number,
                ),
                "success",
            )
            return redirect_to(url_for(".upgrade_detail", upgrade_id=upgrade.id))
    db.session.refresh(upgrade)
    status = 422 if form.errors or form.form_errors else 200
    return render_page(
        "alliance/upgrades/edit.html",
        "form",
        form=form,
        shop=shop,
        upgrade=upgrade,
        current=current,
        new_revision=upgrade.status in services.REVISABLE,
        needs_note=services.needs_note(upgrade),
    ), status


# --- the upgrade's page ---------------------------------------------------------------------


def _detail(upgrade: Upgrade, **forms: Any) -> dict[str, Any]:
    """Everything the upgrade's page shows; `forms` replace the blank forms of its actions."""
    entries = services.revisions_of(upgrade, current_user)
    by_number = {e.revision.number: e.revision for e in entries}
    compare_form = CompareForm(request.args, numbers=sorted(by_number))
    compare_form.validate()
    pair = compare_form.pair() or services.default_pair(entries, upgrade.approved_revision_id)
    if pair is not None and not compare_form.older.data:
        compare_form.older.data, compare_form.newer.data = (str(n) for n in pair)
    comparison = (
        services.compare(by_number[pair[0]], by_number[pair[1]]) if pair is not None else None
    )
    opened = services.open_revision(upgrade)
    approved = (
        db.session.get(UpgradeRevision, upgrade.approved_revision_id)
        if upgrade.approved_revision_id is not None
        else None
    )
    stage = services.photo_stage(upgrade)
    user = current_user
    revision_fields = {"revision_id": opened.id} if opened is not None else {}
    return {
        "upgrade": upgrade,
        "shop": db.session.get(Shop, upgrade.shop_id),
        "merchant": db.session.get(Merchant, upgrade.merchant_id),
        "entries": entries,
        "latest": entries[0].revision,
        "opened": opened,
        "under_review": opened if upgrade.status == UpgradeStatus.SUBMITTED else None,
        "approved": approved,
        "comparison": comparison,
        "compare_form": compare_form,
        "photos": services.photos_of(upgrade, user),
        "stage": stage,
        "may_edit": services.may(user, upgrade, "edit")
        and upgrade.status != UpgradeStatus.SUBMITTED,
        "may_submit": services.may(user, upgrade, "submit")
        and upgrade.status == UpgradeStatus.DRAFT,
        "may_review": services.may(user, upgrade, "approve")
        and upgrade.status == UpgradeStatus.SUBMITTED,
        "may_add_photos": services.may(user, upgrade, "photos") and stage is not None,
        "may_complete": services.may(user, upgrade, "complete")
        and upgrade.status == UpgradeStatus.APPROVED,
        "submit_form": forms.get("submit_form") or RevisionForm(**revision_fields),
        "approve_form": forms.get("approve_form") or RevisionForm(**revision_fields),
        "return_form": forms.get("return_form") or ReturnForm(**revision_fields),
        "photo_form": forms.get("photo_form") or PhotoForm(),
        "complete_form": forms.get("complete_form") or CompleteForm(completed_on=shanghai_today()),
        "today": shanghai_today(),
        "waited": _waited,
        "yuan": fen_to_yuan,
        "Stage": PhotoStage,
        "Status": UpgradeStatus,
    }


@bp.get("/upgrades/<int:upgrade_id>")
@roles_required(*READERS)
def upgrade_detail(upgrade_id: int) -> ResponseReturnValue:
    upgrade = get_visible_or_404(Upgrade, upgrade_id)
    return render_page(DETAIL, "comparison", **_detail(upgrade))


def _step(upgrade_id: int, block: str, form_name: str, form: Any, act: Any) -> ResponseReturnValue:
    """Take one step from the upgrade's page: `act()` on a valid form, then back to the page;
    a refusal shows on the form (422), a step the user may not take at all is 403."""
    upgrade = get_visible_or_404(Upgrade, upgrade_id)
    if form.validate_on_submit():
        try:
            message = act(upgrade, form)
            db.session.commit()
        except NotAllowed:
            db.session.rollback()
            abort(403)
        except RuleError as error:
            show_on_form(form, error)
            db.session.refresh(upgrade)
        else:
            flash(message, "success")
            return redirect_to(url_for(".upgrade_detail", upgrade_id=upgrade.id))
    elif not services.may(current_user, upgrade, _STEPS[form_name]):
        abort(403)
    return render_page(DETAIL, block, **_detail(upgrade, **{form_name: form})), 422


_STEPS = {
    "submit_form": "submit",
    "approve_form": "approve",
    "return_form": "return",
    "photo_form": "photos",
    "complete_form": "complete",
}


@bp.post("/upgrades/<int:upgrade_id>/submit")
@roles_required(Role.MERCHANT)
def upgrade_submit(upgrade_id: int) -> ResponseReturnValue:
    def act(upgrade: Upgrade, form: RevisionForm) -> str:
        services.submit(current_user, upgrade, form.revision())
        return _("The upgrade has been submitted to the alliance for review.")

    return _step(upgrade_id, "submit", "submit_form", RevisionForm(), act)


@bp.post("/upgrades/<int:upgrade_id>/approve")
@roles_required(Role.OFFICER)
def upgrade_approve(upgrade_id: int) -> ResponseReturnValue:
    def act(upgrade: Upgrade, form: RevisionForm) -> str:
        revision = services.approve(current_user, upgrade, form.revision())
        return _("Revision %(n)s has been approved.", n=revision.number)

    return _step(upgrade_id, "review", "approve_form", RevisionForm(), act)


@bp.post("/upgrades/<int:upgrade_id>/return")
@roles_required(Role.OFFICER)
def upgrade_return(upgrade_id: int) -> ResponseReturnValue:
    def act(upgrade: Upgrade, form: ReturnForm) -> str:
        revision = services.return_upgrade(current_user, upgrade, form.revision(), form.reason.data)
        return _("Revision %(n)s has been returned to the merchant.", n=revision.number)

    return _step(upgrade_id, "review", "return_form", ReturnForm(), act)


@bp.post("/upgrades/<int:upgrade_id>/photos")
@roles_required(Role.MERCHANT)
@takes_photos(services.UPLOAD_MAX_BYTES)
def upgrade_add_photos(upgrade_id: int) -> ResponseReturnValue:
    def act(upgrade: Upgrade, form: PhotoForm) -> str:
        if not services.may(current_user, upgrade, "photos"):
            raise NotAllowed(_("You may not take this step on this upgrade."))
        try:
            names = services.store_photos(upload.stream for upload in form.photos.uploads())
        except uploads.UploadError as error:
            raise RuleError(error.message, "photos") from None
        try:
            stage = services.add_photos(current_user, upgrade, names, now=utcnow())
            db.session.flush()
        except BaseException:
            services.discard_photos(names)
            raise
        if stage == PhotoStage.AFTER:
            return _("The photos of the finished shopfront have been added.")
        return _("The photos before the upgrade have been added.")

    return _step(upgrade_id, "add_photos", "photo_form", PhotoForm(), act)


@bp.post("/upgrades/<int:upgrade_id>/complete")
@roles_required(Role.MERCHANT)
def upgrade_complete(upgrade_id: int) -> ResponseReturnValue:
    def act(upgrade: Upgrade, form: CompleteForm) -> str:
        services.complete(current_user, upgrade, form.completed_on.data)
        return _("The upgrade has been marked completed.")

    return _step(upgrade_id, "complete", "complete_form", CompleteForm(), act)


@bp.get("/upgrades/photos/<int:upgrade_photo_id>")
def upgrade_photo(upgrade_photo_id: int) -> ResponseReturnValue:
    """A photo, to whoever may see it: a draft's only to its merchant and the alliance's
    officers, an approved upgrade's to the public directory's visitors too."""
    photo = get_visible_or_404(UpgradePhoto, upgrade_photo_id)
    return uploads.send_image(services.PHOTOS, photo.stored_name)
