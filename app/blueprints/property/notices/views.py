"""Routes of this part; see the package docstring."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.authz import get_visible_or_404, roles_required
from app.blueprints.property.notices import services
from app.blueprints.property.notices.forms import NoticeForm, local_now
from app.blueprints.property.notices.services import NoticeStatus
from app.extensions import db
from app.models import Notice, Role
from app.pagination import paginate
from app.periods import utcnow
from app.rendering import redirect_to, render_page
from app.security import safe_next

bp = Blueprint("notices", __name__)

# Stewards read the list from their dashboard; publishing and changing notices is for managers.
READERS = (Role.ADMIN, Role.MANAGER, Role.STEWARD)
EDITORS = (Role.ADMIN, Role.MANAGER)
STATUS_LABELS = {
    NoticeStatus.IN_FORCE: _l("In force"),
    NoticeStatus.SCHEDULED: _l("Scheduled"),
    NoticeStatus.EXPIRED: _l("Expired"),
}


@bp.get("/notices")
@roles_required(*READERS)
def notices_list() -> ResponseReturnValue:
    status = request.args.get("status", "")
    chosen = NoticeStatus(status) if status in set(NoticeStatus) else None
    return render_page(
        "property/notices/list.html",
        "notices",
        notices=paginate(services.notice_rows(chosen)),
        status=chosen,
        status_labels=STATUS_LABELS,
        status_of=services.status_of,
        now=utcnow(),
        can_edit=current_user.role in EDITORS,
    )


def _form(notice: Notice | None = None) -> NoticeForm:
    """The notice form with the communities the user may address and the chosen one's
    buildings; on GET prefilled from `notice` or with the defaults of a new notice."""
    if request.method == "POST":
        form = NoticeForm()
    elif notice is not None:
        form = NoticeForm.for_notice(notice)
    else:
        form = NoticeForm(
            community_id=request.args.get("community_id", type=int), published_at=local_now()
        )
    form.community_id.choices = services.community_choices()
    form.set_buildings(services.building_choices(form.chosen_community()))
    return form


def _render_form(form: NoticeForm, notice: Notice | None) -> ResponseReturnValue:
    figures = services.read_figures(notice) if notice is not None else None
    context = {"form": form, "notice": notice, "figures": figures}
    status = 422 if form.errors else 200
    return render_page("property/notices/form.html", "form", **context), status


@bp.route("/notices/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def notices_new() -> ResponseReturnValue:
    form = _form()
    if form.validate_on_submit():
        services.publish_notice(form.draft(), current_user)
        db.session.commit()
        flash(_("The notice has been published."), "success")
        return redirect_to(url_for("property.notices.notices_list"))
    return _render_form(form, None)


@bp.get("/notices/buildings")
@roles_required(*EDITORS)
def notices_buildings() -> ResponseReturnValue:
    """The building checkboxes of the community just chosen (the whole form without htmx)."""
    form = _form()
    return render_page("property/notices/form.html", "buildings", form=form, notice=None)


@bp.route("/notices/<int:notice_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def notices_edit(notice_id: int) -> ResponseReturnValue:
    notice = get_visible_or_404(Notice, notice_id)
    form = _form(notice)
    if form.validate_on_submit():
        services.update_notice(notice, form.draft())
        db.session.commit()
        flash(_("The notice has been saved."), "success")
        return redirect_to(url_for("property.notices.notices_list"))
    return _render_form(form, notice)


def _back_to_list() -> ResponseReturnValue:
    return redirect_to(
        safe_next(request.form.get("next")) or url_for("property.notices.notices_list")
    )


@bp.post("/notices/<int:notice_id>/unpin")
@roles_required(*EDITORS)
def notices_unpin(notice_id: int) -> ResponseReturnValue:
    services.unpin(get_visible_or_404(Notice, notice_id))
    db.session.commit()
    flash(_("The notice is no longer pinned."), "success")
    return _back_to_list()


@bp.post("/notices/<int:notice_id>/expire")
@roles_required(*EDITORS)
def notices_expire(notice_id: int) -> ResponseReturnValue:
    services.expire_now(get_visible_or_404(Notice, notice_id))
    db.session.commit()
    flash(_("The notice has expired; residents no longer see it."), "success")
    return _back_to_list()


@bp.get("/notices/<int:notice_id>")
@roles_required(Role.RESIDENT)
def notice_show(notice_id: int) -> ResponseReturnValue:
    notice = services.open_notice(notice_id, current_user)
    db.session.commit()
    return render_page("property/notices/show.html", notice=notice)
