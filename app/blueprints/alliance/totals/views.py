"""The totals pages: one alliance's (its officers, the district office) and the district's
(the district office), each with its Excel export."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, redirect, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.authz import get_visible_or_404, roles_required, scope
from app.blueprints.alliance.totals import services
from app.extensions import db
from app.models import Alliance, Role
from app.periods import utcnow
from app.rendering import render_page

bp = Blueprint("totals", __name__, url_prefix="/totals")

READERS = (Role.ADMIN, Role.OFFICER)


@bp.get("/")
@roles_required(*READERS)
def index() -> ResponseReturnValue:
    """The district office's totals over every alliance; an officer's, their alliance's."""
    if current_user.role is Role.OFFICER:
        own = db.session.scalar(select(Alliance.id).where(scope(Alliance)).order_by(Alliance.id))
        if own is None:
            abort(404)
        return redirect(url_for(".alliance_totals", alliance_id=own))
    return render_page("alliance/totals/totals.html", alliance=None, report=services.totals())


@bp.get("/alliances/<int:alliance_id>")
@roles_required(*READERS)
def alliance_totals(alliance_id: int) -> ResponseReturnValue:
    alliance = get_visible_or_404(Alliance, alliance_id)
    return render_page(
        "alliance/totals/totals.html", alliance=alliance, report=services.totals(alliance)
    )


def _xlsx(alliance: Alliance | None) -> Response:
    title = _("Alliance investment")
    query = services.export_rows(services.counted_where(alliance))
    place = alliance.name if alliance else _("All alliances")
    filename = f"{title}-{place}-{utcnow():%Y%m%d}.xlsx"
    disposition = (
        f"attachment; filename=\"alliance-totals.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    # stream_with_context keeps the request (and its database session) open while it streams.
    return Response(
        stream_with_context(services.xlsx_chunks(query, title)),
        mimetype=services.XLSX_MIMETYPE,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


@bp.get("/district.xlsx")
@roles_required(Role.ADMIN)
def district_export() -> ResponseReturnValue:
    return _xlsx(None)


@bp.get("/alliances/<int:alliance_id>.xlsx")
@roles_required(*READERS)
def alliance_export(alliance_id: int) -> ResponseReturnValue:
    return _xlsx(get_visible_or_404(Alliance, alliance_id))
