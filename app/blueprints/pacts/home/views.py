"""Routes of this part; see the package docstring."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.authz import roles_required
from app.blueprints.pacts.home import services
from app.models import Role
from app.rendering import render_page

bp = Blueprint("home", __name__)


@bp.get("/my-building")
@roles_required(Role.RESIDENT)
def my_building() -> ResponseReturnValue:
    return render_page("pacts/home/my_building.html", homes=services.resident_units(current_user))


@bp.get("/my-units")
@roles_required(Role.STEWARD)
def my_units() -> ResponseReturnValue:
    return render_page("pacts/home/my_units.html", units=services.steward_units(current_user))
