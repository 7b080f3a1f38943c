"""Staff: the list with its party-member share, adding and editing a member, deactivating
one, and giving a member an account."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.authz import get_visible_or_404, roles_required
from app.blueprints.property.roster import forms, services
from app.blueprints.property.roster.views.common import (
    EDITORS,
    READERS,
    back_to,
    bp,
    can_edit,
    chosen_company,
    company_choices,
    dialog,
    fit_company_field,
    link_args,
    list_url,
    saved,
)
from app.extensions import db
from app.listing import search_arg, sort_arg
from app.models import Role, Staff
from app.pagination import paginate
from app.rendering import redirect_to, render_page


@bp.get("/roster/staff")
@roles_required(*READERS)
def roster_staff() -> ResponseReturnValue:
    q = search_arg()
    status = request.args.get("status")
    status = status if status in services.STAFF_STATUSES else "active"
    sort = sort_arg(services.STAFF_SORTS, "name")
    return render_page(
        "property/roster/staff.html",
        "results",
        staff=paginate(services.staff_rows(q, status, sort)),
        counts=services.staff_counts(),
        q=q,
        status=status,
        sort=sort,
        args=link_args(q=q, status=status if status != "active" else None),
        can_edit=can_edit(),
        show_company=current_user.role == Role.ADMIN,
    )


def _staff_form(member: Staff | None = None) -> forms.StaffForm:
    form = forms.StaffForm(company_choices(), obj=member)
    if request.method == "GET":
        form.next.data = list_url(url_for("property.roster.roster_staff"))
        if member is not None:
            form.position.data = member.position.value
    fit_company_field(form, member)
    return form


@bp.route("/roster/staff/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def roster_staff_new() -> ResponseReturnValue:
    form = _staff_form()
    back = back_to(form, "property.roster.roster_staff")

    def save() -> ResponseReturnValue:
        member = services.create_staff(chosen_company(form), **form.values())
        return saved(_("%(name)s added to the staff.", name=member.name), back)

    return dialog(
        form,
        save,
        _("New staff member"),
        url_for("property.roster.roster_staff_new"),
        _("Add staff member"),
        back,
    )


@bp.route("/roster/staff/<int:staff_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def roster_staff_edit(staff_id: int) -> ResponseReturnValue:
    member = get_visible_or_404(Staff, staff_id)
    form = _staff_form(member)
    back = back_to(form, "property.roster.roster_staff")

    def save() -> ResponseReturnValue:
        services.update_staff(member, **form.values())
        return saved(_("%(name)s saved.", name=member.name), back)

    return dialog(
        form,
        save,
        _("Edit %(name)s", name=member.name),
        url_for("property.roster.roster_staff_edit", staff_id=member.id),
        _("Save"),
        back,
    )


@bp.post("/roster/staff/<int:staff_id>/status")
@roles_required(*EDITORS)
def roster_staff_status(staff_id: int) -> ResponseReturnValue:
    member = get_visible_or_404(Staff, staff_id)
    form = forms.StaffStatusForm()
    if not form.validate_on_submit() or form.active.data not in ("0", "1"):
        abort(400)
    active = form.active.data == "1"
    services.set_staff_active(member, active)
    db.session.commit()
    message = (
        _("%(name)s is active again.", name=member.name)
        if active
        else _("%(name)s has been deactivated.", name=member.name)
    )
    flash(message, "success")
    return redirect_to(back_to(form, "property.roster.roster_staff"))


@bp.route("/roster/staff/<int:staff_id>/account", methods=["GET", "POST"])
@roles_required(*EDITORS)
def roster_staff_account(staff_id: int) -> ResponseReturnValue:
    member = get_visible_or_404(Staff, staff_id)
    form = forms.AccountForm()
    if request.method == "GET":
        form.next.data = list_url(url_for("property.roster.roster_staff"))
        form.role.data = (
            Role.MANAGER.value if member.position.value == "manager" else Role.STEWARD.value
        )
    back = back_to(form, "property.roster.roster_staff")

    def save() -> ResponseReturnValue:
        account, password = services.give_account(member, form.username.data, Role(form.role.data))
        db.session.commit()
        return render_page(
            "property/roster/account_done.html",
            "dialog",
            member=member,
            account=account,
            password=password,
            back_url=back,
            in_dialog=bool(request.htmx),
        )

    return dialog(
        form,
        save,
        _("An account for %(name)s", name=member.name),
        url_for("property.roster.roster_staff_account", staff_id=member.id),
        _("Create account"),
        back,
        intro=_(
            "The initial password is shown once, after you create the account. "
            "Hand it to %(name)s, who changes it at the first sign-in.",
            name=member.name,
        ),
    )
