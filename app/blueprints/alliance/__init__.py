"""Merchant alliance (商业联盟): the alliances of the renovated shopping streets, their
merchants, shops, shopfront upgrades and pledges, the totals and the public shop directory.
One blueprint per part, nested under the area's, which adds the /alliance prefix."""

from flask import Blueprint

from app.areas import Area
from app.blueprints.alliance import access, labels, menu, views
from app.blueprints.alliance.directory import views as directory
from app.blueprints.alliance.members import views as members
from app.blueprints.alliance.totals import figures as totals_figures
from app.blueprints.alliance.totals import views as totals
from app.blueprints.alliance.upgrades import views as upgrades


def blueprint() -> Blueprint:
    area = Blueprint("alliance", __name__, url_prefix="/alliance")
    for part in (views, members, upgrades, totals, directory):
        area.register_blueprint(part.bp)
    return area


AREA = Area(
    blueprint,
    menu.MENU,
    menu.SECTIONS,
    labels=labels.LABELS,
    rules=access.RULES,
    panels=totals_figures.PANELS,
)
