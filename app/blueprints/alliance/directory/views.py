"""The public shop directory: no sign-in needed, the same for every visitor and every role."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask.typing import ResponseReturnValue

from app.blueprints.alliance.directory import services
from app.blueprints.alliance.directory.forms import DirectoryForm
from app.listing import search_arg
from app.pagination import paginate
from app.rendering import render_page
from app.uploads import send_image

bp = Blueprint("directory", __name__, url_prefix="/directory")

SHOPS_PER_PAGE = 24


@bp.get("/")
def index() -> ResponseReturnValue:
    """Every alliance, each leading to its directory."""
    return render_page(
        "alliance/directory/index.html", alliances=paginate(services.listed_alliances())
    )


@bp.get("/<int:alliance_id>")
def alliance_directory(alliance_id: int) -> ResponseReturnValue:
    alliance = services.public_alliance(alliance_id)
    if alliance is None:
        abort(404)
    form = DirectoryForm(request.args, counts=services.category_counts(alliance))
    valid = form.validate()
    category, q = form.category.data, search_arg()
    shops = paginate(services.shop_rows(alliance, category, q), per_page=SHOPS_PER_PAGE)
    args = {k: v for k, v in (("q", q), ("category", category and category.value)) if v}
    page = render_page(
        "alliance/directory/alliance.html",
        "shops",
        alliance=alliance,
        form=form,
        q=q,
        shops=shops,
        args=args,
        pledged=services.pledged_members(alliance),
    )
    return page, 200 if valid else 422


@bp.get("/shops/<int:shop_id>")
def shop(shop_id: int) -> ResponseReturnValue:
    listed = services.public_shop(shop_id)
    if listed is None:
        abort(404)
    return render_page(
        "alliance/directory/shop.html", listed=listed, upgrades=services.shop_upgrades(listed.shop)
    )


@bp.get("/photos/<int:upgrade_photo_id>")
def photo(upgrade_photo_id: int) -> ResponseReturnValue:
    found = services.public_photo(upgrade_photo_id)
    if found is None:
        abort(404)
    response = send_image(services.PHOTO_KIND, found.stored_name)
    # Public, but a shop that leaves the alliance must drop out at once: ask again each time.
    response.headers["Cache-Control"] = "no-cache"
    return response
