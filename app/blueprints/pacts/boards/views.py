"""Routes of this part; see the package docstring. The public board answers by its token only:
no public route takes a unit's id."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.authz import get_visible_or_404, roles_required
from app.blueprints.pacts.boards import printing, services
from app.extensions import db
from app.listing import search_arg
from app.models import Building, Community, Role, Unit
from app.pagination import paginate
from app.pdf import pdf_response
from app.periods import shanghai_today
from app.rendering import redirect_to, render_page

bp = Blueprint("boards", __name__)

# The district office reads and prints; the company's managers also prepare and re-issue.
READERS = (Role.ADMIN, Role.MANAGER)
MANAGERS = (Role.MANAGER,)
UNITS_PER_PAGE = 50


@bp.get("/b/<token>")
def public_board(token: str) -> ResponseReturnValue:
    sheet = services.public_sheet(token)
    if sheet is None:
        abort(404)
    response = make_response(render_page("pacts/boards/public.html", sheet=sheet))
    # Opened from a QR code, often once: nothing gained by caching it, and a re-issued token
    # or a new steward must show at once. Public, but not for search engines to list.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/boards")
@roles_required(*READERS)
def index() -> ResponseReturnValue:
    q = search_arg()
    return render_page(
        "pacts/boards/index.html",
        "results",
        communities=paginate(services.community_rows(q)),
        q=q,
        args={"q": q} if q else {},
    )


@bp.get("/boards/communities/<int:community_id>")
@roles_required(*READERS)
def community(community_id: int) -> ResponseReturnValue:
    place = get_visible_or_404(Community, community_id)
    q = search_arg()
    units = paginate(services.unit_rows(place, q), per_page=UNITS_PER_PAGE)
    return render_page(
        "pacts/boards/community.html",
        "results",
        community=place,
        counts=services.board_counts(place),
        units=units,
        duties=services.duties(row.id for row in units.items),
        q=q,
        args={"community_id": place.id} | ({"q": q} if q else {}),
        can_manage=current_user.role in MANAGERS,
    )


@bp.post("/boards/communities/<int:community_id>/prepare")
@roles_required(*MANAGERS)
def prepare(community_id: int) -> ResponseReturnValue:
    place = get_visible_or_404(Community, community_id)
    prepared = services.ensure_boards(place.id, current_user)
    db.session.commit()
    if prepared:
        flash(_("%(n)s boards prepared, each with its own QR code.", n=prepared), "success")
    else:
        flash(_("Every unit already has its board."), "info")
    return redirect_to(url_for("pacts.boards.community", community_id=place.id))


@bp.get("/boards/units/<int:unit_id>/print")
@roles_required(*READERS)
def print_board(unit_id: int) -> ResponseReturnValue:
    board = services.staff_board(unit_id)
    return render_page(
        "pacts/boards/print.html",
        sheet=services.unit_sheet(board),
        community=get_visible_or_404(Community, board.community_id),
        unit_id=board.unit_id,
        printed_on=shanghai_today(),
        can_reissue=current_user.role in MANAGERS,
    )


@bp.route("/boards/units/<int:unit_id>/reissue", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def reissue_board(unit_id: int) -> ResponseReturnValue:
    """A confirmation page first: the old QR code stops working."""
    board = services.staff_board(unit_id)
    if request.method == "POST":
        services.reissue(board, current_user)
        db.session.commit()
        flash(
            _(
                "The board has a new QR code; the old one no longer opens it. Print the new "
                "board and post it at the entrance."
            ),
            "success",
        )
        return redirect_to(url_for("pacts.boards.print_board", unit_id=board.unit_id))
    unit = get_visible_or_404(Unit, board.unit_id)
    return render_page(
        "pacts/boards/reissue.html",
        board=board,
        unit=unit,
        building=get_visible_or_404(Building, unit.building_id),
        community=get_visible_or_404(Community, board.community_id),
        issuer=services.issuer_name(board),
        issues=services.board_history(board),
    )


@bp.get("/boards/communities/<int:community_id>/pdf")
@roles_required(*READERS)
def community_pdf(community_id: int) -> ResponseReturnValue:
    """The print shop's PDF: make it, follow it being made (htmx polls the block), fetch it."""
    place = get_visible_or_404(Community, community_id)
    return render_page(
        "pacts/boards/pdf.html",
        "status",
        community=place,
        counts=services.board_counts(place),
        job=printing.current_job(place.id),
    )


@bp.post("/boards/communities/<int:community_id>/pdf")
@roles_required(*READERS)
def make_pdf(community_id: int) -> ResponseReturnValue:
    place = get_visible_or_404(Community, community_id)
    counts = services.board_counts(place)
    if counts.boards:
        printing.start(place, counts.boards, str(get_locale()))
    return redirect_to(url_for("pacts.boards.community_pdf", community_id=place.id))


@bp.get("/boards/communities/<int:community_id>/boards.pdf")
@roles_required(*READERS)
def download_pdf(community_id: int) -> ResponseReturnValue:
    place = get_visible_or_404(Community, community_id)
    data = printing.ready_pdf(place.id)
    if data is None:  # not made yet, or being made again: the page that makes it
        return redirect_to(url_for("pacts.boards.community_pdf", community_id=place.id))
    return pdf_response(data, _("Steward boards of %(name)s", name=place.name) + ".pdf")
