"""Routes of the alliance's members: a merchant's sign-up and application, the officers'
review of applications, shops, the charter and the pledge, and the district office's list of
alliances."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, flash, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user

from app.authz import get_visible_or_404, roles_required
from app.blueprints.alliance.members import services
from app.blueprints.alliance.members.forms import (
    AllianceForm,
    ApplyForm,
    BusinessForm,
    CharterForm,
    DecisionForm,
    PledgeForm,
    ShopForm,
    SignUpForm,
)
from app.blueprints.alliance.members.services import Business
from app.blueprints.auth import services as auth_services
from app.extensions import db, limiter
from app.listing import search_arg
from app.models import Alliance, Membership, MembershipStatus, Merchant, Role, Shop, User
from app.pagination import paginate
from app.periods import utcnow
from app.rendering import redirect_to, render_page
from app.rules import RuleError, show_on_form

bp = Blueprint("members", __name__)

LANDING = "alliance.home.home"
# Every sign-up counts, a refused one as much as a made one: accounts are what a spammer wants.
signup_limit = limiter.limit(
    lambda: current_app.config["SIGNUP_RATE_LIMIT"],
    key_func=get_remote_address,
    methods=["POST"],
)


def waited(since: datetime) -> str:
    """How long something has waited, in words of the reader's language ("3 days")."""
    return format_timedelta(utcnow() - since, granularity="minute", threshold=1)


def _business(form: BusinessForm) -> Business:
    return Business(
        business_name=form.business_name.data,
        credit_code=form.credit_code.data,
        legal_representative=form.legal_representative.data,
        contact_name=form.contact_name.data,
        contact_phone=form.contact_phone.data,
    )


def _to_landing(message: str) -> ResponseReturnValue:
    flash(message, "info")
    return redirect_to(url_for(LANDING))


# --- signing up and applying -----------------------------------------------------------------


@bp.route("/signup", methods=["GET", "POST"])
@signup_limit
def signup() -> ResponseReturnValue:
    """A visitor opens a merchant account with their business; a merchant account without a
    business yet (opened by the district office) registers its business here."""
    signed_in = current_user.is_authenticated
    if signed_in and current_user.role != Role.MERCHANT:
        return render_page("alliance/members/signup.html", form=None)
    if signed_in and services.current_merchant(current_user) is not None:
        return redirect_to(url_for(LANDING))
    form = BusinessForm() if signed_in else SignUpForm()
    if form.validate_on_submit():
        try:
            if signed_in:
                services.register_business(current_user, _business(form))
            else:
                merchant = services.sign_up(form.username.data, form.password.data, _business(form))
        except RuleError as error:
            show_on_form(form, error)
        else:
            if not signed_in:
                user = db.session.get(User, merchant.user_id)
                session.clear()  # as at login: nothing from before survives it
                auth_services.start_session(user, request.user_agent.string)
                login_user(user)
            db.session.commit()
            flash(
                _("Your business is registered. Now apply to join your street's alliance."),
                "success",
            )
            return redirect_to(url_for(".apply"))
    status = 422 if form.errors else 200
    return render_page("alliance/members/signup.html", "form", form=form), status


@bp.route("/apply", methods=["GET", "POST"])
@roles_required(Role.MERCHANT)
def apply() -> ResponseReturnValue:
    merchant = services.current_merchant(current_user)
    if merchant is None:
        return redirect_to(url_for(".signup"))
    form = ApplyForm(services.alliance_choices())
    if form.validate_on_submit():
        try:
            application = services.apply(merchant, form.alliance_id.data, form.message.data)
        except RuleError as error:
            show_on_form(form, error)
        else:
            db.session.commit()
            alliance = db.session.get(Alliance, application.alliance_id)
            return _to_landing(
                _(
                    "Your application to %(name)s is sent; its officers will decide on it.",
                    name=alliance.name,
                )
            )
    status = 422 if form.errors else 200
    return render_page(
        "alliance/members/apply.html",
        "form",
        form=form,
        applications=services.applications_of(merchant.id),
    ), status


# --- the officers' review --------------------------------------------------------------------


@bp.get("/applications")
@roles_required(Role.OFFICER)
def applications() -> ResponseReturnValue:
    alliance = services.officer_alliance(current_user)
    if alliance is None:
        return _to_landing(_("Your account runs no alliance yet."))
    return render_page(
        "alliance/members/applications.html",
        "applications",
        alliance=alliance,
        applications=paginate(services.pending_applications(alliance.id)),
        waited=waited,
    )


@bp.route("/applications/<int:membership_id>", methods=["GET", "POST"])
@roles_required(Role.OFFICER)
def application(membership_id: int) -> ResponseReturnValue:
    row = get_visible_or_404(Membership, membership_id)
    merchant = db.session.get(Merchant, row.merchant_id)
    form = DecisionForm()
    if row.status is MembershipStatus.APPLIED and form.validate_on_submit():
        approve = form.decision.data == "approve"
        try:
            services.decide(row, approve, form.reason.data, current_user)
        except RuleError as error:
            show_on_form(form, error)
            if error.field is None:  # decided meanwhile: the page shows the decision
                flash(str(error.message), "error")
                return redirect_to(url_for(".application", membership_id=membership_id))
        else:
            db.session.commit()
            said = (
                _("%(name)s is now a member.", name=merchant.business_name)
                if approve
                else _("The application of %(name)s is declined.", name=merchant.business_name)
            )
            flash(said, "success")
            return redirect_to(url_for(".applications"))
    status = 422 if form.errors else 200
    return render_page(
        "alliance/members/application.html",
        "form",
        membership=row,
        merchant=merchant,
        alliance=db.session.get(Alliance, row.alliance_id),
        form=form,
        waited=waited,
    ), status


# --- shops -----------------------------------------------------------------------------------


@bp.get("/shops")
@roles_required(Role.OFFICER, Role.ADMIN)
def shops() -> ResponseReturnValue:
    alliance = services.officer_alliance(current_user)
    if current_user.role == Role.OFFICER and alliance is None:
        return _to_landing(_("Your account runs no alliance yet."))
    query = search_arg()
    return render_page(
        "alliance/members/shops.html",
        "shops",
        alliance=alliance,
        shops=paginate(services.shop_search(alliance.id if alliance else None, query)),
        q=query,
    )


def _shop_page(form: ShopForm, shop: Shop | None) -> ResponseReturnValue:
    status = 422 if form.errors else 200
    return render_page("alliance/members/shop_form.html", "form", form=form, shop=shop), status


@bp.route("/shops/new", methods=["GET", "POST"])
@roles_required(Role.MERCHANT)
def shop_new() -> ResponseReturnValue:
    merchant = services.current_merchant(current_user)
    if merchant is None:
        return redirect_to(url_for(".signup"))
    alliances = services.member_alliances(merchant.id)
    if not alliances:
        return _to_landing(_("You can add shops once an alliance has approved your application."))
    form = ShopForm(alliances)
    if form.validate_on_submit():
        try:
            shop = services.save_shop(merchant, form.values())
        except RuleError as error:
            show_on_form(form, error)
        else:
            db.session.commit()
            return _to_landing(_("%(name)s is added to your shops.", name=shop.name))
    return _shop_page(form, None)


@bp.route("/shops/<int:shop_id>/edit", methods=["GET", "POST"])
@roles_required(Role.MERCHANT)
def shop_edit(shop_id: int) -> ResponseReturnValue:
    shop = get_visible_or_404(Shop, shop_id)
    merchant = services.current_merchant(current_user)
    if merchant is None or not services.is_member(merchant.id, shop.alliance_id):
        return _to_landing(_("You can edit shops once an alliance has approved your application."))
    form = ShopForm([], obj=shop).for_existing_shop()
    if form.validate_on_submit():
        try:
            services.save_shop(merchant, form.values(), shop)
        except RuleError as error:
            show_on_form(form, error)
        else:
            db.session.commit()
            return _to_landing(_("%(name)s is saved.", name=shop.name))
    return _shop_page(form, shop)


# --- the pledge ------------------------------------------------------------------------------


@bp.route("/memberships/<int:membership_id>/pledge", methods=["GET", "POST"])
@roles_required(Role.MERCHANT)
def pledge(membership_id: int) -> ResponseReturnValue:
    row = get_visible_or_404(Membership, membership_id)
    if row.status is not MembershipStatus.APPROVED:
        return _to_landing(_("You sign the pledge once the alliance has approved you."))
    merchant = db.session.get(Merchant, row.merchant_id)
    alliance = db.session.get(Alliance, row.alliance_id)
    form = PledgeForm()
    if form.validate_on_submit():
        try:
            signed = services.sign_pledge(merchant, alliance, current_user)
        except RuleError as error:
            show_on_form(form, error)
        else:
            db.session.commit()
            return _to_landing(
                _("Thank you: your pledge runs until %(day)s.", day=signed.expires_on.isoformat())
            )
    status = 422 if form.errors else 200
    return render_page(
        "alliance/members/pledge.html",
        "form",
        form=form,
        membership=row,
        alliance=alliance,
        charter=services.charter(alliance.id),
        standing=services.pledge_state(merchant.id, alliance.id),
    ), status


# --- alliances and their charter -------------------------------------------------------------


@bp.get("/alliances")
@roles_required(Role.ADMIN)
def alliances() -> ResponseReturnValue:
    return render_page(
        "alliance/members/alliances.html", "alliances", alliances=paginate(services.alliance_rows())
    )


@bp.route("/alliances/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def alliance_new() -> ResponseReturnValue:
    officers = services.free_officers()
    form = AllianceForm(officers)
    if form.validate_on_submit():
        try:
            made = services.create_alliance(form.data, form.officer_id.data)
        except RuleError as error:
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is created.", name=made.name), "success")
            return redirect_to(url_for(".alliance", alliance_id=made.id))
    status = 422 if form.errors else 200
    return render_page(
        "alliance/members/alliance_new.html", "form", form=form, officers=officers
    ), status


@bp.get("/alliances/<int:alliance_id>")
@roles_required(Role.ADMIN, Role.OFFICER)
def alliance(alliance_id: int) -> ResponseReturnValue:
    street = get_visible_or_404(Alliance, alliance_id)
    return render_page(
        "alliance/members/alliance.html",
        alliance=street,
        charter=services.charter(street.id),
        communities=services.communities_of(street.id),
        officers=services.officers_of(street.id),
        totals=services.alliance_totals(street.id),
        can_edit=current_user.role == Role.OFFICER,
    )


@bp.route("/alliances/<int:alliance_id>/charter", methods=["GET", "POST"])
@roles_required(Role.OFFICER)
def charter(alliance_id: int) -> ResponseReturnValue:
    street = get_visible_or_404(Alliance, alliance_id)
    form = CharterForm(data={m.value: text for m, text in services.charter(street.id).items()})
    if form.validate_on_submit():
        try:
            services.save_charter(street, form.wordings())
        except RuleError as error:
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("The charter is saved; new pledges are signed in its wording."), "success")
            return redirect_to(url_for(".alliance", alliance_id=street.id))
    status = 422 if form.errors else 200
    return render_page("alliance/members/charter.html", "form", form=form, alliance=street), status
