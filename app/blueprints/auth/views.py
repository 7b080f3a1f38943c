"""Signing in and out, the password, the language, the landing redirect and the health check."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    jsonify,
    make_response,
    redirect,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.blueprints.auth import services
from app.blueprints.auth.forms import ChangePasswordForm, LanguageForm, LoginForm
from app.blueprints.auth.limits import password_limit, sign_in_limits
from app.extensions import csrf, db, limiter
from app.i18n import LANGUAGE_COOKIE
from app.models import Role
from app.rendering import redirect_to, render_page
from app.security import safe_next

bp = Blueprint("account", __name__)

LANDING = {
    Role.ADMIN: "property.home.overview",
    Role.MANAGER: "property.home.dashboard",
    Role.STEWARD: "property.requests.my_tasks",
    Role.RESIDENT: "property.home.my_home",
    Role.MERCHANT: "alliance.home.home",
    Role.OFFICER: "alliance.home.home",
}
ONE_YEAR = 365 * 24 * 3600


@bp.get("/")
@login_required
def landing() -> ResponseReturnValue:
    return redirect(url_for(LANDING[current_user.role]))


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limits
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("auth.account.landing"))
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is not None:
            # A fresh session on login: nothing set before signing in survives it.
            session.clear()
            services.start_session(user, request.user_agent.string)
            login_user(user)
            db.session.commit()
            return redirect(safe_next(form.next.data) or url_for("auth.account.landing"))
        form.password.errors.append(_("Wrong username or password."))
    status = 422 if form.errors else 200
    return render_page("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    services.end_session(current_user.session_token)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("auth.account.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@password_limit
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm(current_user)
    if form.validate_on_submit():
        services.change_password(current_user, form.new_password.data)
        db.session.commit()
        flash(
            _("Your password has been changed. Other signed-in browsers were signed out."),
            "success",
        )
        return redirect_to(url_for("auth.account.landing"))
    status = 422 if form.errors else 200
    return render_page("auth/password.html", "form", form=form), status


@bp.post("/language")
def set_language() -> ResponseReturnValue:
    form = LanguageForm()
    if not form.validate_on_submit():
        return redirect(url_for("auth.account.landing"))
    if current_user.is_authenticated:
        current_user.locale = form.lang.data
        db.session.commit()
    response = make_response(redirect(safe_next(form.next.data) or url_for("auth.account.landing")))
    response.set_cookie(
        LANGUAGE_COOKIE, form.lang.data, max_age=ONE_YEAR, samesite="Lax", httponly=True
    )
    return response


@bp.get("/healthz")
@csrf.exempt
@limiter.exempt
def healthz() -> ResponseReturnValue:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
