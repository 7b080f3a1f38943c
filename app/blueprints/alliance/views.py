"""Merchant alliance (商业联盟): the landing page of merchants and alliance officers."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from app.authz import roles_required
from app.models import Role
from app.rendering import render_page

bp = Blueprint("home", __name__)


@bp.get("/")
@roles_required(Role.MERCHANT, Role.OFFICER)
def home() -> ResponseReturnValue:
    return render_page("alliance/home.html")
