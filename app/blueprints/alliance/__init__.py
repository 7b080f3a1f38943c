"""Merchant alliance (商业联盟): the landing page of merchants and alliance officers, the totals
and the public shop directory."""

from flask import Blueprint

from app.areas import Area
from app.blueprints.alliance import access, menu, views
from app.blueprints.alliance.directory import labels as directory_labels
from app.blueprints.alliance.directory import views as directory
from app.blueprints.alliance.totals import figures as totals_figures
from app.blueprints.alliance.totals import views as totals


def blueprint() -> Blueprint:
    area = Blueprint("alliance", __name__, url_prefix="/alliance")
    for part in (views, totals, directory):
        area.register_blueprint(part.bp)
    return area


AREA = Area(
    blueprint,
    menu.MENU,
    menu.SECTIONS,
    labels=directory_labels.LABELS,
    rules=access.RULES,
    panels=totals_figures.PANELS,
)
