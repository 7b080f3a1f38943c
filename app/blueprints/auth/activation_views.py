"""Activation codes: managers issue, print and revoke them; residents redeem them at /activate."""

from __future__ import annotations

import segno
from flask import Blueprint, flash, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user

from app.authz import get_visible_or_404, roles_required
from app.blueprints.auth import activation_services as services
from app.blueprints.auth import services as auth_services
from app.blueprints.auth.activation_forms import (
    RELATION_LABELS,
    ActivateForm,
    IssueCodeForm,
    RedeemForm,
)
from app.blueprints.auth.limits import activation_limit
from app.blueprints.property.notices.services import community_choices
from app.extensions import db
from app.listing import search_arg
from app.models import ActivationCode, Household, Role
from app.pagination import paginate
from app.periods import utcnow
from app.rendering import redirect_to, render_page
from app.security import public_url

bp = Blueprint("activation", __name__)

ISSUERS = (Role.ADMIN, Role.MANAGER)
# The codes just issued in this browser, newest last, so that the slip can be reprinted
# while it is open; the database keeps only hashes. Kept in the signed session cookie.
SLIPS = "activation_slips"
SLIPS_KEPT = 5


@bp.get("/activation-codes")
@roles_required(*ISSUERS)
def activation_codes() -> ResponseReturnValue:
    community_id = request.args.get("community_id", type=int)
    query = search_arg()
    homes = paginate(services.household_search(community_id, query))
    return render_page(
        "auth/activate_codes.html",
        "households",
        homes=homes,
        communities=community_choices(),
        community_id=community_id,
        query=query,
    )


def _household_page(household: Household, form: IssueCodeForm) -> ResponseReturnValue:
    status = 422 if form.errors else 200
    return render_page(
        "auth/activate_household.html",
        household=household,
        form=form,
        codes=services.household_codes(household),
        residents=services.household_residents(household),
        relation_labels=RELATION_LABELS,
    ), status


@bp.get("/activation-codes/households/<int:household_id>")
@roles_required(*ISSUERS)
def activation_household(household_id: int) -> ResponseReturnValue:
    return _household_page(get_visible_or_404(Household, household_id), IssueCodeForm())


@bp.post("/activation-codes/households/<int:household_id>")
@roles_required(*ISSUERS)
def activation_issue(household_id: int) -> ResponseReturnValue:
    household = get_visible_or_404(Household, household_id)
    form = IssueCodeForm()
    if not form.validate_on_submit():
        return _household_page(household, form)
    row, code = services.issue_code(household, form.relation.data, current_user)
    db.session.commit()
    slips = [pair for pair in session.get(SLIPS, []) if pair[0] != row.id]
    session[SLIPS] = [*slips, [row.id, code]][-SLIPS_KEPT:]
    return redirect_to(url_for("auth.activation.activation_slip", code_id=row.id))


@bp.get("/activation-codes/<int:code_id>/slip")
@roles_required(*ISSUERS)
def activation_slip(code_id: int) -> ResponseReturnValue:
    row = get_visible_or_404(ActivationCode, code_id)
    code = dict((pair[0], pair[1]) for pair in session.get(SLIPS, [])).get(row.id)
    outstanding = row.redeemed_at is None and row.expires_at > utcnow()
    context = {"row": row, "household": db.session.get(Household, row.household_id)}
    if code and outstanding:
        link = public_url("auth.activation.activate")
        qr = segno.make(public_url("auth.activation.activate", code=code), error="m")
        context |= {
            "code": code,
            "link": link,
            "qr": qr.svg_data_uri(scale=4, border=2),
            "relation_label": RELATION_LABELS[row.relation],
        }
    return render_page("auth/activate_slip.html", **context)


@bp.post("/activation-codes/<int:code_id>/revoke")
@roles_required(*ISSUERS)
def activation_revoke(code_id: int) -> ResponseReturnValue:
    row = get_visible_or_404(ActivationCode, code_id)
    if services.revoke_code(row):
        db.session.commit()
        flash(_("The activation code has been revoked; it can no longer be used."), "success")
    else:
        flash(_("This activation code was already used or expired."), "info")
    return redirect_to(
        url_for("auth.activation.activation_household", household_id=row.household_id)
    )


@bp.route("/activate", methods=["GET", "POST"])
@activation_limit
def activate() -> ResponseReturnValue:
    """Redeem a code: a visitor opens a resident account with it, a signed-in resident adds
    the household to theirs. Other roles are told the code is meant for a resident."""
    signed_in = current_user.is_authenticated
    if signed_in and current_user.role != Role.RESIDENT:
        return render_page("auth/activate.html", form=None)
    form_class = RedeemForm if signed_in else ActivateForm
    form = form_class(code=request.args.get("code", "")[:40])
    if form.validate_on_submit():
        try:
            if signed_in:
                services.redeem_for_user(form.code.data, current_user)
            else:
                redemption = services.redeem_new_account(
                    form.code.data,
                    form.username.data,
                    form.password.data,
                    form.display_name.data,
                )
                # As at login: a fresh session, nothing from before survives it.
                session.clear()
                auth_services.start_session(redemption.user, request.user_agent.string)
                login_user(redemption.user)
            db.session.commit()
        except services.ActivationError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            flash(_("Welcome! Your account is now linked to your home."), "success")
            return redirect_to(url_for("auth.account.landing"))
    status = 422 if form.errors else 200
    return render_page("auth/activate.html", "form", form=form), status
