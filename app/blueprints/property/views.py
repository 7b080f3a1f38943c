"""Property operations (红色物业): district overview, company communities, a resident's home."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.authz import get_visible_or_404, roles_required
from app.blueprints.property import services
from app.blueprints.property.notices import services as notice_services
from app.dashboards import panels_for
from app.models import Community, Role
from app.pagination import paginate
from app.rendering import render_page

bp = Blueprint("home", __name__)


@bp.get("/overview")
@roles_required(Role.ADMIN)
def overview() -> ResponseReturnValue:
    companies = paginate(services.company_rows())
    return render_page(
        "property/overview.html",
        "companies",
        totals=services.totals(),
        companies=companies,
        panels=panels_for(current_user),
    )


@bp.get("/dashboard")
@roles_required(Role.MANAGER, Role.STEWARD)
def dashboard() -> ResponseReturnValue:
    communities = paginate(services.community_rows())
    return render_page(
        "property/dashboard.html",
        "communities",
        company=current_user.company,
        today=services.day_figures(),
        totals=services.totals(),
        communities=communities,
        panels=panels_for(current_user),
    )


@bp.get("/communities/<int:community_id>")
@roles_required(Role.ADMIN, Role.MANAGER)
def community(community_id: int) -> ResponseReturnValue:
    place = get_visible_or_404(Community, community_id)
    return render_page(
        "property/community.html", community=place, buildings=services.building_rows(place)
    )


@bp.get("/my-home")
@roles_required(Role.RESIDENT)
def my_home() -> ResponseReturnValue:
    return render_page(
        "property/my_home.html",
        "notices",
        homes=services.resident_homes(),
        notices=paginate(notice_services.current_notices(), per_page=10),
    )
